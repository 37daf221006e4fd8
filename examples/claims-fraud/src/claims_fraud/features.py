"""Feature engineering shared by training and scoring, so both see exactly the same inputs.

Every feature is computed from one claim row and static reference data (the fee schedule and
the procedures each specialty normally bills), never from statistics of a table: scoring a batch
of one claim gives the same features as scoring it among a million, and nothing has to be fitted
and shipped beside the model.

Protected attributes (gender, region, age group) and the patient's age are deliberately not
model inputs; the fairness gate still checks the scores against them, since other inputs can
act as proxies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from claims_fraud.synthetic import (
    CHANNELS,
    DIAGNOSIS_CODES,
    PROCEDURE_CODES,
    PROCEDURE_COST,
    PROTECTED_ATTRIBUTES,
    SPECIALTIES,
    SPECIALTY_PROCEDURES,
)

if TYPE_CHECKING:
    import pandas as pd

UNKNOWN = "(unknown)"
CATEGORIES: dict[str, tuple[str, ...]] = {
    "provider_specialty": (*SPECIALTIES, UNKNOWN),
    "procedure_code": (*PROCEDURE_CODES, UNKNOWN),
    "diagnosis_code": (*DIAGNOSIS_CODES, UNKNOWN),
    "submission_channel": (*CHANNELS, UNKNOWN),
}
CATEGORICAL_FEATURES = tuple(CATEGORIES)
NUMERIC_FEATURES = (
    "claim_amount",
    "num_procedures",
    "days_since_last_claim",
    "prior_claims_12m",
    "amount_per_procedure",
    "amount_vs_fee_schedule",
    "specialty_mismatch",
    "service_weekday",
)
FEATURES = CATEGORICAL_FEATURES + NUMERIC_FEATURES
RAW_INPUTS = (
    "provider_specialty",
    "procedure_code",
    "diagnosis_code",
    "claim_amount",
    "num_procedures",
    "days_since_last_claim",
    "prior_claims_12m",
    "submission_channel",
    "service_date",
)
LABEL = "is_fraud"
# Inputs the PSI gate watches for drift (with the model's score): the raw values a claim arrives
# with, which are also the columns the predictions table keeps.
MONITORED_FEATURES = (
    "claim_amount",
    "num_procedures",
    "days_since_last_claim",
    "prior_claims_12m",
    "submission_channel",
    "provider_specialty",
    "procedure_code",
    "diagnosis_code",
)
MISSING_INPUT = "claims are missing column '{name}' needed for features (needed: {needed})"


def build_features(claims: pd.DataFrame) -> pd.DataFrame:
    """The model's input frame (columns `FEATURES`, same index) for raw claims.

    amount_per_procedure = claim_amount / max(num_procedures, 1);
    amount_vs_fee_schedule = claim_amount / (fee(procedure_code) · max(num_procedures, 1)),
    NaN for an unknown procedure code (both libraries treat NaN as missing);
    specialty_mismatch = 1 when the procedure is not one the provider's specialty bills;
    service_weekday = 0 (Monday) … 6. Categorical columns get a fixed category list, with
    values never seen mapped to "(unknown)", so the codes XGBoost sees never depend on the batch.

    Raises
    ------
    ValueError
        When a column of `RAW_INPUTS` is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"provider_specialty": ["laboratory"], "procedure_code": ["80053"],
    ...     "diagnosis_code": ["E11.9"], "claim_amount": [100.0], "num_procedures": [2],
    ...     "days_since_last_claim": [3], "prior_claims_12m": [1], "submission_channel": ["fax"],
    ...     "service_date": [pd.Timestamp("2025-03-03")]})
    >>> row = build_features(raw).iloc[0]
    >>> float(row["amount_vs_fee_schedule"]), int(row["specialty_mismatch"]), row["submission_channel"]
    (2.0, 0, '(unknown)')
    """
    import pandas as pd

    for name in RAW_INPUTS:
        if name not in claims.columns:
            raise ValueError(MISSING_INPUT.format(name=name, needed=", ".join(RAW_INPUTS)))
    features = pd.DataFrame(index=claims.index)
    for name, categories in CATEGORIES.items():
        features[name] = _categorical(claims[name], categories)
    amount = claims["claim_amount"].astype("float64")
    procedures = claims["num_procedures"].astype("float64").clip(lower=1.0)
    fee = claims["procedure_code"].astype("string").map(PROCEDURE_COST).astype("float64")
    features["claim_amount"] = amount
    for name in ("num_procedures", "days_since_last_claim", "prior_claims_12m"):
        features[name] = claims[name].astype("int64")
    features["amount_per_procedure"] = amount / procedures
    features["amount_vs_fee_schedule"] = amount / (fee * procedures)
    specialty = claims["provider_specialty"].astype("string").fillna(UNKNOWN)
    procedure = claims["procedure_code"].astype("string").fillna(UNKNOWN)
    features["specialty_mismatch"] = np.array(
        [int(code not in SPECIALTY_PROCEDURES.get(str(s), {})) for s, code in zip(specialty, procedure, strict=True)],
        dtype=np.int64,
    )
    features["service_weekday"] = pd.to_datetime(claims["service_date"]).dt.weekday.astype("int64")
    return features[list(FEATURES)]


def features_table(claims: pd.DataFrame) -> pd.DataFrame:
    """Rows of the features table: ids, split, label, protected attributes and `FEATURES`.

    Categorical features are stored as text (Delta has no category type); `model_frame` restores
    the categories. The protected attributes ride along for the fairness gate, not for the model.
    """
    table = claims[["claim_id", "service_date", LABEL, *PROTECTED_ATTRIBUTES]].copy()
    table.insert(1, "split", assign_splits(claims["service_date"]))
    features = build_features(claims)
    for name in CATEGORICAL_FEATURES:
        features[name] = features[name].astype("string").astype(object)
    return table.join(features).reset_index(drop=True)


def model_frame(features_table: pd.DataFrame) -> pd.DataFrame:
    """The model's input frame from rows of the features table (categories restored after Delta)."""
    frame = features_table[list(FEATURES)].copy()
    for name, categories in CATEGORIES.items():
        frame[name] = _categorical(frame[name], categories)
    return frame


def assign_splits(service_date: pd.Series, shares: tuple[float, float] = (0.6, 0.2)) -> np.ndarray:
    """`train`, `valid` or `test` per row, in time order: the oldest claims train, the newest test.

    A time split is what deployment looks like (the model scores claims newer than any it saw);
    rows on the same date keep their order (stable sort), so the split is deterministic.

    >>> import pandas as pd
    >>> dates = pd.Series(pd.to_datetime(["2025-01-05", "2025-01-01", "2025-01-03", "2025-01-02", "2025-01-04"]))
    >>> assign_splits(dates).tolist()
    ['test', 'train', 'train', 'train', 'valid']
    """
    import pandas as pd

    order = np.argsort(pd.to_datetime(service_date).to_numpy(), kind="stable")
    train_end = round(shares[0] * order.size)
    valid_end = round((shares[0] + shares[1]) * order.size)
    splits = np.empty(order.size, dtype=object)
    splits[order[:train_end]] = "train"
    splits[order[train_end:valid_end]] = "valid"
    splits[order[valid_end:]] = "test"
    return splits


def _categorical(values: pd.Series, categories: tuple[str, ...]) -> pd.Categorical:
    import pandas as pd

    text = values.astype("string")
    return pd.Categorical(text.where(text.isin(categories), UNKNOWN), categories=categories)
