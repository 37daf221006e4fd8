"""brickgate's reusable cd-prod workflow under act, called from a repository made by `brickgate init`.

Real pieces: the caller workflow init wrote (tracking URIs added, as a user would), the
reusable workflow, every composite action and the CLI. Stand-ins: the recording Databricks CLI
(deploy, summary), a fake workspace the real databricks-sdk talks to (jobs, run-now, runs), a
real MLflow server on 127.0.0.1 (promotion), a bare git repository as `origin` (tag push) and a
recording HTTP server as the GitHub API (release). When the staging fairness gate fails, nothing
reaches prod; when both gates pass, prod is deployed, tagged and the model promoted to champion.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.act import ActRun, act, git_repo
from tests.e2e.conftest import ENVIRONMENT_TOKENS, FakeDatabricksEnv
from tests.helpers.http_recorder import HttpRecorder, RecordedRequest, Reply
from tests.helpers.mlflow_server import MlflowServer, mlflow_server  # noqa: F401 - the fixture

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.mlflow_server]
VERSION = "v1.0.0"


@dataclass
class Release:
    run: ActRun
    databricks: FakeDatabricksEnv
    origin: Path
    github: HttpRecorder
    tracking_uri: str
    model: str

    def origin_tags(self) -> list[str]:
        done = subprocess.run(["git", "tag"], cwd=self.origin, capture_output=True, text=True, check=True)
        return done.stdout.split()

    def aliases(self) -> dict[str, str]:
        from mlflow import MlflowClient

        client = MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri)
        return {alias: str(v) for alias, v in client.get_registered_model(self.model).aliases.items()}


def github_api(request: RecordedRequest) -> Reply:
    """GitHub releases API: no release yet for the tag (404), then created (201)."""
    if request.method == "GET":
        return Reply.json_body({"message": "Not Found"}, status=404)
    return Reply.json_body({"html_url": f"https://github.example/acme/claims-fraud/releases/{VERSION}"}, status=201)


def register_challenger(tracking_uri: str, model: str) -> str:
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    client.create_registered_model(model)
    run_id = client.create_run(client.create_experiment(f"e2e-{model}")).info.run_id
    client.set_terminated(run_id)
    version = str(client.create_model_version(model, source=f"runs:/{run_id}/model", run_id=run_id).version)
    client.set_registered_model_alias(model, "challenger", version)
    return version


@pytest.fixture
def release(
    request: pytest.FixtureRequest,
    consumer_repo: Path,
    tmp_path: Path,
    e2e_data: dict[str, Path],
    mlflow_server: MlflowServer,  # noqa: F811 - the imported fixture
    act_source: Path,
    act_cache: Path,
    shared_venv: Path,
    fake_databricks_env: FakeDatabricksEnv,
) -> Iterator[Release]:
    scored: str = request.param
    repo = consumer_repo
    (repo / "data").mkdir()
    shutil.copy(e2e_data[scored], repo / "data" / "staging_scored.parquet")
    shutil.copy(e2e_data["current_stable.parquet"], repo / "data" / "staging_features.parquet")
    shutil.copy(e2e_data["reference.parquet"], repo / "data" / "reference_features.parquet")
    caller = repo / ".github" / "workflows" / "brickgate-cd-prod.yml"
    text = caller.read_text(encoding="utf-8")
    where = f"      tracking-uri: {mlflow_server.url}\n      registry-uri: {mlflow_server.url}\n"
    caller.write_text(text.replace("    secrets:\n", where + "    secrets:\n"), encoding="utf-8")
    model = f"main.claims_fraud.model_{tmp_path.name[-12:].replace('-', '_')}"
    caller.write_text(caller.read_text(encoding="utf-8").replace("main.claims_fraud.model", model), encoding="utf-8")
    git_repo(repo)
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    subprocess.run(["git", "remote", "add", "origin", str(origin)], cwd=repo, check=True)
    subprocess.run(["git", "push", "-q", "origin", "main"], cwd=repo, check=True, capture_output=True)
    register_challenger(mlflow_server.url, model)

    with HttpRecorder(handler=github_api) as github:
        run = act(
            repo,
            "workflow_dispatch",
            source=act_source,
            cache=act_cache,
            workflows=caller,
            inputs={"version": VERSION, "confirm": "deploy-to-production"},
            env=fake_databricks_env.env
            | {
                "BRICKGATE_VENV": str(shared_venv),
                "E2E_ARTIFACTS": str(tmp_path / "artifacts"),
                "GITHUB_API_URL": github.url("").rstrip("/"),
                "GITHUB_REPOSITORY": "acme/claims-fraud",
            },
            secrets={
                "DATABRICKS_TOKEN_DEV": ENVIRONMENT_TOKENS["dev"],  # set in the repository, never passed on
                "DATABRICKS_TOKEN_STAGING": ENVIRONMENT_TOKENS["staging"],
                "DATABRICKS_TOKEN_PROD": ENVIRONMENT_TOKENS["production"],
                "GITHUB_TOKEN": "ghs-e2e-token",
            },
            variables=fake_databricks_env.variables,
        )
        yield Release(
            run=run,
            databricks=fake_databricks_env,
            origin=origin,
            github=github,
            tracking_uri=mlflow_server.url,
            model=model,
        )


@pytest.mark.parametrize("release", ["biased.parquet"], indirect=True)
def test_failed_staging_gate_stops_before_prod(release: Release) -> None:
    results = release.run.job_results()
    assert results["deploy-staging"] == "success" and results["staging-gates"] == "failure"
    assert results.get("production", "skipped") == "skipped", release.run.log()
    assert results["summary"] == "success" and release.run.returncode != 0
    assert release.databricks.deployed_targets() == ["staging"]
    assert VERSION not in release.origin_tags()
    assert "champion" not in release.aliases()
    assert not [r for r in release.github.requests if r.method == "POST"]
    assert "Production untouched: a stage before it failed." in release.run.summary()
    assert set(release.databricks.workspace.token_owners) == {"staging"}


@pytest.mark.parametrize("release", ["fair.parquet"], indirect=True)
def test_passing_gates_reach_tag_and_promotion(release: Release) -> None:
    results = release.run.job_results()
    expected = ("validate-inputs", "deploy-staging", "staging-gates", "production", "summary")
    assert {job: results.get(job) for job in expected} == dict.fromkeys(expected, "success"), release.run.log()
    assert release.run.returncode == 0
    assert release.databricks.deployed_targets() == ["staging", "prod"]
    assert release.databricks.runs_of("validate_model") == len(release.databricks.workspace.runs) == 1
    assert VERSION in release.origin_tags()
    assert release.aliases()["champion"] == "1"
    posts = [r for r in release.github.requests if r.method == "POST"]
    assert len(posts) == 1 and posts[0].json()["tag_name"] == VERSION
    assert "Fairness gate" in posts[0].json()["body"]

    # Each environment's token reaches only its own job: deploy-staging holds only
    # DATABRICKS_TOKEN_STAGING, production only DATABRICKS_TOKEN_PROD, and the dev token (a secret
    # of the repository, not passed on) reaches nothing: per CLI call and per workspace request.
    order = ["staging", "production"]
    calls = release.databricks.credentials_by_call()
    assert all(len(tokens) == 1 for _, tokens in calls), calls
    holders = [tokens[0] for _, tokens in calls]
    assert set(holders) == set(order) and holders == sorted(holders, key=order.index), calls
    deploys = [call for call in calls if call[0] in ("staging", "prod")]
    assert deploys == [("staging", ["staging"]), ("prod", ["production"])]
    owners = release.databricks.workspace.token_owners
    assert set(owners) == set(order) and owners == sorted(owners, key=order.index), owners


def test_dispatch_from_another_branch_stops_before_staging(
    consumer_repo: Path, act_source: Path, act_cache: Path, fake_databricks_env: FakeDatabricksEnv
) -> None:
    """cd-prod runs from the default branch (or `release-branches`) only: from `feature` nothing
    is deployed, tagged or promoted."""
    git_repo(consumer_repo)
    subprocess.run(["git", "checkout", "-q", "-b", "feature"], cwd=consumer_repo, check=True)
    inputs = {"version": VERSION, "confirm": "deploy-to-production"}
    run = act(
        consumer_repo,
        "workflow_dispatch",
        source=act_source,
        cache=act_cache,
        workflows=consumer_repo / ".github" / "workflows" / "brickgate-cd-prod.yml",
        inputs=inputs,
        env=fake_databricks_env.env,
        variables=fake_databricks_env.variables,
        payload={"ref": "refs/heads/feature", "repository": {"default_branch": "main"}, "inputs": inputs},
    )
    results = run.job_results()
    assert results["validate-inputs"] == "failure", run.log()
    assert all(results.get(job, "skipped") == "skipped" for job in ("deploy-staging", "staging-gates", "production"))
    assert "cd-prod runs only from main, not from branch feature" in run.annotations()
    assert fake_databricks_env.deployed_targets() == []
