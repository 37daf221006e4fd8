"""Check a bundle against a JSON Schema and turn each violation into a located diagnostic.

The schema is the one the Databricks CLI prints (`databricks bundle schema`) when it is
installed, a file given with `--schema`, or the subset shipped as `schemas/bundle.json`.

Bundle schemas use a small part of JSON Schema, so this module checks that part itself
(`type`, `enum`, `const`, `pattern`, `properties`, `patternProperties`, `additionalProperties`,
`required`, `items`, `allOf`, `anyOf`, `oneOf` and local `$ref`s) instead of importing the
`jsonschema` package: that import alone costs more than validating a 500-task bundle. Other
assertion keywords are not checked, and one info diagnostic names them.

Values that are `${...}` references, or strings the CLI would convert (`"2"` for an integer),
are not reported as wrong types: the Databricks CLI accepts them. The Databricks CLI's schema
offers most fields as `oneOf: [<the real type>, <a ${...} string>]`; a failed alternative is
reported through the branch meant for the value's type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickgate.bundle import diagnostics as dg
from brickgate.bundle.load import read_json_object
from brickgate.bundle.locations import YamlPath, format_path, locate
from brickgate.suggest import suggest

SCHEMA_UNREADABLE = "{path}: cannot read JSON Schema: {problem}"
CHECKED_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "pattern",
        "properties",
        "patternProperties",
        "additionalProperties",
        "required",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "$ref",
    }
)
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$comment",
        "definitions",
        "title",
        "description",
        "markdownDescription",
        "default",
        "examples",
        "deprecated",
        "deprecationMessage",
        "doNotSuggest",
        "enumDescriptions",
        "readOnly",
        "writeOnly",
    }
)
# bool before int: True is an int to Python, a boolean to JSON
_JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)
# ECMA-262 Unicode classes the Databricks CLI schema uses, as Python `re` spells them.
_ECMA_CLASSES = ((r"[\p{L}\p{N}]", r"[^\W_]"), (r"\p{L}", r"[^\W\d_]"), (r"\p{N}", r"\d"))


@dataclass(frozen=True)
class _Problem:
    """A violation before it becomes a diagnostic; `detail` depends on `kind`."""

    kind: str  # unknown | type | required | value | pattern
    path: YamlPath
    detail: Any = None
    interpolation: bool = False  # a type problem of the `${...}` string alternative


def read_schema(path: Path) -> dict[str, Any]:
    """The JSON Schema in `path`; `InputError` when it is not a readable JSON object."""
    return read_json_object(path, SCHEMA_UNREADABLE)


def schema_diagnostics(document: Mapping[str, Any], schema: Mapping[str, Any]) -> list[dg.Diagnostic]:
    """One diagnostic per unknown key, wrong type, missing key or disallowed value in `document`."""
    checker = _Checker(schema)
    found: dict[tuple[object, ...], dg.Diagnostic] = {}
    for problem in checker.problems(document, schema, ()):
        for diagnostic in _diagnostics(problem, document):
            # a key set in the selected target is seen twice: merged, and under `targets`
            where = (diagnostic.file, diagnostic.line, diagnostic.column) if diagnostic.file else diagnostic.path
            found.setdefault((diagnostic.rule, where), diagnostic)
    if checker.unchecked:
        keywords = ", ".join(sorted(checker.unchecked))
        found[("unchecked",)] = dg.diagnostic(dg.SCHEMA_KEYWORDS_UNCHECKED, None, keywords=keywords)
    return list(found.values())


class _Checker:
    """Walks a document and a schema together, collecting `_Problem`s."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.refs: dict[str, Any] = {}
        self.regexes: dict[str, re.Pattern[str] | None] = {}
        self.seen: set[int] = set()
        self.unchecked: set[str] = set()
        self.following: set[tuple[str, YamlPath]] = set()  # `$ref`s being applied, per value

    def problems(self, instance: Any, schema: Any, path: YamlPath) -> list[_Problem]:
        if schema is True or not isinstance(schema, Mapping):
            return []
        if id(schema) not in self.seen:
            self.seen.add(id(schema))
            self.unchecked.update(
                k for k in schema if k not in CHECKED_KEYWORDS | ANNOTATIONS and not k.startswith("x-")
            )
        found: list[_Problem] = []
        if "$ref" in schema:
            found += self.referenced(instance, schema["$ref"], path)
        if "type" in schema:
            expected = _as_list(schema["type"])
            if not any(_is_type(instance, t) for t in expected):
                interpolation = "${" in str(schema.get("pattern", "")).replace("\\", "")
                return [*found, _Problem("type", path, expected, interpolation)]
        if "enum" in schema and not any(_same(instance, option) for option in schema["enum"]):
            found.append(_Problem("value", path, ", ".join(str(option) for option in schema["enum"])))
        if "const" in schema and not _same(instance, schema["const"]):
            found.append(_Problem("value", path, str(schema["const"])))
        if "pattern" in schema and isinstance(instance, str):
            regex = self.regex(schema["pattern"])
            if regex is not None and not regex.search(instance):
                found.append(_Problem("pattern", path, schema["pattern"]))
        if isinstance(instance, dict):
            found += self.mapping(instance, schema, path)
        if isinstance(instance, list) and isinstance(schema.get("items"), Mapping):
            for index, item in enumerate(instance):
                found += self.problems(item, schema["items"], (*path, index))
        for sub in schema.get("allOf", ()):
            found += self.problems(instance, sub, path)
        for keyword in ("oneOf", "anyOf"):
            if keyword in schema:
                found += self.alternatives(instance, schema[keyword], path)
        return found

    def mapping(self, instance: dict[str, Any], schema: Mapping[str, Any], path: YamlPath) -> list[_Problem]:
        found: list[_Problem] = []
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        additional = schema.get("additionalProperties", True)
        for key, value in instance.items():
            matched = key in properties
            if matched:
                found += self.problems(value, properties[key], (*path, key))
            for pattern, sub in patterns.items():
                regex = self.regex(pattern)
                if regex is not None and regex.search(key):
                    matched = True
                    found += self.problems(value, sub, (*path, key))
            if matched:
                continue
            if additional is False:
                found.append(_Problem("unknown", (*path, key), list(properties)))
            else:
                found += self.problems(value, additional, (*path, key))
        found += [_Problem("required", path, key) for key in schema.get("required", ()) if key not in instance]
        return found

    def alternatives(self, instance: Any, branches: list[Any], path: YamlPath) -> list[_Problem]:
        """The problems of the alternative meant for the value's type, or none when one fits.

        Alternatives whose `type` does not fit the value are dropped; of the rest, the one with
        the fewest problems (a `${...}` pattern last) is reported. When no alternative fits the
        type, or only the `${...}` string form is left, the value has the wrong type.
        """
        results = [self.problems(instance, branch, path) for branch in branches]
        if any(not problems for problems in results):
            return []
        mismatched = [r for r in results if any(p.kind == "type" and p.path == path for p in r)]
        remaining = [r for r in results if r not in mismatched]
        best = min(remaining, key=lambda r: (_only_patterns(r), len(r)), default=[])
        if mismatched and _only_patterns(best):
            types = [p for r in mismatched for p in r if p.kind == "type" and p.path == path]
            real = [p for p in types if not p.interpolation] or types
            return [_Problem("type", path, sorted({t for p in real for t in p.detail}))]
        return best

    def referenced(self, instance: Any, ref: str, path: YamlPath) -> list[_Problem]:
        """Apply the schema `ref` points at; a `$ref` loop that never reaches a value is cut."""
        key = (ref, path)
        if key in self.following:
            return []
        self.following.add(key)
        try:
            return self.problems(instance, self.resolve(ref), path)
        finally:
            self.following.discard(key)

    def resolve(self, ref: str) -> Any:
        """A local `#/...` JSON pointer; other references are not followed (nothing is checked)."""
        if ref not in self.refs:
            node: Any = self.root if ref.startswith("#") else {}
            for part in ref.lstrip("#").split("/")[1:]:
                part = part.replace("~1", "/").replace("~0", "~")
                node = node.get(part, {}) if isinstance(node, Mapping) else {}
            self.refs[ref] = node
        return self.refs[ref]

    def regex(self, pattern: str) -> re.Pattern[str] | None:
        if pattern not in self.regexes:
            translated = python_regex(pattern)
            self.regexes[pattern] = re.compile(translated) if translated is not None else None
        return self.regexes[pattern]


