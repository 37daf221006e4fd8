"""Read a bundle's YAML files with positions: `databricks.yml` and the files its `include:` globs match.

PyYAML's composer (the libyaml one when available) gives every node a start mark; the tree is
turned into `LocDict` / `LocList` values that keep those marks. Problems found while reading
(duplicate keys, includes matching nothing) are diagnostics; a file that cannot be parsed at all
raises `BundleSyntaxError`, an `InputError` that knows the file, line and column.
"""

from __future__ import annotations

import glob
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from brickgate.bundle import diagnostics as dg
from brickgate.bundle.locations import Location, LocDict, LocList
from brickgate.errors import InputError, reason

ROOT_FILE_NAMES = ("databricks.yml", "databricks.yaml", "bundle.yml", "bundle.yaml")
INCLUDE_SUFFIXES = (".yml", ".yaml", ".json")
NO_ROOT_FILE = "{directory}: no databricks.yml found (looked for {names})"
NOT_A_DIRECTORY = "{directory}: not a directory"
NOT_A_FILE = "{path}: cannot read: it is {what}"
MAX_VALUES = 1_000_000  # a 500-task bundle has about 10 000
MAX_DEPTH = 100

# Plain scalars that are not strings under the YAML 1.2 core schema, which the Databricks CLI (Go
# yaml.v3) applies: `yes`, `on` and `NO` stay strings, `0777` is 777. Order matters: int before float.
_CORE_SCHEMA = (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["", "~", "n", "N"]),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|0b[01]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    ("tag:yaml.org,2002:merge", r"^<<$", "<"),
)


def _core_resolvers() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """PyYAML's implicit resolver table (first character → (tag, regex)) for `_CORE_SCHEMA`."""
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, first_characters in _CORE_SCHEMA:
        for first in first_characters:
            table.setdefault(first, []).append((tag, re.compile(pattern)))
    return table


_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when it is installed


class _Loader(_BaseLoader):  # type: ignore[misc]
    """PyYAML's (C) safe loader with the YAML 1.2 core schema's implicit types."""

    yaml_implicit_resolvers = _core_resolvers()


_MERGE_TAG = "tag:yaml.org,2002:merge"


class BundleSyntaxError(InputError):
    """A bundle file that is not valid YAML; `location` points at the problem."""

    def __init__(self, location: Location, problem: str) -> None:
        super().__init__(f"{location.file}:{location.line}:{location.column}: invalid YAML: {problem}")
        self.location = location
        self.problem = problem


@dataclass(frozen=True, kw_only=True)
class SourceFile:
    """One parsed bundle file; `name` is its path relative to the bundle root (posix)."""

    name: str
    data: Any


@dataclass(kw_only=True)
class RawBundle:
    """Every file of a bundle, parsed but not merged, with the problems found while reading."""

    root: Path
    files: list[SourceFile]
    diagnostics: list[dg.Diagnostic] = field(default_factory=list)

    @property
    def main(self) -> LocDict:
        data = self.files[0].data
        return data if isinstance(data, LocDict) else LocDict()


def find_root_file(directory: Path) -> Path:
    """`databricks.yml` (or its accepted spellings) in `directory`; `InputError` when absent."""
    if not directory.is_dir():
        raise InputError(NOT_A_DIRECTORY.format(directory=directory))
    for name in ROOT_FILE_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
        if candidate.is_symlink() or candidate.exists():
            what = "a directory" if candidate.is_dir() else "a broken symbolic link or not a regular file"
            raise InputError(NOT_A_FILE.format(path=candidate, what=what))
    raise InputError(NO_ROOT_FILE.format(directory=directory, names=", ".join(ROOT_FILE_NAMES)))


def read_bundle(directory: Path) -> RawBundle:
    """Parse the root file and every included file (in include order, each file once)."""
    root_file = find_root_file(directory)
    root = directory.resolve()
    raw = RawBundle(root=root, files=[])
    main = parse_file(root_file, root_file.name, raw.diagnostics)
    raw.files.append(SourceFile(name=root_file.name, data=main))
    if not isinstance(main, LocDict):
        raw.diagnostics.append(
            dg.diagnostic(
                dg.NOT_A_MAPPING, Location(file=root_file.name, line=1, column=1), file=root_file.name, kind=_kind(main)
            )
        )
        return raw
    includes = main.get("include")
    if isinstance(includes, list):  # a wrong type is reported by the schema check
        _read_includes(raw, includes)
    return raw


def _read_includes(raw: RawBundle, includes: list[Any]) -> None:
    """Parse the files the include patterns match, in pattern order, each file once (as the CLI)."""
    seen = set(ROOT_FILE_NAMES)
    for index, pattern in enumerate(includes):
        if not isinstance(pattern, str):
            continue
        where = includes.item_locs[index] if isinstance(includes, LocList) else None
        if Path(pattern).is_absolute():
            raw.diagnostics.append(dg.diagnostic(dg.INCLUDE_ABSOLUTE, where, ("include", index), pattern=pattern))
            continue
        matches = sorted(glob.glob(pattern, root_dir=raw.root))
        if not matches:
            # the CLI accepts a glob that matches nothing, but not a missing file named literally
            severity: dg.Severity = "warning" if any(c in pattern for c in "*?[") else "error"
            raw.diagnostics.append(
                dg.diagnostic(dg.INCLUDE_NO_MATCH, where, ("include", index), severity=severity, pattern=pattern)
            )
        for match in matches:
            name = Path(match).as_posix()
            if name in seen or not (raw.root / name).is_file():
                continue
            seen.add(name)
            if Path(name).suffix not in INCLUDE_SUFFIXES:
                raw.diagnostics.append(
                    dg.diagnostic(dg.INCLUDE_NOT_YAML, where, ("include", index), file=name, pattern=pattern)
                )
                continue
            data = parse_file(raw.root / name, name, raw.diagnostics)
            if data is not None and not isinstance(data, LocDict):
                first_line = Location(file=name, line=1, column=1)
                raw.diagnostics.append(dg.diagnostic(dg.NOT_A_MAPPING, first_line, file=name, kind=_kind(data)))
                continue
            raw.files.append(SourceFile(name=name, data=data if data is not None else LocDict()))


