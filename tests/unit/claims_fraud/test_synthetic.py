from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2_contingency

from claims_fraud.synthetic import (
    AGE_BOUNDS,
    AGE_GROUPS,
    COLUMNS,
    BiasSpec,
    DriftSpec,
    generate_claims,
)


def test_same_arguments_give_the_same_claims_and_a_new_seed_new_ones() -> None:
    first = generate_claims(3000, seed=11)
    assert first.equals(generate_claims(3000, seed=11))
    assert not first.equals(generate_claims(3000, seed=12))


def test_columns_types_and_ids() -> None:
    claims = generate_claims(500, seed=3)
    assert tuple(claims.columns) == COLUMNS
    assert claims["claim_id"].is_unique and claims["claim_id"].iloc[0] == "CLM-0000001"
    assert claims["service_date"].is_monotonic_increasing
    for name in ("num_procedures", "days_since_last_claim", "prior_claims_12m", "patient_age", "is_fraud"):
        assert claims[name].dtype == np.int64, name
    assert claims["claim_amount"].dtype == np.float64
    assert set(claims["is_fraud"]) <= {0, 1}


@pytest.mark.parametrize(("size", "seed"), [(5000, 1), (5000, 2), (20000, 42), (50000, 7)])
def test_fraud_rate_is_between_2_and_5_percent(size: int, seed: int) -> None:
    rate = generate_claims(size, seed=seed)["is_fraud"].mean()
    assert 0.02 <= rate <= 0.05


def test_age_group_matches_age() -> None:
    claims = generate_claims(4000, seed=5)
    for index, group in enumerate(AGE_GROUPS):
        ages = claims.loc[claims["patient_age_group"] == group, "patient_age"]
        assert ages.min() >= AGE_BOUNDS[index] and ages.max() < AGE_BOUNDS[index + 1]


def test_without_bias_fraud_is_independent_of_protected_attributes() -> None:
    # Oracle: chi-square test of independence (scipy) on the group x fraud table.
    claims = generate_claims(60000, seed=42)
    for attribute in ("patient_gender", "geographic_region", "patient_age_group"):
        table = claims.groupby(attribute)["is_fraud"].agg(["sum", "count"])
        observed = np.column_stack([table["sum"], table["count"] - table["sum"]])
        assert chi2_contingency(observed, correction=False).pvalue > 0.001, attribute


def test_planted_bias_raises_the_group_fraud_rate_and_paper_share() -> None:
    plain = generate_claims(40000, seed=42)
    biased = generate_claims(40000, seed=42, bias=BiasSpec(attribute="patient_gender", group="F"))
    rates = biased.groupby("patient_gender")["is_fraud"].mean()
    assert rates["F"] > 1.5 * rates["M"]
    paper = biased.assign(paper=biased["submission_channel"] == "paper").groupby("patient_gender")["paper"].mean()
    assert paper["F"] > 4 * paper["M"]
    assert 0.02 <= biased["is_fraud"].mean() <= 0.05
    assert plain["patient_gender"].equals(biased["patient_gender"])


def test_planted_drift_shifts_the_chosen_features_only() -> None:
    base = generate_claims(20000, seed=9)
    drifted = generate_claims(20000, seed=9, drift=DriftSpec(features=("claim_amount", "submission_channel")))
    ratio = drifted["claim_amount"].median() / base["claim_amount"].median()
    assert math.isclose(ratio, math.exp(0.8), rel_tol=0.02)  # amounts scaled by e^(0.8·strength)
    paper_before = (base["submission_channel"] == "paper").mean()
    paper_after = (drifted["submission_channel"] == "paper").mean()
    assert paper_after == pytest.approx(paper_before + 0.5 * (1 - paper_before), abs=0.02)  # half the rest moved
    assert drifted["num_procedures"].equals(base["num_procedures"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bias": BiasSpec(attribute="patient_gender", group="X")}, "groups of patient_gender: F, M"),
        ({"bias": BiasSpec(attribute="zip", group="1")}, "protected attributes: patient_gender"),
        ({"drift": DriftSpec(features=("claim_amnt",))}, "cannot plant drift in 'claim_amnt'"),
        ({"fraud_rate": 1.5}, "fraud_rate must be in (0, 1)"),
    ],
)
def test_bad_options_name_what_is_valid(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        generate_claims(100, **kwargs)  # type: ignore[arg-type]


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="size must be at least 1"):
        generate_claims(0)
