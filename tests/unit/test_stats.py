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


@pytest.mark.parametrize(("p", "dof"), [(0.95, 1), (0.95, 9), (0.99, 30), (0.5, 2)])
def test_distribution_functions_match_scipy_stats(p: float, dof: int) -> None:
    quantile = stats.chi2_quantile(p, dof)
    assert quantile == pytest.approx(oracle.chi2.ppf(p, dof), rel=1e-9)
    assert stats.chi2_survival(quantile, dof) == pytest.approx(1 - p, rel=1e-9)
    assert stats.normal_quantile(p) == pytest.approx(oracle.norm.ppf(p), rel=1e-9, abs=1e-12)
    assert stats.normal_quantile(0.975) == stats.Z_95


def test_chi_square_paths_do_not_import_scipy_stats() -> None:
    """scipy.stats costs over a second to import; only Fisher's exact test may pull it in."""
    code = (
        "import sys; from brickgate import stats; stats.two_by_two_test(30, 100, 50, 100); "
        "stats.k_by_two_test([(6, 3), (6, 1)]); stats.chi2_quantile(0.95, 3); "
        "assert 'scipy.stats' not in sys.modules, 'scipy.stats imported'; "
        "stats.two_by_two_test(1, 4, 3, 4); assert 'scipy.stats' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
