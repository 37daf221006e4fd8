"""The reference bundle: valid for every target, and shaped as the issue specifies."""

from __future__ import annotations

from typing import Any

import pytest

from brickgate.bundle import ValidateOptions, load_bundle, validate_bundle

from .conftest import EXAMPLE

TARGETS = ("local", "dev", "staging", "prod")
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
