"""Click options and helpers the gate commands share, so their flags, help and run ids agree.

Imports only click at import time, like every command module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def option(
    command: str, flag: str, text: str = "", shown_default: str | None = None, **kwargs: Any
) -> Callable[[F], F]:
    """`brickgate.cli.common.option` as the gate commands call it: help, default, type and range
    come from defaults.toml.

    `text` and `shown_default` are not used: defaults.toml holds both (the gate modules still pass
    them until their declarations move to `common.option`). A click `type` is kept only where
    defaults.toml names none (paths), so every number is a range-checked `Number`.

    >>> option("psi-gate profile", "--out", "Where.")(lambda: 0).__click_params__[0].help[-46:]
    'TOML out in [tool.brickgate.psi-gate.profile].'
    """
    from brickgate import settings
    from brickgate.cli.common import option as declare

    name = flag.split("/")[0].removeprefix("--").replace("-", "_")
    spec = settings.spec(command, name)
    if spec.number is not None or spec.choices:
        kwargs.pop("type", None)
    kwargs.pop("multiple", None)
    return declare(command, flag, **kwargs)


def publishing_options(command: str, *, gate: str, rows: str) -> Callable[[F], F]:
    """``--results-table``, ``--report-dir``, ``--alert`` and ``--github-status`` of a gate command.

    They fill `brickgate.gates.publish.PublishOptions` through `publish.options_from`; `gate`
    names the report files and the commit status context, `rows` what one table row holds.
    """
    options = (
        option(command, "--results-table", f"Delta table the {rows} rows are appended to.", metavar="NAME"),
        option(
            command,
            "--report-dir",
            f"Folder for {gate}-result.json, -summary.md, -report.html and PNG charts.",
            type=click.Path(file_okay=False, path_type=Path),
        ),
        option(
            command,
            "--alert",
            "Alert channel: slack, webhook, pagerduty or email; repeatable.",
            multiple=True,
            metavar="CHANNEL",
        ),
        option(command, "--github-status/--no-github-status", f"Post commit status brickgate/{gate}.", "off"),
    )

    def decorate(function: F) -> F:
        for add in reversed(options):  # click lists options in decorator order, top first
            function = add(function)
        return function

    return decorate


def names(values: Iterable[str] | None) -> tuple[str, ...]:
    """``("a,b", "c")`` → ``("a", "b", "c")``: repeated flags and comma lists both work.

    >>> names(["a, b", "c", ""])
    ('a', 'b', 'c')
    """
    return tuple(part.strip() for value in values or () for part in value.split(",") if part.strip())
