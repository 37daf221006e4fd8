"""Check a bundle against a JSON Schema and turn each violation into a located diagnostic.

The schema is the one the Databricks CLI prints (`databricks bundle schema`) when it is
installed, a file given with `--schema`, or the subset shipped as `schemas/bundle.json`.
Values that are `${...}` references, or strings the CLI would convert (`"2"` for an integer),
are not reported as wrong types: the Databricks CLI accepts them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from brickgate.bundle import diagnostics as dg
from brickgate.bundle.locations import YamlPath, format_path, locate
from brickgate.errors import InputError

SCHEMA_UNREADABLE = "{path}: cannot read JSON Schema: {problem}"
# bool before int: True is an int to Python, a boolean to JSON
_JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


def read_schema(path: Path) -> dict[str, Any]:
    """The JSON Schema in `path`; `InputError` when it is not a readable JSON object."""
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(SCHEMA_UNREADABLE.format(path=path, problem=exc)) from exc
    if not isinstance(schema, dict):
        raise InputError(SCHEMA_UNREADABLE.format(path=path, problem="not a JSON object"))
    return schema


def schema_diagnostics(document: Mapping[str, Any], schema: Mapping[str, Any]) -> list[dg.Diagnostic]:
    """One diagnostic per unknown key, wrong type, missing key or disallowed value in `document`."""
    import jsonschema

    schema = python_patterns(schema)
    validator = jsonschema.validators.validator_for(schema)(schema)
    found: dict[tuple[object, ...], dg.Diagnostic] = {}
    for error in validator.iter_errors(document):
        for diagnostic in _convert(error, document):
            # a key set in the selected target is seen twice: merged, and under `targets`
            where = (diagnostic.file, diagnostic.line, diagnostic.column) if diagnostic.file else diagnostic.path
            found.setdefault((diagnostic.rule, where), diagnostic)
    return list(found.values())


# ECMA-262 Unicode classes the Databricks CLI schema uses, as Python `re` spells them.
_ECMA_CLASSES = ((r"[\p{L}\p{N}]", r"[^\W_]"), (r"\p{L}", r"[^\W\d_]"), (r"\p{N}", r"\d"))


def python_patterns(node: Any) -> Any:
    r"""`node` with every `pattern` and `patternProperties` key rewritten for Python's `re`.

    JSON Schema patterns are ECMA-262 regexes; the Databricks CLI's schema uses `\p{L}` and
    `\p{N}`, which `re` rejects. A pattern that still does not compile is dropped (not checked).

    >>> python_patterns({"pattern": "^\\p{L}+$", "items": [{"pattern": "(?<"}]})
    {'pattern': '^[^\\W\\d_]+$', 'items': [{}]}
    """
    if isinstance(node, list):
        return [python_patterns(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "pattern" and isinstance(value, str):
            translated = _python_regex(value)
            if translated is not None:
                out[key] = translated
        elif key == "patternProperties" and isinstance(value, dict):
            out[key] = {
                translated: python_patterns(sub)
                for pattern, sub in value.items()
                if (translated := _python_regex(pattern)) is not None
            }
        else:
            out[key] = python_patterns(value)
    return out


def _python_regex(pattern: str) -> str | None:
    for ecma, python in _ECMA_CLASSES:
        pattern = pattern.replace(ecma, python)
    try:
        re.compile(pattern)
    except re.error:
        return None
    return pattern


def _convert(error: Any, document: Mapping[str, Any]) -> Iterable[dg.Diagnostic]:
    path: YamlPath = tuple(error.absolute_path)
    instance = error.instance
    kind = error.validator
    if kind in ("oneOf", "anyOf") and error.context:
        if isinstance(instance, str) and "${" in instance:
            return
        yield from _alternatives(error, path, document)
        return
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {})
        patterns = error.schema.get("patternProperties", {})
        parent = format_path(path) or "the top level"
        for key in instance:
            if key in known or any(re.search(p, key) for p in patterns):
                continue
            hint = dg.did_you_mean(key, list(known))
            hint = hint.replace("; did", " (did", 1).replace("?", "?)") if hint else ""
            where = locate(document, (*path, key), key=True)
            yield dg.diagnostic(dg.UNKNOWN_KEY, where, (*path, key), key=key, parent=parent, hint=hint)
        return
    if kind == "type":
        yield from _wrong_type(path, instance, _as_list(error.validator_value), document)
        return
    if kind == "required" and path[:1] == ("targets",):
        return  # a target overrides part of a resource; the merged result is checked in full
    if kind == "required" and isinstance(instance, dict):
        parent = format_path(path) or "the top level"
        where = locate(document, path, key=True)
        for key in error.validator_value:
            if key not in instance:
                yield dg.diagnostic(dg.MISSING_KEY, where, path, parent=parent, key=key)
        return
    if isinstance(instance, str) and "${" in instance:
        return
    if kind in ("enum", "const"):
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        listed = ", ".join(str(a) for a in allowed)
    else:
        listed = f"values matching {kind} {json.dumps(error.validator_value)}"
    where = locate(document, path)
    yield dg.diagnostic(
        dg.INVALID_VALUE, where, path, path=format_path(path), value=json.dumps(instance), allowed=listed
    )


def _alternatives(error: Any, path: YamlPath, document: Mapping[str, Any]) -> Iterable[dg.Diagnostic]:
    """Report a failed `oneOf`/`anyOf` through the alternative meant for the value's type.

    The Databricks schema offers most fields as `oneOf: [<the real type>, <a ${...} string>]`:
    alternatives whose `type` does not fit the value are dropped, and of the rest the one with
    the fewest errors (a `${...}` pattern last) is reported. When no alternative fits the type,
    or only the `${...}` string form is left, the value has the wrong type.
    """
    branches: dict[object, list[Any]] = {}
    mismatched: list[Any] = []
    for sub in error.context:
        if sub.validator == "type" and not sub.relative_path:
            mismatched.append(sub)
        else:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    for branch in mismatched:  # a branch whose type does not fit is out, whatever else failed in it
        branches.pop(branch.relative_schema_path[0], None)
    best = min(branches.values(), key=lambda subs: (_only_patterns(subs), len(subs)), default=[])
    if mismatched and _only_patterns(best):  # "many" for an integer: only the `${...}` string form is left
        real = [e for e in mismatched if "${" not in str(e.schema.get("pattern", "")).replace("\\", "")]
        expected = sorted({t for e in real or mismatched for t in _as_list(e.validator_value)})
        yield from _wrong_type(path, error.instance, expected, document)
        return
    for sub in best:
        yield from _convert(sub, document)


def _only_patterns(errors: list[Any]) -> bool:
    return all(e.validator == "pattern" for e in errors)


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _wrong_type(
    path: YamlPath, instance: Any, expected: list[str], document: Mapping[str, Any]
) -> Iterable[dg.Diagnostic]:
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
