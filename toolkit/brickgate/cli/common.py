"""Plumbing shared by every command: the one option helper and the resolver into typed options.

`option(command, flag)` declares a click option from its `defaults.toml` entry (help, type,
range, repeatable, on/off), with no click default so that "not given" is visible. After
parsing, `resolve_options(ctx)` merges flag > env > pyproject > default and fills the
command's frozen options dataclass (`Resolved.fill`), whose fields are the command's options.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from brickgate import config, settings
from brickgate.output import OutputFormat

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, kw_only=True)
class GlobalOptions:
    """`--format` and `-v`, resolved like any command's options by the `brickgate` group."""

    format: OutputFormat = "text"
    verbose: int = 0


@dataclass(kw_only=True)
class Session:
    """The click `obj`: `main` reads the resolved globals from it to shape error output."""

    options: GlobalOptions = dataclasses.field(default_factory=GlobalOptions)


def global_options(ctx: click.Context) -> GlobalOptions:
    session = ctx.find_object(Session)
    return session.options if session is not None else GlobalOptions()


def command_name(ctx: click.Context) -> str:
    """`brickgate psi-gate profile` → `psi-gate profile`; the group itself → `""`."""
    return ctx.command_path.split(" ", 1)[1] if " " in ctx.command_path else ""


def command_options(group: click.Command, path: str = "") -> dict[str, list[str]]:
    """Command path → names of its options, for `group` and every subcommand below it."""
    found = {path: [p.name for p in group.params if isinstance(p, click.Option) and p.expose_value and p.name]}
    for name, sub in getattr(group, "commands", {}).items():
        found.update(command_options(sub, f"{path} {name}".strip()))
    return found


def option(command: str, *decls: str, **kwargs: Any) -> Callable[[F], F]:
    """A click option whose help, type, range, repeatability and on/off come from `defaults.toml`.

    `decls` are click's declarations (``"-t", "--target"``, ``"--wait/--no-wait"``,
    ``"--from", "from_task"``); the option's name is the last declaration without dashes or the
    first long flag. `kwargs` carry what is only click's business: metavar, path types.
    """
    name = next((d for d in decls if d.isidentifier()), None)
    if name is None:
        first = next(d for d in decls if d.startswith("--"))
        name = first.split("/")[0].removeprefix("--").replace("-", "_")
    spec = settings.spec(command, name)
    if spec.number is not None:
        kwargs.setdefault("type", spec.number)
    elif spec.choices:
        kwargs.setdefault("type", click.Choice(spec.choices))
    if spec.multiple:
        kwargs.setdefault("multiple", True)
    if isinstance(spec.default, bool) and not any("/" in d for d in decls):
        kwargs.setdefault("is_flag", True)
    return click.option(*decls, default=None, help=spec.help_text(), **kwargs)


def _converter(ctx: click.Context, param: click.Parameter) -> Callable[[object], object]:
    """Turn an env string or TOML value into the option's click type (lists split on commas)."""

    def convert(raw: object) -> object:
        value = raw
        if param.multiple and isinstance(value, str):
            value = [part.strip() for part in re.split(r"[\n,]", value) if part.strip()]
        elif param.multiple and not isinstance(value, (list, tuple)):
            value = [value]
        elif not param.multiple and isinstance(value, (list, tuple)):
            value = ",".join(str(item) for item in value)  # TOML list for a comma-separated option
        try:
            return param.type_cast_value(ctx, value)
        except click.BadParameter as exc:
            raise ValueError(exc.format_message()) from exc

    return convert


def resolve_options(ctx: click.Context, *, env: Mapping[str, str] | None = None) -> config.Resolved:
    """This command's option values (flag > env > pyproject > defaults); `-v` logs each source.

    ``resolve_options(ctx).fill(DeployArgs)`` gives the command's frozen, typed options.
    """
    command = command_name(ctx)
    converters = {p.name: _converter(ctx, p) for p in ctx.command.params if isinstance(p, click.Option) and p.name}
    resolved = config.resolve(
        command,
        ctx.params,
        converters=converters,
        env=os.environ if env is None else env,
        pyproject=config.load_pyproject_table(config.find_pyproject()),
        defaults=config.load_defaults(),
    )
    if global_options(ctx).verbose if command else resolved["verbose"]:  # the group resolves -v itself
        for name, source in resolved.sources.items():
            if source != "unset":
                click.echo(f"brickgate: {command or 'brickgate'} {config.toml_key(name)} from {source}", err=True)
    return resolved
