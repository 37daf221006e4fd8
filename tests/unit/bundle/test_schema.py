"""Schema diagnostics, including the shape of the Databricks CLI's own schema.

`databricks bundle schema` offers each field as `oneOf: [<its type>, <a ${...} string>]` and uses
ECMA-262 `\\p{L}` classes in patterns; the small schema here is written in that shape (it is not
the CLI's file) to check that diagnostics come out as with the shipped subset.
"""

from __future__ import annotations

from typing import Any

import pytest

from brickgate.bundle.load import parse_text
from brickgate.bundle.schema import schema_diagnostics

INTERPOLATION = {"type": "string", "pattern": "\\$\\{(var(\\.\\p{L}+([-_]*[\\p{L}\\p{N}]+)*)+)\\}"}


def _field(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, INTERPOLATION]}


CLI_SHAPED = {
    "type": "object",
    "properties": {
        "jobs": {
            "type": "object",
            "additionalProperties": _field(
                {
                    "type": "object",
                    "properties": {
                        "max_concurrent_runs": _field({"type": "integer"}),
                        "pause_status": _field({"type": "string", "enum": ["PAUSED", "UNPAUSED"]}),
                        "tags": _field({"type": "object", "additionalProperties": {"type": "string"}}),
                    },
                    "additionalProperties": False,
                }
            ),
        }
    },
}


def _diagnostics(text: str) -> list[tuple[str, int | None, str]]:
    document = parse_text(text, "databricks.yml", [])
    return [(d.rule, d.line, d.message) for d in schema_diagnostics(document, CLI_SHAPED)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("max_concurrent_runs: 2", []),
        ("max_concurrent_runs: ${var.runs}", []),
        ('max_concurrent_runs: "3"', []),  # the CLI converts numeric strings
        ("max_concurrent_runs: many", [("BG102", 3, "jobs.a.max_concurrent_runs must be an integer, not string")]),
        ("max_concurrent_runs: [1]", [("BG102", 3, "jobs.a.max_concurrent_runs must be an integer, not array")]),
        (
            "pause_status: STOPPED",
            [("BG104", 3, 'jobs.a.pause_status is "STOPPED"; allowed: PAUSED, UNPAUSED')],
        ),
        (
            "max_concurent_runs: 1",
            [("BG101", 3, "unknown key 'max_concurent_runs' in jobs.a (did you mean 'max_concurrent_runs'?)")],
        ),
        ("tags: {team: 1}", [("BG102", 3, "jobs.a.tags.team must be a string, not integer")]),
    ],
)
def test_cli_shaped_schema(line: str, expected: list[tuple[str, int, str]]) -> None:
    assert _diagnostics(f"jobs:\n  a:\n    {line}\n") == expected


def test_a_job_that_is_not_an_object_has_the_wrong_type() -> None:
    assert _diagnostics("jobs:\n  a: [1]\n") == [("BG102", 2, "jobs.a must be an object, not array")]


KEYWORDS = {
    "$defs": {"a/b": {"type": "object", "properties": {"n": {"type": "integer", "const": 1}}}},
    "type": "object",
    "properties": {
        "ref": {"$ref": "#/$defs/a~1b"},
        "list": {"type": "array", "items": {"type": "string"}},
        "both": {"allOf": [{"required": ["x"]}, {"patternProperties": {"^\\p{L}+$": {"type": "integer"}}}]},
        "short": {"type": "string", "minLength": 3},
    },
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ref: {n: 1}", []),
        ("ref: {n: 2}", [("BG104", 1, "ref.n is 2; allowed: 1")]),
        ("ref: {n: true}", [("BG102", 1, "ref.n must be an integer, not boolean")]),
        ("list: [a, 2]", [("BG102", 1, "list[1] must be a string, not integer")]),
        ("both: {x: 1, y: z}", [("BG102", 1, "both.y must be an integer, not string")]),
        ("both: {y: 1}", [("BG103", 1, "both is missing required key 'x'")]),
        # keywords outside the supported set are named once, when a value meets them
        ("short: ab", [("BG105", None, "the JSON Schema uses keywords brickgate does not check: minLength")]),
    ],
)
def test_supported_keywords(text: str, expected: list[tuple[str, int | None, str]]) -> None:
    document = parse_text(text + "\n", "databricks.yml", [])
    assert [(d.rule, d.line, d.message) for d in schema_diagnostics(document, KEYWORDS)] == expected


def test_ref_loops_do_not_recurse_forever() -> None:
    schema = {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a", "type": "object"}}, "$ref": "#/$defs/a"}
    document = parse_text("x: 1\n", "databricks.yml", [])
    assert schema_diagnostics(document, schema) == []
    assert [d.rule for d in schema_diagnostics(parse_text("[1]\n", "databricks.yml", []), schema)] == ["BG102"]
