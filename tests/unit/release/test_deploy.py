"""deploy: the Databricks CLI stand-in on PATH and a fake workspace the real databricks-sdk talks to."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from brickgate.databricks_cli import INSTALL_HINT
from tests.helpers.fake_databricks_cli import FOLDER as STAND_IN
from tests.helpers.fake_databricks_cli import FakeDatabricks, fake_databricks
from tests.helpers.fake_workspace import TOKEN, FakeWorkspace, RunScript, throttled
from tests.helpers.github_files import fake_github
from tests.unit.release.conftest import run_main

REPO = Path(__file__).resolve().parents[3]
MINIMAL = REPO / "tests" / "fixtures" / "bundles" / "valid" / "minimal"
BROKEN = REPO / "tests" / "fixtures" / "bundles" / "broken" / "BG402-unknown-dependency"
FAST = ["--poll-interval", "0.01"]


@dataclass
class Setup:
    workspace: FakeWorkspace
    cli: FakeDatabricks
    job_id: int
    monkeypatch: pytest.MonkeyPatch
    responses: dict[str, dict[str, object]]

    def calls(self) -> list[list[str]]:
        return self.cli.calls()

    def respond(self, prefix: str, **response: object) -> None:
        """Script the stand-in's answer to `databricks <prefix> ...`."""
        self.responses[prefix] = dict(response)
        self.cli.respond(self.responses)

    def summary(self, target: str, job_id: int, name: str) -> None:
        """What `databricks bundle summary -o json` prints after a deploy (abridged)."""
        job = {"id": str(job_id), "name": name, "url": self.workspace.job_url(job_id)}
        document = {"bundle": {"name": "minimal", "target": target}, "resources": {"jobs": {"train": job}}}
        self.respond("bundle summary", stdout=json.dumps(document))


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    with FakeWorkspace() as workspace:
        for name, value in workspace.env().items():
            monkeypatch.setenv(name, value)
        cli = fake_databricks(tmp_path, monkeypatch)
        job_id = workspace.add_job("[dev ci] minimal-train-dev", tasks=["prepare", "train", "evaluate"])
        state = Setup(workspace=workspace, cli=cli, job_id=job_id, monkeypatch=monkeypatch, responses={})
        state.summary("dev", job_id, "[dev ci] minimal-train-dev")
        yield state


def deploy(*args: str) -> list[str]:
    return ["deploy", str(MINIMAL), *args]


