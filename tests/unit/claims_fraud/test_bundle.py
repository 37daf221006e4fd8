"""The reference bundle: valid for every target, and shaped as the issue specifies."""

from __future__ import annotations

from typing import Any

import pytest

from brickgate.bundle import ValidateOptions, load_bundle, validate_bundle

from .conftest import EXAMPLE

TARGETS = ("local", "dev", "dev_serverless", "staging", "prod")
DEPLOYED = ("dev", "dev_serverless", "staging", "prod")
TRAINING_DAG = {
    "data_ingestion": set(),
    "feature_engineering": {"data_ingestion"},
    "train_catboost": {"feature_engineering"},
    "train_xgboost": {"feature_engineering"},
    "model_evaluation": {"train_catboost", "train_xgboost"},
    "fairness_analysis": {"model_evaluation"},
    "psi_monitoring": {"model_evaluation"},
    "model_registration": {"fairness_analysis", "psi_monitoring"},
}


def tasks(job: Any) -> dict[str, Any]:
    return {task["task_key"]: task for task in job["tasks"]}


@pytest.mark.parametrize("target", TARGETS)
def test_every_target_validates_without_errors_or_warnings(target: str) -> None:
    result = validate_bundle(EXAMPLE, ValidateOptions(target=target, strict=True, databricks_cli=False, env={}))
    assert [f"{d.rule} {d.message}" for d in result.diagnostics if d.severity in ("error", "warning")] == []


def test_local_is_the_default_target_and_prod_runs_as_the_service_principal() -> None:
    assert load_bundle(EXAMPLE, env={}).target == "local"
    prod = load_bundle(EXAMPLE, target="prod", env={})
    assert prod.mode == "production"
    assert prod.config["workspace"]["root_path"] == "/Workspace/Shared/.bundle/claims-fraud/prod"
    assert prod.config["run_as"] == {"service_principal_name": prod.variables["service_principal"]}
    assert load_bundle(EXAMPLE, target="dev", env={}).mode == "development"


def test_training_job_dag_clusters_and_parameters() -> None:
    job = load_bundle(EXAMPLE, target="prod", env={}).job("model_training_job")
    found = {key: {d["task_key"] for d in task.get("depends_on", [])} for key, task in tasks(job).items()}
    assert found == TRAINING_DAG
    assert tasks(job)["model_registration"]["run_if"] == "ALL_SUCCESS"
    cluster = job["job_clusters"][0]["new_cluster"]
    assert set(cluster["autoscale"]) == {"min_workers", "max_workers"}
    assert cluster["aws_attributes"]["availability"] == "SPOT_WITH_FALLBACK"
    assert job["email_notifications"]["on_failure"]
    assert {"data_size", "protected_attributes"} <= {p["name"] for p in job["parameters"]}


def test_cloud_attributes_come_from_one_variable() -> None:
    bundle = load_bundle(EXAMPLE, target="prod", env={})
    clusters = [c["new_cluster"] for job in bundle.jobs.values() for c in job["job_clusters"]]
    assert len(clusters) == 3 and all(cluster == bundle.variables["job_cluster"] for cluster in clusters)
    written = [path for path in (EXAMPLE / "resources").rglob("*.yml") if "aws_attributes" in path.read_text()]
    assert written == []  # only var.job_cluster's default (databricks.yml) names the cloud


@pytest.mark.parametrize("target", ["dev", "staging", "prod"])
def test_job_clusters_attach_the_projects_wheel(target: str) -> None:
    bundle = load_bundle(EXAMPLE, target=target, env={})
    assert bundle.config["artifacts"]["claims_fraud"] == {
        "type": "whl",
        "path": ".",
        "build": "python3 -m pip wheel --no-deps --wheel-dir dist .",
    }
    for job in bundle.jobs.values():
        assert "environments" not in job
        for task in job["tasks"]:
            assert task["libraries"] == [{"whl": "dist/*.whl"}], task["task_key"]
            assert task["job_cluster_key"] == job["job_clusters"][0]["job_cluster_key"]
            assert task["python_wheel_task"]["package_name"] == "claims_fraud"


