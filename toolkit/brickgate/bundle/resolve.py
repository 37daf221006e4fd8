"""Resolve bundle variables and `${...}` references in the merged configuration of a target.

Variable values come, highest first, from `--var name=value`, `BUNDLE_VAR_<name>`, the target's
`variables:` section, then the variable's `default`. `lookup` variables name a workspace object
whose id only the Databricks CLI can find at deploy time: their references stay unresolved.
`${bundle.*}`, `${workspace.*}` and `${var.*}` are substituted (a string that is one reference
takes the referenced value's type, so complex variables stay maps and lists); `${resources.*}`
references are checked to point at a defined resource and take the field's written value (a
schema's `name`, what `brickgate run` uses); fields only deploying knows (ids) stay references.
In development mode, or with `presets.name_prefix`, the Databricks CLI prefixes names at deploy
time (`dev_<user>_…`): deployed jobs get the prefixed name, local runs the written one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from brickgate.bundle import diagnostics as dg
from brickgate.bundle.locations import Location, LocDict, LocList, YamlPath, child_location, format_path
from brickgate.suggest import did_you_mean

REFERENCE = re.compile(r"\$\{([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\])*)\}")
_PART = re.compile(r"\.?([A-Za-z_][\w-]*)|\[(\d+)\]")
REFERENCE_ROOTS = ("var", "bundle", "workspace", "resources")
# Known only to the Databricks CLI at deploy time: left unresolved without a diagnostic.
DEPLOY_TIME = (("workspace", "current_user"), ("workspace", "host"), ("workspace", "profile"), ("bundle", "git"))
# Key sets that make a target's `variables:` entry a definition rather than a (complex) value.
FULL_DEFINITIONS = frozenset(
    frozenset(keys)
    for keys in (
        ("default", "type", "description"),
        ("default", "type"),
        ("default", "description"),
        ("lookup", "description"),
        ("default",),
        ("lookup",),
    )
)
OVERRIDES_FILE = ".databricks/bundle/{target}/variable-overrides.json"
MAX_REFERENCE_DEPTH = 50  # variables defined through variables, this many levels at most
WORKSPACE_DEFAULTS = (
    ("root_path", "/Workspace/Users/${workspace.current_user.userName}/.bundle/${bundle.name}/${bundle.target}"),
    ("file_path", "${workspace.root_path}/files"),
    ("artifact_path", "${workspace.root_path}/artifacts"),
    ("state_path", "${workspace.root_path}/state"),
    ("resource_path", "${workspace.root_path}/resources"),
)


@dataclass(frozen=True, kw_only=True)
class Assignment:
    """The raw value chosen for a variable and where it came from (`--var`, env, target, default)."""

    value: Any
    source: str
    location: Location | None
    path: YamlPath
    lookup: bool = False


def parse_reference(reference: str) -> list[str | int]:
    """`var.cfg.items[0]` → `['var', 'cfg', 'items', 0]`.

    >>> parse_reference("var.cfg.items[0]")
    ['var', 'cfg', 'items', 0]
    """
    return [int(m.group(2)) if m.group(2) is not None else m.group(1) for m in _PART.finditer(reference)]


def assign_variables(
    config: LocDict,
    target_name: str,
    target: Any,
    cli_vars: Mapping[str, str],
    env: Mapping[str, str],
    diagnostics: list[dg.Diagnostic],
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Assignment]:
    """Choose each declared variable's raw value by precedence; report unassigned and undeclared ones.

    As `databricks bundle`: `--var` > `BUNDLE_VAR_<name>` > a `lookup` > the value in
    `.databricks/bundle/<target>/variable-overrides.json` (`overrides`) > `default`, where a
    target's `variables:` entry replaces the variable's `default` or `lookup`.
    """
    declared = _mapping(config.get("variables"))
    target_vars = _mapping(target.get("variables") if isinstance(target, dict) else None)
    for name in cli_vars:
        if name not in declared:
            hint = did_you_mean(name, list(declared))
            diagnostics.append(dg.diagnostic(dg.VAR_NOT_DECLARED, None, source=f"--var {name}=…", name=name, hint=hint))
    for name in target_vars:
        if name not in declared:
            where = child_location(target_vars, name, key=True)
            path = ("targets", target_name, "variables", name)
            hint = did_you_mean(name, list(declared))
            diagnostics.append(
                dg.diagnostic(dg.VAR_NOT_DECLARED, where, path, source=f"target '{target_name}'", name=name, hint=hint)
            )
    assigned: dict[str, Assignment] = {}
    for name in declared:
        chosen = _assign(name, declared, target_name, target_vars, cli_vars, env, overrides or {}, diagnostics)
        if chosen is not None:
            assigned[name] = chosen
    return assigned


def _assign(
    name: str,
    declared: LocDict,
    target_name: str,
    target_vars: LocDict,
    cli_vars: Mapping[str, str],
    env: Mapping[str, str],
    overrides: Mapping[str, Any],
    diagnostics: list[dg.Diagnostic],
) -> Assignment | None:
    spec = _mapping(declared[name])
    path: YamlPath = ("variables", name)
    spec_loc = child_location(declared, name, key=True)
    complex_type = spec.get("type") == "complex"
    env_name = f"BUNDLE_VAR_{name}"
    # as the CLI, a BUNDLE_VAR_ set to "" is a value: brickgate validates what `bundle deploy` would deploy
    for source, given in ((f"--var {name}", cli_vars.get(name)), (env_name, env.get(env_name))):
        if given is None:
            continue
        if not complex_type:
            return Assignment(value=given, source=source, location=spec_loc, path=path)
        diagnostics.append(dg.diagnostic(dg.COMPLEX_FROM_STRING, spec_loc, path, name=name, source=source))
    effective, effective_path = spec, path
    if name in target_vars:
        effective, effective_path = _target_definition(target_vars, name), ("targets", target_name, "variables", name)
    if "lookup" in effective:
        lookup = effective["lookup"]
        kind, what = next(iter(lookup.items()), ("object", "?")) if isinstance(lookup, dict) else ("object", lookup)
        where = child_location(effective, "lookup")
        lookup_path = (*effective_path, "lookup")
        diagnostics.append(dg.diagnostic(dg.LOOKUP_VARIABLE, where, lookup_path, name=name, kind=kind, value=what))
        return Assignment(value=lookup, source="lookup", location=where, path=lookup_path, lookup=True)
    if name in overrides:
        value = overrides[name]
        source = OVERRIDES_FILE.format(target=target_name)
        if complex_type == isinstance(value, (dict, list)):
            return Assignment(value=value, source=source, location=spec_loc, path=path)
        diagnostics.append(dg.diagnostic(dg.COMPLEX_FROM_STRING, spec_loc, path, name=name, source=source))
    if "default" in effective:
        where = child_location(effective, "default")
        return Assignment(
            value=effective["default"], source="default", location=where, path=(*effective_path, "default")
        )
    diagnostics.append(dg.diagnostic(dg.VARIABLE_WITHOUT_VALUE, spec_loc, path, name=name, target=target_name))
    return None


def _target_definition(target_vars: LocDict, name: str) -> LocDict:
    """A target's entry as a definition: a full one (`default:`, `lookup:` …) or a shorthand value."""
    entry = target_vars[name]
    if isinstance(entry, LocDict) and frozenset(entry) in FULL_DEFINITIONS:
        return entry
    wrapped = LocDict(getattr(entry, "loc", None))
    wrapped.put("default", entry, target_vars.key_locs.get(name), target_vars.value_locs.get(name))
    return wrapped


