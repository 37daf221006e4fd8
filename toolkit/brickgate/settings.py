"""Every option of every command, read from `defaults.toml`: default, help text, range and unit.

`defaults.toml` is the one place an option's default and meaning are written; the click
declarations, `--help`, the resolver and the reference tests all read them from here. A numeric
option is a `Number`: finite, inside its range, an integer where one is expected, with the same
check for a flag, an environment variable and a `pyproject.toml` value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import click

from brickgate.config import env_name, shipped

if TYPE_CHECKING:  # generic from click 8.2 on; click 8.1 cannot subscript it at run time
    _ParamType = click.ParamType[Any, Any]
else:
    _ParamType = click.ParamType

GLOBAL = ""  # the command path of the global options (`[global.*]` in defaults.toml)
INTEGER = re.compile(r"[+-]?[0-9]+")


class Number(_ParamType):
    """A finite integer or float inside a range, e.g. seconds with ``0 < x ≤ 86400``.

    >>> Number("int", ge=1).convert("3", None, None)
    3
    >>> Number("float", gt=0, le=60, unit="seconds").describe()
    'seconds, 0 < x ≤ 60'
    """

    def __init__(
        self,
        kind: Literal["int", "float"],
        *,
        gt: float | None = None,
        ge: float | None = None,
        lt: float | None = None,
        le: float | None = None,
        unit: str = "",
    ) -> None:
        self.kind = kind
        self.name = "integer" if kind == "int" else "number"
        self.gt, self.ge, self.lt, self.le, self.unit = gt, ge, lt, le, unit

    def range_text(self) -> str:
        """`0 < x ≤ 60`, `x ≥ 1`, or `finite` when the option has no bounds."""
        low = f"{_g(self.gt)} < " if self.gt is not None else f"{_g(self.ge)} ≤ " if self.ge is not None else ""
        high = f" < {_g(self.lt)}" if self.lt is not None else f" ≤ {_g(self.le)}" if self.le is not None else ""
        return f"{low}x{high}" if low or high else "finite"

    def describe(self) -> str:
        kind = self.unit or ("integer" if self.kind == "int" else "")
        return ", ".join(part for part in (kind, self.range_text()) if part)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = self._parse(value, param, ctx)
        low_ok = (self.gt is None or number > self.gt) and (self.ge is None or number >= self.ge)
        high_ok = (self.lt is None or number < self.lt) and (self.le is None or number <= self.le)
        if not (low_ok and high_ok):
            self.fail(f"{_g(number)} is not in the range {self.range_text()}", param, ctx)
        return number

    def _parse(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | float:
        if isinstance(value, bool):
            self.fail(f"{value!r} is not a number", param, ctx)
        if self.kind == "int":
            if isinstance(value, int):
                return value
            if isinstance(value, str) and INTEGER.fullmatch(value.strip()):
                return int(value.strip())
            self.fail(f"{_shown(value)} is not an integer", param, ctx)
        try:
            if isinstance(value, str) and "_" in value:  # float() reads 1_0 as 10
                raise ValueError(value)
            number = float(value) if isinstance(value, (int, float)) else float(str(value).strip())
        except ValueError:
            self.fail(f"{_shown(value)} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{_shown(value)} is not a finite number", param, ctx)
        return number


def _g(number: float) -> str:
    return str(number) if isinstance(number, int) else f"{number:g}"


def _shown(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


@dataclass(frozen=True, kw_only=True)
class OptionSpec:
    """One option as `defaults.toml` defines it; `default` is None when the option has none."""

    command: str
    name: str
    help: str
    default: Any = None
    default_text: str | None = None
    number: Number | None = None
    choices: tuple[str, ...] = ()
    also_env: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The TOML key and flag spelling: `di_min` → `di-min`."""
        return self.name.replace("_", "-")

    @property
    def env(self) -> str:
        """`BRICKGATE_<COMMAND>_<OPTION>`; globals `BRICKGATE_<OPTION>`."""
        return env_name(self.command, self.name)

    @property
    def multiple(self) -> bool:
        return isinstance(self.default, list)

    def help_text(self) -> str:
        """The `--help` line: meaning, unit and range, env variable(s), TOML key, default."""
        text = self.help
        if self.number is not None:
            text += f" [{self.number.describe()}]"
        if self.choices:
            text += f" One of: {', '.join(self.choices)}."
        table = "[tool.brickgate]" if self.command == GLOBAL else f"[tool.brickgate.{self.command.replace(' ', '.')}]"
        text += f" Env {' or '.join((self.env, *self.also_env))}; TOML {self.key} in {table}."
        shown = self.default_text or _default_text(self.default)
        return f"{text} Default: {shown}." if shown else text


def _default_text(default: Any) -> str:
    if default is None or default == "" or default == []:
        return ""
    if isinstance(default, bool):
        return "on" if default else "off"
    if isinstance(default, list):
        return ",".join(str(item) for item in default)
    return _g(default) if isinstance(default, float) else str(default)


SPEC_KEYS = {"default", "help", "default-text", "type", "gt", "ge", "lt", "le", "unit", "choices", "also-env"}


def _spec(command: str, key: str, table: Mapping[str, Any]) -> OptionSpec:
    unknown = set(table) - SPEC_KEYS
    if unknown or "help" not in table:
        raise ValueError(f"defaults.toml [{command or 'global'}.{key}]: needs help; unknown {sorted(unknown)}")
    number = None
    if "type" in table:
        number = Number(
            table["type"],
            gt=table.get("gt"),
            ge=table.get("ge"),
            lt=table.get("lt"),
            le=table.get("le"),
            unit=table.get("unit", ""),
        )
    default = table.get("default")
    return OptionSpec(
        command=command,
        name=key.replace("-", "_"),
        help=table["help"],
        default=None if default == "" else default,
        default_text=table.get("default-text"),
        number=number,
        choices=tuple(table.get("choices", ())),
        also_env=tuple(table.get("also-env", ())),
    )


@cache
def specs() -> Mapping[str, Mapping[str, OptionSpec]]:
    """Command path (`""` for globals, `"psi-gate profile"`) → option name → its spec."""
    found: dict[str, dict[str, OptionSpec]] = {}
    for section, options in shipped().items():
        command = GLOBAL if section == "global" else section
        found[command] = {key.replace("-", "_"): _spec(command, key, table) for key, table in options.items()}
    return found


def spec(command: str, name: str) -> OptionSpec:
    """The spec of one option; a KeyError names what defaults.toml lacks."""
    try:
        return specs()[command][name]
    except KeyError:
        raise KeyError(f"defaults.toml has no option '{name}' for command '{command or 'global'}'") from None
