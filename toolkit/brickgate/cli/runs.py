"""`brickgate runs list|show`: the local job runs recorded under `.brickgate/runs/`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from brickgate.cli.common import global_options, option, resolve_options

if TYPE_CHECKING:
    from brickgate.runner.record import RunRecord


def _state_dir(directory: str) -> Path:
    """`DIR/.brickgate`; a DIR that is not a folder is an InputError (not an empty list)."""
    from brickgate.bundle.load import NOT_A_DIRECTORY
    from brickgate.errors import InputError

    if not Path(directory).is_dir():
        raise InputError(NOT_A_DIRECTORY.format(directory=directory))
    return Path(directory) / ".brickgate"


@dataclass(frozen=True, kw_only=True)
class ListArgs:
    """The options of `brickgate runs list`, resolved (defaults in defaults.toml ["runs list".*])."""

    limit: int


@click.group("runs")
def runs() -> None:
    """List and inspect local job runs (`brickgate run`) recorded under DIR/.brickgate/runs/."""


@runs.command("list")
@click.argument("directory", metavar="[DIR]", default=".")
@option("runs list", "--limit", metavar="N")
@click.pass_context
def list_command(ctx: click.Context, /, directory: str, **_: object) -> int:
    """List the runs of DIR's bundle, newest first (exit 0, also when there are none)."""
    from brickgate.runner.record import list_runs

    args = resolve_options(ctx).fill(ListArgs)
    state_dir = _state_dir(directory)
    skipped: list[str] = []
    records = list_runs(state_dir, skipped=skipped)[: args.limit]
    if skipped:
        from brickgate.output import warn

        for problem in skipped:
            warn(f"{problem}; left out")
    if global_options(ctx).format == "json":
        from brickgate.output import emit_json

        document: dict[str, Any] = {"runs": [_summary(record) for record in records]}
        emit_json(document, "run-list")
        return 0
    from rich import box
    from rich.table import Table

    from brickgate.output import console

    table = Table(title=f"runs under {state_dir / 'runs'}", box=box.SIMPLE_HEAD)
    for column in ("run id", "job", "state", "started (UTC)", "duration", "ok"):
        table.add_column(column, no_wrap=True)
    for record in records:
        row = _summary(record)
        table.add_row(
            str(record.run_id),
            record.job_key,
            record.state,
            record.started_at.replace("T", " ")[5:19],
            "" if record.duration_seconds is None else f"{record.duration_seconds:.2f}s",
            f"{row['tasks_succeeded']}/{row['tasks']}",
        )
    console().print(table if records else "no runs recorded yet")
    return 0


@runs.command("show")
@click.argument("run_id")
@click.argument("directory", metavar="[DIR]", default=".")
@click.pass_context
def show_command(ctx: click.Context, /, run_id: str, directory: str) -> int:
    """Show one run: each task's state, attempts, exit codes and log files (exit 0)."""
    from brickgate.runner.record import find_run, runs_dir

    state_dir = _state_dir(directory)
    record = find_run(state_dir, run_id)
    if global_options(ctx).format == "json":
        from brickgate.output import emit_json

        emit_json(record.to_document(), "run-record")
        return 0
    from brickgate.output import console
    from brickgate.runner.progress import summary_table

    out = console()
    out.print(summary_table(record))
    folder = runs_dir(state_dir) / str(record.run_id)
    for task in record.tasks:
        for attempt in task.attempts:
            code = "" if attempt.exit_code is None else f" exit {attempt.exit_code}"
            log = f" {folder / attempt.log}" if attempt.log else ""
            out.print(f"{task.task_key} attempt {attempt.attempt}: {attempt.state}{code}{log}", markup=False)
    return 0


def _summary(record: RunRecord) -> dict[str, Any]:
    return {
        "run_id": record.run_id,
        "job_key": record.job_key,
        "target": record.target,
        "state": record.state,
        "started_at": record.started_at,
        "ended_at": record.ended_at,
        "duration_seconds": record.duration_seconds,
        "parent_run_id": record.parent_run_id,
        "tasks": len(record.tasks),
        "tasks_succeeded": sum(task.state == "SUCCESS" for task in record.tasks),
    }
