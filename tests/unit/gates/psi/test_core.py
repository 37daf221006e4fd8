"""PSI maths on hand-worked numbers; every expected value has its arithmetic in a comment."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chi2

from brickgate.errors import ConfigError
from brickgate.gates.psi import core
from brickgate.gates.psi.profile import FeatureProfile


def test_psi_two_bins_by_hand() -> None:
    # (0.25 − 0.5)·ln(0.25/0.5) + (0.75 − 0.5)·ln(0.75/0.5) = 0.25·ln 2 + 0.25·ln 1.5 = 0.274653072
    assert core.psi([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.25 * math.log(2) + 0.25 * math.log(1.5), abs=1e-15)
    assert core.psi([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.274653072, abs=1e-9)


def test_identical_proportions_give_zero() -> None:
    assert core.psi([0.1, 0.2, 0.7, 0.0], [0.1, 0.2, 0.7, 0.0]) == 0.0


def test_empty_bins_take_epsilon_without_renormalising() -> None:
    # ref [1, 0] cur [0.5, 0.5]: (0.5 − 1)·ln(0.5) + (0.5 − ε)·ln(0.5/ε), ε = 1e-4
    #   = 0.346573590 + 0.4999·8.517193191 = 0.346573590 + 4.257744876 = 4.604318467
    # renormalising (ref [1/(1+ε), ε/(1+ε)]) would give a different value; we do not.
    assert core.psi([1.0, 0.0], [0.5, 0.5], 1e-4) == pytest.approx(4.604318467, abs=1e-9)
    # a bin empty on both sides contributes (ε − ε)·ln 1 = 0
    assert core.psi_terms([1.0, 0.0], [1.0, 0.0], 1e-4) == [0.0, 0.0]
    # a larger epsilon lowers the penalty of an empty bin: 0.499·ln(0.5/0.001) = 3.101
    assert core.psi([1.0, 0.0], [0.5, 0.5], 1e-3) == pytest.approx(0.5 * math.log(2) + 0.499 * math.log(500), abs=1e-12)


def test_terms_are_never_negative() -> None:
    terms = core.psi_terms([0.7, 0.2, 0.1, 0.0], [0.1, 0.2, 0.3, 0.4], 1e-4)
    assert all(t >= 0 for t in terms) and terms[1] == 0.0


@pytest.mark.parametrize(("n_ref", "n_cur", "bins"), [(1000, 1000, 10), (50_000, 200, 4), (30, 40_000, 2)])
def test_chi2_critical_psi_matches_scipy(n_ref: int, n_cur: int, bins: int) -> None:
    expected = chi2.ppf(0.95, bins - 1) * (1 / n_ref + 1 / n_cur)
    assert core.chi2_critical_psi(n_ref, n_cur, bins) == pytest.approx(expected, rel=1e-12)


def test_chi2_critical_psi_by_hand() -> None:
    # χ²_{0.95, 1} = 3.841459; (1/100 + 1/100) = 0.02 → 0.076829
    assert core.chi2_critical_psi(100, 100, 2) == pytest.approx(0.0768292, abs=1e-7)
    # fewer than 2 occupied bins still uses one degree of freedom
    assert core.chi2_critical_psi(100, 100, 1) == core.chi2_critical_psi(100, 100, 2)


@pytest.mark.parametrize(
    ("value", "status"),
    [(0.0, "ok"), (0.0999999, "ok"), (0.1, "warning"), (0.2499, "warning"), (0.25, "critical"), (3.0, "critical")],
)
def test_status_boundaries(value: float, status: str) -> None:
    assert core.status_for(value, warn=0.1, fail=0.25) == status


@pytest.mark.parametrize(("warn", "fail"), [(0.25, 0.25), (0.3, 0.2)])
def test_warn_must_be_below_fail(warn: float, fail: float) -> None:
    with pytest.raises(ConfigError) as info:
        core.PsiGateOptions(warn=warn, fail=fail)
    assert str(info.value) == f"--warn ({warn}) must be lower than --fail ({fail})"


@pytest.mark.parametrize("epsilon", [0.0, -1e-4, 0.5])
def test_epsilon_range(epsilon: float) -> None:
    with pytest.raises(ConfigError, match=r"^--epsilon \(.*\) must be in \(0, 0.01\]$"):
        core.PsiGateOptions(epsilon=epsilon)


def test_bins_below_two_rejected() -> None:
    with pytest.raises(ConfigError, match=r"^--bins \(1\) must be at least 2$"):
        core.quantile_levels(1)


def test_edges_collapse_duplicates_and_drop_infinities() -> None:
    assert core.collapse_edges([2.0, 1.0, 1.0, 1.0, math.inf, -math.inf, 3.0]) == (1.0, 2.0, 3.0)


def _numeric(edges: tuple[float, ...], proportions: tuple[float, ...], null_rate: float = 0.0) -> FeatureProfile:
    return FeatureProfile(
        name="x", kind="numeric", value_type="number", edges=edges, proportions=proportions, null_rate=null_rate
    )


def test_evaluate_feature_by_hand() -> None:
    # reference bins (−∞,1] (1,2] (2,+∞) null: 0.5 0.25 0.25 0 over 100 rows
    # current counts 25 25 25 25 → 0.25 0.25 0.25 0.25
    #   (0.25 − 0.5)·ln(0.5) = 0.173286795; 0; 0; (0.25 − ε)·ln(0.25/ε) = 0.2499·7.824046011 = 1.955229098
    feature = _numeric((1.0, 2.0), (0.5, 0.25, 0.25))
    result = core.evaluate_feature(feature, [25, 25, 25, 25], reference_rows=100, options=core.PsiGateOptions())
    assert result.psi == pytest.approx(0.173286795 + 1.955229098, abs=1e-9)
    assert result.status == "critical"
    assert (result.reference_null_rate, result.current_null_rate) == (0.0, 0.25)
    assert [b.label for b in result.top_bins] == ["(null)", "(-inf, 1]"]
    # all 4 bins occupied → χ²_{0.95,3} · (1/100 + 1/100) = 7.814728 · 0.02
    assert result.chi2_critical_psi == pytest.approx(chi2.ppf(0.95, 3) * 0.02, rel=1e-12)


def test_all_null_current_column_is_skipped() -> None:
    feature = _numeric((1.0,), (0.5, 0.5))
    result = core.evaluate_feature(feature, [0, 0, 7], reference_rows=10, options=core.PsiGateOptions())
    assert (result.status, result.psi, result.reason) == (
        "skipped",
        None,
        "current column has no non-null values (7 rows)",
    )
    empty = core.evaluate_feature(feature, [0, 0, 0], reference_rows=10, options=core.PsiGateOptions())
    assert (empty.status, empty.current_null_rate, empty.reason) == (
        "skipped",
        None,
        "current data has no rows",  # no rows at all: the reason says so
    )


def test_labels_show_closed_sides() -> None:
    feature = _numeric((1.0, 2.5), (0.4, 0.3, 0.3))
    assert feature.labels == ("(-inf, 1]", "(1, 2.5]", "(2.5, +inf)", "(null)")
    categorical = FeatureProfile(
        name="c", kind="categorical", value_type="string", categories=("a", "b"), proportions=(0.5, 0.5), null_rate=0
    )
    assert categorical.labels == ("a", "b", "(unseen)", "(null)")
    assert categorical.reference_proportions == (0.5, 0.5, 0.0, 0)


shares = st.lists(st.integers(min_value=0, max_value=1000), min_size=2, max_size=12).filter(lambda c: sum(c) > 0)


@given(shares, st.data())
def test_psi_is_symmetric_non_negative_and_zero_only_for_equal_shares(counts: list[int], data: st.DataObject) -> None:
    other = data.draw(st.lists(st.integers(0, 1000), min_size=len(counts), max_size=len(counts)).filter(sum))
    r = [c / sum(counts) for c in counts]
    c = [o / sum(other) for o in other]
    value = core.psi(r, c)
    assert value >= 0 and value == pytest.approx(core.psi(c, r), rel=1e-12, abs=1e-15)
    assert (value == 0) == (r == c)
