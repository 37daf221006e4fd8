"""pandas engine: profiles and gate numbers on small hand-checkable tables, plus two oracles."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from brickgate.errors import InputError
from brickgate.gates.psi import core
from brickgate.gates.psi.gate import evaluate as psi_gate
from brickgate.gates.psi.pandas import build_profile, count_bins

EPS = 1e-4


def test_profile_edges_are_inverted_cdf_quantiles_and_bins_are_right_closed() -> None:
    # 1..24, 4 bins: levels .25 .5 .75 → ranks ceil(6) ceil(12) ceil(18) → edges 6, 12, 18
    reference = pd.DataFrame({"x": np.arange(1.0, 25.0)})
    feature = build_profile(reference, bins=4).feature("x")
    assert feature.edges == (6.0, 12.0, 18.0)
    assert feature.proportions == (0.25, 0.25, 0.25, 0.25)
    # values exactly on an edge go to the bin that edge closes: 6 → (−∞, 6], 12 → (6, 12]
    current = pd.DataFrame({"x": [6.0, 6.000001, 12.0, 18.0, 18.5, -1e9, 1e9, None]})
    assert count_bins(current, feature) == [2, 2, 1, 2, 1]  # −1e9,6 | 6.000001,12 | 18 | 18.5,1e9 | null


def test_duplicate_quantiles_collapse() -> None:
    # 30 zeros then 1..30: the 0.1 … 0.5 quantiles are all 0 → one edge at 0
    reference = pd.DataFrame({"x": [0.0] * 30 + [float(v) for v in range(1, 31)]})
    feature = build_profile(reference, bins=10).feature("x")
    assert feature.edges[0] == 0.0 and len(feature.edges) == len(set(feature.edges)) == 5
    assert feature.proportions[0] == 0.5  # the 30 zeros in (−∞, 0]


def test_identical_data_gives_zero() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {"x": rng.normal(size=500), "c": rng.choice(["a", "b", "c"], 500), "k": rng.integers(0, 5, 500)}
    )
    result = psi_gate(frame, build_profile(frame))
    assert [f.psi for f in result.features] == [0.0, 0.0, 0.0]
    assert result.status == "pass" and result.passed


def test_hand_worked_numeric_shift() -> None:
    # reference 1..24 (edges 6, 12, 18; shares .25 each); current: four values in each of the
    # first two bins, eight in the third → shares 0.25, 0.25, 0.5, 0 (no nulls anywhere)
    #   (0.5 − 0.25)·ln 2 = 0.173286795; (ε − 0.25)·ln(ε/0.25) = 0.2499·7.824046011 = 1.955229098
    profile = build_profile(pd.DataFrame({"x": np.arange(1.0, 25.0)}), bins=4)
    current = pd.DataFrame({"x": [1.0, 2, 3, 4, 7, 8, 9, 10, 13, 14, 15, 16, 17, 18, 18, 18]})
    feature = psi_gate(current, profile).features[0]
    assert feature.psi == pytest.approx(0.173286795 + 1.955229098, abs=1e-9)
    assert feature.top_bins[0].label == "(18, +inf)" and feature.status == "critical"


def test_categorical_new_and_vanished_categories() -> None:
    # reference a a b b; current a a c c → bins a, b, (unseen), (null): ref .5 .5 0 0, cur .5 0 .5 0
    #   b: (ε − 0.5)·ln(ε/0.5) = 0.4999·8.517193191 = 4.257744876; (unseen) the same → 8.515489753
    profile = build_profile(pd.DataFrame({"c": ["a", "a", "b", "b"]}))
    result = psi_gate(pd.DataFrame({"c": ["a", "a", "c", "c"]}), profile).features[0]
    assert result.psi == pytest.approx(2 * 4.257744876, abs=1e-8)
    assert {b.label for b in result.top_bins} == {"b", "(unseen)"}


def test_low_cardinality_numbers_are_categories() -> None:
    # 0/1 flag: 2 distinct ≤ 20 → categorical by value, current 2 is unseen
    reference = pd.DataFrame({"flag": [0, 1, 1, 0], "many": np.arange(4.0)})
    profile = build_profile(pd.concat([reference] * 6).assign(many=np.arange(24.0)))
    assert profile.feature("flag").kind == "categorical" and profile.feature("flag").categories == (0.0, 1.0)
    assert profile.feature("many").kind == "numeric"
    counts = count_bins(pd.DataFrame({"flag": pd.array([1, 1, 2, None], dtype="Int64")}), profile.feature("flag"))
    assert counts == [0, 2, 1, 1]


def test_null_rate_change_is_drift() -> None:
    # reference 1..21 (21 distinct → numeric, no nulls); current: the same 21 values plus 21 nulls.
    # Every value bin halves and the null bin goes 0 → 0.5:
    #   value bins Σ (r/2 − r)·ln(1/2) = 0.5·ln 2 = 0.346573590 (the r sum to 1)
    #   null bin (0.5 − ε)·ln(0.5/ε) = 4.257744876
    reference = pd.DataFrame({"x": np.arange(1.0, 22.0)})
    profile = build_profile(reference)
    assert profile.feature("x").kind == "numeric" and profile.feature("x").null_rate == 0.0
    result = psi_gate(pd.DataFrame({"x": [*reference["x"], *[None] * 21]}), profile).features[0]
    assert result.psi == pytest.approx(0.346573590 + 4.257744876, abs=1e-8)
    assert (result.reference_null_rate, result.current_null_rate) == (0.0, 0.5)
    assert result.top_bins[0].label == "(null)"


def test_constant_reference_column_does_not_hide_drift() -> None:
    # all-5 reference → one category; any other value lands in (unseen):
    #   5: (0.5 − 1)·ln 0.5 = 0.346573590; (unseen): (0.5 − ε)·ln(0.5/ε) = 4.257744876
    profile = build_profile(pd.DataFrame({"x": [5.0] * 10}))
    assert profile.feature("x").kind == "categorical"
    result = psi_gate(pd.DataFrame({"x": [5.0] * 5 + [6.0] * 5}), profile).features[0]
    assert result.psi == pytest.approx(0.346573590 + 4.257744876, abs=1e-8)


def test_all_null_and_empty_current_are_skipped() -> None:
    profile = build_profile(pd.DataFrame({"x": np.arange(30.0), "c": ["a", "b", "c"] * 10}))
    result = psi_gate(pd.DataFrame({"x": [np.nan] * 3, "c": ["a", None, "b"]}), profile)
    assert result.features[0].status == "skipped" and result.features[1].status == "critical"
    assert result.features[0].reason == "current column has no non-null values (3 rows)"
    empty = psi_gate(pd.DataFrame({"x": pd.Series([], dtype=float), "c": pd.Series([], dtype=str)}), profile)
    assert empty.status == "undetermined" and empty.passed


@pytest.mark.parametrize("shift", [0.1, 0.25, 0.5, 1.0])
def test_normal_mean_shift_gives_about_d_squared(shift: float) -> None:
    rng = np.random.default_rng(7)
    n = 200_000
    profile = build_profile(pd.DataFrame({"x": rng.normal(size=n)}))
    value = psi_gate(pd.DataFrame({"x": rng.normal(loc=shift, size=n)}), profile).features[0].psi
    assert value is not None
    # 10 quantile bins lose a little information: PSI sits a few percent under d² (0.923 at d = 1)
    assert value == pytest.approx(shift**2, rel=0.1)


def test_mean_shift_trend_is_monotone() -> None:
    rng = np.random.default_rng(3)
    profile = build_profile(pd.DataFrame({"x": rng.normal(size=50_000)}))
    values = [
        psi_gate(pd.DataFrame({"x": rng.normal(loc=d, size=50_000)}), profile).features[0].psi or 0.0
        for d in (0, 0.2, 0.4, 0.8, 1.6)
    ]
    assert values == sorted(values) and values[0] < 0.001


def _independent_psi(reference: np.ndarray, current: np.ndarray, bins: int, epsilon: float) -> float:
    """Oracle written from the definition with numpy/pandas only (no brickgate code)."""
    ref = reference[~np.isnan(reference)]
    edges = np.unique(np.quantile(ref, np.arange(1, bins) / bins, method="inverted_cdf"))
    cut = [-math.inf, *edges.tolist(), math.inf]

    def shares(values: np.ndarray) -> np.ndarray:
        binned = pd.cut(pd.Series(values), cut, right=True, labels=False)
        counts = binned.value_counts(dropna=False).reindex([*range(len(cut) - 1), np.nan], fill_value=0)
        result: np.ndarray = counts.to_numpy(dtype=float) / len(values)
        return result

    r, c = shares(reference), shares(current)
    r, c = np.where(r == 0, epsilon, r), np.where(c == 0, epsilon, c)
    return float(np.sum((c - r) * np.log(c / r)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_independent_numpy_oracle(seed: int) -> None:
    rng = np.random.default_rng(seed)
    reference = rng.lognormal(size=3000)
    reference[rng.random(3000) < 0.05] = np.nan
    current = rng.lognormal(mean=0.3, size=2000)
    current[rng.random(2000) < 0.2] = np.nan
    profile = build_profile(pd.DataFrame({"x": reference}), bins=7)
    result = psi_gate(pd.DataFrame({"x": current}), profile, core.PsiGateOptions(epsilon=EPS)).features[0]
    assert result.psi == pytest.approx(_independent_psi(reference, current, 7, EPS), abs=1e-12)


def test_matches_evidently_psi_on_the_same_bins() -> None:
    """evidently bins differently (Sturges, equal width); fed our bin labels as a categorical
    column it computes PSI over the same bins, with the same ε = 1e-4 and no renormalisation."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from evidently.legacy.calculations.stattests import psi as stattests  # dev extra: never skipped
        from evidently.legacy.core import ColumnType
    rng = np.random.default_rng(11)
    reference = pd.DataFrame({"x": rng.normal(size=4000)})
    current = pd.DataFrame({"x": np.concatenate([rng.normal(0.4, 1.2, size=2900), [np.nan] * 100])})
    profile = build_profile(reference)
    feature = profile.feature("x")
    ours = psi_gate(current, profile).features[0].psi

    def labelled(frame: pd.DataFrame) -> pd.Series:
        counts = count_bins(frame, feature)
        return pd.Series(np.repeat(feature.labels, counts))

    theirs, _ = stattests._psi(labelled(reference), labelled(current), ColumnType.Categorical, 0.1)
    assert ours == pytest.approx(float(theirs), abs=1e-12)


