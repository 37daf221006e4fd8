"""Run the PSI gate or build its profile on a DataFrame or a SOURCE: read, count, judge, render.

The orchestration lives here once for both engines: which features, the engine's count
(`brickgate.gates.engines.Engine`), then `core.evaluate`. What `brickgate.psi_gate`,
`brickgate.psi_profile` and the `brickgate psi-gate` commands call; publishing is separate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from brickgate.config import default
from brickgate.gates.engines import EngineName, describe, engine, is_spark_frame, load
from brickgate.gates.psi import core
from brickgate.gates.psi.profile import Profile
from brickgate.gates.result import GateOutcome, RunContext


def make_profile(
    reference: Any,
    *,
    features: Sequence[str] | None = None,
    score_column: str | None = None,
    bins: int = default("psi-gate profile", "bins"),
    engine: EngineName | None = None,
    relative_error: float | None = None,
    model_name: str | None = None,
) -> Profile:
    """Profile `reference` (a DataFrame, or a SOURCE read with `engine`; all columns when
    `features` is empty), with its alert identity fixed now (`model_name`, else a content hash).

    ``relative_error`` applies to the Spark engine (default
    ``brickgate.gates.psi.spark.DEFAULT_RELATIVE_ERROR``); pandas quantiles are exact.

    Raises
    ------
    InputError
        When the source cannot be read, a column is missing or there are no rows.
    """
    core.quantile_levels(bins)  # a bad --bins fails before any data is read
    columns = [*features, *([score_column] if score_column else [])] if features else None
    frame = load(reference, columns, engine)
    source = describe(reference)
    if is_spark_frame(frame):
        from brickgate.gates.psi import spark

        error = spark.DEFAULT_RELATIVE_ERROR if relative_error is None else relative_error
        built = spark.build_profile(
            frame, features=features, score_column=score_column, bins=bins, relative_error=error, source=source
        )
    else:
        from brickgate.gates.psi import pandas

        built = pandas.build_profile(frame, features=features, score_column=score_column, bins=bins, source=source)
    return built.identified(model_name)


def evaluate(
    frame: Any,
    profile: Profile,
    options: core.PsiGateOptions | None = None,
    *,
    features: Sequence[str] | None = None,
    source: str = "current",
) -> core.PsiResult:
    """Gate a pandas or Spark DataFrame against `profile` (all profiled features when `features` is empty).

    Raises
    ------
    InputError
        When a feature is not in the profile or not a column of `frame`, or a column is not
        numeric where the profile bins it as a number.

    Examples
    --------
    >>> import pandas as pd
    >>> reference = make_profile(pd.DataFrame({"c": ["a", "a", "b", "b"]}))
    >>> result = evaluate(pd.DataFrame({"c": ["a", "b", "b", "b"]}), reference)
    >>> result.status, round(result.features[0].psi, 6)  # 0.25·ln 2 + 0.25·ln 1.5
    ('critical', 0.274653)
    """
    chosen = core.select_features(profile, features)
    counts: core.BinCounts = engine("psi", frame).count(frame, core.PsiSpec(features=chosen, source=source))
    return core.evaluate(profile, counts, options or core.PsiGateOptions())


def run(
    current: Any,
    profile: Profile,
    options: core.PsiGateOptions | None = None,
    *,
    features: Sequence[str] | None = None,
    engine: EngineName | None = None,
    context: RunContext | None = None,
    model_name: str | None = None,
) -> GateOutcome:
    """Gate `current` (a DataFrame, or a SOURCE read with `engine`) against `profile` and render it.

    Current data without rows is a verdict, not an error: every feature skipped ("current
    data has no rows"), status undetermined (a failure only with ``fail_on_drift``). A
    reference without rows stays an error. Alerts are keyed by `model_name`, else the
    profile's stored identity.

    Raises
    ------
    InputError
        When a feature is not profiled, the source cannot be read or lacks a feature column,
        or a column is not numeric where the profile expects numbers.
    """
    from brickgate.gates.psi.render import outcome

    source = describe(current)
    columns = [f.name for f in core.select_features(profile, features)]
    frame = load(current, columns, engine, allow_empty=True)
    result = evaluate(frame, profile, options, features=features, source=source)
    identity = model_name or profile.alert_identity
    return outcome(result, context or RunContext.create(source, baseline=f"profile {identity}"), identity=identity)