def python_regex(pattern: str) -> str | None:
    r"""An ECMA-262 schema pattern as Python `re` reads it, or None when it cannot be translated.

    The Databricks CLI's schema uses `\p{L}` and `\p{N}`, which `re` rejects.

    >>> python_regex("^\\p{L}+$"), python_regex("(?<")
    ('^[^\\W\\d_]+$', None)
    """
    for ecma, python in _ECMA_CLASSES:
        pattern = pattern.replace(ecma, python)
    try:
        re.compile(pattern)
    except re.error:
        return None
    return pattern


def _diagnostics(problem: _Problem, document: Mapping[str, Any]) -> Iterator[dg.Diagnostic]:
    path = problem.path
    instance = _value_at(document, path)
    if problem.kind == "unknown":
        key = str(path[-1])
        match = suggest(key, problem.detail or ())
        hint = f" (did you mean '{match}'?)" if match else ""
        parent = format_path(path[:-1]) or "the top level"
        yield dg.diagnostic(dg.UNKNOWN_KEY, locate(document, path, key=True), path, key=key, parent=parent, hint=hint)
    elif problem.kind == "type":
        yield from _wrong_type(path, instance, problem.detail, document)
    elif problem.kind == "required":
        if path[:1] != ("targets",):  # a target overrides part of a resource; the merged result is checked
            parent = format_path(path) or "the top level"
            yield dg.diagnostic(
                dg.MISSING_KEY, locate(document, path, key=True), path, parent=parent, key=problem.detail
            )
    elif not (isinstance(instance, str) and "${" in instance):
        allowed = problem.detail if problem.kind == "value" else f"values matching pattern {problem.detail}"
        where = locate(document, path)
        value = json.dumps(instance)
        yield dg.diagnostic(dg.INVALID_VALUE, where, path, path=format_path(path), value=value, allowed=allowed)


