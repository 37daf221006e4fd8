"""`brickgate.stats` against scipy.stats as the oracle (to 1e-9), and its cheap imports."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import stats as oracle

from brickgate import stats


@pytest.mark.parametrize("seed", range(20))
def test_pearson_chi2_matches_chi2_contingency(seed: int) -> None:
    rng = np.random.default_rng(seed)
    table = rng.integers(1, 400, size=(int(rng.integers(2, 7)), 2)).tolist()
    statistic, dof, p = stats.pearson_chi2(table)
    expected = oracle.chi2_contingency(table, correction=False)
    assert (statistic, dof, p) == pytest.approx((expected[0], expected[2], expected[1]), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("a", "n1", "c", "n2"), [(30, 100, 50, 100), (1, 4, 3, 4), (4, 100, 5, 100), (0, 10, 7, 9)])
def test_two_by_two_matches_scipy(a: int, n1: int, c: int, n2: int) -> None:
    name, statistic, p = stats.two_by_two_test(a, n1, c, n2)
    table = [[a, n1 - a], [c, n2 - c]]
    if name == "chi2":
        expected = oracle.chi2_contingency(table, correction=False)
        assert (statistic, p) == pytest.approx((expected[0], expected[1]), rel=1e-9)
    else:
        odds, expected_p = oracle.fisher_exact(table)
        assert p == pytest.approx(min(1.0, expected_p), rel=1e-9)
        assert statistic == (pytest.approx(odds, rel=1e-9) if np.isfinite(odds) else None)


@pytest.mark.parametrize("dof", [1, 2, 3, 4, 5, 9, 10, 29, 49, 50, 99])
def test_chi2_survival_and_quantile_match_scipy(dof: int) -> None:
    for x in (1e-6, 0.01, 0.5, 1.0, dof - 0.5, dof + 3.0, 2.0 * dof, 40.0, 120.0, 700.0):
        assert stats.chi2_survival(x, dof) == pytest.approx(oracle.chi2.sf(x, dof), rel=1e-9, abs=1e-300), x
    for p in (0.5, 0.9, 0.95, 0.99, 0.999999):
        assert stats.chi2_quantile(p, dof) == pytest.approx(oracle.chi2.ppf(p, dof), rel=1e-9), p
    assert stats.chi2_survival(0.0, dof) == 1.0


def test_z_95_is_the_normal_quantile() -> None:
    assert pytest.approx(oracle.norm.ppf(0.975), rel=1e-15) == stats.Z_95


def test_chi_square_paths_import_no_scipy() -> None:
    """scipy.stats costs over a second to import, scipy.special a third of one; only Fisher's
    exact test may pull scipy in."""
    code = (
        "import sys; from brickgate import stats; stats.two_by_two_test(30, 100, 50, 100); "
        "stats.k_by_two_test([(6, 3), (6, 1)]); stats.chi2_quantile(0.95, 3); "
        "assert not any(m.startswith('scipy') for m in sys.modules), 'scipy imported'; "
        "stats.two_by_two_test(1, 4, 3, 4); assert 'scipy.stats' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
