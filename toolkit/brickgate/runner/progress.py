"""What a person sees of a run: a live table in a terminal, log lines in CI, a summary and a timeline.

`Progress` is the scheduler's observer: it gets a fresh `RunRecord` after every state change
(from the job and from jobs started by run_job tasks) and shows it either as a rich live table
(state, attempt, duration per task) or, when the output is not a terminal, as one plain line
per change. `summary_table` and `markdown_summary` render a finished run; the markdown holds
a mermaid gantt chart in which parallel branches show as overlapping bars.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime
from pathlib import Path
from typing import Any

from brickgate.redaction import redact
from brickgate.runner.record import RECORD_FILE, RunRecord, TaskRecord, parse_iso, read_record, seconds_between

STATE_STYLE = {
    "PENDING": "dim",
    "RUNNING": "cyan",
    "WAITING_FOR_RETRY": "yellow",
    "SUCCESS": "green",
    "FAILED": "red",
    "TIMEDOUT": "red",
    "UPSTREAM_FAILED": "red",
    "EXCLUDED": "dim",
    "CANCELED": "magenta",
}
GANTT_TAG = {"SUCCESS": "done", "RUNNING": "active", "CANCELED": "active"}
LOG_TAIL_LINES = 30


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds:.2f}s" if seconds < 60 else f"{int(seconds // 60)}m{seconds % 60:04.1f}s"


def _attempt(task: TaskRecord) -> str:
    return str(task.attempts[-1].attempt) if task.attempts else ""


class Progress:
    """Observer of a run and of the runs its run_job tasks start (thread-safe).

    Parameters
    ----------
    console:
        A rich console (stderr, so `--format json` keeps stdout clean).
    live:
        A live table (terminals) instead of one line per change (CI logs).
    """

    def __init__(self, console: Any, *, live: bool) -> None:
        self.console = console
        self.live = live
        self._lock = threading.Lock()
        self._runs: dict[int, RunRecord] = {}
        self._seen: dict[tuple[int, str], tuple[str, str]] = {}
        self._live: Any = None

    def __enter__(self) -> Progress:
        if self.live:
            from rich.live import Live

            self._live = Live(console=self.console, get_renderable=self._table, refresh_per_second=8, transient=True)
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def __call__(self, record: RunRecord) -> None:
        with self._lock:
            self._runs[record.run_id] = record
            if not self.live:
                self._log_changes(record)

    def _prefix(self, record: RunRecord) -> str:
        return f"{record.parent_task_key} › " if record.parent_task_key else ""

    def _log_changes(self, record: RunRecord) -> None:
        for task in record.tasks:
            marker = (task.state, _attempt(task))
            key = (record.run_id, task.task_key)
            if self._seen.get(key) == marker or task.state == "PENDING":
                continue
            self._seen[key] = marker
            name = f"{self._prefix(record)}{task.task_key}"
            detail = ""
            if task.state == "RUNNING":
                detail = f"attempt {_attempt(task)}"
            elif task.attempts:
                detail = _duration(seconds_between(task.attempts[-1].started_at, task.attempts[-1].ended_at))
            if task.message and task.state not in ("RUNNING", "SUCCESS"):
                detail = f"{detail} {task.message}".strip()
            line = f"{datetime.now().strftime('%H:%M:%S')} {name} {task.state} {detail}".rstrip()
            self.console.print(line, markup=False, highlight=False)

    def _table(self) -> Any:
        from rich.table import Table

        with self._lock:
            runs = list(self._runs.values())
        table = Table(title="brickgate run", expand=False)
        for column in ("task", "state", "attempt", "duration"):
            table.add_column(column)
        for record in sorted(runs, key=lambda run: run.run_id):
            for task in record.tasks:
                style = STATE_STYLE.get(task.state, "")
                duration = task.duration_seconds
                if task.state == "RUNNING" and task.started_at:
                    started = parse_iso(task.started_at)
                    duration = (datetime.now(started.tzinfo) - started).total_seconds()
                table.add_row(
                    f"{self._prefix(record)}{task.task_key}",
                    f"[{style}]{task.state}[/]",
                    _attempt(task),
                    _duration(duration),
                )
        return table


def summary_table(record: RunRecord) -> Any:
    """A rich table of a finished run: one row per task."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"job {record.job_key} · run {record.run_id} · {record.state}", box=box.SIMPLE_HEAD)
    for column in ("task", "type", "state", "tries", "time"):  # start times are in summary.md's timeline
        table.add_column(column, no_wrap=True)
    table.add_column("note", overflow="fold", min_width=12)
    for task in record.tasks:
        style = STATE_STYLE.get(task.state, "")
        table.add_row(
            task.task_key,
            task.type.removesuffix("_task"),
            f"[{style}]{task.state}[/]",
            str(len(task.attempts)),
            _duration(task.duration_seconds),
            Text(_note(task)),  # messages may hold brackets: never rich markup
        )
    return table