def test_deploy_verifies_jobs(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(deploy("-t", "dev"), capsys)
    assert code == 0, err
    assert setup.calls() == [
        ["version"],
        ["bundle", "deploy", "-t", "dev"],
        ["bundle", "summary", "-t", "dev", "-o", "json"],
    ]
    cwd = {json.loads(line)["cwd"] for line in setup.cli.log.read_text().splitlines()[1:]}
    assert cwd == {str(MINIMAL)}
    url = setup.workspace.job_url(setup.job_id)
    assert out == f"job train: {setup.job_id} {url} (verified)\ndeployed 1 job(s) of bundle minimal to dev\n"
    assert "Deployment complete!" in err
    paths = [r.path for r in setup.workspace.recorder.requests]
    assert f"/api/2.2/jobs/get?job_id={setup.job_id}" in paths


def test_auto_approve_and_vars_reach_the_cli(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run_main(deploy("-t", "dev", "--auto-approve", "--var", "catalog=qa"), capsys)
    assert code == 0
    assert setup.calls()[1:] == [
        ["bundle", "deploy", "-t", "dev", "--var", "catalog=qa", "--auto-approve"],
        ["bundle", "summary", "-t", "dev", "-o", "json", "--var", "catalog=qa"],
    ]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            [],
            {},
            "target 'prod' is a production target (mode: production): missing --version V and "
            "--confirm deploy-to-production (or BRICKGATE_CONFIRM); nothing was deployed",
        ),
        (
            ["--version", "v1.0.0"],
            {},
            "target 'prod' is a production target (mode: production): missing --confirm deploy-to-production "
            "(or BRICKGATE_CONFIRM); nothing was deployed",
        ),
        (
            [],
            {"BRICKGATE_CONFIRM": "deploy-to-production"},
            "target 'prod' is a production target (mode: production): missing --version V; nothing was deployed",
        ),
        (
            ["--version", "v1.0.0", "--confirm", "yes"],
            {},
            "--confirm 'yes' is not the confirmation phrase; type deploy-to-production",
        ),
    ],
)
def test_production_guard(
    setup: Setup, capsys: pytest.CaptureFixture[str], args: list[str], env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        setup.monkeypatch.setenv(name, value)
    code, out, err = run_main(deploy("-t", "prod", *args), capsys)
    assert (code, out, err) == (2, "", f"brickgate: error: {message}\n")
    assert setup.calls() == [] and setup.workspace.recorder.requests == []


def test_production_deploy_with_version_and_env_confirmation(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    prod_id = setup.workspace.add_job("minimal-train-prod", tasks=["prepare", "train", "evaluate"])
    setup.summary("prod", prod_id, "minimal-train-prod")
    setup.monkeypatch.setenv("BRICKGATE_CONFIRM", "deploy-to-production")
    code, out, _ = run_main(["--format", "json", *deploy("-t", "prod", "--version", "v1.4.0")], capsys)
    document = json.loads(out)
    assert code == 0 and document["status"] == "deployed" and document["mode"] == "production"
    assert document["version"] == "v1.4.0" and document["jobs"][0]["job_id"] == prod_id
    assert setup.calls()[1] == ["bundle", "deploy", "-t", "prod"]


def test_dry_run_contacts_nothing(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    setup.monkeypatch.setenv("PATH", "/nonexistent")
    code, out, _ = run_main(deploy("-t", "prod", "--dry-run"), capsys)
    assert code == 0
    assert out == (
        "job train (minimal-train-prod)\n"
        "  cluster main: i3.xlarge × 1 workers, 15.4.x-scala2.12\n"
        "  task prepare: spark_python_task on job cluster main\n"
        "  task train: spark_python_task on job cluster main\n"
        "  task evaluate: spark_python_task on job cluster main\n"
        "dry run: would deploy 1 job(s) of bundle minimal to prod "
        "(production: needs --version and --confirm to deploy)\n"
    )
    assert setup.calls() == [] and setup.workspace.recorder.requests == []


def test_invalid_bundle_stops_before_the_cli(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["deploy", str(BROKEN), "-t", "dev"], capsys)
    assert code == 1
    assert "databricks.yml:19:25: BG402 task 'evaluate' depends on 'trian'" in out
    assert out.endswith("brickgate: deploy failed: bundle validation found 1 error(s); nothing was deployed\n")
    assert setup.calls() == []


def test_missing_cli(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    setup.monkeypatch.setenv("PATH", "/nonexistent")
    code, _, err = run_main(deploy("-t", "dev"), capsys)
    assert code == 2 and err == (
        "brickgate: error: the Databricks CLI (databricks) is not on PATH; brickgate deploy needs v1.10.0 "
        f"or newer: {INSTALL_HINT}\n"
    )


def test_too_old_cli(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    setup.monkeypatch.setenv("FAKE_DATABRICKS_VERSION", "0.212.1")
    code, _, err = run_main(deploy("-t", "dev"), capsys)
    assert code == 2 and err == (
        f"brickgate: error: the Databricks CLI at {STAND_IN / 'databricks'} is v0.212.1; brickgate deploy needs "
        f"v1.10.0 or newer: {INSTALL_HINT}\n"
    )
    assert setup.calls() == [["version"]]


def test_cli_deploy_failure_is_one_redacted_line(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    setup.respond("bundle deploy", stderr=f"Deploying...\nError: token {TOKEN} is not allowed\n", exit=1)
    code, out, err = run_main(deploy("-t", "dev"), capsys)
    assert (code, out) == (2, "")
    assert err == "brickgate: error: databricks bundle deploy -t dev failed (exit 1): Error: token *** is not allowed\n"
    assert ["bundle", "summary", "-t", "dev", "-o", "json"] not in setup.calls()


def test_summary_not_json(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    setup.respond("bundle summary", stdout="Name: minimal\n")
    code, _, err = run_main(deploy("-t", "dev"), capsys)
    assert code == 2 and "databricks bundle summary -o json did not print JSON: 'Name: minimal'" in err


def test_job_missing_in_workspace_is_unverified(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    setup.summary("dev", 4242, "[dev ci] minimal-train-dev")
    code, out, _ = run_main(deploy("-t", "dev"), capsys)
    assert code == 1
    assert out.endswith(
        "brickgate: deploy failed: deployed, but verification failed: train: job 4242 not found in the workspace\n"
    )


def test_job_with_other_name_is_unverified(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    setup.workspace.jobs[setup.job_id]["name"] = "someone-else"
    code, out, _ = run_main(deploy("-t", "dev"), capsys)
    assert code == 1
    assert f"job {setup.job_id} is named 'someone-else', expected '[dev ci] minimal-train-dev'" in out


def test_bad_token_is_one_line_without_the_token(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    wrong = "dapi-wrong-token-0000000000000000"
    setup.monkeypatch.setenv("DATABRICKS_TOKEN", wrong)
    code, out, err = run_main(deploy("-t", "dev"), capsys)
    assert code == 2 and err.count("\n") == 1 and err.startswith("brickgate: error: ")
    assert "Invalid access token" in err and wrong not in out + err


def test_run_wait_success_through_429_and_503(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = fake_github(tmp_path, monkeypatch)
    setup.workspace.script_run(setup.job_id, RunScript(polls_before_end=2))
    recorder = setup.workspace.recorder
    recorder.script(throttled(429), path="/api/2.2/jobs/get")
    recorder.script(throttled(503), path="/api/2.2/jobs/run-now")
    recorder.script(throttled(429), throttled(503), path="/api/2.2/jobs/runs/get")
    code, out, err = run_main(deploy("-t", "dev", "--run", "train", "--wait", *FAST), capsys)
    assert code == 0, out + err
    run_id = max(setup.workspace.runs)
    run_url = f"{setup.workspace.host}/jobs/{setup.job_id}/runs/{run_id}"
    assert f"run {run_id} RUNNING: prepare RUNNING, train RUNNING, evaluate RUNNING\n" in out
    assert f"run {run_id} SUCCESS: prepare SUCCESS, train SUCCESS, evaluate SUCCESS\n" in out
    assert f"deployed; run {run_id} of job 'train' succeeded: {run_url}\n" in out
    statuses = [(r.method, r.path.split("?")[0]) for r in recorder.requests]
    assert statuses.count(("POST", "/api/2.2/jobs/run-now")) == 2  # the 503, then the retry
    assert len(setup.workspace.runs) == 1  # a retried run-now started one run
    outputs = files.outputs()
    assert outputs["run-id"] == str(run_id) and outputs["result-state"] == "SUCCESS"
    assert json.loads(outputs["job-ids"]) == {"train": setup.job_id}
    assert json.loads(outputs["job-urls"]) == {"train": setup.workspace.job_url(setup.job_id)}
    assert f"Run [{run_id}]({run_url}): **SUCCESS**" in files.summary_text()


def test_run_failed_task_message(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    script = RunScript(polls_before_end=1, result="FAILED", failed_task="train", error="ValueError: no rows in claims")
    setup.workspace.script_run(setup.job_id, script)
    code, out, _ = run_main(deploy("-t", "dev", "--run", "train", "--wait", *FAST), capsys)
    run_id = max(setup.workspace.runs)
    assert code == 1
    assert f"run {run_id} FAILED: prepare SUCCESS, train FAILED, evaluate UPSTREAM_FAILED\n" in out
    assert out.endswith(
        f"brickgate: deploy failed: run {run_id} of job 'train' ended FAILED: task 'train' FAILED: "
        f"ValueError: no rows in claims ({setup.workspace.host}/jobs/{setup.job_id}/runs/{run_id})\n"
    )


def test_run_timeout_names_the_url(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    setup.workspace.script_run(setup.job_id, RunScript(result=None))
    code, out, _ = run_main(deploy("-t", "dev", "--run", "train", "--wait", "--timeout", "0.3", *FAST), capsys)
    run_id = max(setup.workspace.runs)
    assert code == 1
    assert out.endswith(
        f"brickgate: deploy failed: run {run_id} of job 'train' did not finish within 0.3 s (it keeps running): "
        f"{setup.workspace.host}/jobs/{setup.job_id}/runs/{run_id}\n"
    )


def test_run_without_wait_only_starts(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(["--format", "json", *deploy("-t", "dev", "--run", "train")], capsys)
    document = json.loads(out)
    assert code == 0 and document["run"]["life_cycle_state"] == "RUNNING" and document["run"]["result_state"] == ""
    assert document["message"].startswith(f"deployed; started run {document['run']['run_id']} of job 'train'")


def test_unknown_run_job_fails_before_deploying(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(deploy("-t", "dev", "--run", "trian"), capsys)
    assert code == 2 and err == "brickgate: error: unknown job 'trian'; did you mean 'train'? (jobs: train)\n"
    assert setup.calls() == []


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_token_never_in_any_output(
    setup: Setup, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    files = fake_github(tmp_path, monkeypatch)
    setup.respond("bundle deploy", stderr=f"Using token {TOKEN}\nDeployment complete!\n")
    script = RunScript(polls_before_end=0, result="FAILED", failed_task="prepare", error=f"auth {TOKEN} rejected")
    setup.workspace.script_run(setup.job_id, script)
    code, out, err = run_main(["--format", fmt, *deploy("-t", "dev", "--run", "train", "--wait", *FAST)], capsys)
    assert code == 1
    written = files.output.read_text() if files.output.exists() else ""
    everything = out + err + written + files.summary_text()
    assert TOKEN not in everything and "***" in everything


def test_json_output_is_schema_valid(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    from brickgate.output import validate_against_schema

    code, out, _ = run_main(["--format", "json", *deploy("-t", "dev", "--dry-run")], capsys)
    document: dict[str, Any] = json.loads(out)
    validate_against_schema(document, "deploy")
    assert code == 0 and document["plan"][0]["tasks"][0] == {
        "key": "prepare",
        "kind": "spark_python_task",
        "compute": "job cluster main",
    }


def test_dry_run_imports_no_heavy_module() -> None:
    """`deploy --dry-run` is a light command: no pandas, Spark, MLflow or databricks-sdk import."""
    import subprocess
    import sys

    heavy = ("pandas", "numpy", "pyspark", "mlflow", "databricks.sdk", "scipy", "deltalake")
    probe = (
        "import sys\nfrom brickgate.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"print('HEAVY:' + ','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    args = ["deploy", str(MINIMAL), "-t", "dev", "--dry-run"]
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "HEAVY:", done.stdout


def test_fake_workspace_lists_jobs_to_the_real_sdk(setup: Setup) -> None:
    """The helper's `jobs/list` (unused by deploy, offered to other tests) speaks the SDK's format."""
    from databricks.sdk import WorkspaceClient

    other = setup.workspace.add_job("scoring", tasks=["score"])
    listed = {job.job_id: job.settings.name for job in WorkspaceClient().jobs.list() if job.settings}
    assert listed == {setup.job_id: "[dev ci] minimal-train-dev", other: "scoring"}
