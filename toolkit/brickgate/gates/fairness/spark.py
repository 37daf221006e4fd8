"""Spark engine: the threshold in one job, every group of every attribute in one more job.

The scores' percentile is Spark's ``percentile_approx`` (Greenwald–Khanna) with accuracy
`ACCURACY`: its answer has a rank at most ``⌊n/ACCURACY⌋`` rows away from the nearest-rank
percentile the pandas engine computes exactly, so it is exact up to one million rows and the
bound is reported with the result. All groups are then counted in a single
``GROUP BY GROUPING SETS`` aggregation (one set per attribute or intersection, plus the grand
total that also counts invalid scores and labels), so the data is scanned once whatever the
number of attributes. Given the same threshold, counts equal the pandas engine's exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from brickgate.errors import InputError
from brickgate.gates.fairness.core import INTERSECTION, MISSING, Counts, FairnessConfig, GroupCounts, Threshold
from brickgate.gates.fairness.pandas import NAN_SCORES, NO_ROWS, NOT_BINARY, NOT_NUMERIC
from brickgate.gates.sources import require_columns

ACCURACY = 1_000_000  # percentile_approx accuracy: rank error ≤ n / ACCURACY


@contextmanager
def _one_job_per_query(spark: Any) -> Iterator[None]:
    """Run each aggregation as one Spark job by pausing adaptive query execution.

    AQE submits every shuffle stage as a job of its own (map stage, then result); for an
    aggregation whose output is a few hundred rows it has nothing to optimise, and without it
    each query is one job, which the tests count. Where the setting is locked (some managed
    runtimes), AQE stays on: the data is still scanned once per query.
    """
    key = "spark.sql.adaptive.enabled"
    try:
        previous = spark.conf.get(key)
        spark.conf.set(key, "false")
    except Exception:  # locked configuration: the error type differs across runtimes  # noqa: BLE001
        yield
        return
    try:
        yield
    finally:
        spark.conf.set(key, previous)


def _bad_number(column: Any, field_type: Any) -> Any:
    """True where a numeric value is null or NaN (NaN exists only in float and double)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, FloatType

    if isinstance(field_type, (FloatType, DoubleType)):
        return column.isNull() | F.isnan(column)
    return column.isNull()


def _group_label(column: Any, field_type: Any) -> Any:
    """The group label as text; null (and NaN) become ``(missing)``."""
    from pyspark.sql import functions as F

    return F.when(_bad_number(column, field_type), F.lit(MISSING)).otherwise(column.cast("string"))