def read_json_object(path: Path, template: str) -> dict[str, Any]:
    """The JSON object in `path` (a `--schema` file, variable overrides).

    Raises
    ------
    InputError
        From `template` (fields ``path`` and ``problem``) when the file cannot be read, is not
        JSON or holds something other than an object.
    """
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise InputError(template.format(path=path, problem=reason(exc))) from exc
    if not isinstance(value, dict):
        raise InputError(template.format(path=path, problem="expected a JSON object"))
    return value


def parse_file(path: Path, name: str, diagnostics: list[dg.Diagnostic]) -> Any:
    """The YAML document in `path` as located values; `BundleSyntaxError` on invalid YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {reason(exc)}") from exc
    return parse_text(text, name, diagnostics)


def parse_text(text: str, name: str, diagnostics: list[dg.Diagnostic]) -> Any:
    """Compose `text` and build located values; duplicate keys become diagnostics.

    >>> data = parse_text("a:\\n  b: [1, x]\\n", "f.yml", [])
    >>> data, data["a"].value_locs["b"]
    ({'a': {'b': [1, 'x']}}, Location(file='f.yml', line=2, column=6))
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or "cannot parse"
        raise BundleSyntaxError(Location(file=name, line=line, column=column), problem) from exc
    except yaml.YAMLError as exc:
        raise BundleSyntaxError(Location(file=name, line=1, column=1), reason(exc)) from exc
    if node is None:
        return None
    return _Builder(name, diagnostics).build(node)


class _Builder:
    """Turns composed nodes of one file into `LocDict` / `LocList` / scalars."""

    def __init__(self, name: str, diagnostics: list[dg.Diagnostic]) -> None:
        self.name = name
        self.diagnostics = diagnostics
        self.active: set[int] = set()  # collections being built: an alias to one of them is a cycle
        self.built = 0  # values built, aliases expanded: bounded against "billion laughs" documents

    def loc(self, node: yaml.Node) -> Location:
        return Location(file=self.name, line=node.start_mark.line + 1, column=node.start_mark.column + 1)

    def build(self, node: yaml.Node) -> Any:
        self.built += 1
        if self.built > MAX_VALUES:
            raise BundleSyntaxError(self.loc(node), f"aliases expand the file to more than {MAX_VALUES} values")
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            return scalar(node.tag, str(node.value))
        if id(node) in self.active:
            raise BundleSyntaxError(self.loc(node), "an alias refers to a collection that contains it")
        if len(self.active) >= MAX_DEPTH:  # later steps recurse too; real bundles nest about 10 deep
            raise BundleSyntaxError(self.loc(node), f"values nest more than {MAX_DEPTH} levels deep")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node)
            items = LocList(self.loc(node))
            for child in node.value:
                items.push(self.build(child), self.loc(child))
            return items
        finally:
            self.active.discard(id(node))

    def mapping(self, node: yaml.MappingNode) -> LocDict:
        out = LocDict(self.loc(node))
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merges.extend(value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node])
                continue
            key = str(key_node.value)  # keys stay as written: `on:` is the key "on"
            if key in out:
                self.diagnostics.append(dg.diagnostic(dg.DUPLICATE_YAML_KEY, self.loc(key_node), key=key))
            out.put(key, self.build(value_node), self.loc(key_node), self.loc(value_node))
        for merged in merges:  # `<<: *anchor`: explicit keys win over merged ones
            source = self.build(merged)
            if isinstance(source, LocDict):
                for key, value in source.items():
                    if key not in out:
                        out.put(key, value, source.key_locs.get(key), source.value_locs.get(key))
        return out


def scalar(tag: str, text: str) -> Any:
    """A plain scalar's value as the Databricks CLI reads it (YAML 1.2 core schema).

    >>> [scalar("tag:yaml.org,2002:int", t) for t in ("42", "0777", "0x1F", "0o17", "-3")]
    [42, 777, 31, 15, -3]
    >>> scalar("tag:yaml.org,2002:float", "-.inf"), scalar("tag:yaml.org,2002:bool", "True")
    (-inf, True)
    """
    kind = tag.rsplit(":", 1)[-1]
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() == "true"
    if kind == "int":  # as the CLI: decimal with leading zeros dropped, else 0x / 0o / 0b prefixes
        digits = text.lstrip("0") or "0"
        return int(digits, 10) if digits.lstrip("+-").isdigit() else int(text, 0)
    if kind == "float":
        lowered = text.lower()
        if lowered.endswith((".inf", ".nan")):
            return float(lowered.replace(".", ""))
        return float(text)
    return text


def _kind(value: object) -> str:
    if value is None:
        return "an empty document"
    return "a list" if isinstance(value, list) else f"a {type(value).__name__} scalar"
