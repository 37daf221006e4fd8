"""`brickgate doctor` against the local workspace server and a local MLflow server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from brickgate import __version__
from tests.helpers.mlflow_server import MlflowServer, mlflow_server  # noqa: F401
from tests.helpers.workspace_server import Workspace

pytestmark = [pytest.mark.real_cli, pytest.mark.mlflow_server, pytest.mark.slow]

BUNDLE = """\
bundle:
  name: doctor-demo
variables:
  catalog:
    default: main
  schema:
    default: fraud
  alert_channels:
    default: slack,pagerduty
  secret_scope:
    default: fraud-alerts
targets:
  ws:
    default: true
"""
WORKFLOW = """\
on: push
jobs:
  ci:
    uses: acme/brickgate/.github/workflows/ci.yml@{ref}
"""


def repository(tmp_path: Path, ref: str = f"v{__version__}") -> Path:
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "databricks.yml").write_text(BUNDLE, encoding="utf-8")
    (root / ".github" / "workflows" / "brickgate-ci.yml").write_text(WORKFLOW.format(ref=ref), encoding="utf-8")
    return root


def prepare(workspace: Workspace, *, schema: bool = True, keys: tuple[str, ...] = ()) -> None:
    workspace.api("POST", "/api/2.1/unity-catalog/catalogs", {"name": "main"})
    if schema:
        workspace.api("POST", "/api/2.1/unity-catalog/schemas", {"catalog_name": "main", "name": "fraud"})
    workspace.api("POST", "/api/2.0/secrets/scopes/create", {"scope": "fraud-alerts"})
    for key in keys:
        workspace.api("POST", "/api/2.0/secrets/put", {"scope": "fraud-alerts", "key": key, "string_value": "s3cr3t"})


def doctor(workspace: Workspace, root: Path, registry: str, *args: str) -> tuple[int, dict[str, Any], str]:
    done = workspace.brickgate("--format", "json", "doctor", str(root), "--registry-uri", registry, *args, timeout=120)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return done.returncode, json.loads(done.stdout), done.stdout + done.stderr


def verdicts(document: dict[str, Any]) -> dict[str, bool]:
    return {c["name"]: c["ok"] for c in document["checks"]}


def test_a_ready_repository_passes_every_check(
    workspace: Workspace,
    mlflow_server: MlflowServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    prepare(workspace, keys=("slack-webhook-url", "pagerduty-routing-key"))
    code, document, output = doctor(workspace, repository(tmp_path), mlflow_server.url)
    assert code == 0, output
    assert verdicts(document) == {
        "bundle": True,
        "target ws": True,
        "workspace": True,
        "credentials": True,
        "identity": True,
        "catalog main": True,
        "schema main.fraud": True,
        "secret fraud-alerts/slack-webhook-url": True,
        "secret fraud-alerts/pagerduty-routing-key": True,
        "model registry": True,
        "workflow brickgate-ci.yml": True,
    }
    by_name = {c["name"]: c for c in document["checks"]}
    assert by_name["credentials"]["detail"].startswith("pat")
    assert workspace.token not in output and "s3cr3t" not in output


def test_text_lines_name_the_missing_schema_and_secret_key_with_their_fix(
    workspace: Workspace,
    mlflow_server: MlflowServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    prepare(workspace, schema=False, keys=("slack-webhook-url",))
    root = repository(tmp_path, ref="main")
    done = workspace.brickgate("doctor", str(root), "--registry-uri", mlflow_server.url, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "✗ schema main.fraud: does not exist — fix: create schema main.fraud" in lines
    assert (
        "✗ secret fraud-alerts/pagerduty-routing-key: missing — fix: "
        "databricks secrets put-secret fraud-alerts pagerduty-routing-key"
    ) in lines
    workflow = "✗ workflow brickgate-ci.yml: uses acme/brickgate/.github/workflows/ci.yml@main — fix: "
    assert f"{workflow}use @v{__version__}, the release of the installed brickgate" in lines
    assert "✓ catalog main: exists" in lines
    assert lines[-1] == "3 of 11 checks failed"


def test_an_unreachable_registry_fails_its_check_naming_the_host(
    workspace: Workspace,
    mlflow_server: MlflowServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    prepare(workspace, keys=("slack-webhook-url", "pagerduty-routing-key"))
    code, document, _ = doctor(workspace, repository(tmp_path), "http://user:pw@127.0.0.1:9")
    assert code == 1
    registry = next(c for c in document["checks"] if c["name"] == "model registry")
    assert not registry["ok"] and "127.0.0.1:9" in registry["detail"] and "pw" not in json.dumps(document)


def test_a_missing_secret_scope_says_how_to_create_it(workspace: Workspace, tmp_path: Path) -> None:
    workspace.api("POST", "/api/2.1/unity-catalog/catalogs", {"name": "main"})
    workspace.api("POST", "/api/2.1/unity-catalog/schemas", {"catalog_name": "main", "name": "fraud"})
    registry = "http://127.0.0.1:9"  # refused: the registry check is not what this test is about
    done = workspace.brickgate("doctor", str(repository(tmp_path)), "--registry-uri", registry, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    failed = [line for line in done.stdout.splitlines() if line.startswith("✗")]
    assert failed[0].startswith("✗ secret scope fraud-alerts: ") and failed[0].endswith(
        " — fix: databricks secrets create-scope fraud-alerts"
    ), failed
    assert failed[1].startswith("✗ model registry: cannot reach the MLflow server at http://127.0.0.1:9")
