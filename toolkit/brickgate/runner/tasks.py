"""How each supported task type starts locally: checks before the run, then a command or a verdict.

- ``spark_python_task``: ``python <python_file> <parameters…>``, working directory the file's folder.
- ``python_wheel_task``: the entry point of the installed distribution (`brickgate.runtime.wheel`),
  with ``parameters`` or ``named_parameters`` as ``--key=value`` (job parameters added, as on Databricks).
  A package the bundle builds itself (a `whl` artifact) runs from its source folder instead: the
  entry point its pyproject.toml declares, nothing built or installed (`brickgate.bundle.artifacts`).
- ``notebook_task``: a source-format ``.py`` notebook through `brickgate.runtime.notebook`, with
  ``base_parameters`` and job parameters as widgets.
- ``condition_task``: evaluated in the scheduler, no process.
- ``run_job_task``: another job of the same bundle, run by the scheduler (job parameters pushed down).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from brickgate.bundle.artifacts import LocalPackage, normalize
from brickgate.errors import InputError
from brickgate.runner.dag import TaskSpec, parameter_text
from brickgate.runtime.notebook import is_source_notebook
from brickgate.suggest import did_you_mean

CONDITION_OPS = ("EQUAL_TO", "NOT_EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL")
JOB_REFERENCE = re.compile(r"^\$\{resources\.jobs\.([\w\-]+)\.id\}$")
ENTRY_POINT_ENV = "BRICKGATE_ENTRY_POINT"  # "module:attribute" of a package run from source
MISSING_FILE = "job '{job}' task '{task}': {field} '{path}' not found under {root}"
NOT_NUMERIC = "condition {op}: '{left}' and '{right}' must both be numbers (== and != compare text)"


@dataclass(frozen=True, kw_only=True)
class ProcessLaunch:
    """A task attempt as a subprocess: arguments, working directory and extra environment."""

    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str] = field(default_factory=dict)
    source_dir: Path | None = None  # added to PYTHONPATH


def _where(job: str, task: TaskSpec) -> str:
    return f"job '{job}' task '{task.key}'"


def _required(job: str, task: TaskSpec, name: str) -> str:
    value = task.config.get(name)
    if not isinstance(value, str) or not value:
        raise InputError(f"{_where(job, task)}: {task.type}.{name} is required")
    return value


def _local_file(root: Path, job: str, task: TaskSpec, name: str, *, suffixes: tuple[str, ...] = ("",)) -> Path:
    relative = _required(job, task, name)
    for suffix in suffixes:
        candidate = (root / (relative + suffix)).resolve()
        if candidate.is_file():
            return candidate
    raise InputError(MISSING_FILE.format(job=job, task=task.key, field=f"{task.type}.{name}", path=relative, root=root))


def check_task(
    task: TaskSpec,
    *,
    root: Path,
    job: str,
    jobs: Mapping[str, Any],
    packages: Mapping[str, LocalPackage] | None = None,
) -> None:
    """Refuse, before the run starts, a task whose file, package, operator or job is missing."""
    if task.type == "spark_python_task":
        _local_file(root, job, task, "python_file")
    elif task.type == "notebook_task":
        path = _local_file(root, job, task, "notebook_path", suffixes=("", ".py"))
        if not is_source_notebook(path):
            raise InputError(
                f"{_where(job, task)}: {path.name} is not a source-format notebook "
                "(first line '# Databricks notebook source'); .ipynb notebooks cannot run locally"
            )
    elif task.type == "python_wheel_task":
        package = _required(job, task, "package_name")
        entry = _required(job, task, "entry_point")
        local = (packages or {}).get(normalize(package))
        if local is not None:
            if entry not in local.entry_points:
                known = ", ".join(local.entry_points) or "none"
                raise InputError(
                    f"{_where(job, task)}: package '{package}' (artifact '{local.artifact}') declares no entry point "
                    f"'{entry}'{did_you_mean(entry, local.entry_points)} (entry points: {known})"
                )
            return
        try:
            metadata.distribution(package)
        except metadata.PackageNotFoundError as exc:
            raise InputError(
                f"{_where(job, task)}: package '{package}' is not installed here; brickgate run installs no "
                "libraries, so pip install the wheel into this environment first"
            ) from exc
    elif task.type == "condition_task":
        op = task.config.get("op")
        if op not in CONDITION_OPS:
            raise InputError(f"{_where(job, task)}: condition_task.op '{op}' is not one of {', '.join(CONDITION_OPS)}")
        for side in ("left", "right"):
            if not isinstance(task.config.get(side), (str, int, float)):
                raise InputError(f"{_where(job, task)}: condition_task.{side} is required")
    elif task.type == "run_job_task":
        child_job_key(task, job=job, jobs=jobs)


def child_job_key(task: TaskSpec, *, job: str, jobs: Mapping[str, Any]) -> str:
    """The bundle job a run_job_task starts: `job_id: ${resources.jobs.<key>.id}`."""
    raw = str(task.config.get("job_id", ""))
    match = JOB_REFERENCE.match(raw.strip())
    if match is None:
        raise InputError(
            f"{_where(job, task)}: run_job_task.job_id '{raw}' must be ${{resources.jobs.<key>.id}} "
            "(only jobs of the same bundle run locally)"
        )
    key = match.group(1)
    if key not in jobs:
        hint = did_you_mean(key, jobs)
        raise InputError(f"{_where(job, task)}: run_job_task names unknown job '{key}'{hint}")
    return key


def child_parameters(
    config: Mapping[str, Any], *, job_parameters: Mapping[str, str], child_defines: Mapping[str, str]
) -> dict[str, str]:
    """Parameters of the job a run_job_task starts.

    Its `job_parameters` (references already resolved), then the parent's job parameters pushed
    down as Databricks does (they win over the task's), limited to those the child job defines.

    >>> child_parameters({"job_parameters": {"day": "x", "n": 1}}, job_parameters={"day": "d", "other": "o"},
    ...                  child_defines={"day": "", "n": ""})
    {'day': 'd', 'n': '1'}
    """
    raw = config.get("job_parameters") or {}
    found = {str(key): parameter_text(value) for key, value in raw.items()}
    found.update({key: value for key, value in job_parameters.items() if key in child_defines})
    return found


def process_launch(
    task: TaskSpec,
    config: Mapping[str, Any],
    *,
    root: Path,
    job: str,
    python: str,
    job_parameters: Mapping[str, str],
    packages: Mapping[str, LocalPackage] | None = None,
) -> ProcessLaunch:
    """The command for a process task, from its settings with references resolved."""
    if task.type == "spark_python_task":
        path = _local_file(root, job, task, "python_file")
        arguments = [parameter_text(item) for item in config.get("parameters") or []]
        return ProcessLaunch(argv=(python, str(path), *arguments), cwd=path.parent, source_dir=path.parent)
    if task.type == "notebook_task":
        path = _local_file(root, job, task, "notebook_path", suffixes=("", ".py"))
        widgets = {str(k): parameter_text(v) for k, v in (config.get("base_parameters") or {}).items()}
        widgets.update(job_parameters)
        return ProcessLaunch(
            argv=(python, "-m", "brickgate.runtime.notebook", str(path)),
            cwd=path.parent,
            env={"BRICKGATE_WIDGETS": json.dumps(widgets)},
            source_dir=path.parent,
        )
    if task.type == "python_wheel_task":
        named = config.get("named_parameters")
        if named is not None:
            merged = {str(k): parameter_text(v) for k, v in named.items()}
            merged.update(job_parameters)
            arguments = [f"--{key}={value}" for key, value in merged.items()]
        else:
            arguments = [parameter_text(item) for item in config.get("parameters") or []]
        package, entry = str(config["package_name"]), str(config["entry_point"])
        argv = (python, "-m", "brickgate.runtime.wheel", package, entry, *arguments)
        local = (packages or {}).get(normalize(package))
        if local is None:
            return ProcessLaunch(argv=argv, cwd=root)
        env = {ENTRY_POINT_ENV: local.entry_points[entry]}
        return ProcessLaunch(argv=argv, cwd=root, env=env, source_dir=local.source)
    raise InputError(f"{_where(job, task)}: {task.type} does not run as a process")


def evaluate_condition(config: Mapping[str, Any]) -> bool:
    """A condition_task's outcome, the Databricks way: == and != on text, the rest on numbers.

    Raises
    ------
    ValueError
        When an ordering operator gets an operand that is not a number.

    Examples
    --------
    >>> evaluate_condition({"op": "EQUAL_TO", "left": "12.0", "right": "12"})
    False
    >>> evaluate_condition({"op": "GREATER_THAN_OR_EQUAL", "left": "12.0", "right": "12"})
    True
    """
    op = config["op"]
    left, right = parameter_text(config["left"]), parameter_text(config["right"])
    if op == "EQUAL_TO":
        return left == right
    if op == "NOT_EQUAL":
        return left != right
    try:
        a, b = float(left), float(right)
    except ValueError as exc:
        raise ValueError(NOT_NUMERIC.format(op=op, left=left, right=right)) from exc
    return {
        "GREATER_THAN": a > b,
        "GREATER_THAN_OR_EQUAL": a >= b,
        "LESS_THAN": a < b,
        "LESS_THAN_OR_EQUAL": a <= b,
    }[op]
