"""`brickgate deploy`: validate, deploy with the Databricks CLI, verify with the SDK, optionally run a job."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from brickgate.cli.common import global_options, option, resolve_options

if TYPE_CHECKING:
    from brickgate.deploy import DeployResult, RunOutcome

COMMAND = "deploy"


@dataclass(frozen=True, kw_only=True)
class DeployArgs:
    """The options of `brickgate deploy`, resolved (defaults in defaults.toml [deploy.*])."""

    target: str | None
    var: tuple[str, ...]
    run: str | None
    wait: bool
    timeout: float
    poll_interval: float
    auto_approve: bool
    dry_run: bool
    version: str | None
    confirm: str | None
    plan_out: Path | None
    plan: Path | None


WAIT_WITHOUT_RUN = "--wait follows the job started by --run JOB_KEY; give --run too, or drop --wait"


@click.command("deploy")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@option(COMMAND, "-t", "--target")
@option(COMMAND, "--var", metavar="NAME=VALUE")
@option(COMMAND, "--run", metavar="JOB_KEY")
@option(COMMAND, "--wait/--no-wait")
@option(COMMAND, "--timeout", metavar="S")
@option(COMMAND, "--poll-interval", metavar="S")
@option(COMMAND, "--auto-approve/--no-auto-approve")
@option(COMMAND, "--dry-run")
@option(COMMAND, "--version", metavar="V")
@option(COMMAND, "--confirm", metavar="PHRASE")
@option(COMMAND, "--plan-out", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE")
@option(COMMAND, "--plan", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE")
@click.pass_context
def deploy(ctx: click.Context, /, directory: Path | None, **_: object) -> int:
    """Deploy a Databricks Asset Bundle to a target and verify it; optionally run one of its jobs.

    Validates the bundle in DIRECTORY (default: the current folder) first, then runs
    `databricks bundle deploy`, reads job ids and URLs from `databricks bundle summary`, checks
    each job through databricks-sdk, and with --run starts a job (--wait follows it). Production
    targets need --version and --confirm deploy-to-production. Exit codes: 0 deployed (or planned),
    1 invalid bundle, unverified job or failed/timed-out run, 2 usage, CLI or workspace error.
    """
    from brickgate.cli.validate_bundle import parse_pairs
    from brickgate.deploy import DeployOptions
    from brickgate.deploy import deploy as deploy_bundle
    from brickgate.errors import ConfigError

    resolved = resolve_options(ctx)
    args = resolved.fill(DeployArgs)
    if not args.target:
        raise ConfigError("missing -t/--target (or BRICKGATE_DEPLOY_TARGET)")
    if resolved.sources["wait"].startswith("flag") and args.wait and not args.run:
        raise ConfigError(WAIT_WITHOUT_RUN)  # a wait = true policy in env or TOML may stand without --run
    exclusive = [flag for flag, given in (("--plan-out", args.plan_out), ("--plan", args.plan)) if given]
    if args.dry_run:
        exclusive.insert(0, "--dry-run")
    if len(exclusive) > 1:
        raise ConfigError(f"{' and '.join(exclusive)} exclude each other: plan, deploy a plan, or dry-run")
    if args.plan_out and args.run:
        raise ConfigError("--run starts a job after a deploy; --plan-out deploys nothing")
    fmt = global_options(ctx).format
    options = DeployOptions(
        target=args.target,
        variables=parse_pairs(args.var),
        run=args.run or None,
        wait=args.wait,
        timeout=args.timeout,
        poll_interval=args.poll_interval,
        auto_approve=args.auto_approve,
        dry_run=args.dry_run,
        version=args.version or None,
        confirm=args.confirm or os.environ.get("BRICKGATE_CONFIRM") or None,
        plan_out=args.plan_out,
        plan=args.plan,
    )
    result = deploy_bundle(directory or Path("."), options, on_progress=_progress_printer(fmt))
    _render(result, fmt)
    return 0 if result.passed else 1


def _progress_printer(fmt: str) -> Any:
    """Print a line whenever the run's or a task's state changes (stderr with --format json)."""
    from brickgate.deploy import task_states_line

    last = {"line": ""}

    def show(run: RunOutcome) -> None:
        line = task_states_line(run)
        if line != last["line"]:
            click.echo(line, err=fmt == "json")
            last["line"] = line

    return show


def to_document(result: DeployResult) -> dict[str, Any]:
    """The `--format json` document (schemas/deploy.json)."""
    run = result.run
    return {
        "bundle": result.bundle,
        "target": result.target,
        "mode": result.mode,
        "status": result.status,
        "passed": result.passed,
        "message": result.message,
        "version": result.version,
        "cli_version": result.cli_version,
        "plan": [
            {
                "key": job.key,
                "name": job.name,
                "clusters": list(job.clusters),
                "tasks": [{"key": t.key, "kind": t.kind, "compute": t.compute} for t in job.tasks],
            }
            for job in result.plan
        ],
        "jobs": [
            {
                "key": j.key,
                "name": j.name,
                "job_id": j.job_id,
                "url": j.url,
                "verified": j.verified,
                "problem": j.problem,
            }
            for j in result.jobs
        ],
        "run": None
        if run is None
        else {
            "job_key": run.job_key,
            "job_id": run.job_id,
            "run_id": run.run_id,
            "url": run.url,
            "life_cycle_state": run.life_cycle,
            "result_state": run.result,
            "timed_out": run.timed_out,
            "error": run.error,
            "tasks": [{"key": t.key, "life_cycle_state": t.life_cycle, "result_state": t.result} for t in run.tasks],
        },
        "diagnostics": [d.to_dict() for d in result.diagnostics],
        "changes": [{"resource": c.resource, "action": c.action, "fields": list(c.fields)} for c in result.changes],
    }


def _render(result: DeployResult, fmt: str) -> None:
    if fmt == "json":
        from brickgate.output import emit_json

        emit_json(to_document(result), "deploy")
        return
    if result.cli_output:
        click.echo(result.cli_output, err=True)
    for d in result.diagnostics:
        if d.severity == "error":
            where = ":".join(str(x) for x in (d.file, d.line, d.column) if x is not None)
            click.echo(f"  {where + ': ' if where else ''}{d.rule} {d.message}")
    for change in result.changes:
        click.echo(f"plan: {change.resource} {change.action}")
        for field in change.fields:
            click.echo(f"  {field}")
    if result.status == "planned" and result.reviewed is None:
        for plan in result.plan:
            click.echo(f"job {plan.key} ({plan.name})")
            for cluster in plan.clusters:
                click.echo(f"  cluster {cluster}")
            for task in plan.tasks:
                click.echo(f"  task {task.key}: {task.kind} on {task.compute}")
    for job in result.jobs:
        mark = "verified" if job.verified else f"NOT VERIFIED: {job.problem}"
        click.echo(f"job {job.key}: {job.job_id} {job.url} ({mark})")
    click.echo(result.message if result.passed else f"brickgate: deploy failed: {result.message}")
    if fmt != "github":
        return
    from brickgate.deploy import outputs
    from brickgate.github import annotation, append_summary, write_outputs

    for d in result.diagnostics:
        if d.severity == "error":
            click.echo(annotation("error", f"{d.rule} {d.message}", file=d.file, line=d.line, col=d.column))
    if not result.passed:
        click.echo(annotation("error", result.message, title="deploy"))
    write_outputs(outputs(result))
    append_summary(_summary_markdown(result))


def _summary_markdown(result: DeployResult) -> str:
    head = f"### Deploy {result.bundle} → {result.target}\n\n{'✅' if result.passed else '❌'} {result.message}\n"
    if result.version:
        head += f"\nVersion: `{result.version}`\n"
    rows = "".join(
        f"| `{j.key}` | {j.name} | [{j.job_id}]({j.url}) | {'✅' if j.verified else '❌ ' + j.problem} |\n"
        for j in result.jobs
    )
    table = f"\n| job | name | id | verified |\n|---|---|---|---|\n{rows}" if rows else ""
    run = result.run
    tasks = ""
    if run is not None:
        lines = "".join(f"| `{t.key}` | {t.result or t.life_cycle} |\n" for t in run.tasks)
        state = run.result or run.life_cycle
        tasks = f"\nRun [{run.run_id}]({run.url}): **{state}**\n\n| task | state |\n|---|---|\n{lines}"
    planned = ""
    if result.reviewed is not None:
        from brickgate.deploy_plan import markdown

        applied = "Applied plan" if result.jobs else "Plan for review"
        planned = "\n" + markdown(result.reviewed, f"{applied}: {result.bundle} → {result.target}")
    return head + table + tasks + planned
