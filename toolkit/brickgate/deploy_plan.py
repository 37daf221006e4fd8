"""Reviewed deploy plans: `databricks bundle plan -o json`, shown for approval, then applied as is.

`brickgate deploy --plan-out plan.json` writes the CLI's plan and shows, per resource, what a
deploy would create, update or delete. `brickgate deploy --plan plan.json` applies exactly that
plan (`databricks bundle deploy --plan`) once it is known to be current:

- the CLI refuses a plan whose deployment state (lineage, serial) moved on since it was made;
- brickgate first makes a fresh plan; with the same state, any difference from the reviewed
  plan (the bundle or the workspace changed) refuses the plan before anything is deployed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickgate.errors import InputError, reason

NOT_A_PLAN = "{source} is not a deploy plan (the JSON `databricks bundle plan -o json` prints): {problem}"
STALE = (
    "{path} is stale: {reasons}; the bundle or the workspace changed after the plan was made. "
    "Nothing was deployed; review a new plan (brickgate deploy --plan-out)"
)
# What `databricks bundle plan` prints per action (bundle/deployplan/action.go of the CLI).
ADDS = frozenset({"create"})
CHANGES = frozenset({"update", "update_id", "resize", "recreate"})
DELETES = frozenset({"delete"})
UNCHANGED = "skip"
MAX_FIELDS = 5  # per resource in the summary table; the plan file has them all


@dataclass(frozen=True, kw_only=True)
class ResourceChange:
    """One resource of a plan: `jobs.train`, its action, and the fields it changes."""

    resource: str
    action: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DeployPlan:
    """A parsed plan; `document` is the CLI's JSON, kept whole to be written and compared."""

    document: Mapping[str, Any]
    changes: tuple[ResourceChange, ...]

    @property
    def state(self) -> tuple[Any, Any]:
        """The deployment state the plan was made against: (lineage, serial); none before a first deploy."""
        return self.document.get("lineage"), self.document.get("serial")

    def count(self, actions: frozenset[str]) -> int:
        return sum(change.action in actions for change in self.changes)

    def headline(self) -> str:
        """`2 to create, 1 to update, 0 to delete, 3 unchanged`."""
        unchanged = sum(change.action == UNCHANGED for change in self.changes)
        return (
            f"{self.count(ADDS)} to create, {self.count(CHANGES)} to update, "
            f"{self.count(DELETES)} to delete, {unchanged} unchanged"
        )


def parse_plan(text: str, source: str) -> DeployPlan:
    """The plan in `text`; InputError naming `source` when it is not one."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise InputError(NOT_A_PLAN.format(source=source, problem=f"not JSON ({exc})")) from exc
    entries = document.get("plan") if isinstance(document, dict) else None
    if not isinstance(entries, dict) or not all(isinstance(e, dict) and "action" in e for e in entries.values()):
        raise InputError(NOT_A_PLAN.format(source=source, problem="no `plan` object with an action per resource"))
    changes = tuple(
        ResourceChange(resource=key.removeprefix("resources."), action=str(entry["action"]), fields=_fields(entry))
        for key, entry in sorted(entries.items())
    )
    return DeployPlan(document=document, changes=changes)


def read_plan(path: Path) -> DeployPlan:
    """The plan file `path` (InputError when unreadable or not a plan)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the plan {path}: {reason(exc)}") from exc
    return parse_plan(text, str(path))


def write_plan(plan: DeployPlan, path: Path) -> None:
    try:
        path.write_text(json.dumps(plan.document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the plan {path}: {reason(exc)}") from exc


def _fields(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """`field: old → new` for each field the plan changes (skipped fields left out)."""
    changes = entry.get("changes")
    if not isinstance(changes, dict):
        return ()
    shown = []
    for name, change in sorted(changes.items()):
        if not isinstance(change, dict) or change.get("action", UNCHANGED) == UNCHANGED:
            continue
        shown.append(f"{name}: {_short(change.get('old'))} → {_short(change.get('new'))}")
    return tuple(shown)


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True) if value is not None else "—"
    return text if len(text) <= 60 else text[:57] + "..."


def stale_reasons(reviewed: DeployPlan, fresh: DeployPlan) -> list[str]:
    """Why `reviewed` no longer describes what a deploy would do now; empty when it still does.

    Both plans were made against the same deployment state; an entry that differs in any way
    (action, new settings, the remote settings it would overwrite) makes the plan stale.
    """
    old = _entries(reviewed)
    new = _entries(fresh)
    reasons = []
    for key in sorted(old.keys() | new.keys()):
        name = key.removeprefix("resources.")
        if key not in new:
            reasons.append(f"{name} is no longer in the plan")
        elif key not in old:
            reasons.append(f"{name} is new ({new[key].get('action')})")
        elif old[key].get("action") != new[key].get("action"):
            reasons.append(f"{name}: planned {old[key].get('action')}, now {new[key].get('action')}")
        elif old[key] != new[key]:
            reasons.append(f"{name}: {old[key].get('action')} with other settings")
    return reasons


def _entries(plan: DeployPlan) -> Mapping[str, Any]:
    entries = plan.document.get("plan")
    return entries if isinstance(entries, Mapping) else {}


def wheel_paths(plan: DeployPlan) -> list[str]:
    """Workspace paths of the wheels the plan's jobs install (created or updated), in order."""
    found: list[str] = []
    for entry in _entries(plan).values():
        if entry.get("action") == UNCHANGED:
            continue
        settings = ((entry.get("new_state") or {}).get("value")) or {}
        for task in settings.get("tasks") or []:
            for library in task.get("libraries") or []:
                path = library.get("whl") if isinstance(library, Mapping) else None
                if isinstance(path, str) and path not in found:
                    found.append(path)
    return found


def markdown(plan: DeployPlan, title: str) -> str:
    """The plan as a step summary: a headline and one table row per resource."""
    rows = "".join(
        f"| `{change.resource}` | {change.action} | {_cell(change.fields)} |\n"
        for change in plan.changes
        if change.action != UNCHANGED
    )
    table = f"\n| resource | action | changes |\n|---|---|---|\n{rows}" if rows else "\nNo changes.\n"
    return f"### {title}\n\nPlan: {plan.headline()}\n{table}"


def _cell(fields: tuple[str, ...]) -> str:
    if not fields:
        return ""
    shown = [f"`{field}`".replace("|", "\\|") for field in fields[:MAX_FIELDS]]
    more = len(fields) - MAX_FIELDS
    return "<br>".join(shown) + (f"<br>… {more} more" if more > 0 else "")