def test_serverless_target_uses_environments_with_the_same_wheel() -> None:
    bundle = load_bundle(EXAMPLE, target="dev_serverless", env={})
    for job in bundle.jobs.values():
        assert "job_clusters" not in job
        assert job["environments"] == [
            {"environment_key": "default", "spec": {"environment_version": "2", "dependencies": ["dist/*.whl"]}}
        ]
        for task in job["tasks"]:
            assert task["environment_key"] == "default" and "libraries" not in task and "job_cluster_key" not in task


def test_entry_points_are_the_wheels_and_brickgate_is_pinned_to_this_release() -> None:
    import tomllib

    from brickgate import __version__

    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert f"brickgate[mlflow]=={__version__}" in project["dependencies"]
    assert {"catboost>=1.2", "xgboost>=2.0", "scikit-learn>=1.4"} <= set(project["dependencies"])
    for job in load_bundle(EXAMPLE, env={}).jobs.values():
        for task in job["tasks"]:
            entry = task["python_wheel_task"]["entry_point"]
            assert project["scripts"][entry] == f"claims_fraud.tasks.{entry}:run"


@pytest.mark.parametrize("target", DEPLOYED)
def test_demo_only_parameters_and_the_synthetic_batch_are_local_only(target: str) -> None:
    bundle = load_bundle(EXAMPLE, target=target, env={})
    training = bundle.job("model_training_job")
    assert not {"bias_attribute", "bias_group", "bias_strength"} & {p["name"] for p in training["parameters"]}
    assert not any(
        arg.startswith("--bias-") for task in training["tasks"] for arg in task["python_wheel_task"]["parameters"]
    )
    scoring = bundle.job("scoring_job")
    assert list(tasks(scoring)) == ["score_claims"] and "parameters" not in scoring
    assert "--claims-table=claims_incoming" in tasks(scoring)["score_claims"]["python_wheel_task"]["parameters"]


def test_local_target_generates_the_batch_and_takes_the_demo_parameters() -> None:
    bundle = load_bundle(EXAMPLE, target="local", env={})
    training = bundle.job("model_training_job")
    assert {"bias_attribute", "bias_group", "bias_strength"} <= {p["name"] for p in training["parameters"]}
    ingestion = tasks(training)["data_ingestion"]["python_wheel_task"]["parameters"]
    assert ingestion[:2] == ["--catalog=local", "--schema=claims_fraud"]
    assert "--bias-group={{job.parameters.bias_group}}" in ingestion
    scoring = tasks(bundle.job("scoring_job"))
    assert scoring["score_claims"]["depends_on"] == [{"task_key": "ingest_new_claims"}]
    assert "--unlabelled" in scoring["ingest_new_claims"]["python_wheel_task"]["parameters"]


def test_the_bundle_creates_its_schema_and_jobs_use_the_deployed_name() -> None:
    prod = load_bundle(EXAMPLE, target="prod", env={})
    assert prod.config["resources"]["schemas"]["claims_fraud"] == {
        "catalog_name": "prod",
        "name": "claims_fraud",
        "comment": "Claims fraud detection (brickgate reference project) — tables, gate results, model.",
    }
    written = (EXAMPLE / "resources" / "jobs" / "scoring_job.yml").read_text(encoding="utf-8")
    assert "--schema=${resources.schemas.claims_fraud.name}" in written  # dev mode's prefix reaches the jobs


def test_monitoring_job_schedule_parameters_and_alerts() -> None:
    job = load_bundle(EXAMPLE, target="prod", env={}).job("monitoring_job")
    assert job["schedule"]["quartz_cron_expression"] == "0 0 */4 * * ?"
    assert job["schedule"]["timezone_id"] == "America/Los_Angeles"
    fairness = tasks(job)["fairness_check"]["python_wheel_task"]
    assert (fairness["package_name"], fairness["entry_point"]) == ("claims_fraud", "fairness_validate")
    parameters = " ".join(fairness["parameters"])
    assert (
        "--protected-attributes patient_gender,geographic_region,patient_age_group --threshold-percentile 95.0 "
        "--fail-on-bias"
    ) in parameters
    assert "--alert=slack,pagerduty" in parameters  # prod's alert_channels variable


def test_scoring_job_uses_the_champion() -> None:
    job = load_bundle(EXAMPLE, env={}).job("scoring_job")
    assert "--alias=champion" in tasks(job)["score_claims"]["python_wheel_task"]["parameters"]
