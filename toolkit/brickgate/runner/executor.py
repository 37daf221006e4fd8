"""The scheduler: runs a job's tasks as subprocesses in dependency order, with retries and timeouts.

Each attempt of a process task is its own subprocess in its own session
(``start_new_session=True``), so a timeout or a cancellation kills the whole process tree,
grandchildren included: SIGTERM to the process group, then SIGKILL after a grace period.
Processes a finished task left behind in its group are killed too. One thread per running
attempt waits for it and posts the result on a queue; the scheduling loop alone changes
state, so no lock guards the task table. A run_job_task runs the child job's scheduler in
its own thread; cancelling the parent cancels it.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from brickgate.bundle.artifacts import LocalPackage
from brickgate.errors import InputError, reason
from brickgate.redaction import Redactor, pump, redact
from brickgate.runner import references, tasks
from brickgate.runner.dag import (
    TERMINAL_STATES,
    Dependency,
    JobSpec,
    TaskSpec,
    TaskState,
    decide,
    edge_state,
    job_result,
    parse_job,
    select_tasks,
)
from brickgate.runner.progress import markdown_summary
from brickgate.runner.record import AttemptRecord, RunRecord, TaskRecord, now_iso, runs_dir, write_record
from brickgate.runtime.task_values import read_values
from brickgate.suggest import did_you_mean

Observer = Callable[[RunRecord], None]
UNKNOWN_PARAMETER = "job '{job}' has no parameter '{name}' (job parameters: {known})"
LOG_DRAIN_SECONDS = 5.0  # a process that escaped the group may hold the pipe: never wait on it for ever
JOB_CYCLE = "run_job_task cycle: {path}"
SUMMARY_FILE = "summary.md"
CANNOT_RECORD = "cannot record the run in {folder}: {reason} (runs are recorded under DIR/.brickgate/runs/)"


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """Everything a run needs besides the job key.

    `jobs` is `Bundle.config["resources"]["jobs"]` with paths relative to `root`; `parameters`
    overrides job parameter defaults (`--param`); `max_parallel` 0 means one task per CPU core.
    """

    root: Path
    jobs: Mapping[str, Mapping[str, Any]]
    bundle_name: str = ""
    target: str = "local"
    variables: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, str] = field(default_factory=dict)
    packages: Mapping[str, LocalPackage] = field(default_factory=dict)  # whl artifacts, run from source
    max_parallel: int = 0
    only: Sequence[str] = ()
    from_task: str | None = None
    env: Mapping[str, str] | None = None
    state_dir: Path | None = None
    python: str = sys.executable
    kill_grace_seconds: float = 5.0
    observer: Observer | None = None
    handle_signals: bool = True

    def resolved_state_dir(self) -> Path:
        return (self.state_dir or self.root / ".brickgate").resolve()


@dataclass(frozen=True, kw_only=True)
class Plan:
    """A job checked for running: its spec, the tasks selected, and the plans of child jobs."""

    job: JobSpec
    selected: frozenset[str]
    children: Mapping[str, Plan] = field(default_factory=dict)


def plan_job(
    job_key: str,
    options: RunOptions,
    *,
    only: Sequence[str] = (),
    from_task: str | None = None,
    parameter_names: Sequence[str] = (),
    stack: tuple[str, ...] = (),
) -> Plan:
    """Check a job (and every job it runs) completely before anything starts.

    Raises
    ------
    InputError
        For an unknown job, task, parameter or reference, a missing file or package, an
        unsupported task type, or a cycle of tasks or of run_job_tasks.
    """
    if job_key in stack:
        raise InputError(JOB_CYCLE.format(path=" -> ".join([*stack, job_key])))
    if job_key not in options.jobs:
        hint = did_you_mean(job_key, options.jobs)
        raise InputError(f"unknown job '{job_key}'{hint} (jobs: {', '.join(options.jobs) or 'none'})")
    job = parse_job(job_key, options.jobs[job_key])
    for name in parameter_names:
        if name not in job.parameters:
            known = ", ".join(job.parameters) or "none"
            raise InputError(UNKNOWN_PARAMETER.format(job=job_key, name=name, known=known))
    children: dict[str, Plan] = {}
    for task in job.tasks:
        tasks.check_task(task, root=options.root, job=job_key, jobs=options.jobs, packages=options.packages)
        references.check(
            task.config, job=job_key, task=task.key, parameters=job.parameters, upstream=job.ancestors(task.key)
        )
        if task.type == "run_job_task":
            child = tasks.child_job_key(task, job=job_key, jobs=options.jobs)
            names = list((task.config.get("job_parameters") or {}).keys())
            children[task.key] = plan_job(child, options, parameter_names=names, stack=(*stack, job_key))
    return Plan(job=job, selected=select_tasks(job, only=only, from_task=from_task), children=children)


_id_lock = threading.Lock()
_last_id = 0


def new_run_id() -> int:
    """A local run id: microseconds since the epoch, unique within the process and sortable."""
    global _last_id
    with _id_lock:
        _last_id = max(time.time_ns() // 1000, _last_id + 1)
        return _last_id


def job_id(bundle: str, job_key: str) -> int:
    """A stable local stand-in for the numeric Databricks job id."""
    return zlib.crc32(f"{bundle}/{job_key}".encode())


def env_variable_name(variable: str) -> str:
    """`BRICKGATE_VAR_<NAME>` for a bundle variable (upper case, non-alphanumerics as `_`).

    >>> env_variable_name("catalog-name")
    'BRICKGATE_VAR_CATALOG_NAME'
    """
    return "BRICKGATE_VAR_" + re.sub(r"\W", "_", variable).upper()


def base_environment(options: RunOptions) -> dict[str, str]:
    """The environment every task of a run shares (see docs/local-runs.md)."""
    env = dict(os.environ if options.env is None else options.env)
    root = options.root.resolve()
    state_dir = options.resolved_state_dir()
    tracking = env.get("MLFLOW_TRACKING_URI") or f"sqlite:///{state_dir / 'mlflow.db'}"
    env["MLFLOW_TRACKING_URI"] = tracking
    env.setdefault("MLFLOW_REGISTRY_URI", tracking)
    if not env.get("BRICKGATE_WAREHOUSE"):
        env["BRICKGATE_WAREHOUSE"] = str(state_dir / "warehouse")
    env["BRICKGATE_TARGET"] = options.target
    env["BRICKGATE_BUNDLE_ROOT"] = str(root)
    env["BRICKGATE_BUNDLE_VARIABLES"] = json.dumps(dict(options.variables), sort_keys=True, default=str)
    for name, value in options.variables.items():
        env[env_variable_name(name)] = references.as_text(value)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _python_path(root: Path, source_dir: Path | None, existing: str) -> str:
    folders = [str(folder) for folder in (root / "src", source_dir) if folder is not None and folder.is_dir()]
    return os.pathsep.join([*dict.fromkeys(folders), *([existing] if existing else [])])


def _write_log(path: Path, text: str) -> None:
    """The log of an attempt that ran no process (a condition, a child job, a failed reference)."""
    path.write_text(redact(text) + "\n", encoding="utf-8")


def _copy_masked(source: IO[bytes], log: IO[bytes], clean: Redactor) -> None:
    """The task's output goes to its log file only through the redaction: never raw on disk."""
    with source, log:
        pump(source, log, clean)


