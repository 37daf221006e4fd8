"""Spark engine of the PSI gate: the same bins and numbers as pandas, in a fixed number of jobs.

`count` is the gate's engine (`brickgate.gates.engines.Engine`), `build_profile` counts the
reference for a profile.

The gate reads the current data in ONE aggregation (a single ``select`` of ``count_if``
expressions, one per feature and bin), whatever the number of features. A profile takes four
passes whatever the number of features: row, null and approximate distinct counts; the exact
value counts of low-cardinality columns (one ``groupBy`` over the columns stacked); ONE
``approxQuantile`` call over all numeric columns; the reference shares of the bins, counted
exactly against those edges with the gate's own aggregation.

``approxQuantile`` with relative error δ returns, for level q, a value whose rank lies within
δ·N of q·N. An edge may therefore sit up to δ of the rows away from the exact quantile, so a
reference bin meant to hold 1/bins of the rows holds between 1/bins − 2δ and 1/bins + 2δ
(0.1 ± 0.002 with the default δ = 0.001 and 10 bins). PSI stays exact for the edges used,
because the reference shares are then counted exactly; δ = 0 gives the pandas edges.
Floating-point NaN counts as null, as it does in pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from brickgate.config import default
from brickgate.errors import InputError
from brickgate.gates.psi import core
from brickgate.gates.psi.profile import Category, FeatureProfile, Profile

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

ENGINE = "spark"
DEFAULT_RELATIVE_ERROR: float = default("psi-gate profile", "relative_error")
DISTINCT_RSD = 0.01
CANDIDATE_MARGIN = 5
"""Numeric columns whose approximate distinct count is at most MAX_CATEGORIES + this margin get
exact value counts; the exact count then decides (HyperLogLog++ at rsd 0.01 is far inside it)."""


def _numeric_columns(frame: DataFrame) -> dict[str, tuple[bool, str]]:
    from pyspark.sql.types import BooleanType, NumericType

    return {
        field.name: (isinstance(field.dataType, (NumericType, BooleanType)), field.dataType.simpleString())
        for field in frame.schema.fields
    }


def _value(frame: DataFrame, name: str) -> Column:
    """The column as the gate sees it: NaN turned into null (float and double columns)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, FloatType

    column = F.col(f"`{name}`")
    if isinstance(frame.schema[name].dataType, (FloatType, DoubleType)):
        return F.when(F.isnan(column), F.lit(None)).otherwise(column)
    return column


def _numeric_bins(value: Column, edges: Sequence[float]) -> list[Column]:
    """``count_if`` per right-closed bin ``(e_{i−1}, e_i]`` (open outer bins), null bin last."""
    from pyspark.sql import functions as F

    bounds = [F.lit(float(e)) for e in edges]
    ranges = [value <= bounds[0]] if bounds else [value.isNotNull()]
    ranges += [(value > low) & (value <= high) for low, high in pairwise(bounds)]
    ranges += [value > bounds[-1]] if bounds else []
    return [*(F.count_if(r) for r in ranges), F.count_if(value.isNull())]


def _category_bins(value: Column, feature: FeatureProfile) -> list[Column]:
    """``count_if`` per category, then the non-null and null counts (unseen = non-null − Σ known)."""
    from pyspark.sql import functions as F

    typed = value.cast("double") if feature.value_type == "number" else value.cast("string")
    known = [F.count_if(typed == F.lit(category)) for category in feature.categories]
    return [*known, F.count_if(value.isNotNull()), F.count_if(value.isNull())]


def _aggregate(frame: DataFrame, groups: dict[str, list[Column]]) -> tuple[int, dict[str, list[int]]]:
    """Rows and every group of counts in ONE Spark job (a single aggregation without grouping)."""
    from pyspark.sql import functions as F

    expressions = [F.count(F.lit(1))] + [e for group in groups.values() for e in group]
    row = frame.agg(*expressions).first()
    assert row is not None  # an aggregation without grouping always returns one row
    values = [int(v) for v in row]
    counts: dict[str, list[int]] = {}
    position = 1
    for name, group in groups.items():
        counts[name] = values[position : position + len(group)]
        position += len(group)
    return values[0], counts


def _first_pass(frame: DataFrame, names: Sequence[str], numeric: dict[str, bool]) -> tuple[int, dict[str, int]]:
    """Rows, and the approximate distinct count of every numeric column (one job)."""
    from pyspark.sql import functions as F

    numeric_names = [n for n in names if numeric[n]]
    row = frame.agg(
        F.count(F.lit(1)), *(F.approx_count_distinct(_value(frame, n), DISTINCT_RSD) for n in numeric_names)
    ).first()
    assert row is not None  # an aggregation without grouping always returns one row
    return int(row[0]), {n: int(row[i + 1]) for i, n in enumerate(numeric_names)}


