"""Dynamic value references (`{{job.parameters.x}}`, `{{tasks.t.values.v}}`, …) in task settings.

Supported, as in Databricks jobs: ``job.id``, ``job.name``, ``job.run_id``,
``job.parameters.<name>``, ``task.name``, ``task.run_id``, ``tasks.<key>.values.<name>``
(a task value set by an upstream task) and ``tasks.<key>.result_state``. Ids are local
integers. References are checked before the run starts (unknown names, a task that is not
upstream); a task value missing at run time fails the task that needs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from brickgate.errors import InputError

REFERENCE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
UNKNOWN_REFERENCE = (
    "job '{job}' task '{task}': unknown reference {{{{{name}}}}}; valid: job.id, job.name, job.run_id, "
    "job.parameters.<name>, task.name, task.run_id, tasks.<key>.values.<name>, tasks.<key>.result_state"
)
MISSING_VALUE = "task value '{name}' of task '{task}' was not set{detail}"


class MissingTaskValue(LookupError):
    """A referenced task value does not exist when the task starts; the task fails."""


@dataclass(frozen=True, kw_only=True)
class ReferenceContext:
    """What references resolve against for one task attempt."""

    job_id: int
    job_name: str
    job_run_id: int
    parameters: Mapping[str, str]
    task_key: str
    task_run_id: int
    task_value: Callable[[str, str], Any]  # (task_key, name) → value; raises MissingTaskValue
    result_state: Callable[[str], str]


def as_text(value: Any) -> str:
    """A value as it appears once substituted: strings as is, everything else as JSON.

    >>> as_text("a"), as_text(3), as_text(True), as_text([1, "x"])
    ('a', '3', 'true', '[1, "x"]')
    """
    return value if isinstance(value, str) else json.dumps(value)


def names(value: Any) -> list[str]:
    """Every reference name inside a (nested) settings value."""
    if isinstance(value, str):
        return REFERENCE.findall(value)
    if isinstance(value, Mapping):
        return [name for item in value.values() for name in names(item)]
    if isinstance(value, list):
        return [name for item in value for name in names(item)]
    return []


def check(value: Any, *, job: str, task: str, parameters: Mapping[str, str], upstream: set[str]) -> None:
    """Refuse unknown references before anything runs.

    Raises
    ------
    InputError
        For an unknown name, an undefined job parameter, or a task that is not upstream.
    """
    for name in names(value):
        parts = name.split(".")
        if name in ("job.id", "job.name", "job.run_id", "task.name", "task.run_id"):
            continue
        if len(parts) == 3 and parts[:2] == ["job", "parameters"]:
            if parts[2] not in parameters:
                defined = ", ".join(sorted(parameters)) or "none"
                raise InputError(
                    f"job '{job}' task '{task}': {{{{{name}}}}} names an undefined job parameter "
                    f"(job parameters: {defined})"
                )
            continue
        is_value = len(parts) == 4 and parts[0] == "tasks" and parts[2] == "values"
        is_state = len(parts) == 3 and parts[0] == "tasks" and parts[2] == "result_state"
        if is_value or is_state:
            if parts[1] not in upstream:
                raise InputError(
                    f"job '{job}' task '{task}': {{{{{name}}}}} refers to task '{parts[1]}', "
                    f"which is not upstream of '{task}' (add it to depends_on)"
                )
            continue
        raise InputError(UNKNOWN_REFERENCE.format(job=job, task=task, name=name))


def resolve(value: Any, context: ReferenceContext) -> Any:
    """`value` with every reference substituted (strings inside lists and mappings too).

    Examples
    --------
    >>> ctx = ReferenceContext(job_id=1, job_name="etl", job_run_id=42, parameters={"day": "2024-01-02"},
    ...     task_key="load", task_run_id=43, task_value=lambda t, n: 7, result_state=lambda t: "SUCCESS")
    >>> resolve(["--day={{job.parameters.day}}", "{{ job.run_id }}", "{{tasks.x.values.n}}"], ctx)
    ['--day=2024-01-02', '42', '7']
    """
    if isinstance(value, str):
        return REFERENCE.sub(lambda match: _lookup(match.group(1), context), value)
    if isinstance(value, Mapping):
        return {key: resolve(item, context) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, context) for item in value]
    return value


def _lookup(name: str, context: ReferenceContext) -> str:
    parts = name.split(".")
    simple = {
        "job.id": str(context.job_id),
        "job.name": context.job_name,
        "job.run_id": str(context.job_run_id),
        "task.name": context.task_key,
        "task.run_id": str(context.task_run_id),
    }
    if name in simple:
        return simple[name]
    if parts[:2] == ["job", "parameters"]:
        return context.parameters[parts[2]]
    if parts[2] == "result_state":
        return context.result_state(parts[1])
    return as_text(context.task_value(parts[1], parts[3]))
