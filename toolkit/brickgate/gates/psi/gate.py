"""Run the PSI gate or build a profile from SOURCE names: read only the needed columns with the
chosen engine, then hand the data to that engine. What `brickgate psi-gate` calls; callable from
Python without click.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from brickgate.gates.psi import core
from brickgate.gates.psi.profile import Profile

Engine = Literal["pandas", "spark"]


def _read(source: str, columns: Sequence[str] | None, engine: Engine, *, allow_empty: bool = False) -> Any:
    """Spark never checks for rows here (a job); its engines count them in their aggregation."""
    if engine == "spark":
        from brickgate.gates.sources import read_spark
        from brickgate.runtime import get_spark

        return read_spark(get_spark(), source, columns)
    from brickgate.gates.sources import read_pandas

    return read_pandas(source, columns, allow_empty=allow_empty)


def make_profile(
    reference: str,
    *,
    features: Sequence[str] | None = None,
    score_column: str | None = None,
    bins: int = 10,
    engine: Engine = "pandas",
    relative_error: float | None = None,
) -> Profile:
    """Profile the `reference` SOURCE (all columns when `features` is empty).

    ``relative_error`` applies to the Spark engine (default
    ``brickgate.gates.psi.spark.DEFAULT_RELATIVE_ERROR``); pandas quantiles are exact.

    Raises
    ------
    InputError
        When the source cannot be read, a column is missing or there are no rows.
    """
    core.quantile_levels(bins)  # a bad --bins fails before any data is read
    columns = [*features, *([score_column] if score_column else [])] if features else None
    frame = _read(reference, columns, engine)
    if engine == "spark":
        from brickgate.gates.psi import spark

        error = spark.DEFAULT_RELATIVE_ERROR if relative_error is None else relative_error
        return spark.build_profile(
            frame, features=features, score_column=score_column, bins=bins, relative_error=error, source=reference
        )
    from brickgate.gates.psi import pandas

    return pandas.build_profile(frame, features=features, score_column=score_column, bins=bins, source=reference)


def run_gate(
    current: str,
    profile: Profile,
    options: core.PsiGateOptions,
    *,
    features: Sequence[str] | None = None,
    engine: Engine = "pandas",
) -> core.PsiResult:
    """Gate the `current` SOURCE against `profile` (all profiled features when `features` is empty).

    Current data without rows is a verdict, not an error: every feature skipped ("current
    data has no rows"), status undetermined (a failure only with ``fail_on_drift``). A
    reference without rows stays an error.

    Raises
    ------
    InputError
        When a feature is not profiled, the source cannot be read or lacks a feature column,
        or a column is not numeric where the profile expects numbers.
    """
    columns = [f.name for f in core.select_features(profile, features)]
    frame = _read(current, columns, engine, allow_empty=True)
    if engine == "spark":
        from brickgate.gates.psi import spark

        return spark.psi_gate(frame, profile, options, features=features, source=current)
    from brickgate.gates.psi import pandas

    return pandas.psi_gate(frame, profile, options, features=features, source=current)
