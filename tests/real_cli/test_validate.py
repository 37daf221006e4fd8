"""`brickgate validate-bundle` with the real Databricks CLI against the local workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.workspace_server import REFERENCE_BUNDLE, REPO_ROOT, Workspace, copy_bundle

pytestmark = [pytest.mark.real_cli, pytest.mark.slow]
BROKEN = sorted(p for p in (REPO_ROOT / "tests" / "fixtures" / "bundles" / "broken").iterdir() if p.is_dir())
CLI_RULES = {"BG501", "BG502", "BG503", "BG504"}
# With the CLI installed, keys are checked against its `bundle schema`, which does not close the
# top level: the misspelt top-level key is then reported once, by the CLI (BG502, same line).
REPORTED_BY_THE_CLI_ONLY = {"BG101-unknown-top-level-key"}


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


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda p: p.name)
def test_broken_fixture_with_the_real_cli(workspace: Workspace, fixture: Path, tmp_path: Path) -> None:
    """brickgate's own finding survives next to the CLI's, which carry file and line where the CLI
    gives them, and a problem both report is one diagnostic."""
    expected = json.loads((fixture / "expected.json").read_text(encoding="utf-8"))
    bundle = copy_bundle(fixture, tmp_path)
    target = ["-t", expected["target"]] if "target" in expected else []
    done = workspace.run(
        [*workspace.brickgate_command(), "--format", "json", "validate-bundle", str(bundle), "--strict", *target],
        cwd=None,
        timeout=300,
        extra_env=expected.get("env", {}),
    )
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["databricks_cli"] is (expected["rule"] != "BG001")  # unreadable YAML: the CLI is not asked
    found = report["diagnostics"]
    rules = CLI_RULES if fixture.name in REPORTED_BY_THE_CLI_ONLY else {expected["rule"]}
    own = [d for d in found if d["rule"] in rules]
    assert (expected["file"], expected["line"]) in {(d["file"], d["line"]) for d in own}, found
    cli = [d for d in found if d["rule"] in CLI_RULES]
    for d in cli:  # a CLI finding never sits on a brickgate finding at least as severe: it was folded in
        at = (d["file"], d["line"], d["column"])
        twins = [o for o in found if o is not d and (o["file"], o["line"], o["column"]) == at and d["line"]]
        assert all(o["rule"] in CLI_RULES or (o["severity"], d["severity"]) == ("warning", "error") for o in twins)


def test_cli_findings_are_parsed_with_file_and_line_and_merged(workspace: Workspace, tmp_path: Path) -> None:
    fixture = next(p for p in BROKEN if p.name == "BG102-wrong-type-integer")
    bundle = copy_bundle(fixture, tmp_path)
    done = workspace.brickgate("--format", "json", "validate-bundle", str(bundle), "-t", "dev")
    found = json.loads(done.stdout)["diagnostics"]
    at_line_8 = [d for d in found if d["line"] == 8]
    assert [(d["rule"], d["file"], d["column"]) for d in at_line_8] == [("BG102", "databricks.yml", 28)]
    assert at_line_8[0]["message"].endswith('(databricks bundle validate: cannot parse "many" as an integer)')
    # what only the CLI knows stays a finding of its own, with its place
    missing = [d for d in found if d["rule"] == "BG501" and "Missing required cluster" in d["message"]]
    assert missing and all(d["file"] == "databricks.yml" and d["line"] for d in missing)


def test_a_fresh_init_validates_and_deploys_with_the_real_cli(workspace: Workspace, tmp_path: Path) -> None:
    project = tmp_path / "fresh-project"
    project.mkdir()
    made = workspace.brickgate("init", str(project))
    assert made.returncode == 0, made.stderr
    done = workspace.brickgate("--format", "json", "validate-bundle", str(project), "--strict")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["databricks_cli"] is True, report["diagnostics"]
    target = report["target"]
    deployed = workspace.brickgate("--format", "json", "deploy", str(project), "-t", target)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    jobs = json.loads(deployed.stdout)["jobs"]
    assert jobs and all(job["verified"] for job in jobs)
