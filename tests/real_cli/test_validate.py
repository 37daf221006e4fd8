"""`brickgate validate-bundle` with the real Databricks CLI against the local workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.workspace_server import REFERENCE_BUNDLE, Workspace, copy_bundle

pytestmark = [pytest.mark.real_cli, pytest.mark.slow]


def test_reference_bundle_validates_with_the_real_cli(workspace: Workspace, tmp_path: Path) -> None:
    bundle = copy_bundle(REFERENCE_BUNDLE, tmp_path)
    done = workspace.brickgate("--format", "json", "validate-bundle", str(bundle), "-t", "local")
    report = json.loads(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert report["databricks_cli"] is True and report["passed"] is True
    # the CLI really asked the local workspace who the user is and where the bundle goes
    asked = {(entry["method"], entry["path"]) for entry in workspace.requests()}
    assert ("GET", "/api/2.0/preview/scim/v2/Me") in asked
    assert any(path == "/api/2.0/workspace/get-status" for _, path in asked)