def test_feature_missing_from_current_names_it() -> None:
    profile = build_profile(pd.DataFrame({"score": np.arange(30.0), "age": np.arange(30.0)}))
    with pytest.raises(InputError) as info:
        psi_gate(pd.DataFrame({"scroe": [1.0], "age": [1.0]}), profile, source="cur.parquet")
    assert str(info.value) == "cur.parquet: column 'score' not found; did you mean 'scroe'? (columns: scroe, age)"


def test_text_where_profile_says_numeric() -> None:
    profile = build_profile(pd.DataFrame({"x": np.arange(30.0)}))
    with pytest.raises(InputError) as info:
        psi_gate(pd.DataFrame({"x": ["1", "2"]}), profile, source="cur.csv")
    assert str(info.value) == "cur.csv: column 'x' is object, but the profile expects numbers (numeric feature)"


def test_requested_feature_not_profiled() -> None:
    profile = build_profile(pd.DataFrame({"x": np.arange(30.0)}))
    with pytest.raises(InputError) as info:
        psi_gate(pd.DataFrame({"x": [1.0]}), profile, features=["y"])
    assert str(info.value) == "feature 'y' is not in the profile (profiled features: x)"


def test_score_column_is_profiled_and_recorded() -> None:
    frame = pd.DataFrame({"a": np.arange(30.0), "score": np.linspace(0, 1, 30), "other": np.arange(30)})
    profile = build_profile(frame, features=["a"], score_column="score")
    assert [f.name for f in profile.features] == ["a", "score"] and profile.score_column == "score"


