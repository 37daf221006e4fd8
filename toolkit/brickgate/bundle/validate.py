"""`validate_bundle`: every check on one target of a bundle, as a list of located diagnostics.

The JSON Schema comes from `databricks bundle schema` when the Databricks CLI is on PATH,
else from `--schema FILE`, else the subset shipped in `schemas/bundle.json`. With the CLI on
PATH, `databricks bundle validate` also runs and its diagnostics join brickgate's own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brickgate.bundle import diagnostics as dg
from brickgate.bundle.load import BundleSyntaxError, read_bundle
from brickgate.bundle.locations import LocDict
from brickgate.bundle.model import Bundle, Loaded, load

SHIPPED_SCHEMA = "shipped subset (schemas/bundle.json)"
CLI_SCHEMA = "databricks bundle schema"


@dataclass(frozen=True, kw_only=True)
class ValidateOptions:
    """What to validate and how: target, `--var` values, `--strict`, schema, the Databricks CLI."""

    target: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False
    schema: Path | None = None
    databricks_cli: bool = True  # run the Databricks CLI when it is on PATH
    env: Mapping[str, str] | None = None  # default: the process environment


@dataclass(frozen=True, kw_only=True)
class ValidationResult:
    """The verdict: diagnostics sorted by file and line; `passed` applies `--strict`."""

    root: Path
    bundle: Bundle | None  # None when a file is not valid YAML
    diagnostics: tuple[dg.Diagnostic, ...]
    strict: bool
    schema_source: str
    databricks_cli: str | None  # the CLI that ran `bundle validate`, if any

    @property
    def errors(self) -> tuple[dg.Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[dg.Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")

    @property
    def passed(self) -> bool:
        return not self.errors and not (self.strict and self.warnings)


def validate_bundle(directory: str | Path, options: ValidateOptions) -> ValidationResult:
    """Load the bundle in `directory` for the chosen target and run every check.

    Raises
    ------
    InputError
        No `databricks.yml`, an unknown target, or an unreadable `--schema` file.
    InfraError
        The Databricks CLI is on PATH but cannot print its schema.
    """
    from brickgate.bundle import databricks_cli
    from brickgate.bundle.checks import run_checks
    from brickgate.bundle.schema import read_schema, schema_diagnostics
    from brickgate.databricks_cli import find_databricks
    from brickgate.output import load_schema

    env = os.environ if options.env is None else options.env
    root = Path(directory)
    executable = find_databricks(env) if options.databricks_cli else None
    schema_source = _schema_source(executable, options.schema)
    try:
        raw = read_bundle(root)
    except BundleSyntaxError as exc:
        syntax = dg.diagnostic(dg.YAML_SYNTAX, exc.location, problem=exc.problem)
        return ValidationResult(
            root=root.resolve(),
            bundle=None,
            diagnostics=(syntax,),
            strict=options.strict,
            schema_source=schema_source,
            databricks_cli=None,
        )
    loaded = load(
        root, target=options.target, variables=options.variables, env=env, raw=raw, first_of_many_defaults=True
    )
    if executable:
        schema = databricks_cli.bundle_schema(executable, env)
    else:
        schema = read_schema(options.schema) if options.schema is not None else load_schema("bundle")
    found = [*loaded.diagnostics, *run_checks(loaded)]
    checked = {(d.file, d.line, d.column) for d in found}
    for diagnostic in schema_diagnostics(schema_document(loaded), schema):
        # a value a dedicated rule reported (run_if, mode) is not reported again as "not allowed"
        if (
            diagnostic.rule != dg.INVALID_VALUE.id
            or (diagnostic.file, diagnostic.line, diagnostic.column) not in checked
        ):
            found.append(diagnostic)
    if executable:
        cli_found = databricks_cli.bundle_validate(executable, raw.root, loaded.bundle.target, options.variables, env)
        found = databricks_cli.merge_findings(found, cli_found)
    return ValidationResult(
        root=raw.root,
        bundle=loaded.bundle,
        diagnostics=tuple(_sorted_unique(found)),
        strict=options.strict,
        schema_source=schema_source,
        databricks_cli=executable,
    )


def _schema_source(executable: str | None, schema: Path | None) -> str:
    """Which schema checks keys and types: the CLI's, `--schema FILE`, or the shipped subset."""
    if executable:
        return CLI_SCHEMA
    return str(schema) if schema is not None else SHIPPED_SCHEMA


def schema_document(loaded: Loaded) -> LocDict:
    """What the schema sees: the resolved target as written, without values brickgate derived.

    `bundle.target`, `bundle.mode` and the default workspace paths are added by loading, so they
    are taken out; `variables`, `targets` and `include` are checked as written.
    """
    config = loaded.bundle.config
    assert isinstance(config, LocDict)  # load() always builds located configurations
    top = loaded.top
    document = LocDict(getattr(config, "loc", None))
    for key, value in config.items():
        if key == "variables":
            continue
        document.put(key, value, _loc(config, key, True), _loc(config, key, False))
    bundle = config.get("bundle")
    written = top["bundle"] if isinstance(top.get("bundle"), dict) else {}
    if isinstance(bundle, LocDict):
        document["bundle"] = _subset(bundle, [k for k in bundle if k not in ("target", "mode") or k in written])
    workspace = config.get("workspace")
    if isinstance(workspace, LocDict):
        document["workspace"] = _subset(workspace, [k for k in workspace if k in loaded.explicit_workspace])
    for key in ("variables", "targets", "include"):
        if key in top:
            document.put(key, top[key], _loc(top, key, True), _loc(top, key, False))
    return document


def _subset(source: LocDict, keys: list[str]) -> LocDict:
    out = LocDict(source.loc)
    for key in keys:
        out.put(key, source[key], source.key_locs.get(key), source.value_locs.get(key))
    return out


def _loc(container: LocDict, key: str, key_loc: bool) -> Any:
    return (container.key_locs if key_loc else container.value_locs).get(key)


def _sorted_unique(found: list[dg.Diagnostic]) -> list[dg.Diagnostic]:
    unique = {(d.rule, d.file, d.line, d.column, d.message): d for d in found}
    return sorted(unique.values(), key=lambda d: (d.file is not None, d.file or "", d.line or 0, d.column or 0, d.rule))
