"""A bundle job as a task graph: parsing, refusal of bad graphs, ordering and `run_if` rules.

Everything here is checked before the first task starts, so a job with a cycle, an unknown
dependency or an unsupported task type never half-runs. The `run_if` decisions follow the
Databricks Jobs documentation ("Configure task dependencies"):

=====================  ===========================================  ==================
run_if                 the task runs when, over its dependencies     otherwise
=====================  ===========================================  ==================
ALL_SUCCESS (default)  all succeeded                                 UPSTREAM_FAILED
AT_LEAST_ONE_SUCCESS   at least one succeeded                        UPSTREAM_FAILED
NONE_FAILED            none failed (and at least one ran)            UPSTREAM_FAILED
ALL_DONE               always, once all are done                     —
AT_LEAST_ONE_FAILED    at least one failed                           EXCLUDED
ALL_FAILED             all failed                                    EXCLUDED
=====================  ===========================================  ==================

An EXCLUDED dependency counts as succeeded, except that a task whose dependencies are all
EXCLUDED is EXCLUDED itself, whatever its `run_if`. A dependency edge with an `outcome`
(`depends_on: [{task_key: check, outcome: "true"}]`) is EXCLUDED when the condition task
evaluated to the other outcome.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from brickgate import taskgraph
from brickgate.errors import InputError
from brickgate.suggest import did_you_mean

TaskState = Literal[
    "PENDING",
    "RUNNING",
    "WAITING_FOR_RETRY",
    "SUCCESS",
    "FAILED",
    "TIMEDOUT",
    "UPSTREAM_FAILED",
    "EXCLUDED",
    "CANCELED",
]
RunIf = Literal["ALL_SUCCESS", "AT_LEAST_ONE_SUCCESS", "NONE_FAILED", "ALL_DONE", "AT_LEAST_ONE_FAILED", "ALL_FAILED"]
RunResult = Literal["RUNNING", "SUCCESS", "SUCCESS_WITH_FAILURES", "FAILED", "TIMEDOUT", "CANCELED"]
Decision = Literal["RUN", "UPSTREAM_FAILED", "EXCLUDED"]

RUN_IF_VALUES: tuple[str, ...] = get_args(RunIf)
SUPPORTED_TYPES = ("spark_python_task", "python_wheel_task", "notebook_task", "condition_task", "run_job_task")
TERMINAL_STATES: frozenset[str] = frozenset(
    {"SUCCESS", "FAILED", "TIMEDOUT", "UPSTREAM_FAILED", "EXCLUDED", "CANCELED"}
)
FAILED_STATES: frozenset[str] = frozenset({"FAILED", "TIMEDOUT", "UPSTREAM_FAILED", "CANCELED"})
TASK_KEY = re.compile(r"^[\w\-.]{1,100}$")

UNSUPPORTED_TYPE = "job '{job}' task '{task}': {kind} cannot run locally; brickgate run supports {supported}"
NO_TYPE = "job '{job}' task '{task}' has no task type (one of {supported})"
UNKNOWN_TASK = "job '{job}' has no task '{task}'{hint} (tasks: {tasks})"
BAD_RUN_IF = "job '{job}' task '{task}': run_if '{value}' is not one of {valid}"
BAD_OUTCOME = "job '{job}' task '{task}': depends_on '{dep}' has outcome '{outcome}' but {why}"


@dataclass(frozen=True, kw_only=True)
class Dependency:
    """One `depends_on` edge; `outcome` is set only for an edge out of a condition task."""

    task_key: str
    outcome: str | None = None


@dataclass(frozen=True, kw_only=True)
class TaskSpec:
    """One task of a job with the Databricks defaults filled in."""

    key: str
    type: str
    config: Mapping[str, Any]
    depends_on: tuple[Dependency, ...] = ()
    run_if: RunIf = "ALL_SUCCESS"
    max_retries: int = 0
    min_retry_interval_millis: int = 0
    retry_on_timeout: bool = False
    timeout_seconds: float = 0.0


@dataclass(frozen=True, kw_only=True)
class JobSpec:
    """A parsed job: tasks in a topological order (declaration order among independent ones)."""

    key: str
    name: str
    parameters: Mapping[str, str]
    tasks: tuple[TaskSpec, ...]
    timeout_seconds: float = 0.0

    def task(self, key: str) -> TaskSpec:
        for task in self.tasks:
            if task.key == key:
                return task
        raise InputError(
            UNKNOWN_TASK.format(
                job=self.key, task=key, hint=did_you_mean(key, self.keys()), tasks=", ".join(self.keys())
            )
        )

    def keys(self) -> list[str]:
        return [task.key for task in self.tasks]

    def dependents(self) -> dict[str, list[str]]:
        """Task key → keys of the tasks that depend on it."""
        found: dict[str, list[str]] = {task.key: [] for task in self.tasks}
        for task in self.tasks:
            for dep in task.depends_on:
                found[dep.task_key].append(task.key)
        return found

    def ancestors(self, key: str) -> set[str]:
        """Every task `key` transitively depends on."""
        by_key = {task.key: task for task in self.tasks}
        seen: set[str] = set()
        stack = [dep.task_key for dep in by_key[key].depends_on]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(dep.task_key for dep in by_key[current].depends_on)
        return seen


def parse_job(key: str, job: Mapping[str, Any]) -> JobSpec:
    """Read a resolved `resources.jobs.<key>` mapping; refuse anything that cannot run locally.

    Raises
    ------
    InputError
        For an unsupported or missing task type, an unknown `depends_on`, a cycle, a bad
        `run_if` or `outcome`, or a malformed field; the message names job, task and field.

    Examples
    --------
    >>> spec = parse_job("etl", {"tasks": [
    ...     {"task_key": "load", "depends_on": [{"task_key": "extract"}],
    ...      "spark_python_task": {"python_file": "load.py"}},
    ...     {"task_key": "extract", "spark_python_task": {"python_file": "extract.py"}}]})
    >>> spec.keys()
    ['extract', 'load']
    """
    raw_tasks = job.get("tasks") or []
    if not isinstance(raw_tasks, list) or not raw_tasks:
        raise InputError(f"job '{key}' has no tasks")
    tasks = [_parse_task(key, index, raw) for index, raw in enumerate(raw_tasks)]
    seen: set[str] = set()
    for task in tasks:
        if task.key in seen:
            raise InputError(f"job '{key}' declares task '{task.key}' twice")
        seen.add(task.key)
    by_key = {task.key: task for task in tasks}
    for task in tasks:
        for dep in task.depends_on:
            if dep.task_key not in by_key:
                hint = did_you_mean(dep.task_key, by_key)
                raise InputError(
                    taskgraph.UNKNOWN_DEPENDENCY.format(job=key, task=task.key, dependency=dep.task_key, hint=hint)
                )
            _check_outcome(key, task, dep, by_key[dep.task_key])
    return JobSpec(
        key=key,
        name=str(job.get("name") or key),
        parameters=_parse_parameters(key, job.get("parameters") or []),
        tasks=tuple(_topological(key, tasks)),
        timeout_seconds=_number(job.get("timeout_seconds", 0), f"job '{key}' timeout_seconds"),
    )


def _parse_task(job: str, index: int, raw: object) -> TaskSpec:
    if not isinstance(raw, Mapping):
        raise InputError(f"job '{job}' tasks[{index}] is not a mapping")
    key = raw.get("task_key")
    if not isinstance(key, str) or not TASK_KEY.match(key):
        raise InputError(f"job '{job}' tasks[{index}] has no valid task_key (letters, digits, _ - .)")
    kinds = [name for name in raw if isinstance(name, str) and name.endswith("_task")]
    supported = ", ".join(SUPPORTED_TYPES)
    if not kinds:
        raise InputError(NO_TYPE.format(job=job, task=key, supported=supported))
    kind = kinds[0]
    if kind not in SUPPORTED_TYPES:
        raise InputError(UNSUPPORTED_TYPE.format(job=job, task=key, kind=kind, supported=supported))
    config = raw[kind]
    if not isinstance(config, Mapping):
        raise InputError(f"job '{job}' task '{key}': {kind} must be a mapping")
    run_if = raw.get("run_if", "ALL_SUCCESS")
    if run_if not in RUN_IF_VALUES:
        raise InputError(BAD_RUN_IF.format(job=job, task=key, value=run_if, valid=", ".join(RUN_IF_VALUES)))
    where = f"job '{job}' task '{key}'"
    return TaskSpec(
        key=key,
        type=kind,
        config=config,
        depends_on=tuple(_parse_dependency(where, item) for item in raw.get("depends_on") or []),
        run_if=run_if,
        max_retries=int(_number(raw.get("max_retries", 0), f"{where} max_retries")),
        min_retry_interval_millis=int(
            _number(raw.get("min_retry_interval_millis", 0), f"{where} min_retry_interval_millis")
        ),
        retry_on_timeout=bool(raw.get("retry_on_timeout", False)),
        timeout_seconds=_number(raw.get("timeout_seconds", 0), f"{where} timeout_seconds"),
    )


def _parse_dependency(where: str, item: object) -> Dependency:
    if isinstance(item, Mapping) and isinstance(item.get("task_key"), str):
        outcome = item.get("outcome")
        return Dependency(task_key=item["task_key"], outcome=None if outcome is None else str(outcome).lower())
    raise InputError(f"{where}: each depends_on entry needs a task_key")


def _check_outcome(job: str, task: TaskSpec, dep: Dependency, upstream: TaskSpec) -> None:
    if dep.outcome is None:
        return
    why = ""
    if upstream.type != "condition_task":
        why = f"'{dep.task_key}' is not a condition_task"
    elif dep.outcome not in ("true", "false"):
        why = 'an outcome is "true" or "false"'
    if why:
        raise InputError(BAD_OUTCOME.format(job=job, task=task.key, dep=dep.task_key, outcome=dep.outcome, why=why))


def _parse_parameters(job: str, raw: object) -> dict[str, str]:
    if not isinstance(raw, list):
        raise InputError(f"job '{job}' parameters must be a list of {{name, default}}")
    found: dict[str, str] = {}
    for item in raw:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise InputError(f"job '{job}' parameters: each entry needs a name and a default")
        found[item["name"]] = parameter_text(item.get("default", ""))
    return found


def parameter_text(value: object) -> str:
    """Databricks parameters are strings; YAML numbers and booleans become their JSON text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(f"{where} must be a number")
    try:
        return float(value)
    except ValueError as exc:
        raise InputError(f"{where} must be a number, not '{value}'") from exc


