"""`brickgate validate-bundle`: check a Databricks Asset Bundle before anything is deployed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click

from brickgate.cli.common import global_options, resolve_options
from brickgate.errors import ConfigError

BAD_PAIR = "{flag} '{item}': expected name=value"


@click.command("validate-bundle")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option(
    "-t",
    "--target",
    default=None,
    help="Target to validate. Env BRICKGATE_VALIDATE_BUNDLE_TARGET or DATABRICKS_BUNDLE_TARGET; TOML target. "
    "Default: the target marked default: true.",
)
@click.option(
    "--var",
    "var",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a bundle variable (repeatable; beats BUNDLE_VAR_<name>). Env BRICKGATE_VALIDATE_BUNDLE_VAR "
    "(comma separated); TOML var.",
)
@click.option(
    "--strict/--no-strict",
    default=None,
    help="Fail (exit 1) on warnings too. Env BRICKGATE_VALIDATE_BUNDLE_STRICT; TOML strict. Default: off.",
)
@click.option(
    "--schema",
    type=click.Path(path_type=Path),
    default=None,
    help="JSON Schema to check keys and types against when the databricks CLI is not on PATH. "
    "Env BRICKGATE_VALIDATE_BUNDLE_SCHEMA; TOML schema. Default: the subset brickgate ships.",
)
@click.option(
    "--print-resolved/--no-print-resolved",
    default=None,
    help="Print the merged, resolved configuration of the target as JSON (diagnostics go to stderr). "
    "Env BRICKGATE_VALIDATE_BUNDLE_PRINT_RESOLVED; TOML print-resolved.",
)
@click.option(
    "--databricks-cli/--no-databricks-cli",
    default=None,
    help="Also run `databricks bundle validate` and use `databricks bundle schema` when the CLI is on PATH. "
    "Env BRICKGATE_VALIDATE_BUNDLE_DATABRICKS_CLI; TOML databricks-cli. Default: on.",
)
@click.pass_context
def validate_bundle(ctx: click.Context, /, directory: Path | None, **_: object) -> int:
    """Validate a Databricks Asset Bundle: schema, jobs, targets, variables, schedules, files.

    Loads databricks.yml in DIRECTORY (default: the current folder) and its includes, merges the
    target and resolves variables like the Databricks CLI, then reports every problem with a
    rule id (BG...), file, line and YAML path. Exit 0 valid, 1 errors (or warnings with
    --strict), 2 when the bundle cannot be read.
    """
    from brickgate.bundle import report
    from brickgate.bundle.validate import ValidateOptions
    from brickgate.bundle.validate import validate_bundle as run
    from brickgate.output import console, emit_json

    options = resolve_options(ctx)
    fmt = global_options(ctx).format
    result = run(
        directory or Path("."),
        ValidateOptions(
            target=options["target"] or None,
            variables=parse_pairs(options["var"] or ()),
            strict=bool(options["strict"]),
            schema=Path(options["schema"]) if options["schema"] else None,
            databricks_cli=bool(options["databricks_cli"]),
        ),
    )
    if options["print_resolved"]:
        click.echo(report.resolved_json(result))
        report.render_text(result, console(stderr=True))
    elif fmt == "json":
        emit_json(report.to_document(result), "validate-bundle")
    elif fmt == "github":
        from brickgate.github import append_summary, write_outputs

        for line in report.github_annotations(result):
            click.echo(line)
        click.echo(report.verdict_line(result))
        counts = report.counts(result)
        write_outputs({"errors": counts["errors"], "warnings": counts["warnings"], "passed": result.passed})
        append_summary(report.summary_markdown(result))
    else:
        report.render_text(result, console())
    return 0 if result.passed else 1


def parse_pairs(items: Iterable[str], flag: str = "--var") -> dict[str, str]:
    """`("a=1", "b=x=y")` → `{"a": "1", "b": "x=y"}`; a later value for the same name wins.

    Shared by every command that takes `--var` or `--param` pairs; `flag` names the option
    in the error for an item without `=` or without a name.

    >>> parse_pairs(["a=1", "b=x=y"])
    {'a': '1', 'b': 'x=y'}
    """
    parsed: dict[str, str] = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise ConfigError(BAD_PAIR.format(flag=flag, item=item))
        parsed[name.strip()] = value
    return parsed
