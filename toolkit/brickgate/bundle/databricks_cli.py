"""Run the Databricks CLI when it is installed: its bundle schema and `bundle validate` diagnostics.

`databricks bundle validate` prints each diagnostic as
``Error|Warning|Recommendation: <summary>``, then ``  at <yaml.path>`` (more paths indented
under it), ``  in <file>:<line>:<col>`` (more locations likewise) and an optional detail
paragraph. Parsing that text turns the CLI's findings into brickgate diagnostics, so CI shows
them as annotations on the right lines instead of losing them in a log.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from brickgate.bundle import diagnostics as dg
from brickgate.bundle.locations import Location
from brickgate.databricks_cli import run_cli
from brickgate.errors import InfraError

TIMEOUT_SECONDS = 300
_CLI = "databricks bundle validate:"
SCHEMA_FAILED = "databricks bundle schema failed ({problem}); rerun with --no-databricks-cli to skip the Databricks CLI"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_HEADER = re.compile(r"^(Error|Warning|Recommendation): (.*)$")
_AT = re.compile(r"^  at (\S.*)$")
_IN = re.compile(r"^  in (.+):(\d+):(\d+)$")
_RULES = {"Error": dg.CLI_ERROR, "Warning": dg.CLI_WARNING, "Recommendation": dg.CLI_RECOMMENDATION}
_RANK = {"info": 0, "warning": 1, "error": 2}


def bundle_schema(executable: str, env: Mapping[str, str]) -> dict[str, Any]:
    """The JSON Schema the installed CLI prints with `databricks bundle schema`."""
    result = run_cli(executable, ["bundle", "schema"], cwd=None, env=env, timeout=TIMEOUT_SECONDS)
    if result.returncode != 0:
        raise InfraError(SCHEMA_FAILED.format(problem=f"exit {result.returncode}: {_last_line(result.stderr)}"))
    try:
        schema = json.loads(result.stdout)
    except ValueError as exc:
        raise InfraError(SCHEMA_FAILED.format(problem=f"not JSON: {exc}")) from exc
    if not isinstance(schema, dict):
        raise InfraError(SCHEMA_FAILED.format(problem="not a JSON object"))
    return schema


def bundle_validate(
    executable: str, root: Path, target: str, variables: Mapping[str, str], env: Mapping[str, str]
) -> list[dg.Diagnostic]:
    """Run `databricks bundle validate -t TARGET [--var k=v ...]` in `root` and parse its diagnostics."""
    args = ["bundle", "validate", "-t", target]
    for name, value in variables.items():
        args += ["--var", f"{name}={value}"]
    result = run_cli(executable, args, cwd=root, env=env, timeout=TIMEOUT_SECONDS)
    found = parse_validate_output(result.stderr + "\n" + result.stdout, root)
    if result.returncode != 0 and not any(d.severity == "error" for d in found):
        output = _last_line(result.stderr) or _last_line(result.stdout) or "no output"
        found.append(dg.diagnostic(dg.CLI_FAILED, None, code=result.returncode, output=output))
    return found


def parse_validate_output(text: str, root: Path) -> list[dg.Diagnostic]:
    """Diagnostics in the text `databricks bundle validate` prints; the first path and location are kept.

    The detail paragraph under a diagnostic and the closing summary (`Found 1 error`) are skipped.

    >>> text = "Warning: unknown field: tsks\\n  at resources.jobs.train\\n  in databricks.yml:12:7\\n"
    >>> parse_validate_output(text, Path("/b"))[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'rule': 'BG502', 'severity': 'warning', 'message': 'databricks bundle validate: unknown field: tsks',
     'file': 'databricks.yml', 'line': 12, 'column': 7, 'path': 'resources.jobs.train'}
    """
    found: list[dg.Diagnostic] = []
    current: dict[str, Any] | None = None
    for raw_line in _ANSI.sub("", text).splitlines():
        line = raw_line.rstrip()
        if header := _HEADER.match(line):
            if current:
                found.append(_finish(current))
            current = {"kind": header.group(1), "summary": header.group(2), "path": None, "location": None}
        elif current is None:
            continue
        elif (at := _AT.match(line)) and current["path"] is None:
            current["path"] = at.group(1)
        elif (where := _IN.match(line)) and current["location"] is None:
            current["location"] = _location(where.group(1), int(where.group(2)), int(where.group(3)), root)
        # further paths and locations, the detail paragraph and the final summary are not needed
    if current:
        found.append(_finish(current))
    return found


def merge_findings(own: Iterable[dg.Diagnostic], cli: Iterable[dg.Diagnostic]) -> list[dg.Diagnostic]:
    """brickgate's diagnostics with the CLI's merged in, one line per problem.

    A CLI finding at the exact place (file, line, column) of a brickgate finding at least as
    severe is the same problem seen twice (`max_retries: cannot parse "three" as an integer`
    beside BG102): its summary is folded into brickgate's message, which keeps the rule id and
    the hint. Anything else the CLI says, or says more severely, stays a finding of its own.

    >>> own = dg.Diagnostic(rule="BG102", severity="error", message="not an integer", file="a.yml", line=3, column=5)
    >>> cli = parse_validate_output("Warning: cannot parse x as an integer\\n  in a.yml:3:5\\n", Path("/b"))
    >>> [d.message for d in merge_findings([own], cli)]
    ['not an integer (databricks bundle validate: cannot parse x as an integer)']
    """
    merged = list(own)
    for finding in cli:
        at = (finding.file, finding.line, finding.column)
        same = next(
            (
                index
                for index, d in enumerate(merged)
                if not d.rule.startswith("BG50")
                and finding.line is not None
                and (d.file, d.line, d.column) == at
                and _RANK[d.severity] >= _RANK[finding.severity]
            ),
            None,
        )
        if same is None:
            merged.append(finding)
            continue
        summary = finding.message.removeprefix(f"{_CLI} ")
        merged[same] = replace(merged[same], message=f"{merged[same].message} ({_CLI} {summary})")
    return merged


def _finish(record: Mapping[str, Any]) -> dg.Diagnostic:
    return dg.diagnostic(_RULES[record["kind"]], record["location"], record["path"], summary=record["summary"])


def _location(file: str, line: int, column: int, root: Path) -> Location:
    path = Path(file)
    if path.is_absolute():
        with contextlib.suppress(ValueError):  # outside the bundle: keep it absolute
            path = path.relative_to(root)
    return Location(file=path.as_posix(), line=line, column=column)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in _ANSI.sub("", text).splitlines() if line.strip()]
    return lines[-1] if lines else ""
