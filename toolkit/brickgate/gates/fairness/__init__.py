"""The fairness gate: selection-rate disparity (DI) per protected attribute, tested and judged.

`evaluate(data, config)` takes a pandas or Spark DataFrame and returns a `FairnessResult`;
the engine is chosen by the type of `data`, and each engine is imported on first use so that
pandas users never import pyspark. The maths lives once in `core`.
"""

from __future__ import annotations

from typing import Any

from brickgate.gates.fairness.core import (
    AttributeResult,
    Counts,
    FairnessConfig,
    FairnessResult,
    GroupResult,
    analyse,
)

__all__ = ["AttributeResult", "FairnessConfig", "FairnessResult", "GroupResult", "evaluate", "is_spark_frame"]


def is_spark_frame(data: object) -> bool:
    """True for a pyspark (classic or Connect) DataFrame, without importing pyspark.

    >>> is_spark_frame([1, 2])
    False
    """
    kind = type(data)
    return kind.__module__.startswith("pyspark.sql") and kind.__name__ == "DataFrame"


def evaluate(data: Any, config: FairnessConfig) -> FairnessResult:
    """Measure fairness of `data` (a pandas or Spark DataFrame) and return the judged result.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"flag": [1, 1, 0, 0, 1, 0, 0, 0], "sex": list("FFFFMMMM")})
    >>> result = evaluate(frame, FairnessConfig(prediction_column="flag", protected_attributes=("sex",),
    ...                                         min_group_size=1))
    >>> [(g.label, g.selection_rate, g.di.value) for g in result.attributes[0].groups]  # F: 2/4, M: 1/4
    [('F', 0.5, 1.0), ('M', 0.25, 0.5)]
    """
    counts: Counts
    if is_spark_frame(data):
        from brickgate.gates.fairness.spark import count as count_spark

        counts = count_spark(data, config)
    else:
        from brickgate.gates.fairness.pandas import count as count_pandas

        counts = count_pandas(data, config)
    return analyse(counts, config)
