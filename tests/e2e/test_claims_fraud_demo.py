"""The reference project end to end on small data, as `make demo DEMO_SIZE=small` runs it.

A copy of `examples/claims-fraud` in tmp_path is run with the real CLI (`brickgate run`,
`brickgate promote-model`), so the test never touches the repository's `.brickgate/`; every
assertion reads what the jobs left behind: run records, the MLflow SQLite store, Delta tables.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "claims-fraud"
SMALL_ROWS = 60_000  # DEMO_ROWS_small in the Makefile
SMALL_BATCH = 40_000  # DEMO_BATCH_small
MODEL = "local.claims_fraud.claims_fraud_detector"
TRAINING_TASKS = (
    "data_ingestion",
    "feature_engineering",
    "train_catboost",
    "train_xgboost",
    "model_evaluation",
    "fairness_analysis",
    "psi_monitoring",
    "model_registration",
)
FEATURE_TABLE_COLUMNS = {"claim_id", "split", "service_date", "is_fraud", "patient_gender", "provider_specialty"}


def brickgate(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "brickgate"), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, env=dict(os.environ))


def run_job(bundle: Path, job: str, *params: str) -> dict[str, Any]:
    """`brickgate run` the job; return its run record (run.json)."""
    options = [item for param in params for item in ("--param", param)]
    done = brickgate("run", str(bundle), job, "-t", "local", *options)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    records = sorted((bundle / ".brickgate" / "runs").glob("*/run.json"), key=lambda p: p.stat().st_mtime)
    record: dict[str, Any] = json.loads(records[-1].read_text(encoding="utf-8"))
    assert record["job_key"] == job
    return record


def table(bundle: Path, name: str) -> Any:
    from deltalake import DeltaTable

    return DeltaTable(str(bundle / ".brickgate" / "warehouse" / "local" / "claims_fraud" / name))


def interval(record: dict[str, Any], task_key: str) -> tuple[datetime, datetime]:
    task = next(t for t in record["tasks"] if t["task_key"] == task_key)
    attempt = task["attempts"][-1]
    return datetime.fromisoformat(attempt["started_at"]), datetime.fromisoformat(attempt["ended_at"])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Run training, promotion, scoring and monitoring (twice) once for the whole module."""
    bundle = tmp_path_factory.mktemp("demo") / "claims-fraud"
    shutil.copytree(EXAMPLE, bundle, ignore=shutil.ignore_patterns(".brickgate", "__pycache__"))
    saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith(("BRICKGATE_", "MLFLOW_"))}
    try:
        training = run_job(bundle, "model_training_job", f"data_size={SMALL_ROWS}")
        uri = f"sqlite:///{bundle / '.brickgate' / 'mlflow.db'}"
        promoted = brickgate(
            "promote-model", "--model", MODEL, "--from-alias", "challenger", "--require-gates",
            "--tracking-uri", uri, "--registry-uri", uri,
        )  # fmt: skip
        assert promoted.returncode == 0, promoted.stdout + promoted.stderr
        scoring = run_job(bundle, "scoring_job", f"batch_size={SMALL_BATCH}")
        monitoring = [run_job(bundle, "monitoring_job") for _ in range(2)]
        yield {"bundle": bundle, "uri": uri, "training": training, "scoring": scoring, "monitoring": monitoring}
    finally:
        os.environ.update(saved)


@pytest.fixture
def client(demo: dict[str, Any]) -> Iterator[Any]:
    import warnings

    with warnings.catch_warnings():  # mlflow 3.17 warns about its own type hints on first import
        warnings.simplefilter("ignore", UserWarning)
        import mlflow
    mlflow.set_tracking_uri(demo["uri"])
    mlflow.set_registry_uri(demo["uri"])
    yield mlflow.MlflowClient()
    mlflow.set_tracking_uri(None)  # type: ignore[arg-type]
    mlflow.set_registry_uri(None)  # type: ignore[arg-type]


def test_every_training_task_succeeded_and_the_two_trainings_overlapped(demo: dict[str, Any]) -> None:
    record = demo["training"]
    assert record["state"] == "SUCCESS"
    assert {t["task_key"]: t["state"] for t in record["tasks"]} == dict.fromkeys(TRAINING_TASKS, "SUCCESS")
    catboost, xgboost = interval(record, "train_catboost"), interval(record, "train_xgboost")
    assert max(catboost[0], xgboost[0]) < min(catboost[1], xgboost[1])  # ran at the same time


def test_both_models_are_logged_with_model_profile_and_metrics(demo: dict[str, Any], client: Any) -> None:
    from mlflow.models import get_model_info

    experiment = client.get_experiment_by_name("claims-fraud")
    runs = client.search_runs([experiment.experiment_id], "tags.`claims_fraud.role` = 'training'")
    assert sorted(run.data.tags["claims_fraud.model_kind"] for run in runs) == ["catboost", "xgboost"]
    for run in runs:
        assert {"valid_pr_auc", "test_pr_auc", "test_roc_auc", "test_recall_at_top"} <= set(run.data.metrics)
        assert run.data.params["train_rows"] == str(int(SMALL_ROWS * 0.6))
        assert [a.path for a in client.list_artifacts(run.info.run_id, "psi")] == ["psi/baseline_profile.json"]
        info = get_model_info(f"runs:/{run.info.run_id}/model")
        assert info.signature is not None and info.saved_input_example_info is not None


