"""The run record: `.brickgate/runs/<run_id>/run.json`, one log file per task attempt.

The record is rewritten (atomically) each time a task changes state, so `brickgate runs show`
works during a run and a crashed run still leaves what it did. Its shape is the JSON Schema
`schemas/run-record.json`, which is also the `--format json` output of `brickgate run` and
`brickgate runs show`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from brickgate.errors import InputError, reason
from brickgate.suggest import did_you_mean

SCHEMA = "run-record"
SCHEMA_VERSION = 1
RECORD_FILE = "run.json"
UNKNOWN_RUN = "no run '{run_id}' under {folder}{hint}"
BAD_RUN_ID = "run id '{run_id}' is not a number; `brickgate runs list` shows the run ids"
BAD_RECORD = "{path}: not a readable brickgate run record: {problem}"


def now_iso(timestamp: float | None = None) -> str:
    """UTC ISO 8601 with milliseconds, of `timestamp` (seconds since the epoch) or of now.

    >>> now_iso(1704067200.25)
    '2024-01-01T00:00:00.250Z'
    """
    moment = datetime.now(timezone.utc) if timestamp is None else datetime.fromtimestamp(timestamp, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def seconds_between(start: str | None, end: str | None) -> float | None:
    if start is None or end is None:
        return None
    return round((parse_iso(end) - parse_iso(start)).total_seconds(), 3)


@dataclass(frozen=True, kw_only=True)
class AttemptRecord:
    """One attempt of a task; `attempt` counts from 1. `log` is relative to the run folder."""

    attempt: int
    state: str
    started_at: str
    ended_at: str | None = None
    exit_code: int | None = None
    log: str | None = None
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class TaskRecord:
    """A task's final (or current) state and its attempts."""

    task_key: str
    type: str
    state: str
    run_if: str
    depends_on: tuple[str, ...] = ()
    attempts: tuple[AttemptRecord, ...] = ()
    outcome: str | None = None
    child_run_id: int | None = None
    message: str = ""

    @property
    def started_at(self) -> str | None:
        return self.attempts[0].started_at if self.attempts else None

    @property
    def ended_at(self) -> str | None:
        return self.attempts[-1].ended_at if self.attempts else None

    @property
    def duration_seconds(self) -> float | None:
        return seconds_between(self.started_at, self.ended_at)


