"""Reviewed plans with the real CLI: `brickgate deploy --plan-out` shows the plan, `--plan` applies
exactly it, and a plan that went stale is refused before anything is deployed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.workspace_server import REFERENCE_BUNDLE, Workspace, copy_bundle, deploy_json, job_calls

pytestmark = [pytest.mark.real_cli, pytest.mark.slow]
TARGET = "local"


def test_a_plan_is_shown_then_exactly_it_is_deployed(workspace: Workspace, tmp_path: Path) -> None:
    bundle = copy_bundle(REFERENCE_BUNDLE, tmp_path)
    plan = tmp_path / "plan.json"
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(tmp_path / "out")}
    done = workspace.run(
        [
            *workspace.brickgate_command(),
            "--format",
            "github",
            "deploy",
            str(bundle),
            "-t",
            TARGET,
            "--plan-out",
            str(plan),
        ],
        cwd=None,
        timeout=600,
        extra_env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert job_calls(workspace, 0) == []  # a plan deploys nothing
    table = summary.read_text(encoding="utf-8")
    planned = json.loads(plan.read_text(encoding="utf-8"))
    assert planned["cli_version"] == "1.10.0" and "resources.jobs.scoring_job" in planned["plan"]
    assert f"Plan: {len(planned['plan'])} to create, 0 to update, 0 to delete, 0 unchanged" in table
    assert "| resource | action | changes |" in table
    assert "| `jobs.scoring_job` | create |" in table

    before = len(workspace.requests())
    applied = deploy_json(workspace, bundle, TARGET, "--plan", str(plan))
    assert applied["status"] == "deployed" and all(job["verified"] for job in applied["jobs"])
    assert sorted(job_calls(workspace, before)) == ["create"] * 3
    assert {c["action"] for c in applied["changes"]} == {"create"}
    # the wheels the plan's jobs install are in the workspace (the CLI's --plan does not upload them)
    for job in applied["jobs"]:
        settings = workspace.api("GET", f"/api/2.2/jobs/get?job_id={job['job_id']}")["settings"]
        for whl in {lib["whl"] for task in settings["tasks"] for lib in task.get("libraries", []) if "whl" in lib}:
            assert workspace.api("GET", f"/api/2.0/workspace/get-status?path={whl}")["object_type"] == "FILE"

    change = deploy_json(workspace, bundle, TARGET, "--plan-out", str(plan), "--var", "alert_email=oncall@example.com")
    updates = {c["resource"]: c["fields"] for c in change["changes"] if c["action"] == "update"}
    assert set(updates) == {"jobs.model_training_job", "jobs.monitoring_job", "jobs.scoring_job"}
    assert any('→ "oncall@example.com"' in field for field in updates["jobs.scoring_job"]), updates
    before = len(workspace.requests())
    summary.write_text("", encoding="utf-8")
    apply = ["deploy", str(bundle), "-t", TARGET, "--plan", str(plan), "--var", "alert_email=oncall@example.com"]
    done = workspace.run(
        [*workspace.brickgate_command(), "--format", "github", *apply],
        cwd=None,
        timeout=600,
        extra_env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert job_calls(workspace, before) == ["reset"] * 3
    # the step summary: jobs as `bundle summary -o json` of the real CLI names them, then the plan
    table = summary.read_text(encoding="utf-8")
    for job in applied["jobs"]:
        assert f"| `{job['key']}` | {job['name']} | [{job['job_id']}]({job['url']}) | ✅ |" in table
    assert "### Applied plan: claims-fraud → local" in table and "| `jobs.scoring_job` | update |" in table


def test_a_plan_made_before_another_deploy_is_refused_by_the_cli(workspace: Workspace, tmp_path: Path) -> None:
    bundle = copy_bundle(REFERENCE_BUNDLE, tmp_path)
    plan = tmp_path / "plan.json"
    deploy_json(workspace, bundle, TARGET)
    deploy_json(workspace, bundle, TARGET, "--plan-out", str(plan), "--var", "alert_email=oncall@example.com")
    deploy_json(workspace, bundle, TARGET, "--var", "alert_email=team@example.com")  # someone deployed meanwhile
    before = len(workspace.requests())
    done = workspace.brickgate(
        "deploy", str(bundle), "-t", TARGET, "--plan", str(plan), "--var", "alert_email=oncall@example.com"
    )
    assert done.returncode == 2
    assert "does not match state serial" in done.stderr and "Please run 'bundle plan' again" in done.stderr
    assert job_calls(workspace, before) == []


def test_a_plan_the_workspace_or_bundle_moved_away_from_is_refused_by_brickgate(
    workspace: Workspace, tmp_path: Path
) -> None:
    bundle = copy_bundle(REFERENCE_BUNDLE, tmp_path)
    plan = tmp_path / "plan.json"
    first = deploy_json(workspace, bundle, TARGET)
    deploy_json(workspace, bundle, TARGET, "--plan-out", str(plan), "--var", "alert_email=oncall@example.com")
    # someone edits the scoring job in the workspace: the deployment state does not know
    job_id = next(job["job_id"] for job in first["jobs"] if job["key"] == "scoring_job")
    settings = workspace.api("GET", f"/api/2.2/jobs/get?job_id={job_id}")["settings"]
    workspace.api(
        "POST", "/api/2.2/jobs/reset", {"job_id": job_id, "new_settings": {**settings, "max_concurrent_runs": 4}}
    )
    before = len(workspace.requests())
    done = workspace.brickgate(
        "deploy", str(bundle), "-t", TARGET, "--plan", str(plan), "--var", "alert_email=oncall@example.com"
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"brickgate: error: {plan} is stale: jobs.scoring_job: update with other settings; the bundle or the "
        "workspace changed after the plan was made. Nothing was deployed; review a new plan (brickgate deploy "
        "--plan-out)\n"
    )
    assert job_calls(workspace, before) == []

    # the bundle changes instead: a variable the plan was not made with
    deploy_json(workspace, bundle, TARGET, "--plan-out", str(plan), "--var", "alert_email=oncall@example.com")
    done = workspace.brickgate(
        "deploy", str(bundle), "-t", TARGET, "--plan", str(plan), "--var", "alert_email=other@example.com"
    )
    assert done.returncode == 2 and "is stale: jobs.model_training_job: update with other settings" in done.stderr
