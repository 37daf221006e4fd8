"""The fairness gate: selection-rate disparity (DI) per protected attribute, tested and judged.

Shape (as the PSI gate): `core` (the maths, pure), the engines `pandas` and `spark` that only
count (`brickgate.gates.engines.Engine`), `gate` (`run(...) -> GateOutcome`) and `render`.
`evaluate(data, config)` takes a pandas or Spark DataFrame and returns a `FairnessResult`; the
engine follows the type of `data` and is imported on first use, so pandas users never import
pyspark.
"""

from __future__ import annotations

from typing import Any

from brickgate.gates.engines import engine, is_spark_frame
from brickgate.gates.fairness.core import (
    AttributeResult,
    Counts,
    FairnessConfig,
    FairnessResult,
    GroupResult,
    analyse,
)

__all__ = ["AttributeResult", "FairnessConfig", "FairnessResult", "GroupResult", "evaluate", "is_spark_frame"]


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
    counts: Counts = engine("fairness", data).count(data, config)
    return analyse(counts, config)
