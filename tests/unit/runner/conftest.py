"""Helpers for runner tests: tiny task scripts in a temporary bundle root and a one-call run."""

from __future__ import annotations

import os
import textwrap
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from brickgate.output import validate_against_schema
from brickgate.runner import RunOptions, RunRecord, run_job

Script = Callable[[str, str], str]
Runner = Callable[..., RunRecord]


@pytest.fixture
def script(tmp_path: Path) -> Script:
    """Write `src/<name>.py` with `body` (dedented) under the bundle root; return its relative path."""

    def write(name: str, body: str) -> str:
        path = tmp_path / "src" / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body), encoding="utf-8")
        return f"src/{name}.py"

    return write


def python_task(key: str, file: str, **extra: Any) -> dict[str, Any]:
    return {"task_key": key, "spark_python_task": {"python_file": file, **extra.pop("task", {})}, **extra}


@pytest.fixture
def run(tmp_path: Path) -> Runner:
    """Run job `job` of `jobs` rooted at tmp_path; the record is checked against the schema."""

    def go(jobs: Mapping[str, Any], job: str = "job", **options: Any) -> RunRecord:
        options.setdefault("kill_grace_seconds", 0.5)
        options.setdefault("handle_signals", False)
        record = run_job(job, RunOptions(root=tmp_path, jobs=jobs, bundle_name="test", target="dev", **options))
        validate_against_schema(record.to_document(), "run-record")
        return record

    return go


def states(record: RunRecord) -> dict[str, str]:
    return {task.task_key: task.state for task in record.tasks}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie still answers kill(0); it is dead for our purpose
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def gone(pid: int, seconds: float = 5) -> bool:
    """Whether `pid` dies within `seconds` (a SIGKILL is delivered asynchronously)."""
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def wait_for(path: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)