def _binary(column: Any, field_type: Any) -> tuple[Any, Any]:
    """(value as 0/1 int, 1 where the value is null or not 0/1)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import BooleanType

    as_double = column.cast("double")
    valid = column.isNotNull() if isinstance(field_type, BooleanType) else as_double.isin(0.0, 1.0)
    bad = F.when(valid, 0).otherwise(1)
    return F.when(as_double == 1.0, 1).otherwise(0), bad


def count(frame: Any, config: FairnessConfig) -> Counts:
    """Count rows, flagged rows (and confusion cells with a label) per group, in ≤ 2 Spark jobs.

    Raises
    ------
    InputError
        Missing columns, no rows, non-numeric or NaN scores, a prediction or label column
        that is not 0/1.
    """
    with _one_job_per_query(frame.sparkSession):
        return _count(frame, config)


def _count(frame: Any, config: FairnessConfig) -> Counts:
    from pyspark.sql import functions as F
    from pyspark.sql.types import NumericType

    require_columns(frame.columns, config.columns, "data")
    types = {field.name: field.dataType for field in frame.schema.fields}
    columns = list(dict.fromkeys(c for name in config.attribute_names for c in config.attribute_columns(name)))
    alias = {column: f"__g{i}" for i, column in enumerate(columns)}
    selected = [_group_label(F.col(f"`{c}`"), types[c]).alias(alias[c]) for c in columns]
    threshold: Threshold
    bad_score: Any = F.lit(0)
    if config.prediction_column:
        flag, bad_flag = _binary(F.col(f"`{config.prediction_column}`"), types[config.prediction_column])
        threshold = Threshold(mode="prediction", value=None, percentile=None)
        selected += [flag.alias("__flag"), bad_flag.alias("__bad_flag")]
    else:
        score_name = config.score_column or ""
        score_type = types[score_name]
        if not isinstance(score_type, NumericType):
            raise InputError(NOT_NUMERIC.format(column=score_name, dtype=score_type.simpleString()))
        score = F.col(f"`{score_name}`")
        bad_score = F.when(_bad_number(score, score_type), 1).otherwise(0)
        if config.threshold is not None:
            threshold = Threshold(mode="value", value=float(config.threshold), percentile=None)
        else:
            threshold = _percentile(frame, score, bad_score, score_name, float(config.threshold_percentile or 0.0))
        selected += [
            F.when(score >= F.lit(threshold.value), 1).otherwise(0).alias("__flag"),
            F.lit(0).alias("__bad_flag"),
        ]
    selected.append(bad_score.alias("__bad_score"))
    if config.label_column:
        label, bad_label = _binary(F.col(f"`{config.label_column}`"), types[config.label_column])
        selected += [label.alias("__label"), bad_label.alias("__bad_label")]
    prepared = frame.select(*selected)
    rows = _aggregate(frame.sparkSession, prepared, config, alias, labelled=config.label_column is not None)
    return _counts(rows, config, alias, threshold)


def _percentile(frame: Any, score: Any, bad_score: Any, name: str, percentile: float) -> Threshold:
    """The threshold job: percentile, row count and invalid scores in one aggregation."""
    from pyspark.sql import functions as F

    row = frame.agg(
        F.percentile_approx(score, percentile / 100.0, ACCURACY).alias("t"),
        F.count(F.lit(1)).alias("n"),
        F.sum(bad_score).alias("bad"),
    ).collect()[0]
    if row["n"] == 0:
        raise InputError(NO_ROWS)
    if row["bad"]:
        raise InputError(NAN_SCORES.format(column=name, count=row["bad"]))
    rank_error = int(row["n"]) // ACCURACY
    return Threshold(
        mode="percentile", value=float(row["t"]), percentile=percentile, exact=rank_error == 0, rank_error=rank_error
    )


def _aggregate(
    spark: Any, prepared: Any, config: FairnessConfig, alias: dict[str, str], *, labelled: bool
) -> list[Any]:
    """One job: ``GROUP BY GROUPING SETS`` over every attribute plus the grand total ``()``."""
    group_columns = list(alias.values())
    sets = ["(" + ", ".join(alias[c] for c in config.attribute_columns(name)) + ")" for name in config.attribute_names]
    confusion = (
        ", SUM(__flag * __label) AS tp, SUM(__flag * (1 - __label)) AS fp, SUM((1 - __flag) * __label) AS fn,"
        " SUM(__bad_label) AS bad_label"
        if labelled
        else ""
    )
    query = (
        f"SELECT {', '.join(group_columns)}, GROUPING_ID({', '.join(group_columns)}) AS gid,"
        " COUNT(1) AS n, SUM(__flag) AS flagged, SUM(__bad_score) AS bad_score, SUM(__bad_flag) AS bad_flag"
        f"{confusion} FROM {{prepared}} GROUP BY GROUPING SETS ({', '.join(sets)}, ())"
    )
    return list(spark.sql(query, prepared=prepared).collect())


def _counts(rows: list[Any], config: FairnessConfig, alias: dict[str, str], threshold: Threshold) -> Counts:
    """Sort the aggregated rows into per-attribute group counts and check the grand total."""
    group_columns = list(alias.values())
    width = len(group_columns)

    def gid(columns: tuple[str, ...]) -> int:
        # GROUPING_ID sets bit (width − 1 − i) for every column i that is NOT grouped.
        grouped = {alias[c] for c in columns}
        return sum(1 << (width - 1 - i) for i, c in enumerate(group_columns) if c not in grouped)

    total = next((r for r in rows if r["gid"] == gid(())), None)
    if total is None or total["n"] == 0:
        raise InputError(NO_ROWS)
    if total["bad_score"]:
        raise InputError(NAN_SCORES.format(column=config.score_column, count=total["bad_score"]))
    if total["bad_flag"]:
        raise InputError(NOT_BINARY.format(column=config.prediction_column, detail=f"{total['bad_flag']} row(s)"))
    labelled = config.label_column is not None
    if labelled and total["bad_label"]:
        raise InputError(NOT_BINARY.format(column=config.label_column, detail=f"{total['bad_label']} row(s)"))
    attributes: dict[str, tuple[GroupCounts, ...]] = {}
    for name in config.attribute_names:
        columns = config.attribute_columns(name)
        wanted = gid(columns)
        groups = []
        for row in rows:
            if row["gid"] != wanted:
                continue
            label = INTERSECTION.join(str(row[alias[c]]) for c in columns)
            n, flagged = int(row["n"]), int(row["flagged"])
            if labelled:
                tp, fp, fn = int(row["tp"]), int(row["fp"]), int(row["fn"])
                groups.append(
                    GroupCounts(label=label, rows=n, flagged=flagged, tp=tp, fp=fp, fn=fn, tn=n - tp - fp - fn)
                )
            else:
                groups.append(GroupCounts(label=label, rows=n, flagged=flagged))
        attributes[name] = tuple(groups)
    return Counts(
        engine="spark",
        rows=int(total["n"]),
        flagged=int(total["flagged"]),
        threshold=threshold,
        attributes=attributes,
        labelled=labelled,
    )