def _value_counts(
    frame: DataFrame, names: Sequence[str], numeric: dict[str, bool]
) -> dict[str, tuple[dict[Category, int], int]]:
    """Exact non-null value counts and null counts of `names`, in one groupBy over the stacked columns."""
    from pyspark.sql import functions as F

    if not names:
        return {}
    cells = [
        F.struct(
            F.lit(name).alias("feature"),
            (_value(frame, name).cast("double") if numeric[name] else F.col(f"`{name}`")).cast("string").alias("value"),
        )
        for name in names
    ]
    stacked = frame.select(F.explode(F.array(*cells)).alias("cell")).select("cell.feature", "cell.value")
    counts: dict[str, dict[Category, int]] = {name: {} for name in names}
    nulls = dict.fromkeys(names, 0)
    for feature, value, count in stacked.groupBy("feature", "value").count().collect():
        if value is None:
            nulls[feature] = int(count)
        else:
            counts[feature][float(value) if numeric[feature] else value] = int(count)
    return {name: (counts[name], nulls[name]) for name in names}


def build_profile(
    frame: DataFrame,
    *,
    features: Sequence[str] | None = None,
    score_column: str | None = None,
    bins: int = default("psi-gate profile", "bins"),
    relative_error: float = DEFAULT_RELATIVE_ERROR,
    source: str = "reference",
) -> Profile:
    """Profile a Spark DataFrame for the PSI gate with one ``approxQuantile`` call.

    The rules are those of the pandas engine (``inverted_cdf`` quantiles, right-closed bins,
    at most ``core.MAX_CATEGORIES`` distinct numbers → categorical); with
    ``relative_error=0`` the edges equal the pandas ones exactly.

    Raises
    ------
    InputError
        When a requested column is missing or the data has no rows.
    """
    levels = core.quantile_levels(bins)
    dtypes = _numeric_columns(frame)
    names = core.profile_columns(list(dtypes), features, score_column, source)
    numeric = {n: dtypes[n][0] for n in names}
    rows, distinct = _first_pass(frame, names, numeric)
    if rows == 0:
        raise InputError(f"{source}: no rows")
    candidates = [n for n in names if not numeric[n] or distinct[n] <= core.MAX_CATEGORIES + CANDIDATE_MARGIN]
    value_counts = _value_counts(frame, candidates, numeric)
    categorical = {n for n in candidates if core.is_categorical(numeric=numeric[n], distinct=len(value_counts[n][0]))}
    binned = [n for n in names if n not in categorical]
    edges: dict[str, tuple[float, ...]] = {}
    if binned:
        cleaned = frame.select(*(_value(frame, n).alias(n) for n in binned))
        quantiles = cleaned.approxQuantile(binned, levels, relative_error)
        edges = {n: core.collapse_edges(q) for n, q in zip(binned, quantiles, strict=True)}
    groups = {n: _numeric_bins(_value(frame, n), edges[n]) for n in binned}
    bin_counts = _aggregate(frame, groups)[1] if groups else {}
    profiled: list[FeatureProfile] = []
    for name in names:
        if name in categorical:
            counts, nulls = value_counts[name]
            profiled.append(core.categorical_feature(name, "number" if numeric[name] else "string", counts, nulls))
        else:
            profiled.append(core.numeric_feature(name, edges[name], bin_counts[name]))
    return Profile(
        rows=rows,
        bins=bins,
        features=tuple(profiled),
        engine=ENGINE,
        relative_error=relative_error,
        score_column=score_column,
    )


def count(frame: DataFrame, spec: core.PsiSpec) -> core.BinCounts:
    """Rows per bin of every feature of `spec`, in one aggregation pass.

    Raises
    ------
    InputError
        As the pandas engine: missing column, non-numeric column where the profile expects
        numbers (checked only when there are rows).
    """
    chosen = spec.features
    dtypes = _numeric_columns(frame)
    core.check_columns(chosen, dtypes, spec.source, typed=False)
    try:
        core.check_columns(chosen, dtypes, spec.source)
    except InputError:
        if not frame.isEmpty():  # only then a job: a header-only CSV has string columns, no values
            raise
        return core.BinCounts(engine=ENGINE, rows=0, bins={f.name: [0] * len(f.labels) for f in chosen})
    groups = {
        f.name: _numeric_bins(_value(frame, f.name), f.edges)
        if f.kind == "numeric"
        else _category_bins(_value(frame, f.name), f)
        for f in chosen
    }
    rows, counts = _aggregate(frame, groups)
    for feature in chosen:
        if feature.kind == "categorical":  # known…, non-null, null → known…, unseen, null
            *known, non_null, nulls = counts[feature.name]
            counts[feature.name] = [*known, non_null - sum(known), nulls]
    return core.BinCounts(engine=ENGINE, rows=rows, bins=counts)
