"""`brickgate validate-bundle`: check a Databricks Asset Bundle before anything is deployed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click

from brickgate.cli.common import global_options, option, resolve_options
from brickgate.errors import ConfigError

COMMAND = "validate-bundle"
BAD_PAIR = "{flag} '{item}': expected name=value"


@dataclass(frozen=True, kw_only=True)
class ValidateArgs:
    """The options of `brickgate validate-bundle`, resolved (defaults in defaults.toml [validate-bundle.*])."""

    target: str | None
    var: tuple[str, ...]
    strict: bool
    schema: Path | None
    print_resolved: bool
    databricks_cli: bool


@click.command("validate-bundle")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@option(COMMAND, "-t", "--target")
@option(COMMAND, "--var", metavar="NAME=VALUE")
@option(COMMAND, "--strict/--no-strict")
@option(COMMAND, "--schema", type=click.Path(path_type=Path), metavar="FILE")
@option(COMMAND, "--print-resolved/--no-print-resolved")
@option(COMMAND, "--databricks-cli/--no-databricks-cli")
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

    args = resolve_options(ctx).fill(ValidateArgs)
    fmt = global_options(ctx).format
    result = run(
        directory or Path("."),
        ValidateOptions(
            target=args.target or None,
            variables=parse_pairs(args.var),
            strict=args.strict,
            schema=args.schema,
            databricks_cli=args.databricks_cli,
        ),
    )
    if args.print_resolved:
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
