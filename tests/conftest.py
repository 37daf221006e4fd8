"""Fixtures shared by every suite: a clean environment per test."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
# Fixture bundles hold job scripts that run on import: never collect them as tests or doctests.
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No BRICKGATE_*, GITHUB_*, DATABRICKS_*, BUNDLE_VAR_* or MLFLOW_* variable leaks into a test,
    and whatever a test's code sets in os.environ (job code run in-process does) is undone after it."""
    for name in list(os.environ):
        if name.startswith(("BRICKGATE_", "GITHUB_", "DATABRICKS_", "BUNDLE_VAR_", "MLFLOW_")):
            monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(before)


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """One local Delta-enabled Spark session for the whole run (Java 17, `make spark-jars`); marker `spark`."""
    from brickgate.runtime import get_spark

    session = get_spark()
    yield session
    session.stop()


@pytest.fixture(autouse=True)
def forget_mlflow_fluent_state() -> Iterator[None]:
    """MLflow's fluent API remembers the active run and experiment per process; a test that set
    them must not make the next test (with another tracking store) look for that experiment."""
    yield
    fluent = sys.modules.get("mlflow.tracking.fluent")
    if fluent is None:
        return
    while fluent.active_run() is not None:
        fluent.end_run()
    vars(fluent)["_active_experiment_id"] = None  # no public reset exists in MLflow 3
