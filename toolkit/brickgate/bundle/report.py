"""Render a `ValidationResult`: text grouped per file, JSON for scripts, GitHub annotations.

The JSON document follows `schemas/validate-bundle.json`; every message passes through
`redact` because variable values may come from the environment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from brickgate.bundle.diagnostics import Diagnostic
from brickgate.bundle.validate import ValidationResult
from brickgate.redaction import redact

if TYPE_CHECKING:
    from brickgate.github import AnnotationLevel

JSON_VERSION = 1
NO_FILE = "(bundle)"
GITHUB_LEVELS: dict[str, AnnotationLevel] = {"error": "error", "warning": "warning", "info": "notice"}
STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def counts(result: ValidationResult) -> dict[str, int]:
    infos = sum(1 for d in result.diagnostics if d.severity == "info")
    return {"errors": len(result.errors), "warnings": len(result.warnings), "infos": infos}


def verdict_line(result: ValidationResult) -> str:
    """One line naming the bundle, the target and the counts, e.g. `✗ 2 errors, 0 warnings …`.

    The line says `passed` or `failed` so it reads right without colour.
    """
    bundle = result.bundle
    what = f"bundle '{bundle.name}' (target {bundle.target})" if bundle else f"bundle in {result.root}"
    n = counts(result)
    tally = f"{_plural(n['errors'], 'error')}, {_plural(n['warnings'], 'warning')}"
    if n["infos"]:
        tally += f", {_plural(n['infos'], 'note')}"
    status = "passed" if result.passed else "failed"
    strict = " (--strict: warnings fail)" if result.strict and n["warnings"] and not n["errors"] else ""
    return f"{'✓' if result.passed else '✗'} {what}: {status}, {tally}{strict}"


def to_document(result: ValidationResult, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The `--format json` document (schema `validate-bundle`)."""
    bundle = result.bundle
    return {
        "version": JSON_VERSION,
        "root": str(result.root),
        "bundle": bundle.name if bundle else None,
        "target": bundle.target if bundle else None,
        "mode": bundle.mode if bundle else None,
        "passed": result.passed,
        "strict": result.strict,
        "schema": result.schema_source,
        "databricks_cli": result.databricks_cli is not None,
        "summary": counts(result),
        "diagnostics": [_redacted(d, env).to_dict() for d in result.diagnostics],
    }


def render_text(result: ValidationResult, console: Any, env: Mapping[str, str] | None = None) -> None:
    """Diagnostics grouped per file (file name, then `line:col  severity  rule  message  path`)."""
    from rich.markup import escape

    groups: dict[str, list[Diagnostic]] = {}
    for diagnostic in result.diagnostics:
        groups.setdefault(diagnostic.file or NO_FILE, []).append(_redacted(diagnostic, env))
    for file, diagnostics in groups.items():
        console.print(f"[bold]{escape(file)}[/bold]")
        for d in diagnostics:
            position = f"{d.line}:{d.column}" if d.line is not None else "-"
            where = f"  [dim]{escape(d.path)}[/dim]" if d.path else ""
            style = STYLES[d.severity]
            console.print(f"  {position:>7}  [{style}]{d.severity:<7}[/{style}] {d.rule}  {escape(d.message)}{where}")
        console.print()
    style = "bold green" if result.passed else "bold red"
    console.print(f"[{style}]{escape(verdict_line(result))}[/{style}]")


def github_annotations(result: ValidationResult, env: Mapping[str, str] | None = None) -> list[str]:
    """One `::error file=…,line=…::` workflow command per diagnostic."""
    from brickgate.github import annotation

    lines = []
    for d in (_redacted(d, env) for d in result.diagnostics):
        file = _repo_relative(result, d.file, env) if d.file else None
        lines.append(
            annotation(
                GITHUB_LEVELS[d.severity],
                f"{d.message}" + (f" ({d.path})" if d.path else ""),
                file=file,
                line=d.line,
                col=d.column,
                title=f"{d.rule} {d.severity}",
            )
        )
    return lines


def summary_markdown(result: ValidationResult, env: Mapping[str, str] | None = None) -> str:
    """The job summary: the verdict and a table of diagnostics."""
    lines = [f"## validate-bundle: {verdict_line(result)}", ""]
    if result.diagnostics:
        lines += ["| severity | rule | location | message |", "|---|---|---|---|"]
        for d in (_redacted(d, env) for d in result.diagnostics):
            where = f"`{d.file}:{d.line}`" if d.file else ""
            message = d.message.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {d.severity} | {d.rule} | {where} | {message} |")
    return "\n".join(lines) + "\n"


def resolved_json(result: ValidationResult, env: Mapping[str, str] | None = None) -> str:
    """`--print-resolved`: the merged, resolved configuration of the target."""
    config = result.bundle.config if result.bundle else {}
    return redact(json.dumps(config, indent=2, sort_keys=False), env)


def _repo_relative(result: ValidationResult, file: str, env: Mapping[str, str] | None) -> str:
    """Annotation paths are relative to the repository: `$GITHUB_WORKSPACE`, else the working directory."""
    import os

    base = (os.environ if env is None else env).get("GITHUB_WORKSPACE") or os.getcwd()
    try:
        return os.path.relpath(result.root / file, base).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return file


def _redacted(diagnostic: Diagnostic, env: Mapping[str, str] | None) -> Diagnostic:
    from dataclasses import replace

    return replace(diagnostic, message=redact(diagnostic.message, env))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
