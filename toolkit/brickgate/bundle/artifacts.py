"""The bundle's `artifacts:` as local Python packages, so `brickgate run` runs them from source.

`databricks bundle deploy` builds each `whl` artifact and attaches the wheel to tasks. Locally
nothing is built or installed: a `python_wheel_task` whose `package_name` is the project of a
`whl` artifact runs the entry point its `pyproject.toml` declares, with the artifact's `src/`
(or its folder, for a flat layout) on `PYTHONPATH` — the same code the wheel would hold.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

PYPROJECT = "pyproject.toml"


@dataclass(frozen=True, kw_only=True)
class LocalPackage:
    """A `whl` artifact's project: its distribution name, import root and entry points."""

    artifact: str
    name: str
    source: Path
    entry_points: Mapping[str, str]  # entry point name → "module:attribute"


def normalize(name: str) -> str:
    """A distribution or package name compared the way pip does (`-`, `_`, `.` alike, any case).

    >>> normalize("Claims-Fraud") == normalize("claims_fraud")
    True
    """
    return re.sub(r"[-_.]+", "_", name).lower()


def read_project(folder: Path) -> Mapping[str, Any] | None:
    """The `[project]` table of `folder/pyproject.toml`; None when there is none or it is not TOML."""
    try:
        data = tomllib.loads((folder / PYPROJECT).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    project = data.get("project")
    return project if isinstance(project, dict) and isinstance(project.get("name"), str) else None


def entry_points(project: Mapping[str, Any]) -> dict[str, str]:
    """`[project.scripts]` and every `[project.entry-points.<group>]` table, by entry point name.

    >>> entry_points({"scripts": {"train": "pkg.train:run"}, "entry-points": {"g": {"score": "pkg.score:run"}}})
    {'train': 'pkg.train:run', 'score': 'pkg.score:run'}
    """
    tables = [project.get("scripts"), *dict(project.get("entry-points") or {}).values()]
    found: dict[str, str] = {}
    for table in tables:
        if isinstance(table, dict):
            found.update({str(k): str(v) for k, v in table.items() if str(k) not in found})
    return found


def artifact_folder(root: Path, artifact: Mapping[str, Any]) -> Path:
    """Where an artifact is built: its `path` (already rebased on the bundle root), default the root."""
    path = artifact.get("path")
    return (root / path).resolve() if isinstance(path, str) and path else root.resolve()


def local_packages(root: Path, config: Mapping[str, Any]) -> dict[str, LocalPackage]:
    """The `whl` artifacts that are Python projects, by normalized distribution name."""
    artifacts = config.get("artifacts")
    found: dict[str, LocalPackage] = {}
    for key, artifact in (artifacts if isinstance(artifacts, Mapping) else {}).items():
        if not isinstance(artifact, Mapping) or artifact.get("type", "whl") != "whl":
            continue
        folder = artifact_folder(root, artifact)
        project = read_project(folder)
        if project is None:
            continue
        source = folder / "src" if (folder / "src").is_dir() else folder
        package = LocalPackage(
            artifact=str(key), name=str(project["name"]), source=source, entry_points=entry_points(project)
        )
        found.setdefault(normalize(package.name), package)
    return found
