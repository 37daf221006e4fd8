from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from brickgate.tables import read_table, write_table
from claims_fraud.features import (
    CATEGORICAL_FEATURES,
    FEATURES,
    UNKNOWN,
    assign_splits,
    build_features,
    features_table,
    model_frame,
)
from claims_fraud.synthetic import generate_claims


def raw(**overrides: object) -> pd.DataFrame:
    row: dict[str, object] = {
        "provider_specialty": "cardiology",
        "procedure_code": "93306",
        "diagnosis_code": "I10",
        "claim_amount": 1260.0,
        "num_procedures": 2,
        "days_since_last_claim": 3,
        "prior_claims_12m": 4,
        "submission_channel": "paper",
        "service_date": pd.Timestamp("2025-03-08"),  # a Saturday
    }
    row.update(overrides)
    return pd.DataFrame([row])


def test_features_of_one_claim_by_hand() -> None:
    row = build_features(raw()).iloc[0]
    assert row["amount_per_procedure"] == 630.0  # 1260 / 2
    assert row["amount_vs_fee_schedule"] == 1.5  # 1260 / (420 fee of 93306 · 2 procedures)
    assert row["specialty_mismatch"] == 0  # 93306 (echocardiogram) is billed by cardiology
    assert row["service_weekday"] == 5
    mismatch = build_features(raw(procedure_code="97110")).iloc[0]  # physical therapy code
    assert mismatch["specialty_mismatch"] == 1


def test_unknown_categories_and_fee_are_missing_not_errors() -> None:
    row = build_features(raw(procedure_code="00000", submission_channel="fax")).iloc[0]
    assert row["procedure_code"] == UNKNOWN and row["submission_channel"] == UNKNOWN
    assert pd.isna(row["amount_vs_fee_schedule"])


def test_category_codes_do_not_depend_on_the_batch() -> None:
    claims = generate_claims(300, seed=4)
    whole = build_features(claims)
    single = build_features(claims.iloc[[7]])
    for name in CATEGORICAL_FEATURES:
        assert single[name].cat.codes.iloc[0] == whole[name].cat.codes.iloc[7]
        assert list(single[name].cat.categories) == list(whole[name].cat.categories)


def test_missing_input_column_is_named() -> None:
    with pytest.raises(ValueError, match="missing column 'claim_amount'"):
        build_features(raw().drop(columns=["claim_amount"]))


def test_features_table_round_trips_through_delta(warehouse: Path) -> None:
    claims = generate_claims(1000, seed=6)
    table = features_table(claims)
    write_table("local.fraud.features", table, mode="overwrite")
    back = read_table("local.fraud.features")
    pd.testing.assert_frame_equal(model_frame(back), build_features(claims).reset_index(drop=True))
    assert list(model_frame(back).columns) == list(FEATURES)


def test_split_is_by_time_60_20_20() -> None:
    claims = generate_claims(1000, seed=8).sample(frac=1.0, random_state=1)  # shuffled rows
    splits = pd.Series(assign_splits(claims["service_date"]), index=claims.index)
    assert splits.value_counts().to_dict() == {"train": 600, "valid": 200, "test": 200}
    dates = pd.to_datetime(claims["service_date"])
    assert dates[splits == "train"].max() <= dates[splits == "valid"].min()
    assert dates[splits == "valid"].max() <= dates[splits == "test"].min()
