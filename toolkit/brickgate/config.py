"""Resolve every command option from flags, environment, pyproject.toml and shipped defaults.

Order: flag > `BRICKGATE_<COMMAND>_<OPTION>` (globals: `BRICKGATE_<OPTION>`) >
`[tool.brickgate.<command>]` (globals: `[tool.brickgate]`) in the consuming repository's
pyproject.toml > `defaults.toml` in this package. An empty environment value counts as
unset, because GitHub Actions inputs default to the empty string. Secrets never come from
here: they are read from the environment by the module that needs them.
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from brickgate.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

Converter = Callable[[object], object]
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Resolved:
    """Option values of one command and, for `-v`, where each came from."""

    values: Mapping[str, Any]
    sources: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def given(self, name: str) -> bool:
        """Whether the user set `name` (flag, env or pyproject), not the shipped default."""
        return self.sources.get(name, "unset") not in ("default", "unset")

    def fill(self, options: type[T]) -> T:
        """The command's frozen options dataclass; its fields must be exactly the resolved names.

        Raises
        ------
        TypeError
            When fields and options differ: a wiring error in the command, not bad input.
        """
        fields = {f.name for f in dataclasses.fields(options)}  # type: ignore[arg-type]
        if fields != set(self.values):
            raise TypeError(f"{options.__name__} fields differ from the options: {sorted(fields ^ set(self.values))}")
        return options(**self.values)


def env_name(command: str, option: str) -> str:
    """`("fairness-gate", "di_min")` → `BRICKGATE_FAIRNESS_GATE_DI_MIN`; globals have no command.

    >>> env_name("psi-gate profile", "bins")
    'BRICKGATE_PSI_GATE_PROFILE_BINS'
    """
    parts = ["BRICKGATE", *command.split(), option]
    return "_".join(p.replace("-", "_").upper() for p in parts)


def toml_key(option: str) -> str:
    """`di_min` → `di-min`, the spelling of flags and of `[tool.brickgate]` keys."""
    return option.replace("_", "-")


@cache
def shipped() -> Mapping[str, Mapping[str, Mapping[str, Any]]]:
    """`defaults.toml` as written: section (`global`, `deploy`, `psi-gate profile`) → option key → entry."""
    text = resources.files("brickgate").joinpath("defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def default(command: str, name: str) -> Any:
    """The shipped default of one option, for library code whose parameters mirror it.

    The Python API and the gates' settings take their defaults from here, so `defaults.toml`
    stays the one place they are written.

    >>> default("psi-gate", "warn"), default("fairness-gate", "gate_metric")
    (0.1, ('di',))
    """
    value = shipped()[command][toml_key(name)].get("default")
    return tuple(value) if isinstance(value, list) else value


def load_defaults() -> dict[str, dict[str, Any]]:
    """Command path (`"global"` for the globals) → TOML key → default (options that have one)."""
    return {
        command: {key: entry["default"] for key, entry in options.items() if entry.get("default", "") != ""}
        for command, options in shipped().items()
    }


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest pyproject.toml at or above `start` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def load_pyproject_table(path: Path | None) -> dict[str, Any]:
    """The `[tool.brickgate]` table of `path`, or `{}` when there is none."""
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read [tool.brickgate]: {exc}") from exc
    table = data.get("tool", {}).get("brickgate", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.brickgate] must be a table")
    return table


def _command_table(table: Mapping[str, Any], command: str) -> Mapping[str, Any]:
    node: Any = table
    for part in command.split():
        node = node.get(part, {}) if isinstance(node, Mapping) else {}
    if not isinstance(node, Mapping):
        raise ConfigError(f"pyproject.toml: [tool.brickgate.{command}] must be a table")
    return node


def check_pyproject(table: Mapping[str, Any], options: Mapping[str, Iterable[str]]) -> None:
    """Refuse any key of `[tool.brickgate]` that is neither an option nor a command's table.

    `options` maps each command path (`""` for the globals, `"psi-gate profile"`) to its option
    names. A key naming both an option and a subcommand (`psi-gate`'s `profile`) is the option
    when it holds a value and the subcommand when it holds a table.

    Raises
    ------
    ConfigError
        Naming the table, the key, the closest valid key and every valid one.
    """

    def walk(node: Mapping[str, Any], path: tuple[str, ...]) -> None:
        known = {toml_key(name) for name in options.get(" ".join(path), ())}
        depth = len(path)
        commands = {c.split()[depth] for c in options if len(c.split()) > depth and tuple(c.split()[:depth]) == path}
        for key, value in node.items():
            if isinstance(value, Mapping) and key in commands:
                walk(value, (*path, key))
            elif key not in known:
                raise ConfigError(unknown_key(key, path, known | commands))
            elif isinstance(value, Mapping):
                raise ConfigError(f"pyproject.toml: {key} in {table_name(path)} must be a value, not a table")

    walk(table, ())


def table_name(path: Sequence[str]) -> str:
    """`("runs", "list")` → `[tool.brickgate.runs.list]`."""
    return "[tool.brickgate" + "".join("." + part for part in path) + "]"


def unknown_key(key: str, path: Sequence[str], valid: Iterable[str]) -> str:
    """The one-line message for a key `[tool.brickgate]` does not know, with did-you-mean."""
    choices = sorted(valid)
    close = difflib.get_close_matches(key, choices, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"pyproject.toml: unknown key '{key}' in {table_name(path)}{hint} (valid keys: {', '.join(choices)})"


def _is_unset(value: object) -> bool:
    return value is None or value == () or value == []


def resolve(
    command: str,
    flags: Mapping[str, object],
    *,
    converters: Mapping[str, Converter],
    env: Mapping[str, str],
    pyproject: Mapping[str, Any],
    defaults: Mapping[str, Any],
) -> Resolved:
    """Merge the four sources for the options named in `converters`.

    Parameters
    ----------
    command:
        Command path as typed, e.g. ``"fairness-gate"`` or ``"psi-gate profile"``; ``""`` for
        the global options.
    flags:
        Values click parsed; ``None`` or an empty tuple means the flag was not given.
    converters:
        Per option, a function turning a string (env) or TOML value into the option's type;
        it raises ``ValueError`` for invalid values.
    env, pyproject, defaults:
        The process environment, the `[tool.brickgate]` table and `load_defaults()`.

    Raises
    ------
    ConfigError
        For an unknown `[tool.brickgate]` key or a value that does not convert.
    """
    toml_table = _command_table(pyproject, command) if command else pyproject
    default_table = defaults.get(command or "global", {})
    known = {toml_key(name) for name in converters}
    for key, value in toml_table.items():
        if key not in known and not isinstance(value, Mapping):
            raise ConfigError(unknown_key(key, (command,) if command else (), known))

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, convert in converters.items():
        flag_value = flags.get(name)
        variable = env_name(command, name)
        key = toml_key(name)
        if not _is_unset(flag_value):
            values[name], sources[name] = flag_value, f"flag --{key}"
        elif env.get(variable, "") != "":
            values[name] = _convert(convert, env[variable], variable)
            sources[name] = f"env {variable}"
        elif key in toml_table and not isinstance(toml_table[key], Mapping):  # a table is a subcommand
            where = f"pyproject.toml {table_name(command.split())} {key}"
            values[name], sources[name] = _convert(convert, toml_table[key], where), where
        elif key in default_table and default_table[key] != "" and not isinstance(default_table[key], Mapping):
            values[name] = _convert(convert, default_table[key], f"defaults.toml {key}")
            sources[name] = "default"
        else:
            values[name], sources[name] = flag_value, "unset"
    return Resolved(values=values, sources=sources)


def _convert(convert: Converter, raw: object, where: str) -> object:
    try:
        return convert(raw)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
