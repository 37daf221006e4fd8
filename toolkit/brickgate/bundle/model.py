"""Load a bundle for one target: read, merge, resolve variables and rebase local paths.

`load_bundle` is the API the runner, deploy and the reference project use; `load` also
returns what `validate_bundle` checks (diagnostics found on the way, raw files, local paths).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brickgate.bundle import diagnostics as dg
from brickgate.bundle.load import RawBundle, read_bundle, read_json_object
from brickgate.bundle.locations import LocDict
from brickgate.bundle.merge import apply_target, merge_files
from brickgate.bundle.paths import LocalPath, translate_paths
from brickgate.bundle.resolve import OVERRIDES_FILE, Resolver, add_workspace_defaults, assign_variables
from brickgate.errors import InputError
from brickgate.suggest import did_you_mean

UNKNOWN_TARGET = "{file}: no target '{target}'{hint} (targets: {targets})"
NO_TARGETS_CHOSEN = (
    "{file}: choose a target with -t or DATABRICKS_BUNDLE_TARGET, or mark one 'default: true' (targets: {targets})"
)
MANY_DEFAULTS = "{file}: targets {targets} are all marked 'default: true'; choose one with -t"
UNKNOWN_JOB = "unknown job '{key}'{hint} (jobs: {jobs})"
BAD_OVERRIDES = "{path}: cannot read variable overrides: {problem}"
DEFAULT_TARGET = "default"  # the CLI's implicit target when a bundle declares none


@dataclass(frozen=True, kw_only=True)
class Bundle:
    """A bundle's merged, resolved configuration for one target."""

    root: Path
    name: str
    target: str
    mode: str | None
    config: Mapping[str, Any]
    variables: Mapping[str, Any]

    @property
    def jobs(self) -> Mapping[str, Mapping[str, Any]]:
        """`config["resources"]["jobs"]` (empty when the bundle has no jobs)."""
        resources = self.config.get("resources")
        jobs = resources.get("jobs") if isinstance(resources, Mapping) else None
        return jobs if isinstance(jobs, Mapping) else {}

    def job(self, key: str) -> Mapping[str, Any]:
        """The job `key`; `InputError` naming the closest key and every job otherwise."""
        job = self.jobs.get(key)
        if isinstance(job, Mapping):
            return job
        hint = did_you_mean(key, list(self.jobs))
        raise InputError(UNKNOWN_JOB.format(key=key, hint=hint, jobs=", ".join(self.jobs) or "none"))


@dataclass(kw_only=True)
class Loaded:
    """`load`'s result: the bundle plus what validation needs."""

    bundle: Bundle
    raw: RawBundle
    top: LocDict  # the files merged, before the target is applied
    target_node: Any
    explicit_workspace: frozenset[str]  # workspace keys the bundle sets (the rest are CLI defaults)
    local_paths: list[LocalPath]
    diagnostics: list[dg.Diagnostic] = field(default_factory=list)


