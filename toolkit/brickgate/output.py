"""Everything a user reads: the output formats, JSON emission validated by shipped schemas.

Commands return result objects; `brickgate.cli` hands them to the renderers here or in
`brickgate.report`. `--format json` output is validated against `schemas/<name>.json` before
it is printed, so what users script against cannot drift from the published schema.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import IO, Any, Literal, get_args

OutputFormat = Literal["text", "json", "github"]
OUTPUT_FORMATS: tuple[str, ...] = get_args(OutputFormat)

ERROR_PREFIX = "brickgate: error: "
WARNING_PREFIX = "brickgate: warning: "


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema `schemas/<name>.json` shipped in the package."""
    text = resources.files("brickgate").joinpath("schemas").joinpath(f"{name}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate_against_schema(document: object, name: str) -> None:
    """Raise `jsonschema.ValidationError` when `document` breaks `schemas/<name>.json`."""
    import jsonschema

    jsonschema.validate(document, load_schema(name))


def to_json(document: Mapping[str, Any], schema: str) -> str:
    """Validated, stable (sorted keys, 2-space indent) JSON text of `document`."""
    validate_against_schema(document, schema)
    return json.dumps(document, indent=2, sort_keys=True, allow_nan=False)


def emit_json(document: Mapping[str, Any], schema: str, stream: IO[str] | None = None) -> None:
    print(to_json(document, schema), file=stream or sys.stdout)


def warn(message: str, stream: IO[str] | None = None) -> None:
    """A one-line warning on stderr that never changes the exit code."""
    print(f"{WARNING_PREFIX}{message}", file=stream or sys.stderr)


def console(stderr: bool = False) -> Any:
    """A rich console; imported lazily so `--help` stays fast."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)
