"""Run the fairness gate on a DataFrame or a SOURCE: read, count, judge, render. No publishing.

What `brickgate.fairness_gate` and `brickgate fairness-gate` call; publishing the outcome
(files, results table, GitHub, alerts) is `brickgate.gates.publish.publish`, a separate step.
"""

from __future__ import annotations

from typing import Any

from brickgate.gates.engines import EngineName, describe, load
from brickgate.gates.fairness import evaluate
from brickgate.gates.fairness.core import FairnessConfig
from brickgate.gates.result import GateOutcome, RunContext


def run(
    data: Any, config: FairnessConfig, *, engine: EngineName | None = None, context: RunContext | None = None
) -> GateOutcome:
    """Gate `data` (pandas or Spark DataFrame, or a SOURCE read with `engine`) and render the outcome.

    Raises
    ------
    InputError
        When the data cannot be read or lacks a column, has no rows, or an attribute has one group.
    """
    from brickgate.gates.fairness.render import outcome

    frame = load(data, config.columns, engine)
    result = evaluate(frame, config)
    return outcome(result, context or RunContext.create(describe(data)))
