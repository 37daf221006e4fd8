"""Click options and helpers the gate commands share, so their publishing flags and lists agree.

Imports only click at import time, like every command module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from brickgate.cli.common import option

F = TypeVar("F", bound=Callable[..., Any])


def publishing_options(command: str) -> Callable[[F], F]:
    """``--results-table``, ``--report-dir``, ``--alert`` and ``--github-status`` of a gate command.

    They fill `brickgate.gates.publish.PublishOptions` through `publish.options_from`; their help
    and defaults are the command's entries in defaults.toml.
    """
    options = (
        option(command, "--results-table", metavar="NAME"),
        option(command, "--report-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR"),
        option(command, "--alert", metavar="CHANNEL"),
        option(command, "--github-status/--no-github-status"),
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