@dataclass(frozen=True, kw_only=True)
class RunRecord:
    """One run of one job."""

    run_id: int
    job_key: str
    job_name: str
    bundle: str
    target: str
    root: str
    state: str
    started_at: str
    ended_at: str | None = None
    parameters: Mapping[str, str] = field(default_factory=dict)
    tasks: tuple[TaskRecord, ...] = ()
    parent_run_id: int | None = None
    parent_task_key: str | None = None

    @property
    def duration_seconds(self) -> float | None:
        return seconds_between(self.started_at, self.ended_at)

    def task(self, key: str) -> TaskRecord:
        return next(task for task in self.tasks if task.task_key == key)

    def to_document(self) -> dict[str, Any]:
        """The JSON document of `schemas/run-record.json`."""
        return {
            "schema_version": SCHEMA_VERSION,
            "run_id": self.run_id,
            "job_key": self.job_key,
            "job_name": self.job_name,
            "bundle": self.bundle,
            "target": self.target,
            "root": self.root,
            "state": self.state,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_seconds": self.duration_seconds,
            "parameters": dict(self.parameters),
            "parent_run_id": self.parent_run_id,
            "parent_task_key": self.parent_task_key,
            "tasks": [
                {
                    "task_key": task.task_key,
                    "type": task.type,
                    "state": task.state,
                    "run_if": task.run_if,
                    "depends_on": list(task.depends_on),
                    "outcome": task.outcome,
                    "child_run_id": task.child_run_id,
                    "message": task.message,
                    "started_at": task.started_at,
                    "ended_at": task.ended_at,
                    "duration_seconds": task.duration_seconds,
                    "attempts": [
                        {
                            "attempt": attempt.attempt,
                            "state": attempt.state,
                            "started_at": attempt.started_at,
                            "ended_at": attempt.ended_at,
                            "duration_seconds": seconds_between(attempt.started_at, attempt.ended_at),
                            "exit_code": attempt.exit_code,
                            "log": attempt.log,
                            "message": attempt.message,
                        }
                        for attempt in task.attempts
                    ],
                }
                for task in self.tasks
            ],
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> RunRecord:
        return cls(
            run_id=int(document["run_id"]),
            job_key=document["job_key"],
            job_name=document["job_name"],
            bundle=document["bundle"],
            target=document["target"],
            root=document["root"],
            state=document["state"],
            started_at=document["started_at"],
            ended_at=document.get("ended_at"),
            parameters=dict(document.get("parameters") or {}),
            parent_run_id=document.get("parent_run_id"),
            parent_task_key=document.get("parent_task_key"),
            tasks=tuple(
                TaskRecord(
                    task_key=task["task_key"],
                    type=task["type"],
                    state=task["state"],
                    run_if=task["run_if"],
                    depends_on=tuple(task.get("depends_on") or ()),
                    outcome=task.get("outcome"),
                    child_run_id=task.get("child_run_id"),
                    message=task.get("message", ""),
                    attempts=tuple(
                        AttemptRecord(
                            attempt=attempt["attempt"],
                            state=attempt["state"],
                            started_at=attempt["started_at"],
                            ended_at=attempt.get("ended_at"),
                            exit_code=attempt.get("exit_code"),
                            log=attempt.get("log"),
                            message=attempt.get("message", ""),
                        )
                        for attempt in task.get("attempts") or ()
                    ),
                )
                for task in document.get("tasks") or ()
            ),
        )


def runs_dir(state_dir: Path) -> Path:
    """`<state_dir>/runs`, where `state_dir` is a bundle's `.brickgate` folder."""
    return state_dir / "runs"


def write_record(record: RunRecord, folder: Path) -> Path:
    """Write `run.json` into `folder` atomically (readers never see half a file), secrets masked:
    parameters and messages may carry values resolved from secret variables."""
    from brickgate.redaction import redact

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RECORD_FILE
    scratch = folder / f".{RECORD_FILE}.{os.getpid()}.tmp"
    scratch.write_text(redact(json.dumps(record.to_document(), indent=2, sort_keys=True)) + "\n", encoding="utf-8")
    scratch.replace(path)
    return path


def read_record(path: Path) -> RunRecord:
    """Read a `run.json`, checked against `schemas/run-record.json` so that a hand-edited or
    truncated record is an InputError naming the file and the field, not a crash later."""
    from jsonschema import ValidationError

    from brickgate.output import validate_against_schema

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise InputError(BAD_RECORD.format(path=path, problem=reason(exc))) from exc
    try:
        validate_against_schema(document, SCHEMA)
    except ValidationError as exc:
        where = "/".join(str(part) for part in exc.absolute_path) or "top level"
        detail = exc.message if len(exc.message) <= 120 else f"fails the '{exc.validator}' rule"
        raise InputError(BAD_RECORD.format(path=path, problem=f"{where}: {detail}")) from exc
    return RunRecord.from_document(document)


def list_runs(state_dir: Path, *, skipped: list[str] | None = None) -> list[RunRecord]:
    """Every readable run under `state_dir`, newest first; unreadable records are left out, and
    why is appended to `skipped` when a list is given (`runs list` warns about each)."""
    found: list[RunRecord] = []
    base = runs_dir(state_dir)
    if not base.is_dir():
        return found
    for path in base.glob(f"*/{RECORD_FILE}"):
        try:
            found.append(read_record(path))
        except InputError as exc:
            if skipped is not None:
                skipped.append(str(exc))
    return sorted(found, key=lambda record: (record.started_at, record.run_id), reverse=True)


def find_run(state_dir: Path, run_id: str) -> RunRecord:
    """The run `run_id` under `state_dir`.

    Raises
    ------
    InputError
        When there is no such run, with the closest run id as a hint.
    """
    if not run_id.isdigit():
        raise InputError(BAD_RUN_ID.format(run_id=run_id))
    path = runs_dir(state_dir) / run_id / RECORD_FILE
    if path.is_file():
        return read_record(path)
    known = [str(record.run_id) for record in list_runs(state_dir)]
    raise InputError(UNKNOWN_RUN.format(run_id=run_id, folder=runs_dir(state_dir), hint=did_you_mean(run_id, known)))