def _mapping(value: Any) -> LocDict:
    """`value` when it is a located mapping, else an empty one (wrong types are schema diagnostics)."""
    return value if isinstance(value, LocDict) else LocDict()


def add_workspace_defaults(config: LocDict) -> None:
    """Fill the `workspace` paths the Databricks CLI derives when they are not set; expand `~`."""
    workspace = config.get("workspace")
    if not isinstance(workspace, LocDict):
        workspace = LocDict()
        config.put("workspace", workspace, None, None)
    root_path = workspace.get("root_path")
    if isinstance(root_path, str) and root_path.startswith("~/"):
        workspace["root_path"] = "/Workspace/Users/${workspace.current_user.userName}/" + root_path[2:]
    for key, default in WORKSPACE_DEFAULTS:
        workspace.setdefault(key, default)


class Resolver:
    """Substitutes references in a configuration tree, reporting what cannot be resolved."""

    def __init__(
        self, config: LocDict, assignments: Mapping[str, Assignment], diagnostics: list[dg.Diagnostic]
    ) -> None:
        self.config = config
        self.assignments = assignments
        self.diagnostics = diagnostics
        self.declared = _mapping(config.get("variables"))
        self.values: dict[str, Any] = {}
        self.config_values: dict[str, tuple[bool, Any]] = {}  # `${bundle.*}` / `${workspace.*}`, resolved once
        self.stack: list[str] = []
        self.reported_cycle = False

    # public ---------------------------------------------------------------
    def variables(self) -> dict[str, Any]:
        """Every assigned variable resolved; lookups keep their `${var.name}` reference."""
        for name in self.assignments:
            self.variable(name)
        return dict(self.values)

    def tree(self, node: Any, path: YamlPath, loc: Location | None) -> Any:
        """A resolved copy of `node` (located containers stay located)."""
        if isinstance(node, dict):
            out = LocDict(getattr(node, "loc", None))
            for key, value in node.items():
                value_loc = child_location(node, key) or loc
                out.put(key, self.tree(value, (*path, key), value_loc), child_location(node, key, key=True), value_loc)
            return out
        if isinstance(node, list):
            items = LocList(getattr(node, "loc", None))
            for index, value in enumerate(node):
                item_loc = child_location(node, index) or loc
                items.push(self.tree(value, (*path, index), item_loc), item_loc)
            return items
        if isinstance(node, str) and "${" in node:
            return self.interpolate(node, path, loc)
        return node

    def interpolate(self, text: str, path: YamlPath, loc: Location | None) -> Any:
        matches = list(REFERENCE.finditer(text))
        if len(matches) == 1 and matches[0].span() == (0, len(text)):
            found, value = self.lookup(matches[0].group(1), path, loc)
            return value if found else text
        pieces: list[str] = []
        end = 0
        for match in matches:
            found, value = self.lookup(match.group(1), path, loc)
            pieces.append(text[end : match.start()])
            pieces.append(_as_text(value) if found else match.group(0))
            end = match.end()
        pieces.append(text[end:])
        return "".join(pieces)

    # references -----------------------------------------------------------
    def lookup(self, reference: str, path: YamlPath, loc: Location | None) -> tuple[bool, Any]:
        parts = parse_reference(reference)
        head = parts[0]
        if head == "var" and len(parts) >= 2 and isinstance(parts[1], str):
            return self._variable_reference(reference, parts, path, loc)
        if head == "resources":
            self._check_resource(reference, parts, path, loc)
            return self._resource_field(parts, loc)
        if head in ("bundle", "workspace") and len(parts) >= 2:
            if tuple(parts[:2]) in DEPLOY_TIME:
                return False, None
            return self._config_reference(reference, parts, path, loc)
        hint = f"; references start with {', '.join(r + '.' for r in REFERENCE_ROOTS)}"
        self._unknown(reference, path, loc, hint)
        return False, None

    def _variable_reference(
        self, reference: str, parts: list[str | int], path: YamlPath, loc: Location | None
    ) -> tuple[bool, Any]:
        name = str(parts[1])
        if name not in self.declared:
            hint = did_you_mean(name, list(self.declared))
            self.diagnostics.append(
                dg.diagnostic(dg.UNDEFINED_VARIABLE, loc, path, name=name, path=format_path(path), hint=hint)
            )
            return False, None
        assignment = self.assignments.get(name)
        if assignment is None or assignment.lookup:
            return False, None
        if len(self.stack) >= MAX_REFERENCE_DEPTH:
            self._unknown(reference, path, loc, f"; references chain more than {MAX_REFERENCE_DEPTH} deep")
            return False, None
        found, value = self.variable(name)
        if not found:
            return False, None
        return self._descend(value, name, parts[2:], reference, path, loc)

    def variable(self, name: str) -> tuple[bool, Any]:
        """The resolved value of variable `name`; `(False, None)` when it has none (or is in a cycle)."""
        if name in self.values:
            return True, self.values[name]
        assignment = self.assignments.get(name)
        if assignment is None:
            return False, None
        if assignment.lookup:
            self.values[name] = "${var." + name + "}"
            return True, self.values[name]
        if name in self.stack:
            if not self.reported_cycle:
                cycle = " -> ".join([*self.stack[self.stack.index(name) :], name])
                self.diagnostics.append(
                    dg.diagnostic(dg.VARIABLE_CYCLE, assignment.location, assignment.path, cycle=cycle)
                )
                self.reported_cycle = True
            return False, None
        self.stack.append(name)
        try:
            value = self.tree(assignment.value, assignment.path, assignment.location)
        finally:
            self.stack.pop()
        self.values[name] = value
        return True, value

    def _config_reference(
        self, reference: str, parts: list[str | int], path: YamlPath, loc: Location | None
    ) -> tuple[bool, Any]:
        if reference in self.config_values:
            return self.config_values[reference]
        key = f"config:{reference}"
        if key in self.stack:
            self._unknown(reference, path, loc, "; it refers to itself")
            return False, None
        node: Any = self.config
        for part in parts:
            found, node = _step(node, part)
            if not found:
                if parts != ["bundle", "name"]:  # a missing bundle.name is reported by the schema
                    self._unknown(reference, path, loc, "")
                return False, None
        self.stack.append(key)
        try:
            self.config_values[reference] = (True, self.tree(node, tuple(parts), loc))
        finally:
            self.stack.pop()
        return self.config_values[reference]

    def _descend(
        self, value: Any, name: str, parts: list[str | int], reference: str, path: YamlPath, loc: Location | None
    ) -> tuple[bool, Any]:
        for part in parts:
            found, value = _step(value, part)
            if not found:
                self._unknown(reference, path, loc, f"; '{part}' is not in the value of var.{name}")
                return False, None
        return True, value

    def _check_resource(self, reference: str, parts: list[str | int], path: YamlPath, loc: Location | None) -> None:
        resources = self.config.get("resources")
        if len(parts) < 3:
            self._unknown(reference, path, loc, "; use ${resources.<kind>.<key>.<field>}")
            return
        kind, key = str(parts[1]), str(parts[2])
        group = resources.get(kind) if isinstance(resources, dict) else None
        if isinstance(group, dict) and key in group:
            return
        hint = did_you_mean(key, list(group)) if isinstance(group, dict) else ""
        singular = kind[:-1] if kind.endswith("s") else kind
        self.diagnostics.append(
            dg.diagnostic(
                dg.UNKNOWN_RESOURCE_REFERENCE,
                loc,
                path,
                reference=reference,
                path=format_path(path),
                kind=singular,
                key=key,
                hint=hint,
            )
        )

    def _resource_field(self, parts: list[str | int], loc: Location | None) -> tuple[bool, Any]:
        """A resource field as written (`${resources.schemas.s.name}`); unresolved when not written (ids)."""
        node: Any = self.config
        for part in parts:
            found, node = _step(node, part)
            if not found:
                return False, None
        if isinstance(node, (dict, list)):
            return False, None
        return True, self.tree(node, tuple(parts), loc)

    def _unknown(self, reference: str, path: YamlPath, loc: Location | None, hint: str) -> None:
        self.diagnostics.append(
            dg.diagnostic(dg.UNKNOWN_REFERENCE, loc, path, reference=reference, path=format_path(path), hint=hint)
        )


def _step(node: Any, part: str | int) -> tuple[bool, Any]:
    """`node[part]` when it exists."""
    if isinstance(node, dict) and isinstance(part, str) and part in node:
        return True, node[part]
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return True, node[part]
    return False, None


def _as_text(value: Any) -> str:
    """How a value reads inside a longer string (YAML/Go spelling of booleans and null)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)
