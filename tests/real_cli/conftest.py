"""Fixtures of the tests that run the real Databricks CLI against the local workspace server.

Every test module here marks its tests `real_cli` and `slow`: `make test` runs them after the fast suite.
The CLI and the server are built by `make tools`; a missing build fails the test, never skips it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.workspace_server import DATABRICKS, Workspace, WorkspaceServer, require_built, running_server


@pytest.fixture(scope="session")
def databricks() -> Path:
    """The real Databricks CLI make built."""
    return require_built(DATABRICKS)


@pytest.fixture(scope="session")
def workspace_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkspaceServer]:
    """One workspace server for the session, started on 127.0.0.1 and stopped by its pid."""
    with running_server(tmp_path_factory.mktemp("workspace-server") / "requests.jsonl") as server:
        yield server


@pytest.fixture
def workspace(workspace_server: WorkspaceServer, databricks: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A workspace of this test's own (its own token); the test fails if the server reported a
    failure meanwhile, such as a request to an endpoint it has no handler for."""
    home = tmp_path / "home"
    home.mkdir()
    before = len(workspace_server.errors())
    yield Workspace.fresh(workspace_server, home)
    new = workspace_server.errors()[before:]
    if new:
        pytest.fail("the workspace server reported:\n" + "\n".join(new), pytrace=False)