def _note(task: TaskRecord) -> str:
    """What a summary row adds: a condition's outcome, or why a task did not succeed."""
    if task.outcome is not None:
        return f"outcome {task.outcome}"
    return "" if task.state == "SUCCESS" else task.message


def gantt(record: RunRecord) -> str:
    """A mermaid gantt chart of every attempt (ms timestamps; a retry is its own bar).

    >>> from brickgate.runner.record import AttemptRecord
    >>> task = TaskRecord(task_key="a", type="spark_python_task", state="SUCCESS", run_if="ALL_SUCCESS",
    ...     attempts=(AttemptRecord(attempt=1, state="SUCCESS", started_at="2024-01-01T00:00:00.000Z",
    ...                             ended_at="2024-01-01T00:00:01.500Z"),))
    >>> run = RunRecord(run_id=1, job_key="j", job_name="j", bundle="b", target="dev", root="/",
    ...     state="SUCCESS", started_at="2024-01-01T00:00:00.000Z", tasks=(task,))
    >>> print(gantt(run))
    gantt
      title job j, run 1 (SUCCESS)
      dateFormat x
      axisFormat %H:%M:%S
      section tasks
      a :done, a_1, 1704067200000, 1704067201500
    """
    lines = [
        "gantt",
        f"  title job {record.job_key}, run {record.run_id} ({record.state})",
        "  dateFormat x",
        "  axisFormat %H:%M:%S",
        "  section tasks",
    ]
    fallback_end = record.ended_at or record.started_at
    for task in record.tasks:
        for attempt in task.attempts:
            start = int(parse_iso(attempt.started_at).timestamp() * 1000)
            end = int(parse_iso(attempt.ended_at or fallback_end).timestamp() * 1000)
            tag = GANTT_TAG.get(attempt.state, "crit")
            label = task.task_key if attempt.attempt == 1 else f"{task.task_key} (attempt {attempt.attempt})"
            ident = f"{task.task_key}_{attempt.attempt}".replace("-", "_").replace(".", "_")
            lines.append(f"  {label} :{tag}, {ident}, {start}, {max(end, start + 1)}")
    return "\n".join(lines)


def markdown_summary(record: RunRecord) -> str:
    """The run as markdown: verdict, a task table and the gantt timeline."""
    lines = [
        f"### brickgate run: job `{record.job_key}` {record.state}",
        "",
        f"Run `{record.run_id}` · target `{record.target}` · {_duration(record.duration_seconds)}",
        "",
        "| task | type | state | attempts | duration | note |",
        "|---|---|---|---|---|---|",
    ]
    for task in record.tasks:
        note = _note(task).replace("|", "\\|")
        lines.append(
            f"| `{task.task_key}` | {task.type} | {task.state} | {len(task.attempts)} | "
            f"{_duration(task.duration_seconds)} | {note} |"
        )
    lines += ["", "```mermaid", gantt(record), "```", ""]
    return "\n".join(lines)


def failed_logs(record: RunRecord, runs_folder: Path, prefix: str = "") -> list[tuple[str, Path]]:
    """(label, log file) of the last attempt of every failed or timed-out task, child jobs included.

    A failed run_job task points at its child run, whose failed tasks are listed instead.
    """
    found: list[tuple[str, Path]] = []
    folder = runs_folder / str(record.run_id)
    for task in record.tasks:
        if task.state not in ("FAILED", "TIMEDOUT") or not task.attempts:
            continue
        child = runs_folder / str(task.child_run_id) / RECORD_FILE if task.child_run_id else None
        if child is not None and child.is_file():
            found += failed_logs(read_record(child), runs_folder, f"{prefix}{task.task_key} › ")
        elif task.attempts[-1].log:
            label = f"{prefix}{task.task_key} attempt {task.attempts[-1].attempt} ({task.state})"
            found.append((label, folder / task.attempts[-1].log))
    return found


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last `lines` lines of a log, secrets redacted: what CI shows of a failed task."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return redact("".join(deque(handle, maxlen=lines)))
    except OSError as exc:
        return f"(cannot read {path}: {exc.strerror})\n"
