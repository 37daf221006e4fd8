"""The maths of the PSI drift gate, written once and shared by the pandas and Spark engines.

Engines only count rows per bin (the reference when building a profile, the current data when
gating: ``count(frame, PsiSpec) -> BinCounts``); everything after the counts — which features,
binning rules, PSI, statuses, the chi-square reference value and the verdict — lives here, so
both engines give the same numbers by construction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from brickgate.config import default
from brickgate.errors import ConfigError, InputError
from brickgate.gates.psi.profile import Category, FeatureKind, FeatureProfile, Profile, ValueType
from brickgate.gates.result import RunStatus, Status
from brickgate.stats import chi2_quantile

MAX_CATEGORIES = 20
"""A numeric reference column with at most this many distinct values is binned by value."""
CHI2_CONFIDENCE = 0.95

BAD_THRESHOLDS = "--warn ({warn}) must be lower than --fail ({fail})"
BAD_WARN = "--warn ({warn}) must be a number above 0"
BAD_EPSILON = "--epsilon ({epsilon}) must be in (0, 0.01]"
BAD_BINS = "--bins ({bins}) must be at least 2"
NOT_IN_PROFILE = "feature '{name}' is not in the profile (profiled features: {known})"
NOT_NUMERIC = "{source}: column '{name}' is {dtype}, but the profile expects numbers ({kind} feature)"
SKIPPED_EMPTY = "current column has no non-null values ({rows} rows)"
SKIPPED_NO_ROWS = "current data has no rows"


def quantile_levels(bins: int) -> list[float]:
    """Cut levels for `bins` equal-frequency bins: ``k / bins`` for ``k = 1 … bins − 1``.

    >>> quantile_levels(4)
    [0.25, 0.5, 0.75]
    """
    if bins < 2:
        raise ConfigError(BAD_BINS.format(bins=bins))
    return [k / bins for k in range(1, bins)]


def collapse_edges(quantiles: Iterable[float]) -> tuple[float, ...]:
    """Interior bin edges from reference quantiles: finite, sorted, duplicates collapsed.

    Heavy ties make several quantiles equal; keeping one edge per value avoids empty bins
    that would only exist on paper. The outer bins are open, ``(−∞, e₁]`` and ``(e_k, +∞)``.

    >>> collapse_edges([1.0, 2.0, 2.0, 5.0, float("inf")])
    (1.0, 2.0, 5.0)
    """
    return tuple(sorted({float(q) for q in quantiles if math.isfinite(q)}))


def is_categorical(*, numeric: bool, distinct: int) -> bool:
    """Whether a reference column is binned by value rather than by quantile edges.

    Non-numeric columns always are; numeric ones when they have at most ``MAX_CATEGORIES``
    distinct non-null values (this includes constant columns, whose single value would
    otherwise make one open bin that hides any drift).

    >>> is_categorical(numeric=True, distinct=1), is_categorical(numeric=True, distinct=21)
    (True, False)
    """
    return not numeric or distinct <= MAX_CATEGORIES


def numeric_feature(name: str, edges: Sequence[float], counts: Sequence[int]) -> FeatureProfile:
    """Profile of a binned feature from its reference counts (one per bin, null bin last).

    >>> numeric_feature("x", (1.0, 2.0), (2, 1, 1, 0)).proportions
    (0.5, 0.25, 0.25)
    """
    rows = sum(counts)
    return FeatureProfile(
        name=name,
        kind="numeric",
        value_type="number",
        edges=tuple(edges),
        proportions=tuple(c / rows for c in counts[:-1]),
        null_rate=counts[-1] / rows,
    )


def categorical_feature(
    name: str, value_type: ValueType, category_counts: Mapping[Category, int], nulls: int
) -> FeatureProfile:
    """Profile of a feature binned by value; categories are stored sorted.

    >>> categorical_feature("c", "string", {"b": 1, "a": 2}, 1).categories
    ('a', 'b')
    """
    rows = sum(category_counts.values()) + nulls
    categories = tuple(sorted(category_counts))  # one value type per feature
    return FeatureProfile(
        name=name,
        kind="categorical",
        value_type=value_type,
        categories=categories,
        proportions=tuple(category_counts[c] / rows for c in categories),
        null_rate=nulls / rows,
    )


def psi_terms(reference: Sequence[float], current: Sequence[float], epsilon: float) -> list[float]:
    """Per-bin PSI contributions ``(c_i − r_i)·ln(c_i / r_i)``, each ≥ 0.

    A proportion of zero is replaced by ``epsilon`` (no renormalisation, as evidently does),
    so a bin empty on one side contributes ``(p − ε)·ln(p / ε)`` and a bin empty on both
    sides contributes 0.

    >>> [round(t, 6) for t in psi_terms([0.5, 0.5, 0.0], [0.25, 0.5, 0.25], 1e-4)]  # 0.25·ln 2, 0, 0.2499·ln 2500
    [0.173287, 0.0, 1.955229]
    """
    terms = []
    for ref, cur in zip(reference, current, strict=True):
        r = ref if ref > 0 else epsilon
        c = cur if cur > 0 else epsilon
        terms.append((c - r) * math.log(c / r))
    return terms


def psi(reference: Sequence[float], current: Sequence[float], epsilon: float = 1e-4) -> float:
    """Population stability index of two bin-proportion vectors.

    ``PSI = Σ_i (c_i − r_i)·ln(c_i / r_i)`` with empty-bin proportions replaced by ε. It is 0
    for identical distributions; for a normal mean shift of d standard deviations it is
    about d² (the symmetric Kullback–Leibler divergence of two unit-variance normals).

    >>> psi([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> round(psi([0.5, 0.5], [0.25, 0.75]), 6)  # 0.25·ln 2 + 0.25·ln 1.5 = 0.274653
    0.274653
    """
    return math.fsum(psi_terms(reference, current, epsilon))


def chi2_critical_psi(n_reference: int, n_current: int, bins: int, confidence: float = CHI2_CONFIDENCE) -> float:
    """PSI that sampling noise alone exceeds with probability ``1 − confidence``.

    Under H0 (both samples from one distribution, fixed bins),
    ``PSI / (1/n_ref + 1/n_cur)`` is approximately χ² with ``B − 1`` degrees of freedom
    (Yurdakul 2018, *Statistical properties of population stability index*, Western
    Michigan University), so the critical PSI is ``χ²_{confidence, B−1}·(1/n_ref + 1/n_cur)``.
    ``bins`` is B, the number of bins occupied in either sample (at least 2).

    >>> round(chi2_critical_psi(1000, 1000, 10), 6)  # χ²_{0.95,9} = 16.918978 · 0.002
    0.033838
    """
    return chi2_quantile(confidence, max(bins, 2) - 1) * (1 / n_reference + 1 / n_current)


def status_for(value: float, *, warn: float, fail: float) -> Status:
    """``ok`` below warn, ``warning`` from warn, ``critical`` from fail.

    >>> status_for(0.1, warn=0.1, fail=0.25), status_for(0.0999, warn=0.1, fail=0.25)
    ('warning', 'ok')
    """
    if value >= fail:
        return "critical"
    return "warning" if value >= warn else "ok"


@dataclass(frozen=True, kw_only=True)
class PsiGateOptions:
    """Thresholds of the gate; `warn` < `fail`, both conventions rather than laws.

    The defaults (0.1 and 0.25) are the industry's rule of thumb from credit scoring; the
    chi-square critical value of each feature tells whether a PSI is beyond sampling noise.
    """

    warn: float = default("psi-gate", "warn")
    fail: float = default("psi-gate", "fail")
    epsilon: float = default("psi-gate", "epsilon")
    fail_on_drift: bool = default("psi-gate", "fail_on_drift")
    top_bins: int = 3

    def __post_init__(self) -> None:
        if not (math.isfinite(self.warn) and self.warn > 0):
            raise ConfigError(BAD_WARN.format(warn=self.warn))
        if not (self.warn < self.fail and math.isfinite(self.fail)):
            raise ConfigError(BAD_THRESHOLDS.format(warn=self.warn, fail=self.fail))
        if not 0 < self.epsilon <= 0.01:
            raise ConfigError(BAD_EPSILON.format(epsilon=self.epsilon))


@dataclass(frozen=True, kw_only=True)
class PsiSpec:
    """What a PSI engine counts: the rows per bin of `features`; `source` names the data in errors."""

    features: tuple[FeatureProfile, ...]
    source: str = "current"


@dataclass(frozen=True, kw_only=True)
class BinCounts:
    """An engine's whole output: the rows, and per feature the rows per bin (``feature.labels`` order)."""

    engine: str
    rows: int
    bins: Mapping[str, Sequence[int]]


@dataclass(frozen=True, kw_only=True)
class BinShare:
    """One bin of one feature: its label, both proportions and its PSI term."""

    label: str
    reference: float
    current: float
    contribution: float


@dataclass(frozen=True, kw_only=True)
class FeatureResult:
    """PSI and status of one feature; ``psi`` is None when the feature was skipped."""

    name: str
    kind: FeatureKind
    status: Status
    psi: float | None
    reason: str | None = None
    reference_null_rate: float
    current_null_rate: float | None
    chi2_critical_psi: float | None
    bins: tuple[BinShare, ...] = ()
    top_bins: tuple[BinShare, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PsiResult:
    """Everything the renderers and publishing need: per-feature results and the verdict."""

    features: tuple[FeatureResult, ...]
    options: PsiGateOptions
    reference_rows: int
    current_rows: int
    engine: str
    score_column: str | None = None

    @property
    def status(self) -> RunStatus:
        """``critical``, ``warning`` or ``pass`` from the worst compared feature; ``undetermined``
        when no feature could be compared (no PSI was measured at all)."""
        seen = {f.status for f in self.features}
        if "critical" in seen:
            return "critical"
        if "warning" in seen:
            return "warning"
        return "pass" if "ok" in seen else "undetermined"

    @property
    def passed(self) -> bool:
        """False when `fail_on_drift` is set and some feature is critical or nothing was measured."""
        return not (self.options.fail_on_drift and self.status in ("critical", "undetermined"))

    def count(self, status: Status) -> int:
        return sum(f.status == status for f in self.features)


def evaluate_feature(
    feature: FeatureProfile, counts: Sequence[int], *, reference_rows: int, options: PsiGateOptions
) -> FeatureResult:
    """PSI of one feature from the current rows per bin (aligned with ``feature.labels``).

    The last count is the null bin; categorical features have an ``(unseen)`` bin before it.
    A current column without any non-null value is skipped rather than compared, as is every
    feature when the current data has no rows at all (PSI of an empty distribution is undefined).
    """
    labels = feature.labels
    if len(counts) != len(labels):
        raise ValueError(f"{feature.name}: {len(counts)} counts for {len(labels)} bins")
    rows = sum(counts)
    null_rate = counts[-1] / rows if rows else None
    if rows == counts[-1]:
        return FeatureResult(
            name=feature.name,
            kind=feature.kind,
            status="skipped",
            psi=None,
            reason=SKIPPED_EMPTY.format(rows=rows) if rows else SKIPPED_NO_ROWS,
            reference_null_rate=feature.null_rate,
            current_null_rate=null_rate,
            chi2_critical_psi=None,
        )
    reference = feature.reference_proportions
    current = [count / rows for count in counts]
    terms = psi_terms(reference, current, options.epsilon)
    shares = tuple(
        BinShare(label=label, reference=r, current=c, contribution=t)
        for label, r, c, t in zip(labels, reference, current, terms, strict=True)
    )
    value = math.fsum(terms)
    occupied = sum(1 for r, c in zip(reference, current, strict=True) if r > 0 or c > 0)
    ranked = sorted((s for s in shares if s.contribution > 0), key=lambda s: s.contribution, reverse=True)
    return FeatureResult(
        name=feature.name,
        kind=feature.kind,
        status=status_for(value, warn=options.warn, fail=options.fail),
        psi=value,
        reference_null_rate=feature.null_rate,
        current_null_rate=null_rate,
        chi2_critical_psi=chi2_critical_psi(reference_rows, rows, occupied),
        bins=shares,
        top_bins=tuple(ranked[: options.top_bins]),
    )


def evaluate(profile: Profile, counts: BinCounts, options: PsiGateOptions) -> PsiResult:
    """Gate every counted feature against `profile` (features in `counts.bins` order)."""
    results = tuple(
        evaluate_feature(profile.feature(name), bin_counts, reference_rows=profile.rows, options=options)
        for name, bin_counts in counts.bins.items()
    )
    return PsiResult(
        features=results,
        options=options,
        reference_rows=profile.rows,
        current_rows=counts.rows,
        engine=counts.engine,
        score_column=profile.score_column,
    )


def profile_columns(
    available: Sequence[str], features: Sequence[str] | None, score_column: str | None, source: str
) -> list[str]:
    """Columns to profile: `features` (default: every column), plus the score column if given.

    Raises
    ------
    InputError
        When a requested column is not in the reference data.
    """
    from brickgate.gates.sources import require_columns

    names = list(dict.fromkeys(features)) if features else list(available)
    if score_column and score_column not in names:
        names.append(score_column)
    require_columns(available, names, source)
    return names


def select_features(profile: Profile, requested: Sequence[str] | None) -> tuple[FeatureProfile, ...]:
    """The profiled features to gate: all of them, or the requested ones (which must be profiled)."""
    if not requested:
        return profile.features
    known = {f.name for f in profile.features}
    for name in requested:
        if name not in known:
            raise InputError(NOT_IN_PROFILE.format(name=name, known=", ".join(sorted(known))))
    return tuple(profile.feature(name) for name in dict.fromkeys(requested))


def check_columns(
    features: Sequence[FeatureProfile], dtypes: Mapping[str, tuple[bool, str]], source: str, *, typed: bool = True
) -> None:
    """Every feature is a column of the data, numeric where the profile bins it as a number.

    ``dtypes`` maps each column of the current data to ``(is_numeric, dtype_name)``. With
    ``typed=False`` (data without rows: a header-only CSV has no types) only names are checked.

    Raises
    ------
    InputError
        Naming the first missing column (with the closest name) or the non-numeric one.
    """
    from brickgate.gates.sources import require_columns

    require_columns(dtypes, [f.name for f in features], source)
    for feature in features if typed else ():
        numeric, dtype = dtypes[feature.name]
        if feature.value_type == "number" and not numeric:
            raise InputError(NOT_NUMERIC.format(source=source, name=feature.name, dtype=dtype, kind=feature.kind))
