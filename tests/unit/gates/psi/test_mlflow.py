"""Profiles as MLflow artifacts: log from training code, gate with runs:/ and models:/ URIs
(local SQLite tracking store in tmp_path)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from brickgate.cli import main
from brickgate.errors import InputError
from brickgate.gates.psi import load_profile, log_profile
from brickgate.gates.psi.pandas import build_profile

pytestmark = pytest.mark.slow


@pytest.fixture
def tracking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    mlflow = pytest.importorskip("mlflow")
    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    mlflow.set_tracking_uri(uri)
    yield mlflow
    if mlflow.active_run() is not None:
        mlflow.end_run()


def test_log_then_load_by_run_and_model_alias(tracking: Any, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"x": rng.normal(size=500), "c": rng.choice(["a", "b"], 500)})
    profile = build_profile(reference)
    with tracking.start_run() as run:
        uri = log_profile(profile)
    assert uri == f"runs:/{run.info.run_id}/psi_profile.json"
    assert load_profile(uri).to_dict() == profile.to_dict()

    client = tracking.MlflowClient()
    client.create_registered_model("fraud")
    version = client.create_model_version("fraud", source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
    client.set_registered_model_alias("fraud", "champion", version.version)
    assert load_profile("models:/fraud@champion/psi_profile.json").to_dict() == profile.to_dict()
    assert load_profile(f"models:/fraud/{version.version}/psi_profile.json").to_dict() == profile.to_dict()

    reference.to_parquet("cur.parquet")
    with pytest.raises(SystemExit) as exit_info:
        main(["psi-gate", "--current", "cur.parquet", "--profile", "models:/fraud@champion/psi_profile.json"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("psi gate: PASS — No drift: all 2 compared features have PSI < 0.1")
    assert "Downloading artifacts" not in out  # MLflow's progress bar stays off stdout


def test_missing_artifact_is_an_input_error(tracking: Any) -> None:
    with tracking.start_run() as run:
        pass
    with pytest.raises(InputError, match=rf"^runs:/{run.info.run_id}/nope.json: cannot download the PSI profile"):
        load_profile(f"runs:/{run.info.run_id}/nope.json")
