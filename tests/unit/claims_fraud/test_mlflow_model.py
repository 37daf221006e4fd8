"""The logged pyfunc and the registry steps, against a real MLflow SQLite store in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from claims_fraud import register, score, tree_models
from claims_fraud.features import RAW_INPUTS, features_table, model_frame
from claims_fraud.model import log_model
from claims_fraud.synthetic import generate_claims

pytestmark = pytest.mark.slow


@pytest.fixture
def tracking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import mlflow

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", uri)
    monkeypatch.chdir(tmp_path)  # artifacts of the SQLite store go under the working directory
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    mlflow.set_experiment("claims-fraud-test")
    yield
    mlflow.set_tracking_uri(None)  # type: ignore[arg-type]


def test_logged_model_scores_raw_claims_like_the_trained_model(tracking: None) -> None:
    import mlflow

    claims = generate_claims(4000, seed=3)
    table = features_table(claims)
    train, valid = table[table["split"] == "train"], table[table["split"] == "valid"]
    trained = tree_models.train(
        "xgboost",
        model_frame(train),
        train["is_fraud"].to_numpy(),
        model_frame(valid),
        valid["is_fraud"].to_numpy(),
        config=tree_models.TrainConfig(iterations=30),
    )
    with mlflow.start_run() as run:
        info = log_model(trained, train)
    assert info.signature is not None
    assert info.signature.inputs.input_names() == list(RAW_INPUTS)
    assert info.saved_input_example_info is not None

    first = register.register_candidate(
        f"runs:/{run.info.run_id}/model", "local.fraud.detector", run_id=run.info.run_id
    )
    assert (first.version, first.alias) == ("1", "challenger")
    second = register.register_candidate(
        info.model_uri, "local.fraud.detector", run_id=run.info.run_id, tags={"brickgate.gate.fairness": "passed"}
    )
    assert (second.version, second.alias) == ("2", "challenger")
    client = mlflow.MlflowClient()
    model = client.get_registered_model("local.fraud.detector")
    assert {k: str(v) for k, v in model.aliases.items()} == {
        "challenger": "2"
    }  # registration never makes a champion: promotion does
    client.set_registered_model_alias("local.fraud.detector", "champion", "1")  # what promote-model would do

    champion = score.load_model("local.fraud.detector", "champion")
    assert (champion.version, champion.run_id) == ("1", run.info.run_id)
    batch = generate_claims(500, seed=99)
    rows = score.score_claims(batch, champion, batch_id="b1", scored_at=datetime.now(timezone.utc))
    expected = tree_models.predict_proba(trained, model_frame(features_table(batch)))
    np.testing.assert_allclose(rows[score.SCORE_COLUMN].to_numpy(), expected, rtol=1e-6)
    assert client.get_model_version("local.fraud.detector", "2").tags["brickgate.gate.fairness"] == "passed"