def terminate_group(process: subprocess.Popen[bytes], signal_number: int) -> None:
    """Send `signal_number` to the task's process group; a group already gone is fine."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal_number)


@dataclass(kw_only=True)
class _TaskRun:
    """Mutable state of one task inside the scheduling loop."""

    spec: TaskSpec
    state: TaskState = "PENDING"
    attempts: list[AttemptRecord] = field(default_factory=list)
    outcome: str | None = None
    child_run_id: int | None = None
    message: str = ""
    not_before: float = 0.0
    attempt_started: float = 0.0


@dataclass(frozen=True, kw_only=True)
class _Finished:
    """An attempt ended, as posted by its waiter: state, exit code (None for in-process tasks)."""

    key: str
    state: TaskState
    exit_code: int | None = None
    message: str = ""
    outcome: str | None = None


_WAKE = _Finished(key="", state="PENDING")  # wakes the loop; handled by identity


class JobRun:
    """One run of one job; `execute()` blocks until every task is terminal."""

    def __init__(
        self,
        plan: Plan,
        options: RunOptions,
        *,
        parameters: Mapping[str, str] | None = None,
        parent: tuple[int, str] | None = None,
    ) -> None:
        self.plan = plan
        self.options = options
        self.run_id = new_run_id()
        self.folder = runs_dir(options.resolved_state_dir()) / str(self.run_id)
        self.parameters = {**plan.job.parameters, **(parameters or {})}
        self.parent = parent
        self.started_at = now_iso()
        self.ended_at: str | None = None
        self.state = "RUNNING"
        self.tasks = {spec.key: _TaskRun(spec=spec) for spec in plan.job.tasks}
        self._events: queue.SimpleQueue[_Finished] = queue.SimpleQueue()  # put() is safe in signal handlers
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._children: dict[str, JobRun] = {}
        self._running: set[str] = set()
        self._canceled = False
        self._stopping = False
        self._timed_out: set[str] = set()
        self.message = ""
        self._env = base_environment(options)
        limit = options.max_parallel or os.cpu_count() or 1
        self.max_parallel = max(1, limit)

    # -- public ---------------------------------------------------------------------------

    def cancel(self) -> None:
        """Ask the run to stop: running tasks are killed and recorded CANCELED.

        Safe from other threads and from signal handlers (a flag and a reentrant queue put).
        """
        self._canceled = True
        self._events.put(_WAKE)

    def execute(self) -> RunRecord:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # before any task starts: nothing ran, so no verdict (exit 2)
            raise InputError(CANNOT_RECORD.format(folder=self.folder, reason=reason(exc))) from exc
        for key, task in self.tasks.items():
            if key not in self.plan.selected:
                task.state, task.message = "EXCLUDED", "not selected (--only/--from)"
        self._changed()
        deadline = time.monotonic() + self.plan.job.timeout_seconds if self.plan.job.timeout_seconds else None
        timed_out = False
        while True:
            if self._canceled:
                self._stop_all()
                break
            if deadline is not None and time.monotonic() >= deadline:
                timed_out = True
                self._timed_out.update(self._running)
                self.message = f"job timed out after {self.plan.job.timeout_seconds:g} s"
                self._stop_all()
                break
            self._settle()
            self._start_ready()
            if not self._running and not self._waiting():
                break
            now = time.monotonic()
            waits = [t.not_before for t in self.tasks.values() if t.state == "WAITING_FOR_RETRY" and t.not_before > now]
            if deadline is not None:
                waits.append(deadline)
            timeout = max(0.0, min(waits) - time.monotonic()) if waits else None
            try:
                self._handle(self._events.get(timeout=timeout))
            except queue.Empty:
                continue
        states = {key: task.state for key, task in self.tasks.items()}
        self.state = "TIMEDOUT" if timed_out else job_result(self.plan.job, states)
        self.ended_at = now_iso()
        record = self._changed()
        (self.folder / SUMMARY_FILE).write_text(markdown_summary(record), encoding="utf-8")
        return record

    # -- scheduling -----------------------------------------------------------------------

    def _deps_done(self, task: _TaskRun) -> bool:
        return all(self.tasks[dep.task_key].state in TERMINAL_STATES for dep in self._edges(task.spec))

    def _edges(self, spec: TaskSpec) -> list[Dependency]:
        """Dependencies that count: edges to tasks left out by --only/--from are dropped."""
        return [dep for dep in spec.depends_on if dep.task_key in self.plan.selected]

    def _waiting(self) -> bool:
        return any(task.state in ("PENDING", "WAITING_FOR_RETRY") for task in self.tasks.values())

    def _running_full(self) -> bool:
        return len(self._running) >= self.max_parallel

    def _settle(self) -> None:
        """Decide every pending task whose dependencies are done: skip it now, or leave it ready."""
        changed, settled = True, False
        while changed:
            changed = False
            for task in self.tasks.values():
                if task.state != "PENDING" or not self._deps_done(task):
                    continue
                edges = [
                    edge_state(dep, self.tasks[dep.task_key].state, self.tasks[dep.task_key].outcome)
                    for dep in self._edges(task.spec)
                ]
                verdict = decide(task.spec.run_if, edges)
                if verdict != "RUN":
                    task.state, task.message = verdict, self._skip_reason(task.spec, edges)
                    changed = settled = True
        if settled:
            self._changed()

    def _skip_reason(self, spec: TaskSpec, edges: Sequence[str]) -> str:
        deps = self._edges(spec)
        if all(edge == "EXCLUDED" for edge in edges):
            branches = [
                f"condition {dep.task_key} was {self.tasks[dep.task_key].outcome}"
                for dep in deps
                if dep.outcome is not None and self.tasks[dep.task_key].outcome != dep.outcome
            ]
            return "; ".join(branches) or "every dependency was excluded"
        states = ", ".join(f"{dep.task_key} {edge}" for dep, edge in zip(deps, edges, strict=True))
        return f"run_if {spec.run_if} not met ({states})"

    def _start_ready(self) -> None:
        now = time.monotonic()
        for task in self.tasks.values():
            if self._running_full() or self._canceled:
                return
            if task.state in ("PENDING", "WAITING_FOR_RETRY") and self._deps_done(task) and task.not_before <= now:
                self._start(task)

    def _start(self, task: _TaskRun) -> None:
        spec = task.spec
        attempt = len(task.attempts) + 1
        task_run_id = new_run_id()
        wall, task.attempt_started = time.time(), time.monotonic()  # one instant: retries wait from it
        task.state = "RUNNING"
        log = f"logs/{spec.key}.{attempt}.log"
        task.attempts.append(AttemptRecord(attempt=attempt, state="RUNNING", started_at=now_iso(wall), log=log))
        self._running.add(spec.key)
        self._changed()
        context = references.ReferenceContext(
            job_id=job_id(self.options.bundle_name, self.plan.job.key),
            job_name=self.plan.job.name,
            job_run_id=self.run_id,
            parameters=self.parameters,
            task_key=spec.key,
            task_run_id=task_run_id,
            task_value=self._task_value,
            result_state=lambda key: self.tasks[key].state,
        )
        log_path = self.folder / log
        log_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            config = references.resolve(spec.config, context)
        except references.MissingTaskValue as exc:
            _write_log(log_path, str(exc))
            self._events.put(_Finished(key=spec.key, state="FAILED", message=str(exc)))
            return
        if spec.type == "condition_task":
            self._run_condition(spec, config, log_path)
        elif spec.type == "run_job_task":
            self._run_child(task, config, log_path)
        else:
            self._run_process(spec, config, log_path, task_run_id)

    def _task_value(self, task_key: str, name: str) -> Any:
        values = read_values(self.folder, task_key)
        if name not in values:
            state = self.tasks[task_key].state
            detail = "" if state == "SUCCESS" else f" (task '{task_key}' is {state})"
            raise references.MissingTaskValue(references.MISSING_VALUE.format(name=name, task=task_key, detail=detail))
        return values[name]

    def _run_condition(self, spec: TaskSpec, config: Mapping[str, Any], log_path: Path) -> None:
        try:
            outcome = "true" if tasks.evaluate_condition(config) else "false"
        except ValueError as exc:
            _write_log(log_path, str(exc))
            self._events.put(_Finished(key=spec.key, state="FAILED", message=str(exc)))
            return
        line = f"{config['left']!r} {config['op']} {config['right']!r} -> {outcome}"
        _write_log(log_path, line)
        self._events.put(_Finished(key=spec.key, state="SUCCESS", outcome=outcome, message=line))

    def _run_child(self, task: _TaskRun, config: Mapping[str, Any], log_path: Path) -> None:
        key = task.spec.key
        plan = self.plan.children[key]
        parameters = tasks.child_parameters(config, job_parameters=self.parameters, child_defines=plan.job.parameters)
        child = JobRun(plan, self.options, parameters=parameters, parent=(self.run_id, key))
        self._children[key] = child
        task.child_run_id = child.run_id
        _write_log(log_path, f"run_job_task: job '{child.plan.job.key}' run {child.run_id} in {child.folder}")
        timer = threading.Timer(task.spec.timeout_seconds, self._time_out_child, args=(key,))

        def run() -> None:
            record = child.execute()
            timer.cancel()
            state: TaskState = "SUCCESS" if record.state == "SUCCESS" else "FAILED"
            if key in self._timed_out:
                state = "TIMEDOUT"
            self._events.put(_Finished(key=key, state=state, message=f"job '{record.job_key}' {record.state}"))

        if task.spec.timeout_seconds:
            timer.start()
        threading.Thread(target=run, name=f"brickgate-run-job-{key}", daemon=True).start()

    def _time_out_child(self, key: str) -> None:
        self._timed_out.add(key)
        self._children[key].cancel()

    def _run_process(self, spec: TaskSpec, config: Mapping[str, Any], log_path: Path, task_run_id: int) -> None:
        launch = tasks.process_launch(
            spec,
            config,
            root=self.options.root.resolve(),
            job=self.plan.job.key,
            python=self.options.python,
            job_parameters=self.parameters,
            packages=self.options.packages,
        )
        env = dict(self._env)
        env.update(launch.env)
        env["PYTHONPATH"] = _python_path(self.options.root.resolve(), launch.source_dir, env.get("PYTHONPATH", ""))
        env["BRICKGATE_RUN_ID"] = str(self.run_id)
        env["BRICKGATE_RUN_DIR"] = str(self.folder)
        env["BRICKGATE_TASK_KEY"] = spec.key
        env["BRICKGATE_TASK_RUN_ID"] = str(task_run_id)
        env["BRICKGATE_JOB_PARAMETERS"] = json.dumps(self.parameters, sort_keys=True)
        clean = Redactor(env)  # the task's own environment: its secrets are masked in its log too
        log = log_path.open("wb")
        log.write(clean(f"$ {' '.join(launch.argv)}\n").encode())
        log.flush()
        try:
            process = subprocess.Popen(
                launch.argv,
                cwd=launch.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            log.close()
            self._events.put(_Finished(key=spec.key, state="FAILED", message=f"cannot start: {exc}"))
            return
        assert process.stdout is not None  # stdout=PIPE
        copier = threading.Thread(
            target=_copy_masked, args=(process.stdout, log, clean), name=f"brickgate-log-{spec.key}", daemon=True
        )
        copier.start()
        self._processes[spec.key] = process
        threading.Thread(
            target=self._wait, args=(spec, process, copier), name=f"brickgate-{spec.key}", daemon=True
        ).start()

    def _wait(self, spec: TaskSpec, process: subprocess.Popen[bytes], copier: threading.Thread) -> None:
        """In a waiter thread: wait for the attempt, enforce its timeout, reap its process group."""
        try:
            code = process.wait(timeout=spec.timeout_seconds or None)
        except subprocess.TimeoutExpired:
            self._timed_out.add(spec.key)
            terminate_group(process, signal.SIGTERM)
            try:
                code = process.wait(timeout=self.options.kill_grace_seconds)
            except subprocess.TimeoutExpired:
                terminate_group(process, signal.SIGKILL)
                code = process.wait()
        terminate_group(process, signal.SIGKILL)  # whatever the task left behind in its group
        copier.join(timeout=LOG_DRAIN_SECONDS)  # the log is complete before anyone reads its tail
        state: TaskState = "SUCCESS" if code == 0 else "FAILED"
        message = "" if code == 0 else f"exit code {code}"
        if spec.key in self._timed_out:
            state, message = "TIMEDOUT", f"timed out after {spec.timeout_seconds:g} s"
        self._events.put(_Finished(key=spec.key, state=state, exit_code=code, message=message))

    def _handle(self, event: _Finished) -> None:
        if event is _WAKE:
            return
        task = self.tasks[event.key]
        self._running.discard(event.key)
        self._processes.pop(event.key, None)
        self._timed_out.discard(event.key)
        state = "CANCELED" if self._canceled and event.state != "SUCCESS" else event.state
        last = task.attempts[-1]
        task.attempts[-1] = AttemptRecord(
            attempt=last.attempt,
            state=state,
            started_at=last.started_at,
            ended_at=now_iso(),
            exit_code=event.exit_code,
            log=last.log,
            message=event.message,
        )
        task.outcome, task.message = event.outcome, event.message
        spec = task.spec
        retry = state == "FAILED" or (state == "TIMEDOUT" and spec.retry_on_timeout)
        left = spec.max_retries < 0 or len(task.attempts) <= spec.max_retries
        if retry and left and not self._canceled and not self._stopping:
            task.state = "WAITING_FOR_RETRY"
            task.not_before = task.attempt_started + spec.min_retry_interval_millis / 1000
        else:
            task.state = state
        self._changed()

    def _stop_all(self) -> None:
        """Kill every running attempt (SIGTERM, SIGKILL after the grace period); the rest is CANCELED."""
        self._stopping = True
        for key in list(self._running):
            if key in self._processes:
                terminate_group(self._processes[key], signal.SIGTERM)
            if key in self._children:
                self._children[key].cancel()
        deadline = time.monotonic() + self.options.kill_grace_seconds
        killed = False
        while self._running:
            try:
                event = self._events.get(timeout=None if killed else max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                for process in self._processes.values():
                    terminate_group(process, signal.SIGKILL)
                killed = True
                continue
            self._handle(event)
        for task in self.tasks.values():
            if task.state not in TERMINAL_STATES:
                task.state, task.message = "CANCELED", self.message or "run canceled"
        self._changed()

    # -- record ---------------------------------------------------------------------------

    def snapshot(self) -> RunRecord:
        return RunRecord(
            run_id=self.run_id,
            job_key=self.plan.job.key,
            job_name=self.plan.job.name,
            bundle=self.options.bundle_name,
            target=self.options.target,
            root=str(self.options.root.resolve()),
            state=self.state,
            started_at=self.started_at,
            ended_at=self.ended_at,
            parameters=dict(self.parameters),
            parent_run_id=self.parent[0] if self.parent else None,
            parent_task_key=self.parent[1] if self.parent else None,
            tasks=tuple(
                TaskRecord(
                    task_key=task.spec.key,
                    type=task.spec.type,
                    state=task.state,
                    run_if=task.spec.run_if,
                    depends_on=tuple(dep.task_key for dep in task.spec.depends_on),
                    attempts=tuple(task.attempts),
                    outcome=task.outcome,
                    child_run_id=task.child_run_id,
                    message=task.message,
                )
                for task in self.tasks.values()
            ),
        )

    def _changed(self) -> RunRecord:
        record = self.snapshot()
        write_record(record, self.folder)
        if self.options.observer is not None:
            self.options.observer(record)
        return record


@contextmanager
def _signals_cancel(run: JobRun, enabled: bool) -> Iterator[None]:
    """While the run lasts, SIGINT and SIGTERM cancel it instead of raising in the loop."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    for number in previous:
        signal.signal(number, lambda *_: run.cancel())
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run_job(job_key: str, options: RunOptions) -> RunRecord:
    """Run job `job_key` of a bundle locally and return its record (also in `run.json`).

    Everything is checked first (`plan_job`); then tasks run as subprocesses following
    `depends_on` and `run_if`, at most `options.max_parallel` at once. The record's `state`
    is the verdict: SUCCESS, SUCCESS_WITH_FAILURES, FAILED or CANCELED.

    Raises
    ------
    InputError
        When the job cannot start (see `plan_job`).
    """
    plan = plan_job(
        job_key, options, only=options.only, from_task=options.from_task, parameter_names=list(options.parameters)
    )
    run = JobRun(plan, options, parameters=options.parameters)
    with _signals_cancel(run, options.handle_signals):
        return run.execute()
