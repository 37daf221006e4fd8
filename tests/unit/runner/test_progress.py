"""Progress lines, the live table, the summary table and the markdown timeline."""

from __future__ import annotations

import io

from rich.console import Console

from brickgate.runner.progress import Progress, gantt, markdown_summary, summary_table
from brickgate.runner.record import AttemptRecord, RunRecord, TaskRecord

T0 = "2024-01-01T00:00:00.000Z"


def attempt(n: int, state: str, start: str, end: str | None, code: int | None = 0) -> AttemptRecord:
    return AttemptRecord(attempt=n, state=state, started_at=start, ended_at=end, exit_code=code, log=f"logs/x.{n}.log")


def record(*tasks: TaskRecord, state: str = "RUNNING", parent: str | None = None, run_id: int = 1) -> RunRecord:
    return RunRecord(
        run_id=run_id,
        job_key="etl",
        job_name="etl",
        bundle="b",
        target="dev",
        root="/r",
        state=state,
        started_at=T0,
        ended_at=None if state == "RUNNING" else "2024-01-01T00:00:03.000Z",
        tasks=tasks,
        parent_task_key=parent,
        parent_run_id=None if parent is None else 9,
    )


def task(key: str, state: str, *attempts: AttemptRecord, message: str = "", outcome: str | None = None) -> TaskRecord:
    return TaskRecord(
        task_key=key,
        type="spark_python_task",
        state=state,
        run_if="ALL_SUCCESS",
        attempts=attempts,
        message=message,
        outcome=outcome,
    )


def console(width: int = 120) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=width, color_system=None, force_terminal=False), buffer


def test_log_lines_once_per_change_with_child_prefix() -> None:
    out, buffer = console()
    progress = Progress(out, live=False)
    running = task("a", "RUNNING", attempt(1, "RUNNING", T0, None, None))
    progress(record(running))
    progress(record(running))  # no change, no line
    progress(
        record(
            task(
                "a", "WAITING_FOR_RETRY", attempt(1, "FAILED", T0, "2024-01-01T00:00:01.250Z", 1), message="[x] code 1"
            )
        )
    )
    progress(
        record(task("w", "SUCCESS", attempt(1, "SUCCESS", T0, "2024-01-01T00:00:00.500Z")), parent="publish", run_id=2)
    )
    lines = [line.split(" ", 1)[1] for line in buffer.getvalue().splitlines()]  # drop the clock
    assert lines == ["a RUNNING attempt 1", "a WAITING_FOR_RETRY 1.25s [x] code 1", "publish › w SUCCESS 0.50s"]


def test_live_table_lists_every_run() -> None:
    out, buffer = console()
    progress = Progress(out, live=False)
    progress(record(task("a", "SUCCESS", attempt(1, "SUCCESS", T0, "2024-01-01T00:00:02.000Z"))))
    progress(record(task("w", "PENDING"), parent="call", run_id=2))
    out.print(progress._table())
    text = buffer.getvalue()
    assert "a" in text and "SUCCESS" in text and "2.00s" in text and "call › w" in text and "PENDING" in text


def test_summary_table_notes() -> None:
    out, buffer = console()
    out.print(
        summary_table(
            record(
                task("check", "SUCCESS", attempt(1, "SUCCESS", T0, T0, None), outcome="false"),
                task("b", "EXCLUDED", message="condition check was false"),
                task("c", "FAILED", attempt(1, "FAILED", T0, "2024-01-01T00:01:05.000Z", 2), message="[b]x[/] exit 2"),
                state="FAILED",
            )
        )
    )
    text = buffer.getvalue()
    assert "job etl · run 1 · FAILED" in text
    assert "outcome false" in text and "condition check was false" in text and "1m05.0s" in text
    assert "[b]x[/] exit 2" in text  # shown as written, not as markup


def test_gantt_has_a_bar_per_attempt_and_marks_failures() -> None:
    run = record(
        task(
            "a",
            "SUCCESS",
            attempt(1, "FAILED", T0, "2024-01-01T00:00:01.000Z", 1),
            attempt(2, "SUCCESS", "2024-01-01T00:00:01.500Z", "2024-01-01T00:00:02.000Z"),
        ),
        task("b-1.x", "TIMEDOUT", attempt(1, "TIMEDOUT", T0, "2024-01-01T00:00:03.000Z", -15)),
        task("never", "UPSTREAM_FAILED"),
        state="FAILED",
    )
    chart = gantt(run)
    assert chart.splitlines()[5:] == [
        "  a :crit, a_1, 1704067200000, 1704067201000",
        "  a (attempt 2) :done, a_2, 1704067201500, 1704067202000",
        "  b-1.x :crit, b_1_x_1, 1704067200000, 1704067203000",
    ]
    summary = markdown_summary(run)
    assert summary.startswith("### brickgate run: job `etl` FAILED")
    assert "| `never` | spark_python_task | UPSTREAM_FAILED | 0 |  |  |" in summary
    assert "```mermaid\n" + chart + "\n```" in summary
