"""`brickgate run`: run a bundle job's task graph on this machine."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from brickgate.cli.common import global_options, option, resolve_options

if TYPE_CHECKING:
    from brickgate.bundle import Bundle
    from brickgate.runner.record import RunRecord

COMMAND = "run"
EXIT_CANCELED = 130
INVALID_BUNDLE = "the bundle has {count} validation error(s), nothing was run; first: {rule} {message}{where}"


@dataclass(frozen=True, kw_only=True)
class RunArgs:
    """The options of `brickgate run`, resolved (defaults in defaults.toml [run.*])."""

    target: str | None
    var: tuple[str, ...]
    param: tuple[str, ...]
    max_parallel: int
    only: tuple[str, ...]
    from_task: str | None


def exit_code(record: RunRecord) -> int:
    """0 when the job succeeded, 130 when it was cancelled, 1 otherwise."""
    if record.state == "SUCCESS":
        return 0
    return EXIT_CANCELED if record.state == "CANCELED" else 1


@click.command("run")
@click.argument("directory_or_job", metavar="[DIR]")
@click.argument("job_key", metavar="JOB_KEY", required=False)
@option(COMMAND, "-t", "--target")
@option(COMMAND, "--var", metavar="NAME=VALUE")
@option(COMMAND, "--param", metavar="NAME=VALUE")
@option(COMMAND, "--max-parallel", metavar="N")
@option(COMMAND, "--only", metavar="TASK")
@option(COMMAND, "--from", "from_task", metavar="TASK")
@click.pass_context
def run(ctx: click.Context, /, directory_or_job: str, job_key: str | None, **_: object) -> int:
    """Run a bundle job's tasks locally, in dependency order, each in its own process.

    Runs spark_python, python_wheel, notebook (source .py), condition and run_job tasks
    with Databricks semantics for run_if, retries, timeouts, job parameters, task values and
    {{…}} references, using local Spark, a local MLflow (SQLite under .brickgate/) and Delta
    tables under .brickgate/warehouse. The run is recorded in .brickgate/runs/<run_id>/.
    Exit codes: 0 the job succeeded, 1 it failed, 2 it could not start, 130 interrupted.
    """
    from brickgate.cli.validate_bundle import parse_pairs
    from brickgate.runner import RunOptions, run_job

    directory, job = (directory_or_job, job_key) if job_key is not None else (".", directory_or_job)
    args = resolve_options(ctx).fill(RunArgs)
    variables = parse_pairs(args.var, "--var")
    bundle = load_valid_bundle(directory, args.target or None, variables)
    bundle.job(job)
    fmt = global_options(ctx).format
    from brickgate.bundle.artifacts import local_packages
    from brickgate.output import console
    from brickgate.runner.progress import Progress

    err = console(stderr=True)
    with Progress(err, live=fmt == "text" and sys.stderr.isatty()) as progress:
        record = run_job(
            job,
            RunOptions(
                root=bundle.root,
                jobs=bundle.jobs,
                bundle_name=bundle.name,
                target=bundle.target,
                variables=bundle.variables,
                parameters=parse_pairs(args.param, "--param"),
                packages=local_packages(bundle.root, bundle.config),
                max_parallel=args.max_parallel,
                only=args.only,
                from_task=args.from_task or None,
                observer=progress,
            ),
        )
    _render(record, fmt, bundle.root)
    return exit_code(record)


def load_valid_bundle(directory: str, target: str | None, variables: dict[str, str]) -> Bundle:
    """The bundle, after `validate_bundle` (without the Databricks CLI) found no error.

    Raises
    ------
    InputError
        Naming the first validation error that has a file (else the first) and where it is, so
        nothing starts on a broken bundle.
    """
    from brickgate.bundle.validate import ValidateOptions, validate_bundle
    from brickgate.errors import InputError

    result = validate_bundle(directory, ValidateOptions(target=target, variables=variables, databricks_cli=False))
    if result.errors or result.bundle is None:
        first = next((error for error in result.errors if error.file), result.errors[0])  # one with a place
        where = ":".join(str(part) for part in (first.file, first.line, first.column) if part is not None)
        raise InputError(
            INVALID_BUNDLE.format(
                count=len(result.errors), rule=first.rule, message=first.message, where=f" ({where})" if where else ""
            )
        )
    return result.bundle


def _render(record: RunRecord, fmt: str, root: Path) -> None:
    from brickgate.runner.record import runs_dir

    folder = runs_dir(root / ".brickgate") / str(record.run_id)
    if fmt == "json":
        from brickgate.output import emit_json

        emit_json(record.to_document(), "run-record")
        return
    from brickgate.output import console
    from brickgate.runner.progress import summary_table

    out = console()
    out.print(summary_table(record))
    where = f"record {folder / 'run.json'} · logs {folder / 'logs'}"
    out.print(f"run {record.run_id}: {record.state} · {where}", markup=False)
    _print_failed_logs(record, fmt, folder.parent)
    if fmt != "github":
        return
    from brickgate.github import annotation, append_summary, write_outputs
    from brickgate.runner.executor import SUMMARY_FILE

    for task in record.tasks:
        if task.state in ("FAILED", "TIMEDOUT"):
            log = task.attempts[-1].log if task.attempts else None
            detail = f"{task.message}; log {folder / log}" if log else task.message
            click.echo(annotation("error", f"task {task.task_key} {task.state}: {detail}", title="brickgate run"))
    write_outputs({"run-id": str(record.run_id), "state": record.state, "run-dir": str(folder)})
    append_summary((folder / SUMMARY_FILE).read_text(encoding="utf-8"))


def _print_failed_logs(record: RunRecord, fmt: str, runs_folder: Path) -> None:
    """On stderr, the end of each failed task's log (folded into a group in GitHub's log view)."""
    from brickgate.runner.progress import LOG_TAIL_LINES, failed_logs, log_tail

    for label, path in failed_logs(record, runs_folder):
        header = f"task {label}: last {LOG_TAIL_LINES} lines of {path}"
        tail = log_tail(path)
        if fmt == "github":
            click.echo(f"::group::{header}\n{tail.rstrip()}\n::endgroup::", err=True)
        else:
            click.echo(f"--- {header}\n{tail.rstrip()}\n---", err=True)
