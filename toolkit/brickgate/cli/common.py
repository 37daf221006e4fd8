"""Plumbing shared by every command: global options and config resolution from click params."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import click

from brickgate import config
from brickgate.output import OutputFormat


@dataclass(kw_only=True)
class GlobalOptions:
    """Filled by the `brickgate` group callback; `main` reads it to shape error output."""

    format: OutputFormat = "text"
    verbose: int = 0


def global_options(ctx: click.Context) -> GlobalOptions:
    obj = ctx.find_object(GlobalOptions)
    return obj if obj is not None else GlobalOptions()


def command_name(ctx: click.Context) -> str:
    """`brickgate psi-gate profile` → `psi-gate profile`."""
    return ctx.command_path.split(" ", 1)[1] if " " in ctx.command_path else ""


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
    """Resolve this command's options (flag > env > pyproject > defaults); `-v` logs each source."""
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
    if global_options(ctx).verbose:
        for name, source in resolved.sources.items():
            if source != "unset":
                click.echo(f"brickgate: {command} {config.toml_key(name)} from {source}", err=True)
    return resolved
