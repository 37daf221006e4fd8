"""The statistics both gates use, as pure functions: intervals, tests, p-value adjustment.

Everything here takes and returns plain numbers and needs only `math`: the chi-square
distribution of an integer number of degrees of freedom has a closed form (a Poisson sum, plus
``erfc`` for odd degrees), so neither `scipy.special` nor `scipy.stats` is imported for a
chi-square p-value or quantile. `scipy.stats` is imported only for Fisher's exact test, and only
when a table needs it. Results equal scipy's ``chi2_contingency(correction=False)``,
``chi2.sf``, ``chi2.ppf`` and ``fisher_exact`` (the tests compare them to 1e-9).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

TestName = Literal["fisher", "chi2"]

Z_95 = 1.959963984540054
"""The two-sided 95 % normal quantile ``Φ⁻¹(0.975)`` (scipy ``norm.ppf(0.975)``; checked in the tests)."""
MIN_EXPECTED = 5.0
"""Below this expected cell count a 2×2 table gets Fisher's exact test instead of chi-square."""
NO_GROUPS = "fewer than two groups with enough rows"
SAME_FLAG = "every row has the same flag, so there is nothing to test"


def chi2_survival(statistic: float, dof: int) -> float:
    """``P(χ²_k ≥ x)`` for an integer ``k ≥ 1``: the p-value of a chi-square statistic.

    With ``h = x/2`` (Abramowitz & Stegun 26.4.4 and 26.4.5):

    * even ``k = 2m``: ``Q = Σ_{i=0}^{m−1} e^{−h} h^i / i!`` (a Poisson tail);
    * odd ``k = 2m+1``: ``Q = erfc(√h) + Σ_{i=1}^{m} e^{−h} h^{i−1/2} / Γ(i + 1/2)``.

    Every term is computed in log space (``≤ 1``), so nothing overflows for large ``x`` or ``k``.

    >>> round(chi2_survival(3.841458820694124, 1), 12), round(chi2_survival(5.991464547107979, 2), 12)
    (0.05, 0.05)
    """
    if statistic <= 0:
        return 1.0
    h = statistic / 2
    log_h = math.log(h)
    if dof % 2 == 0:
        total = math.fsum(math.exp(-h + i * log_h - math.lgamma(i + 1)) for i in range(dof // 2))
    else:
        tail = (math.exp(-h + (i - 0.5) * log_h - math.lgamma(i + 0.5)) for i in range(1, dof // 2 + 1))
        total = math.erfc(math.sqrt(h)) + math.fsum(tail)
    return min(1.0, total)


def chi2_quantile(p: float, dof: int) -> float:
    """``x`` with ``P(χ²_k ≤ x) = p``: `chi2_survival` inverted by bisection to machine precision.

    >>> round(chi2_quantile(0.95, 9), 6)
    16.918978
    """
    upper = 1.0 - p
    low, high = 0.0, max(1.0, float(dof))
    while chi2_survival(high, dof) > upper:
        low, high = high, 2 * high
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if chi2_survival(middle, dof) > upper:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def katz_interval(a: int, n1: int, c: int, n2: int, z: float = Z_95) -> tuple[float, float] | None:
    """CI of the rate ratio ``RR = (a/n1)/(c/n2)`` by the log method of Katz et al. (1978).

    ``exp(ln RR ± z·sqrt(1/a − 1/n1 + 1/c − 1/n2))``, 95 % with the default ``z``; ``None``
    when ``a`` or ``c`` is 0 (the log ratio is unbounded).

    >>> low, high = katz_interval(10, 20, 20, 40)  # RR = 1; se = sqrt(1/10-1/20+1/20-1/40) = sqrt(0.075)
    >>> round(low, 4), round(high, 4)  # exp(∓1.959964·0.273861) = exp(∓0.536757)
    (0.5846, 1.7105)
    """
    if a == 0 or c == 0:
        return None
    log_ratio = math.log((a / n1) / (c / n2))
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return math.exp(log_ratio - z * se), math.exp(log_ratio + z * se)


def pearson_chi2(table: Sequence[Sequence[int]]) -> tuple[float, int, float]:
    """Pearson's chi-square test of independence of an r×c table, without continuity correction.

    ``E_ij = R_i·C_j / N``, ``χ² = Σ (O_ij − E_ij)² / E_ij``, ``dof = (r − 1)(c − 1)`` and
    ``p = P(χ²_dof ≥ χ²)``. Every row and column total must be positive.

    >>> statistic, dof, p = pearson_chi2([[3, 3], [1, 5]])  # E = 2, 4 per row: 0.5+0.25+0.5+0.25
    >>> statistic, dof, round(p, 6)
    (1.5, 1, 0.220671)
    """
    rows = [sum(row) for row in table]
    columns = [sum(column) for column in zip(*table, strict=True)]
    total = sum(rows)
    statistic = math.fsum(
        (observed - rows[i] * columns[j] / total) ** 2 / (rows[i] * columns[j] / total)
        for i, row in enumerate(table)
        for j, observed in enumerate(row)
    )
    dof = (len(rows) - 1) * (len(columns) - 1)
    return statistic, dof, chi2_survival(statistic, dof)


def two_by_two_test(a: int, n1: int, c: int, n2: int) -> tuple[TestName, float | None, float]:
    """Two-sided test of equal rates ``a/n1`` and ``c/n2`` on the table ``[[a, n1−a], [c, n2−c]]``.

    Fisher's exact test (`scipy.stats.fisher_exact`) when any expected count ``row·col/N`` is
    below 5; the statistic is then the sample odds ratio ``a(n2−c) / ((n1−a)c)``, ``None`` when
    infinite or undefined. Otherwise `pearson_chi2` (1 degree of freedom).

    >>> two_by_two_test(1, 4, 3, 4)[0]
    'fisher'
    >>> name, stat, p = two_by_two_test(30, 100, 50, 100)
    >>> name, round(stat, 4), round(p, 6)
    ('chi2', 8.3333, 0.003892)
    """
    total = n1 + n2
    flagged, unflagged = a + c, total - a - c
    expected = (n1 * flagged / total, n1 * unflagged / total, n2 * flagged / total, n2 * unflagged / total)
    table = [[a, n1 - a], [c, n2 - c]]
    if min(expected) < MIN_EXPECTED:
        from scipy.stats import fisher_exact

        odds, p = fisher_exact(table, alternative="two-sided")
        odds = float(odds)
        return "fisher", odds if math.isfinite(odds) else None, min(1.0, float(p))
    statistic, _, p = pearson_chi2(table)
    return "chi2", statistic, p


def k_by_two_test(groups: Sequence[tuple[int, int]]) -> tuple[float, int, float] | str:
    """`pearson_chi2` of the k×2 table of (flagged, not flagged) for groups given as (rows, flagged).

    Returns ``(statistic, dof, p)`` with ``dof = k − 1``, or the reason the test is undefined:
    fewer than two groups, or nobody / everybody flagged (a column of the table is empty).

    >>> k_by_two_test([(6, 3), (6, 1)])[0]
    1.5
    >>> k_by_two_test([(6, 0), (6, 0)])
    'every row has the same flag, so there is nothing to test'
    """
    if len(groups) < 2:
        return NO_GROUPS
    flagged = sum(f for _, f in groups)
    if flagged == 0 or flagged == sum(n for n, _ in groups):
        return SAME_FLAG
    return pearson_chi2([[f, n - f] for n, f in groups])


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values, in the input order.

    Sorted ascending ``p_(1) ≤ … ≤ p_(m)``: ``adj_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j))``.

    >>> holm([0.01, 0.04, 0.03])  # 3·0.01; max(0.03, 2·0.03); max(0.06, 1·0.04)
    [0.03, 0.06, 0.06]
    """
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
