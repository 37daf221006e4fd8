"""`brickgate init`: write brickgate's caller workflows, a bundle skeleton and settings."""

from __future__ import annotations

from pathlib import Path

import click

from brickgate.cli.common import global_options, resolve_options

SKIPPED_HINT = "{count} file(s) kept as they are (different content); rerun with --force to overwrite"


@click.command("init")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option(
    "--project-name",
    help="Bundle and project name. Env BRICKGATE_INIT_PROJECT_NAME; TOML project-name. Default: the folder's name.",
)
@click.option(
    "--repository",
    help="Repository of the reusable workflows (owner/name). Env BRICKGATE_INIT_REPOSITORY. "
    "Default: brickgate/brickgate.",
)
@click.option(
    "--ref",
    help="Pinned ref (tag or commit SHA) the workflows are used at. Env BRICKGATE_INIT_REF. "
    "Default: the installed brickgate's release tag.",
)
@click.option(
    "--force/--no-force",
    default=None,
    help="Overwrite files and the [tool.brickgate] table that differ. Env BRICKGATE_INIT_FORCE. Default: off.",
)
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

    opts = resolve_options(ctx)
    result = run(
        directory or Path("."),
        InitOptions(
            project_name=opts["project_name"] or None,
            repository=opts["repository"],
            ref=opts["ref"] or None,
            force=bool(opts["force"]),
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
