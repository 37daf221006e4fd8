"""Task values: small results one task of a job run hands to the tasks downstream of it.

The same calls as `dbutils.jobs.taskValues` work in job code under `brickgate run` and on
Databricks (where they delegate to dbutils)::

    from brickgate.runtime import task_values
    task_values.set("rows", 1200)                      # in task "extract"
    task_values.get("extract", "rows", default=0)      # in a task downstream

Locally each task's values are a JSON file `<run folder>/task_values/<task_key>.json`; the
runner passes the run folder and the task key to each task as `BRICKGATE_RUN_DIR` and
`BRICKGATE_TASK_KEY`. Values must be JSON-serialisable and, as on Databricks, at most 48 KiB
once serialised. Outside any job run, `set` does nothing and `get` returns `debug_value`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MAX_VALUE_BYTES = 48 * 1024
TOO_LARGE = "task value '{key}' is {size} bytes once serialised; Databricks allows at most 48 KiB"
NOT_IN_JOB = (
    "task_values.get('{task}', '{key}') outside a job run needs debug_value (as dbutils.jobs.taskValues.get does)"
)
NOT_FOUND = "task value '{key}' of task '{task}' was not set in this run and no default was given"


def values_path(run_dir: Path, task_key: str) -> Path:
    return run_dir / "task_values" / f"{task_key}.json"


def read_values(run_dir: Path, task_key: str) -> dict[str, Any]:
    """All values task `task_key` set in the run stored under `run_dir` (``{}`` when none)."""
    path = values_path(run_dir, task_key)
    if not path.is_file():
        return {}
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return found


def _local_run(env: Mapping[str, str]) -> tuple[Path, str] | None:
    run_dir, task_key = env.get("BRICKGATE_RUN_DIR", ""), env.get("BRICKGATE_TASK_KEY", "")
    return (Path(run_dir), task_key) if run_dir and task_key else None


def _dbutils() -> Any:
    from pyspark.dbutils import DBUtils

    from brickgate.runtime import get_spark

    return DBUtils(get_spark())


def set(key: str, value: Any) -> None:
    """Set task value `key` of the current task (overwrites an earlier value of the same key).

    Raises
    ------
    TypeError
        When `value` is not JSON-serialisable.
    ValueError
        When the serialised value exceeds 48 KiB.
    """
    text = json.dumps(value)
    if len(text.encode("utf-8")) > MAX_VALUE_BYTES:
        raise ValueError(TOO_LARGE.format(key=key, size=len(text.encode("utf-8"))))
    if os.environ.get("DATABRICKS_RUNTIME_VERSION"):
        _dbutils().jobs.taskValues.set(key=key, value=value)
        return
    local = _local_run(os.environ)
    if local is None:
        return
    run_dir, task_key = local
    values = read_values(run_dir, task_key)
    values[key] = value
    path = values_path(run_dir, task_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(f".{os.getpid()}.tmp")
    scratch.write_text(json.dumps(values), encoding="utf-8")
    scratch.replace(path)


def get(task_key: str, key: str, default: Any = None, debug_value: Any = None) -> Any:
    """Task value `key` set by task `task_key` earlier in this run.

    Returns `default` when that task did not set it, and `debug_value` outside a job run.

    Raises
    ------
    ValueError
        When the value is missing and no `default` was given.
    TypeError
        Outside a job run when no `debug_value` was given.
    """
    if os.environ.get("DATABRICKS_RUNTIME_VERSION"):
        return _dbutils().jobs.taskValues.get(taskKey=task_key, key=key, default=default, debugValue=debug_value)
    local = _local_run(os.environ)
    if local is None:
        if debug_value is None:
            raise TypeError(NOT_IN_JOB.format(task=task_key, key=key))
        return debug_value
    values = read_values(local[0], task_key)
    if key in values:
        return values[key]
    if default is None:
        raise ValueError(NOT_FOUND.format(task=task_key, key=key))
    return default