def test_winner_registered_challenger_with_gate_results_then_promoted(demo: dict[str, Any], client: Any) -> None:
    model = client.get_registered_model(MODEL)
    assert {alias: str(version) for alias, version in model.aliases.items()} == {"challenger": "1", "champion": "1"}
    version = client.get_model_version(MODEL, "1")
    candidate = client.get_run(version.run_id)
    fairness = json.loads(
        Path(client.download_artifacts(candidate.info.run_id, "gates/fairness-result.json")).read_text("utf-8")
    )
    assert fairness["passed"] is True
    winner_metrics = {
        run.data.tags["claims_fraud.model_kind"]: run.data.metrics["test_pr_auc"]
        for run in client.search_runs([candidate.info.experiment_id], "tags.`claims_fraud.role` = 'training'")
    }
    assert candidate.data.tags["claims_fraud.model_kind"] == max(winner_metrics, key=winner_metrics.__getitem__)
    for gate in ("fairness", "psi"):
        assert candidate.data.tags[f"brickgate.gate.{gate}"] == "passed"
        assert version.tags[f"brickgate.gate.{gate}"] == "passed"
        assert f"gates/{gate}-result.json" in {a.path for a in client.list_artifacts(candidate.info.run_id, "gates")}


def test_delta_tables_have_the_expected_schemas(demo: dict[str, Any]) -> None:
    sys.path.insert(0, str(EXAMPLE / "src"))
    from claims_fraud.score import PREDICTION_COLUMNS
    from claims_fraud.synthetic import COLUMNS

    bundle = demo["bundle"]
    raw = table(bundle, "claims_raw")
    assert [field.name for field in raw.schema().fields] == list(COLUMNS)
    assert raw.to_pyarrow_dataset().count_rows() == SMALL_ROWS
    assert {field.name for field in table(bundle, "claims_features").schema().fields} >= FEATURE_TABLE_COLUMNS
    predictions = table(bundle, "claims_predictions").to_pandas()
    assert tuple(predictions.columns) == PREDICTION_COLUMNS
    assert len(predictions) == SMALL_BATCH
    assert predictions["fraud_score"].between(0, 1).all()
    assert set(predictions["batch_id"]) == {str(demo["scoring"]["run_id"])}
    assert set(predictions["model_version"]) == {"1"}


def test_monitoring_appends_its_results_every_run(demo: dict[str, Any]) -> None:
    bundle = demo["bundle"]
    for name in ("fairness_results", "psi_results"):
        results = table(bundle, name)
        assert results.version() == 1  # created by the first monitoring run, appended by the second
        rows = results.to_pandas()
        first = table(bundle, name)
        first.load_as_version(0)
        assert len(rows) == 2 * first.to_pyarrow_dataset().count_rows() > 0


def test_summary_reports_what_ran(demo: dict[str, Any]) -> None:
    env = {**os.environ, "PYTHONPATH": str(EXAMPLE / "src")}
    command: Sequence[str] = [sys.executable, "-m", "claims_fraud.demo", "summary", "--bundle", str(demo["bundle"])]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert f"model_training_job   run {demo['training']['run_id']}  SUCCESS" in done.stdout
    assert "train_catboost ‖ train_xgboost ran together for" in done.stdout
    assert "training gates on the candidate run: fairness passed" in done.stdout
    assert f"mlflow ui --backend-store-uri {demo['uri']}" in done.stdout


def test_planted_bias_fails_the_fairness_gate_and_alerts(tmp_path: Path) -> None:
    """`make demo-bias DEMO_SIZE=small`: the gate fails for a real reason and the alert goes out."""
    bundle = tmp_path / "claims-fraud"
    shutil.copytree(EXAMPLE, bundle, ignore=shutil.ignore_patterns(".brickgate", "__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRICKGATE_", "MLFLOW_"))}
    env["PYTHONPATH"] = str(EXAMPLE / "src")
    training = [str(Path(sys.executable).parent / "brickgate"), "run", str(bundle), "model_training_job", "-t", "local"]
    training += ["--var", "alert_channels=webhook", "--param", f"data_size={SMALL_ROWS}"]
    training += ["--param", "bias_attribute=patient_gender", "--param", "bias_group=F"]
    command = [sys.executable, "-m", "claims_fraud.demo", "capture-alerts", "--expect-failure", "--", *training]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert '"title": "Bias detected in patient_gender"' in done.stdout
    record = json.loads(next((bundle / ".brickgate" / "runs").glob("*/run.json")).read_text(encoding="utf-8"))
    states = {task["task_key"]: task["state"] for task in record["tasks"]}
    assert (states["fairness_analysis"], states["model_registration"]) == ("FAILED", "UPSTREAM_FAILED")