def _wrong_type(
    path: YamlPath, instance: Any, expected: list[str], document: Mapping[str, Any]
) -> Iterator[dg.Diagnostic]:
    if isinstance(instance, str) and ("${" in instance or any(_converts(instance, t) for t in expected)):
        return
    actual = next((name for kind, name in _JSON_TYPES if isinstance(instance, kind)), "null")
    where = locate(document, path)
    article = " or ".join(f"an {t}" if t[0] in "aeiou" else f"a {t}" for t in expected)
    yield dg.diagnostic(
        dg.WRONG_TYPE, where, path, path=format_path(path) or "the configuration", expected=article, actual=actual
    )


def _converts(text: str, json_type: str) -> bool:
    """Whether the Databricks CLI turns the string `text` into `json_type` (e.g. `--var workers=2`)."""
    if json_type == "integer":
        return re.fullmatch(r"[+-]?\d+", text) is not None
    if json_type == "number":
        return re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text) is not None
    if json_type == "boolean":
        return text in ("true", "false")
    return False


def _is_type(value: Any, json_type: str) -> bool:
    if json_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if json_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if json_type == "null":
        return value is None
    kinds = {"string": str, "boolean": bool, "object": dict, "array": list}
    return json_type in kinds and isinstance(value, kinds[json_type])


def _same(a: Any, b: Any) -> bool:
    """JSON equality: `true` is not `1`."""
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _value_at(document: Any, path: YamlPath) -> Any:
    node = document
    for part in path:
        node = node[part]
    return node


def _only_patterns(problems: list[_Problem]) -> bool:
    return all(p.kind == "pattern" for p in problems)


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
