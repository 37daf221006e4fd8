"""`brickgate validate-bundle` with the real Databricks CLI against the local workspace."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.workspace_server import REPO_ROOT, Workspace

pytestmark = [pytest.mark.real_cli, pytest.mark.slow]
REFERENCE = REPO_ROOT / "examples" / "claims-fraud"


def brickgate(workspace: Workspace, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run brickgate in a subprocess with only this workspace's environment."""
    return subprocess.run(
        [sys.executable, "-m", "brickgate", *args],
        env=workspace.env(),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_reference_bundle_validates_with_the_real_cli(workspace: Workspace) -> None:
    done = brickgate(workspace, "--format", "json", "validate-bundle", str(REFERENCE), "-t", "local")
    report = json.loads(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert report["databricks_cli"] is True and report["passed"] is True
    # the CLI really asked the local workspace who the user is and where the bundle goes
    asked = {(entry["method"], entry["path"]) for entry in workspace.requests()}
    assert ("GET", "/api/2.0/preview/scim/v2/Me") in asked
    assert any(path == "/api/2.0/workspace/get-status" for _, path in asked)
