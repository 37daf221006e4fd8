from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from claims_fraud import jobs
from claims_fraud.score import PREDICTION_COLUMNS, latest_batch, predictions_frame
from claims_fraud.synthetic import generate_claims


def test_predictions_keep_attributes_inputs_and_model() -> None:
    claims = generate_claims(20, seed=2)
    scored_at = datetime(2026, 1, 2, tzinfo=timezone.utc)
    rows = predictions_frame(
        claims, np.linspace(0, 1, 20), model_name="m", model_version="3", batch_id="run-1", scored_at=scored_at
    )
    assert tuple(rows.columns) == PREDICTION_COLUMNS
    assert rows["claim_id"].tolist() == claims["claim_id"].tolist()
    assert (rows["batch_id"] == "run-1").all() and (rows["model_version"] == "3").all()
    with pytest.raises(ValueError, match="2 scores for 20 claims"):
        predictions_frame(claims, np.zeros(2), model_name="m", model_version="3", batch_id="b", scored_at=scored_at)


def test_latest_batch_is_the_newest_scored() -> None:
    rows = pd.DataFrame(
        {
            "batch_id": ["7", "7", "8", "9"],
            "scored_at": pd.to_datetime(["2026-01-03", "2026-01-03", "2026-01-01", "2026-01-02"]),
        }
    )
    assert latest_batch(rows)["batch_id"].tolist() == ["7", "7"]
    with pytest.raises(ValueError, match="run the scoring job first"):
        latest_batch(rows.iloc[:0])


def test_run_turns_user_errors_into_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    def main(argv: object) -> int:
        raise ValueError("claims.csv: column 'claim_id' is missing")

    with pytest.raises(SystemExit) as exit_:
        jobs.run(main, [], program="ingest_data")
    assert exit_.value.code == 2
    assert capsys.readouterr().err == "ingest_data: error: claims.csv: column 'claim_id' is missing\n"


def test_run_exits_with_the_code_main_returns() -> None:
    with pytest.raises(SystemExit) as exit_:
        jobs.run(lambda argv: 1, [], program="score_claims")
    assert exit_.value.code == 1
