"""`brickgate init`: write brickgate's caller workflows, a bundle skeleton and settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from brickgate.cli.common import global_options, option, resolve_options

COMMAND = "init"
SKIPPED_HINT = "{count} file(s) kept as they are (different content); rerun with --force to overwrite"


@dataclass(frozen=True, kw_only=True)
class InitArgs:
    """The options of `brickgate init`, resolved (defaults in defaults.toml [init.*])."""

    project_name: str | None
    repository: str
    ref: str | None
    force: bool


@click.command("init")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@option(COMMAND, "--project-name", metavar="NAME")
@option(COMMAND, "--repository", metavar="OWNER/NAME")
@option(COMMAND, "--ref", metavar="REF")
@option(COMMAND, "--force/--no-force")
@click.pass_context
def init(ctx: click.Context, /, directory: Path | None, **_: object) -> int:
    """Set up a repository for brickgate: workflows, bundle skeleton and [tool.brickgate] settings.

    Writes .github/workflows/brickgate-{ci,cd-dev,cd-prod}.yml calling brickgate's reusable
    workflows at a pinned ref, databricks.yml with resources/jobs.yml and job scripts, and a
    [tool.brickgate] table in pyproject.toml. A file that exists with other content is kept
    unless --force; running init twice changes nothing. Exit codes: 0 done, 2 invalid option
    or unwritable folder.
    """
    from brickgate.scaffold import InitOptions
    from brickgate.scaffold import init as run

    args = resolve_options(ctx).fill(InitArgs)
    result = run(
        directory or Path("."),
        InitOptions(
            project_name=args.project_name or None,
            repository=args.repository,
            ref=args.ref or None,
            force=args.force,
        ),
    )
    document = {
        "root": str(result.root),
        "changed": result.changed,
        "files": [{"path": f.path, "action": f.action} for f in result.files],
    }
    skipped = sum(f.action == "skipped" for f in result.files)
    fmt = global_options(ctx).format
    if fmt == "json":
        from brickgate.output import emit_json

        emit_json(document, "init")
        return 0
    for entry in result.files:
        click.echo(f"{entry.action:<12}{entry.path}")
    if skipped:
        click.echo(SKIPPED_HINT.format(count=skipped))
    if fmt == "github":
        from brickgate.github import append_summary, write_outputs

        write_outputs({"changed": result.changed})
        rows = "".join(f"| `{f.path}` | {f.action} |\n" for f in result.files)
        append_summary(f"### brickgate init\n\n| file | action |\n|---|---|\n{rows}")
    return 0