def test_profile_of_empty_reference_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^ref.csv: no rows$"):
        build_profile(pd.DataFrame({"x": pd.Series([], dtype=float)}), source="ref.csv")


def test_all_null_reference_column_sees_any_value_as_unseen() -> None:
    # reference: 4 nulls → no categories; current 1.0, 2.0, null, null → (unseen) 2, (null) 2
    #   (unseen): (0.5 − ε)·ln(0.5/ε) = 4.257744876; (null): (0.5 − 1)·ln 0.5 = 0.346573590
    profile = build_profile(pd.DataFrame({"x": [np.nan] * 4}))
    feature = profile.feature("x")
    assert (feature.kind, feature.categories, feature.null_rate) == ("categorical", (), 1.0)
    current = pd.DataFrame({"x": [1.0, 2.0, np.nan, np.nan]})
    assert count_bins(current, feature) == [2, 2]
    assert psi_gate(current, profile).features[0].psi == pytest.approx(4.257744876 + 0.346573590, abs=1e-8)


def test_histogram_chart_pairs_reference_and_current_per_bin() -> None:
    # reference a a b b → shares .5 .5; current a b b b → .25 .75; (unseen) and (null) bins 0
    from brickgate.gates.psi.render import histograms

    result = psi_gate(pd.DataFrame({"c": ["a", "b", "b", "b"]}), build_profile(pd.DataFrame({"c": list("aabb")})))
    (chart,) = histograms(result)
    assert chart.labels == ("a", "b", "(unseen)", "(null)")
    assert chart.values == (0.5, 0.5, 0.0, 0.0) and chart.second == (0.25, 0.75, 0.0, 0.0)
    assert chart.series == ("reference", "current")
