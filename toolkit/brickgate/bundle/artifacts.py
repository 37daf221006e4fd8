"""The bundle's `artifacts:` as local Python packages, and the checks on artifacts and environments.

`databricks bundle deploy` builds each `whl` artifact and attaches the wheel to tasks. Locally
nothing is built or installed: a `python_wheel_task` whose `package_name` is the project of a
`whl` artifact runs the entry point its `pyproject.toml` declares, with the artifact's `src/`
(or its folder, for a flat layout) on `PYTHONPATH` — the same code the wheel would hold.

`artifact_checks` are the validate-bundle rules BG601-BG608: what deploying would trip on
(a folder with nothing to build, a wheel path no artifact produces, a wheel task that installs
nothing, libraries on serverless, an environment without a version).
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from brickgate.bundle import diagnostics as dg
from brickgate.bundle.locations import YamlPath, child_location

if TYPE_CHECKING:
    from brickgate.bundle.model import Loaded

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


# validate-bundle rules BG601-BG608 ---------------------------------------------------------------
WHEEL_LIBRARIES = ("whl", "pypi", "egg", "requirements")
CLUSTER_KEYS = ("job_cluster_key", "new_cluster", "existing_cluster_id")


def artifact_checks(loaded: Loaded) -> Iterator[dg.Diagnostic]:
    """What `databricks bundle deploy` would trip on in `artifacts` and job `environments`."""
    config = loaded.bundle.config
    root = loaded.bundle.root
    outputs = wheel_outputs(root, config)
    artifacts = _mapping(config.get("artifacts"))
    for name, artifact in artifacts.items():
        if isinstance(artifact, Mapping) and artifact.get("type", "whl") == "whl":
            yield from _artifact_project(root, str(name), artifact)
    for local in loaded.local_paths:
        if _wheel_glob(local.what, local.rebased) and not any(
            output == local.rebased or fnmatch.fnmatch(output, local.rebased) for output in outputs
        ):
            yield dg.diagnostic(
                dg.WHEEL_NOT_BUILT,
                local.location,
                local.path,
                what=local.what,
                value=local.value,
                resolved=local.rebased,
                outputs=", ".join(sorted(outputs)) or "none (the bundle has no whl artifact)",
            )
    for job_key, job in _mapping(_mapping(config.get("resources")).get("jobs")).items():
        if isinstance(job, Mapping):
            yield from _environment_checks(str(job_key), job)


def wheel_outputs(root: Path, config: Mapping[str, Any]) -> set[str]:
    """Where the `whl` artifacts put their wheels, relative to the root: `<path>/dist/*.whl` or their `files`."""
    found: set[str] = set()
    for artifact in _mapping(config.get("artifacts")).values():
        if not isinstance(artifact, Mapping) or artifact.get("type", "whl") != "whl":
            continue
        folder = os.path.relpath(artifact_folder(root, artifact), root.resolve())
        files = [f.get("source") for f in _list(artifact.get("files")) if isinstance(f, Mapping)]
        sources = [s for s in files if isinstance(s, str)] or ["dist/*.whl"]
        found.update(PurePosixPath(os.path.normpath(Path(folder) / source)).as_posix() for source in sources)
    return found


def _artifact_project(root: Path, name: str, artifact: Mapping[str, Any]) -> Iterator[dg.Diagnostic]:
    folder = artifact_folder(root, artifact)
    if not folder.is_dir():
        return  # BG406 reports the missing folder
    where = child_location(artifact, "path") or getattr(artifact, "loc", None)
    shown = str(artifact.get("path") or ".")
    has_setup = (folder / "setup.py").is_file()
    if not has_setup and not (folder / PYPROJECT).is_file():
        yield dg.diagnostic(dg.ARTIFACT_NO_PROJECT, where, ("artifacts", name, "path"), name=name, path=shown)
    elif not has_setup and not artifact.get("build"):
        where = child_location(artifact, "type") or where
        yield dg.diagnostic(dg.ARTIFACT_NO_BUILD, where, ("artifacts", name), name=name, path=shown)


def _environment_checks(job_key: str, job: Mapping[str, Any]) -> Iterator[dg.Diagnostic]:
    base: YamlPath = ("resources", "jobs", job_key)
    environments = {
        str(e.get("environment_key")): (index, e)
        for index, e in enumerate(_list(job.get("environments")))
        if isinstance(e, Mapping)
    }
    used: set[str] = set()
    for index, task in enumerate(_list(job.get("tasks"))):
        if not isinstance(task, Mapping):
            continue
        path, name = (*base, "tasks", index), str(task.get("task_key", index))
        key = task.get("environment_key")
        if isinstance(key, str):
            used.add(key)
            if task.get("libraries"):
                where = child_location(task, "libraries", key=True)
                yield dg.diagnostic(dg.SERVERLESS_LIBRARIES, where, (*path, "libraries"), task=name, key=key)
            clusters = [k for k in CLUSTER_KEYS if task.get(k)]
            if clusters:
                where = child_location(task, "environment_key")
                cluster = " and ".join(clusters)
                yield dg.diagnostic(
                    dg.TWO_COMPUTES, where, (*path, "environment_key"), task=name, key=key, cluster=cluster
                )
        wheel_task = task.get("python_wheel_task")
        if isinstance(wheel_task, Mapping) and not task.get("existing_cluster_id"):
            libraries = [lib for lib in _list(task.get("libraries")) if isinstance(lib, Mapping)]
            environment = environments.get(str(key), (0, {}))[1] if isinstance(key, str) else {}
            dependencies = _list(_mapping(environment.get("spec")).get("dependencies"))
            if not any(kind in lib for lib in libraries for kind in WHEEL_LIBRARIES) and not dependencies:
                where = child_location(task, "python_wheel_task", key=True)
                package = wheel_task.get("package_name", "?")
                yield dg.diagnostic(
                    dg.WHEEL_TASK_WITHOUT_WHEEL, where, (*path, "python_wheel_task"), task=name, package=package
                )
    for key, (index, environment) in environments.items():
        path = (*base, "environments", index)
        where = child_location(environment, "environment_key")
        if key not in used and used <= set(environments):  # with a misspelt key, BG411 says it
            yield dg.diagnostic(dg.UNUSED_ENVIRONMENT, where, (*path, "environment_key"), key=key, job=job_key)
        spec = _mapping(environment.get("spec"))
        if not any(spec.get(k) for k in ("environment_version", "client", "base_environment")):
            yield dg.diagnostic(dg.ENVIRONMENT_NO_VERSION, where, (*path, "spec"), key=key, job=job_key)


def _wheel_glob(what: str, path: str) -> bool:
    """A wheel library or dependency named by a pattern (`dist/*.whl`): something must build it."""
    return what in ("whl", "dependency") and path.endswith(".whl") and any(c in path for c in "*?[")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