def load_bundle(
    directory: str | Path = ".",
    *,
    target: str | None = None,
    variables: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Bundle:
    """Load the bundle in `directory` for `target` (see `load`); validation problems are ignored.

    Raises
    ------
    InputError
        `databricks.yml` is missing or is not valid YAML, or the target does not exist.
    """
    return load(directory, target=target, variables=variables, env=env).bundle


def load(
    directory: str | Path = ".",
    *,
    target: str | None = None,
    variables: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    raw: RawBundle | None = None,
    first_of_many_defaults: bool = False,
) -> Loaded:
    """Read, merge the target, resolve variables and rebase paths, collecting diagnostics.

    The target is `target`, else `DATABRICKS_BUNDLE_TARGET`, else the target marked
    `default: true`, else the only target; a bundle without targets gets the CLI's implicit
    `default` target. Several targets marked default are an `InputError`, unless
    `first_of_many_defaults` (validation picks the first and reports BG202).
    """
    environment = os.environ if env is None else env
    raw = raw if raw is not None else read_bundle(Path(directory))
    top = merge_files(source.data for source in raw.files)
    if "targets" not in top and isinstance(top.get("environments"), dict):  # the CLI's deprecated spelling
        key_loc, value_loc = top.key_locs.get("environments"), top.value_locs.get("environments")
        top.put("targets", top.pop("environments"), key_loc, value_loc)
    requested = target or environment.get("DATABRICKS_BUNDLE_TARGET") or None
    name = select_target(raw, top.get("targets"), requested, first_of_many_defaults=first_of_many_defaults)
    targets = top.get("targets") if isinstance(top.get("targets"), dict) else {}
    target_node = targets.get(name) if isinstance(targets, dict) else None
    config = apply_target(top, target_node)
    bundle_section = config.get("bundle")
    if not isinstance(bundle_section, LocDict):
        bundle_section = LocDict()
        config.put("bundle", bundle_section, None, None)
    bundle_section["target"] = name
    mode = bundle_section.get("mode")
    written_workspace = config.get("workspace")
    explicit_workspace = frozenset(written_workspace) if isinstance(written_workspace, dict) else frozenset()
    add_workspace_defaults(config)
    diagnostics = list(raw.diagnostics)
    overrides = read_variable_overrides(raw.root, name)
    assignments = assign_variables(config, name, target_node, variables or {}, environment, diagnostics, overrides)
    resolver = Resolver(config, assignments, diagnostics)
    values = resolver.variables()
    resolved: LocDict = resolver.tree(_without(config, "variables", "include"), (), None)
    declared = config.get("variables")
    if isinstance(declared, dict) and declared:
        resolved.put("variables", _variables_section(declared, values), config.key_locs.get("variables"), None)
    local_paths = translate_paths(resolved, raw.root)
    bundle_name = resolved.get("bundle", {}).get("name")
    bundle = Bundle(
        root=raw.root,
        name=bundle_name if isinstance(bundle_name, str) else "",
        target=name,
        mode=mode if isinstance(mode, str) else None,
        config=resolved,
        variables=values,
    )
    return Loaded(
        bundle=bundle,
        raw=raw,
        top=top,
        target_node=target_node,
        explicit_workspace=explicit_workspace,
        local_paths=local_paths,
        diagnostics=diagnostics,
    )


def read_variable_overrides(root: Path, target: str) -> dict[str, Any]:
    """`.databricks/bundle/<target>/variable-overrides.json`, the CLI's per-target variable file, if any."""
    path = root / OVERRIDES_FILE.format(target=target)
    if not path.is_file():
        return {}
    return read_json_object(path, BAD_OVERRIDES)


def select_target(raw: RawBundle, targets: Any, requested: str | None, *, first_of_many_defaults: bool = False) -> str:
    """The target name to load; `InputError` when it is unknown or cannot be chosen."""
    file = raw.files[0].name
    names: list[str] = [str(n) for n in targets] if isinstance(targets, dict) else []
    if requested is not None:
        if requested in names or (not names and requested == DEFAULT_TARGET):
            return requested
        hint = did_you_mean(requested, names)
        raise InputError(
            UNKNOWN_TARGET.format(file=file, target=requested, hint=hint, targets=", ".join(names) or "none")
        )
    if not names:
        return DEFAULT_TARGET
    defaults = [n for n in names if isinstance(targets[n], dict) and targets[n].get("default") is True]
    if len(defaults) > 1 and not first_of_many_defaults:  # validation reports it (BG202) and goes on
        raise InputError(MANY_DEFAULTS.format(file=file, targets=", ".join(defaults)))
    if defaults:
        return defaults[0]
    if len(names) == 1:
        return names[0]
    raise InputError(NO_TARGETS_CHOSEN.format(file=file, targets=", ".join(names)))


def _without(config: LocDict, *keys: str) -> LocDict:
    out = LocDict(config.loc)
    for key, value in config.items():
        if key not in keys:
            out.put(key, value, config.key_locs.get(key), config.value_locs.get(key))
    return out


def _variables_section(declared: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """`variables:` as `--print-resolved` shows it: description, type, lookup and the value."""
    section: dict[str, Any] = {}
    for name, spec in declared.items():
        entry = {k: spec[k] for k in ("description", "type", "lookup") if isinstance(spec, dict) and k in spec}
        if name in values:
            entry["value"] = values[name]
        section[name] = entry
    return section
