"""Batch scoring: the model under an alias (normally `champion`) scores new claims.

The predictions table keeps, beside each score, the protected attributes and the model's raw
inputs, so monitoring can run the fairness gate (scores by group) and the PSI gate (inputs and
scores against the training baseline) on the latest batch without joining anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from claims_fraud.features import RAW_INPUTS
from claims_fraud.synthetic import PROTECTED_ATTRIBUTES

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SCORE_COLUMN = "fraud_score"
PREDICTION_COLUMNS = (
    "batch_id",
    "claim_id",
    *PROTECTED_ATTRIBUTES,
    *RAW_INPUTS,
    SCORE_COLUMN,
    "model_name",
    "model_version",
    "scored_at",
)


@dataclass(frozen=True, kw_only=True)
class ScoringModel:
    """A loaded model and the registry version it came from."""

    name: str
    version: str
    alias: str
    run_id: str
    pyfunc: Any


def load_model(model_name: str, alias: str = "champion") -> ScoringModel:
    """Load `models:/<name>@<alias>` and resolve which version and run it is."""
    import mlflow
    from mlflow import MlflowClient

    version = MlflowClient().get_model_version_by_alias(model_name, alias)
    pyfunc = mlflow.pyfunc.load_model(f"models:/{model_name}@{alias}")
    return ScoringModel(
        name=model_name, version=str(version.version), alias=alias, run_id=str(version.run_id), pyfunc=pyfunc
    )


def predictions_frame(
    claims: pd.DataFrame,
    scores: np.ndarray,
    *,
    model_name: str,
    model_version: str,
    batch_id: str,
    scored_at: datetime,
) -> pd.DataFrame:
    """The rows appended to the predictions table (columns `PREDICTION_COLUMNS`).

    Examples
    --------
    >>> import numpy as np
    >>> from claims_fraud.synthetic import generate_claims
    >>> claims = generate_claims(3, seed=1)
    >>> rows = predictions_frame(claims, np.array([0.1, 0.9, 0.5]), model_name="m", model_version="2",
    ...                          batch_id="b1", scored_at=datetime(2025, 1, 1))
    >>> rows[["claim_id", "fraud_score", "model_version"]].values.tolist()
    [['CLM-0000001', 0.1, '2'], ['CLM-0000002', 0.9, '2'], ['CLM-0000003', 0.5, '2']]
    """
    if len(scores) != len(claims):
        raise ValueError(f"{len(scores)} scores for {len(claims)} claims")
    rows = claims[["claim_id", *PROTECTED_ATTRIBUTES, *RAW_INPUTS]].copy()
    rows.insert(0, "batch_id", batch_id)
    rows[SCORE_COLUMN] = scores.astype("float64")
    rows["model_name"] = model_name
    rows["model_version"] = model_version
    rows["scored_at"] = scored_at
    return rows[list(PREDICTION_COLUMNS)].reset_index(drop=True)


def latest_batch(predictions: pd.DataFrame) -> pd.DataFrame:
    """The rows of the most recently scored batch (by `scored_at`), what monitoring checks.

    >>> import pandas as pd
    >>> scored_at = pd.to_datetime(["2025-01-01", "2025-01-01", "2025-02-01"])
    >>> rows = pd.DataFrame({"batch_id": ["a", "a", "b"], "scored_at": scored_at})
    >>> latest_batch(rows)["batch_id"].tolist()
    ['b']
    """
    if predictions.empty:
        raise ValueError("the predictions table is empty: run the scoring job first")
    newest = predictions.loc[predictions["scored_at"].idxmax(), "batch_id"]
    return predictions[predictions["batch_id"] == newest].reset_index(drop=True)


def score_claims(claims: pd.DataFrame, model: ScoringModel, *, batch_id: str, scored_at: datetime) -> pd.DataFrame:
    """Score raw claims with `model` and shape the predictions rows."""
    import numpy as np
    import pandas as pd

    model_input = claims[list(RAW_INPUTS)].copy()
    model_input["service_date"] = pd.to_datetime(model_input["service_date"])
    scores = np.asarray(model.pyfunc.predict(model_input), dtype=np.float64)
    return predictions_frame(
        claims, scores, model_name=model.name, model_version=model.version, batch_id=batch_id, scored_at=scored_at
    )