def _topological(job: str, tasks: Sequence[TaskSpec]) -> list[TaskSpec]:
    """The tasks in `taskgraph.order`; a cycle is refused with the validation's wording."""
    graph = {task.key: [dep.task_key for dep in task.depends_on] for task in tasks}
    ordered = taskgraph.order(graph)
    if ordered is None:
        raise InputError(taskgraph.cycle_message(job, taskgraph.cycles(graph)[0]))
    by_key = {task.key: task for task in tasks}
    return [by_key[key] for key in ordered]


def select_tasks(job: JobSpec, *, only: Sequence[str] = (), from_task: str | None = None) -> frozenset[str]:
    """Keys that run: those named in `only`, plus `from_task` and everything downstream of it
    (both given: the union), else all."""
    if not only and not from_task:
        return frozenset(job.keys())
    named = {job.task(key).key for key in only}
    below: set[str] = set()
    if from_task:
        downstream = job.dependents()
        stack = [job.task(from_task).key]
        while stack:
            current = stack.pop()
            if current not in below:  # not `named`: a task named in --only still leads downstream
                below.add(current)
                stack.extend(downstream[current])
    return frozenset(named | below)


def decide(run_if: RunIf, upstream: Sequence[str]) -> Decision:
    """Whether a task runs, given the state of each dependency edge (EXCLUDED edges included).

    Examples
    --------
    >>> decide("ALL_SUCCESS", ["SUCCESS", "FAILED"])
    'UPSTREAM_FAILED'
    >>> decide("AT_LEAST_ONE_FAILED", ["SUCCESS", "SUCCESS"])
    'EXCLUDED'
    >>> decide("ALL_FAILED", ["EXCLUDED", "FAILED"])
    'EXCLUDED'
    >>> decide("ALL_DONE", ["EXCLUDED", "EXCLUDED"])
    'EXCLUDED'
    """
    if not upstream:
        return "RUN"
    if all(state == "EXCLUDED" for state in upstream):
        return "EXCLUDED"
    failed = sum(state in FAILED_STATES for state in upstream)
    succeeded = len(upstream) - failed  # EXCLUDED counts as succeeded
    runs = {
        "ALL_SUCCESS": failed == 0,
        "AT_LEAST_ONE_SUCCESS": succeeded > 0,
        "NONE_FAILED": failed == 0,
        "ALL_DONE": True,
        "AT_LEAST_ONE_FAILED": failed > 0,
        "ALL_FAILED": succeeded == 0,
    }[run_if]
    if runs:
        return "RUN"
    return "EXCLUDED" if run_if in ("AT_LEAST_ONE_FAILED", "ALL_FAILED") else "UPSTREAM_FAILED"


def edge_state(dep: Dependency, state: str, outcome: str | None) -> str:
    """The state a dependency edge contributes: EXCLUDED when a condition took the other branch."""
    if dep.outcome is not None and state == "SUCCESS" and outcome != dep.outcome:
        return "EXCLUDED"
    return state


def job_result(job: JobSpec, states: Mapping[str, str]) -> RunResult:
    """Databricks' run result: FAILED when a leaf task failed, SUCCESS_WITH_FAILURES when only inner ones did.

    A leaf is a task no other task depends on; EXCLUDED counts as succeeded.
    """
    if any(state == "CANCELED" for state in states.values()):
        return "CANCELED"
    leaves = [key for key, dependents in job.dependents().items() if not dependents]
    if any(states.get(key) in FAILED_STATES for key in leaves):
        return "FAILED"
    if any(state in FAILED_STATES for state in states.values()):
        return "SUCCESS_WITH_FAILURES"
    return "SUCCESS"
