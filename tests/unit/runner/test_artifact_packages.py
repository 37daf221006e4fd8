"""python_wheel_task of a package the bundle builds itself (a `whl` artifact): run from source."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from brickgate.bundle import load_bundle
from brickgate.bundle.artifacts import local_packages
from brickgate.errors import InputError
from brickgate.runner import RunOptions, run_job

BUNDLE = """\
bundle: {name: demo}
artifacts:
  demo_wheel: {type: whl, path: ./project, build: python3 -m pip wheel --no-deps --wheel-dir dist .}
resources:
  jobs:
    job:
      tasks:
        - task_key: w
          python_wheel_task: {package_name: demo_pkg, entry_point: ENTRY, parameters: ["--rows=3", "{{task.name}}"]}
          libraries: [{whl: ./project/dist/*.whl}]
"""


def make_bundle(root: Path, entry: str = "go") -> None:
    (root / "databricks.yml").write_text(BUNDLE.replace("ENTRY", entry), encoding="utf-8")
    project = root / "project"
    (project / "src" / "demo_pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo-pkg"\nversion = "1.0"\n[project.scripts]\ngo = "demo_pkg.main:run"\n',
        encoding="utf-8",
    )
    (project / "src" / "demo_pkg" / "__init__.py").write_text("", encoding="utf-8")
    (project / "src" / "demo_pkg" / "main.py").write_text(
        textwrap.dedent(
            """\
            import json, os, sys

            def run():
                with open(os.environ["OUT"], "w") as out:
                    json.dump(sys.argv, out)
            """
        ),
        encoding="utf-8",
    )


def test_local_packages_reads_the_artifact_project(tmp_path: Path) -> None:
    make_bundle(tmp_path)
    bundle = load_bundle(tmp_path, env={})
    packages = local_packages(bundle.root, bundle.config)
    assert list(packages) == ["demo_pkg"]
    package = packages["demo_pkg"]
    assert (package.artifact, package.name, package.entry_points) == (
        "demo_wheel",
        "demo-pkg",
        {"go": "demo_pkg.main:run"},
    )
    assert package.source == (tmp_path / "project" / "src").resolve()


def test_entry_point_runs_from_source_without_installing(tmp_path: Path) -> None:
    make_bundle(tmp_path)
    bundle = load_bundle(tmp_path, env={})
    out = tmp_path / "argv.json"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    options = RunOptions(
        root=bundle.root,
        jobs=bundle.jobs,
        packages=local_packages(bundle.root, bundle.config),
        env={**env, "OUT": str(out)},
        handle_signals=False,
    )
    record = run_job("job", options)
    assert record.state == "SUCCESS"
    assert json.loads(out.read_text()) == ["demo_pkg", "--rows=3", "w"]


def test_unknown_entry_point_is_refused_before_the_run(tmp_path: Path) -> None:
    make_bundle(tmp_path, entry="og")
    bundle = load_bundle(tmp_path, env={})
    options = RunOptions(root=bundle.root, jobs=bundle.jobs, packages=local_packages(bundle.root, bundle.config))
    with pytest.raises(InputError, match=r"declares no entry point 'og' \(entry points: go\)"):
        run_job("job", options)
