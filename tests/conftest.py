"""Fixtures shared by every suite: a clean environment per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
# Fixture bundles hold job scripts that run on import: never collect them as tests or doctests.
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No BRICKGATE_*, GITHUB_*, DATABRICKS_* or BUNDLE_VAR_* variable leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("BRICKGATE_", "GITHUB_", "DATABRICKS_", "BUNDLE_VAR_")) or name == "MLFLOW_TRACKING_URI":
            monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """One local[2] Spark session for the whole run (Java 17); tests using it are marked `spark`."""
    from brickgate.runtime import get_spark

    session = get_spark()
    yield session
    session.stop()
