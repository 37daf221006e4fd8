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

    validator = jsonschema.validators.validator_for(schema)(schema)
    found: dict[tuple[object, ...], dg.Diagnostic] = {}
    for error in validator.iter_errors(document):
        for diagnostic in _convert(error, document):
            # a key set in the selected target is seen twice: merged, and under `targets`
            where = (diagnostic.file, diagnostic.line, diagnostic.column) if diagnostic.file else diagnostic.path
            found.setdefault((diagnostic.rule, where), diagnostic)
    return list(found.values())


def _convert(error: Any, document: Mapping[str, Any]) -> Iterable[dg.Diagnostic]:
    from jsonschema.exceptions import best_match

    path: YamlPath = tuple(error.absolute_path)
    instance = error.instance
    kind = error.validator
    if kind in ("oneOf", "anyOf") and error.context:
        if isinstance(instance, str) and "${" in instance:
            return
        types = [e.validator_value for e in error.context if e.validator == "type" and not e.relative_path]
        if types and all(e.validator in ("type", "pattern") for e in error.context):
            expected = sorted({t for value in types for t in ([value] if isinstance(value, str) else value)})
            yield from _wrong_type(path, instance, expected, document)
            return
        yield from _convert(best_match(error.context), document)
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
        expected = [error.validator_value] if isinstance(error.validator_value, str) else list(error.validator_value)
        yield from _wrong_type(path, instance, expected, document)
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
