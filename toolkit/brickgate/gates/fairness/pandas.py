"""pandas engine: one vectorised pass per attribute with `np.bincount` on category codes.

Each attribute's values become integer codes (free for ``category`` columns, one
`pandas.factorize` otherwise), shifted by one so that code 0 is the ``(missing)`` group. The
cell of a row is its flag (and label), so ``bincount(code·m + cell)`` counts every group's
rows, flagged rows and confusion cells in one pass, with no per-group Python loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from brickgate.errors import InputError
from brickgate.gates.fairness.core import INTERSECTION, MISSING, Counts, FairnessConfig, GroupCounts, Threshold
from brickgate.gates.sources import require_columns

if TYPE_CHECKING:
    import pandas as pd

NO_ROWS = "the data has no rows"
NOT_NUMERIC = "score column '{column}' is not numeric (dtype {dtype}); scores must be numbers"
NAN_SCORES = "score column '{column}' has {count} missing or NaN value(s); score every row or filter them out first"
NOT_BINARY = "column '{column}' must hold only 0/1 or true/false values without nulls ({detail})"


def label_text(value: object) -> str:
    """A group's label: the value as text, booleans as ``true``/``false`` (as Spark writes them).

    >>> label_text(True), label_text(3), label_text("F")
    ('true', '3', 'F')
    """
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return str(value)


def _scores(frame: pd.DataFrame, column: str) -> np.ndarray[Any, Any]:
    import pandas as pd

    series = frame[column]
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        raise InputError(NOT_NUMERIC.format(column=column, dtype=series.dtype))
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = int(np.isnan(values).sum())
    if missing:
        raise InputError(NAN_SCORES.format(column=column, count=missing))
    return values


def binary(frame: pd.DataFrame, column: str) -> np.ndarray[Any, Any]:
    """A 0/1 column (ints, floats or booleans) as a boolean array; anything else is an InputError."""
    import pandas as pd

    series = frame[column]
    nulls = int(series.isna().sum())
    if nulls:
        raise InputError(NOT_BINARY.format(column=column, detail=f"{nulls} null value(s)"))
    if pd.api.types.is_bool_dtype(series.dtype):
        flags: np.ndarray[Any, Any] = series.to_numpy(dtype=bool)
        return flags
    if not pd.api.types.is_numeric_dtype(series.dtype):
        raise InputError(NOT_BINARY.format(column=column, detail=f"dtype {series.dtype}"))
    values: np.ndarray[Any, Any] = series.to_numpy(dtype=np.float64)
    bad = ~((values == 0) | (values == 1))
    if bad.any():
        raise InputError(NOT_BINARY.format(column=column, detail=f"e.g. {values[bad][0]:g}"))
    ones: np.ndarray[Any, Any] = values == 1
    return ones


def percentile_threshold(scores: np.ndarray[Any, Any], percentile: float) -> float:
    """The nearest-rank percentile ``x_(⌈n·P/100⌉)`` (numpy ``inverted_cdf``).

    >>> percentile_threshold(np.arange(1.0, 21.0), 95)  # ⌈20·0.95⌉ = 19th smallest
    19.0
    """
    return float(np.quantile(scores, percentile / 100.0, method="inverted_cdf"))


def _codes(series: pd.Series[Any]) -> tuple[np.ndarray[Any, Any], list[str]]:
    """Compact codes (−1 = missing) and the labels they index.

    A ``category`` column's codes are used as they are (a view, usually int8); other columns
    are factorised once.
    """
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), [label_text(c) for c in series.cat.categories]
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, [label_text(c) for c in uniques]


def _group_keys(
    frame: pd.DataFrame, columns: Sequence[str], cache: dict[str, tuple[np.ndarray[Any, Any], list[str]]]
) -> tuple[np.ndarray[Any, Any], list[str]]:
    """One int64 key per row, shifted so that 0 is ``(missing)``, and the labels the keys index.

    An intersection ``a*b`` combines codes as ``key_a·(k_b + 1) + key_b``. Only one int64
    array per attribute is alive at a time: the memory peak stays near one column.
    """
    keys: np.ndarray[Any, Any] | None = None
    labels: list[str] = []
    for column in columns:
        if column not in cache:
            cache[column] = _codes(frame[column])
        codes, names = cache[column]
        shifted = codes.astype(np.int64)
        shifted += 1
        if keys is None:
            keys, labels = shifted, [MISSING, *names]
        else:
            keys *= len(names) + 1
            keys += shifted
            labels = [f"{a}{INTERSECTION}{b}" for a in labels for b in [MISSING, *names]]
        del shifted
    assert keys is not None
    return keys, labels


def count(frame: pd.DataFrame, config: FairnessConfig) -> Counts:
    """Count rows, flagged rows (and confusion cells with a label) for every group.

    Raises
    ------
    InputError
        Missing columns, no rows, non-numeric or NaN scores, a prediction or label column
        that is not 0/1.
    """
    require_columns(frame.columns, config.columns, "data")
    if len(frame) == 0:
        raise InputError(NO_ROWS)
    if config.prediction_column:
        flags = binary(frame, config.prediction_column)
        threshold = Threshold(mode="prediction", value=None, percentile=None)
    else:
        scores = _scores(frame, config.score_column or "")
        if config.threshold is not None:
            threshold = Threshold(mode="value", value=float(config.threshold), percentile=None)
        else:
            percentile = float(config.threshold_percentile or 0.0)
            value = percentile_threshold(scores, percentile)
            threshold = Threshold(mode="percentile", value=value, percentile=percentile)
        flags = scores >= threshold.value
    cells = flags.view(np.uint8)  # the cell of a row: flag, or flag·2 + label
    width = 2
    if config.label_column:
        cells = cells * np.uint8(2) + binary(frame, config.label_column).view(np.uint8)
        width = 4
    cache: dict[str, tuple[np.ndarray[Any, Any], list[str]]] = {}
    attributes: dict[str, tuple[GroupCounts, ...]] = {}
    for name in config.attribute_names:
        keys, labels = _group_keys(frame, config.attribute_columns(name), cache)
        keys *= width
        keys += cells
        table = np.bincount(keys, minlength=len(labels) * width).reshape(len(labels), width)
        del keys
        attributes[name] = _groups(table, labels, labelled=config.label_column is not None)
    return Counts(
        engine="pandas",
        rows=len(frame),
        flagged=int(flags.sum()),
        threshold=threshold,
        attributes=attributes,
        labelled=config.label_column is not None,
    )


def _groups(table: np.ndarray[Any, Any], labels: Sequence[str], *, labelled: bool) -> tuple[GroupCounts, ...]:
    """Non-empty groups from a (groups × cells) table; equal labels (``1`` and ``"1"``) merge."""
    merged: dict[str, np.ndarray[Any, Any]] = {}
    for index in np.flatnonzero(table.sum(axis=1)).tolist():
        label = labels[index]
        merged[label] = merged[label] + table[index] if label in merged else table[index].copy()
    groups = []
    for label, row in merged.items():
        cells = [int(v) for v in row]
        if labelled:  # cell = flag·2 + label: [tn, fn, fp, tp]
            tn, fn, fp, tp = cells
            groups.append(GroupCounts(label=label, rows=sum(cells), flagged=fp + tp, tp=tp, fp=fp, fn=fn, tn=tn))
        else:
            groups.append(GroupCounts(label=label, rows=sum(cells), flagged=cells[1]))
    return tuple(groups)
