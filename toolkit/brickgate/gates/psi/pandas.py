"""pandas engine of the PSI gate: count rows per bin with numpy, vectorised per column.

`count` is the gate's engine (`brickgate.gates.engines.Engine`), `build_profile` counts the
reference for a profile.

Numeric columns are read as float64 (nullable integers and booleans included; NaN counts as
null, as in the Spark engine); bins come from one ``searchsorted`` per column. Other columns
are compared as text. The maths after counting lives in `brickgate.gates.psi.core`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from brickgate.config import default
from brickgate.errors import InputError
from brickgate.gates.psi import core
from brickgate.gates.psi.profile import Category, FeatureProfile, Profile

if TYPE_CHECKING:
    from numpy.typing import NDArray

ENGINE = "pandas"


def _is_numeric(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series.dtype))


def _floats(series: pd.Series) -> NDArray[np.float64]:
    values: NDArray[np.float64] = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return values


def _text_counts(series: pd.Series) -> tuple[dict[Category, int], int]:
    """Non-null value counts keyed by ``str(value)``, and the null count."""
    counts: dict[Category, int] = {}
    for value, count in series.value_counts(dropna=True, sort=False).items():
        key = str(value)
        counts[key] = counts.get(key, 0) + int(count)
    return counts, int(series.isna().sum())


def _category_counts(values: NDArray[np.float64], categories: Sequence[Category]) -> list[int]:
    """Rows per numeric category, then unseen and null: one sorted lookup, no per-value Python work."""
    nulls = np.isnan(values)
    valid = values[~nulls]
    known = np.zeros(len(categories), dtype=np.int64)
    hits = 0
    if len(categories):
        wanted = np.asarray(categories, dtype=np.float64)
        order = np.argsort(wanted)
        position = np.minimum(np.searchsorted(wanted[order], valid), len(wanted) - 1)
        hit = wanted[order][position] == valid
        known[order] = np.bincount(position[hit], minlength=len(wanted))
        hits = int(hit.sum())
    return [*(int(k) for k in known), len(valid) - hits, int(nulls.sum())]


def _binned_counts(values: NDArray[np.float64], edges: Sequence[float]) -> list[int]:
    """Rows per right-closed bin ``(e_{i−1}, e_i]``, NaN in a last null bin."""
    index = np.searchsorted(np.asarray(edges, dtype=np.float64), values, side="left")
    index[np.isnan(values)] = len(edges) + 1
    return [int(c) for c in np.bincount(index, minlength=len(edges) + 2)]


def _profile_feature(name: str, series: pd.Series, bins: int) -> FeatureProfile:
    if not _is_numeric(series):
        counts, nulls = _text_counts(series)
        return core.categorical_feature(name, "string", counts, nulls)
    values = _floats(series)
    valid = np.sort(values[~np.isnan(values)])
    distinct = int(np.count_nonzero(valid[1:] != valid[:-1])) + 1 if len(valid) else 0
    if core.is_categorical(numeric=True, distinct=distinct):
        categories, sizes = np.unique(valid, return_counts=True)
        found: dict[Category, int] = {float(v): int(c) for v, c in zip(categories, sizes, strict=True)}
        return core.categorical_feature(name, "number", found, len(values) - len(valid))
    edges = core.collapse_edges(np.quantile(valid, core.quantile_levels(bins), method="inverted_cdf").tolist())
    return core.numeric_feature(name, edges, _binned_counts(values, edges))


def build_profile(
    reference: pd.DataFrame,
    *,
    features: Sequence[str] | None = None,
    score_column: str | None = None,
    bins: int = default("psi-gate profile", "bins"),
    source: str = "reference",
) -> Profile:
    """Profile `reference` for the PSI gate (exact quantiles).

    Numeric features with more than ``core.MAX_CATEGORIES`` distinct values get edges at the
    ``k/bins`` quantiles (``method="inverted_cdf"``: the smallest value whose empirical CDF
    reaches the level, which is what Spark's ``approxQuantile`` returns with relative error 0),
    duplicates collapsed; other features get categories.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [float(v) for v in range(1, 25)], "c": ["a", "b"] * 12})
    >>> profile = build_profile(frame, bins=4)
    >>> profile.feature("x").edges, profile.feature("x").proportions
    ((6.0, 12.0, 18.0), (0.25, 0.25, 0.25, 0.25))
    >>> profile.feature("c").categories, profile.feature("c").proportions
    (('a', 'b'), (0.5, 0.5))
    """
    if len(reference) == 0:
        raise InputError(f"{source}: no rows")
    core.quantile_levels(bins)  # validates bins
    names = core.profile_columns(list(reference.columns), features, score_column, source)
    return Profile(
        rows=len(reference),
        bins=bins,
        features=tuple(_profile_feature(name, reference[name], bins) for name in names),
        engine=ENGINE,
        score_column=score_column,
    )


def count_bins(current: pd.DataFrame, feature: FeatureProfile) -> list[int]:
    """Current rows per bin of `feature`, aligned with ``feature.labels``."""
    series = current[feature.name]
    if feature.kind == "numeric":
        return _binned_counts(_floats(series), feature.edges)
    if feature.value_type == "number":
        return _category_counts(_floats(series), feature.categories)
    counts, nulls = _text_counts(series)
    known = [counts.get(category, 0) for category in feature.categories]
    return [*known, sum(counts.values()) - sum(known), nulls]


def count(current: pd.DataFrame, spec: core.PsiSpec) -> core.BinCounts:
    """Rows per bin of every feature of `spec` (column types checked only when there are rows).

    Raises
    ------
    InputError
        When a feature is not a column of `current`, or a column is not numeric where the
        profile bins it as a number.

    Examples
    --------
    >>> profile = build_profile(pd.DataFrame({"c": ["a", "a", "b", "b"]}))
    >>> count(pd.DataFrame({"c": ["a", "b", "b", None]}), core.PsiSpec(features=profile.features)).bins
    {'c': [1, 2, 0, 1]}
    """
    dtypes = {str(name): (_is_numeric(current[name]), str(current[name].dtype)) for name in current.columns}
    core.check_columns(spec.features, dtypes, spec.source, typed=len(current) > 0)
    bins = {feature.name: count_bins(current, feature) for feature in spec.features}
    return core.BinCounts(engine=ENGINE, rows=len(current), bins=bins)
