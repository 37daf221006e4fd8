"""Local file paths in job definitions: rebase them on the bundle root and check they exist.

The Databricks CLI resolves `python_file`, `notebook_path`, wheel and requirements paths
relative to the YAML file that declares them. Rewriting them relative to the bundle root gives
the runner and deploy one spelling, and keeping the declaring file lets checks say where the
path was written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickgate.bundle.locations import Location, LocDict, YamlPath, child_location

NOTEBOOK_EXTENSIONS = (".py", ".ipynb", ".sql", ".scala", ".r", ".R")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True, kw_only=True)
class LocalPath:
    """A path as written (`value`) and rebased on the bundle root (`rebased`)."""

    what: str
    value: str
    rebased: str
    declared_in: str
    location: Location | None
    path: YamlPath
    exists: bool


def is_local(value: str) -> bool:
    """True for a path inside the bundle, not a workspace, volume, DBFS or cloud URI.

    >>> [is_local(v) for v in ("./src/a.py", "/Workspace/x.py", "dbfs:/a.whl", "s3://b/a.whl", "${var.x}")]
    [True, False, False, False, False]
    """
    return bool(value) and not value.startswith(("/", "~")) and not _SCHEME.match(value) and "${" not in value


def translate_paths(config: LocDict, root: Path) -> list[LocalPath]:
    """Rewrite every local path of every job and artifact in place; return them for the existence check."""
    found = list(_artifact_paths(config, root))
    seen: dict[tuple[str, str, str], tuple[str, bool]] = {}
    resources = config.get("resources")
    jobs = resources.get("jobs") if isinstance(resources, dict) else None
    if not isinstance(jobs, dict):
        return found
    for job_key, job in jobs.items():
        if not isinstance(job, dict):
            continue
        base: YamlPath = ("resources", "jobs", job_key)
        from_git = isinstance(job.get("git_source"), dict)
        for container, key, what, path in _job_paths(job, base, from_git):
            value = container[key] if isinstance(container, list) else container.get(key)
            if not isinstance(value, str) or not is_local(value):
                continue
            if what == "dependency" and not (value.startswith(("./", "../")) or value.endswith(".whl")):
                continue  # a pip requirement such as `pandas==2.2`, not a file
            location = child_location(container, key)
            declared_in = location.file if location else "databricks.yml"
            if (declared_in, value, what) not in seen:  # big bundles repeat the same files
                seen[declared_in, value, what] = _rebase(root, declared_in, value, notebook=what == "notebook_path")
            rebased, exists = seen[declared_in, value, what]
            container[key] = rebased
            found.append(
                LocalPath(
                    what=what,
                    value=value,
                    rebased=rebased,
                    declared_in=declared_in,
                    location=location,
                    path=path,
                    exists=exists,
                )
            )
    return found


def _artifact_paths(config: LocDict, root: Path) -> Iterator[LocalPath]:
    """Each artifact's `path` (a folder, relative to the file declaring it), rebased in place."""
    artifacts = config.get("artifacts")
    for key, artifact in (artifacts if isinstance(artifacts, dict) else {}).items():
        value = artifact.get("path") if isinstance(artifact, dict) else None
        if not isinstance(value, str) or not is_local(value):
            continue
        location = child_location(artifact, "path")
        declared_in = location.file if location else "databricks.yml"
        absolute = Path(os.path.normpath(root / Path(declared_in).parent / value))
        rebased = Path(os.path.relpath(absolute, root)).as_posix()
        artifact["path"] = rebased
        yield LocalPath(
            what="artifact path",
            value=value,
            rebased=rebased,
            declared_in=declared_in,
            location=location,
            path=("artifacts", key, "path"),
            exists=absolute.is_dir(),
        )


def _job_paths(job: dict[str, Any], base: YamlPath, from_git: bool) -> Iterator[tuple[Any, Any, str, YamlPath]]:
    """(container, key, kind, yaml path) of every path-valued field of a job."""
    tasks = job.get("tasks")
    for index, task in enumerate(tasks if isinstance(tasks, list) else []):
        yield from _task_paths(task, (*base, "tasks", index), from_git)
    environments = job.get("environments")
    for index, environment in enumerate(environments if isinstance(environments, list) else []):
        spec = environment.get("spec") if isinstance(environment, dict) else None
        dependencies = spec.get("dependencies") if isinstance(spec, dict) else None
        for position in range(len(dependencies) if isinstance(dependencies, list) else 0):
            path = (*base, "environments", index, "spec", "dependencies", position)
            yield dependencies, position, "dependency", path


def _task_paths(task: Any, path: YamlPath, from_git: bool) -> Iterator[tuple[Any, Any, str, YamlPath]]:
    if not isinstance(task, dict):
        return
    remote = task.get("source") == "GIT" or (from_git and task.get("source") != "WORKSPACE")
    for section, key in (("spark_python_task", "python_file"), ("notebook_task", "notebook_path")):
        block = task.get(section)
        if isinstance(block, dict) and not (remote or block.get("source") == "GIT"):
            yield block, key, key, (*path, section, key)
    libraries = task.get("libraries")
    for index, library in enumerate(libraries if isinstance(libraries, list) else []):
        for key in ("whl", "requirements", "jar"):
            if isinstance(library, dict) and key in library:
                yield library, key, key, (*path, "libraries", index, key)
    nested = task.get("for_each_task")
    if isinstance(nested, dict):
        yield from _task_paths(nested.get("task"), (*path, "for_each_task", "task"), from_git)


def _rebase(root: Path, declared_in: str, value: str, *, notebook: bool) -> tuple[str, bool]:
    """`value` (relative to the declaring file) relative to `root`, and whether the file exists."""
    absolute = Path(os.path.normpath(root / Path(declared_in).parent / value))
    return Path(os.path.relpath(absolute, root)).as_posix(), _exists(absolute, notebook=notebook)


def _exists(absolute: Path, *, notebook: bool) -> bool:
    if any(c in absolute.name for c in "*?["):  # `./dist/*.whl`: built by `artifacts`, maybe not yet
        return True
    if absolute.is_file():
        return True
    return (
        notebook
        and not absolute.suffix
        and any(absolute.with_name(absolute.name + e).is_file() for e in NOTEBOOK_EXTENSIONS)
    )
