"""`brickgate deploy` of the reference bundle with the real CLI (direct engine) to the local workspace."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest

from brickgate.bundle import load_bundle
from tests.helpers.workspace_server import REFERENCE_BUNDLE, TEST_USER, Workspace, copy_bundle, deploy_json, job_calls

pytestmark = [pytest.mark.real_cli, pytest.mark.slow]
TARGET = "local"


def workspace_jobs(workspace: Workspace) -> dict[str, dict[str, Any]]:
    """Settings of every job in the workspace, by name."""
    listed = workspace.api("GET", "/api/2.2/jobs/list").get("jobs", [])
    found = {}
    for job in listed:
        settings = workspace.api("GET", f"/api/2.2/jobs/get?job_id={job['job_id']}")["settings"]
        found[settings["name"]] = settings
    return found


def shape(job: Mapping[str, Any]) -> dict[str, Any]:
    """What must survive the deploy of one job: tasks with their dependencies, compute and
    libraries, the job's clusters or environments, schedule and parameters."""
    tasks = {
        task["task_key"]: {
            "depends_on": sorted(d["task_key"] for d in task.get("depends_on", [])),
            "compute": task.get("job_cluster_key") or task.get("environment_key") or task.get("existing_cluster_id"),
            "kind": next(key for key in task if key.endswith("_task")),
            "libraries": [_library(lib) for lib in task.get("libraries", [])],
        }
        for task in job.get("tasks", [])
    }
    return {
        "tasks": tasks,
        "job_clusters": sorted(c["job_cluster_key"] for c in job.get("job_clusters", [])),
        "environments": sorted(e["environment_key"] for e in job.get("environments", [])),
        "schedule": {k: v for k, v in (job.get("schedule") or {}).items() if k != "pause_status"},
        "parameters": job.get("parameters", []),
    }


def _library(library: Mapping[str, Any]) -> Any:
    """A library as comparable value; a wheel only as such (the CLI builds it, uploads it and
    rewrites its path: `wheels` checks those)."""
    return "whl" if "whl" in library else library


def wheels(job: Mapping[str, Any]) -> list[str]:
    return [lib["whl"] for task in job.get("tasks", []) for lib in task.get("libraries", []) if "whl" in lib]


def test_reference_bundle_deploys_redeploys_updates_in_place_and_is_destroyed(
    workspace: Workspace, tmp_path: Path
) -> None:
    bundle = copy_bundle(REFERENCE_BUNDLE, tmp_path)
    expected = load_bundle(bundle, target=TARGET, env={}).jobs

    first = deploy_json(workspace, bundle, TARGET)
    assert first["status"] == "deployed" and first["cli_version"] == "1.10.0"
    assert {job["key"] for job in first["jobs"]} == set(expected)
    assert all(job["verified"] for job in first["jobs"])
    deployed = workspace_jobs(workspace)
    assert set(deployed) == {job["name"] for job in expected.values()}
    for job in expected.values():
        assert shape(deployed[job["name"]]) == shape(job), job["name"]
        for pattern, uploaded in zip(wheels(job), wheels(deployed[job["name"]]), strict=True):
            assert fnmatch(Path(uploaded).name, Path(pattern).name) and uploaded.startswith("/Workspace/")
            assert workspace.api("GET", f"/api/2.0/workspace/get-status?path={uploaded}")["object_type"] == "FILE"
    assert any(wheels(job) for job in expected.values())  # the project's wheel artifact (issue 13)
    assert any(shape(job)["schedule"] for job in expected.values())  # the monitoring job's
    assert sorted(job_calls(workspace, 0)) == ["create"] * len(expected)
    # the CLI's state and lock live in the workspace, under the user's bundle root
    root = f"/Workspace/Users/{TEST_USER}/.bundle/claims-fraud/{TARGET}"
    listed = workspace.api("GET", f"/api/2.0/workspace/list?path={root}/state")
    assert "resources.json" in {Path(o["path"]).name for o in listed["objects"]}

    before = len(workspace.requests())
    again = deploy_json(workspace, bundle, TARGET)
    assert job_calls(workspace, before) == []  # nothing new, nothing rewritten
    assert [j["job_id"] for j in again["jobs"]] == [j["job_id"] for j in first["jobs"]]

    before = len(workspace.requests())
    changed = deploy_json(workspace, bundle, TARGET, "--var", "alert_email=oncall@example.com")
    assert [j["job_id"] for j in changed["jobs"]] == [j["job_id"] for j in first["jobs"]]
    now = load_bundle(bundle, target=TARGET, variables={"alert_email": "oncall@example.com"}, env={}).jobs
    updated = [now[key] for key in now if now[key] != expected[key]]
    assert updated and job_calls(workspace, before) == ["reset"] * len(updated)
    for job in updated:
        assert workspace_jobs(workspace)[job["name"]]["email_notifications"]["on_failure"] == ["oncall@example.com"]

    destroyed = workspace.databricks("bundle", "destroy", "-t", TARGET, "--auto-approve", cwd=bundle)
    assert destroyed.returncode == 0, destroyed.stderr
    assert workspace_jobs(workspace) == {}


def test_a_held_deploy_lock_stops_the_deploy_clearly(workspace: Workspace, tmp_path: Path) -> None:
    bundle = copy_bundle(REFERENCE_BUNDLE, tmp_path)
    deploy_json(workspace, bundle, TARGET)
    # another deployment holds the lock (as the CLI writes it) while this one starts
    lock = {"ID": str(uuid.uuid4()), "AcquisitionTime": "2026-01-01T00:00:00Z", "IsForced": False, "User": "ci@x.y"}
    path = f"/Workspace/Users/{TEST_USER}/.bundle/claims-fraud/{TARGET}/state/deploy.lock"
    content = base64.b64encode(json.dumps(lock).encode()).decode()
    upload = workspace.databricks("workspace", "import", path, "--format", "AUTO", "--content", content)
    assert upload.returncode == 0, upload.stderr
    before = len(workspace.requests())
    done = workspace.brickgate("deploy", str(bundle), "-t", TARGET, "--var", "alert_email=oncall@example.com")
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"brickgate: error: databricks bundle deploy -t {TARGET} failed (exit 1): "
        "Error: deploy lock acquired by ci@x.y at 2026-01-01 00:00:00 +0000 UTC."
    ), done.stderr
    assert job_calls(workspace, before) == []
