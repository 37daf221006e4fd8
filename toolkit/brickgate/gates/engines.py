"""What a gate is given (a pandas or Spark DataFrame, or a SOURCE string) and the engine that counts it.

Both gates have the same shape: an engine module per frame kind (``pandas``, ``spark``) that
only counts, behind the `Engine` protocol; the gate's ``core`` turns counts into a result. The
engine follows the frame's type, so a Spark DataFrame is counted where it lives (no
``toPandas``), and pyspark is never imported for pandas data.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any, Literal, Protocol, TypeVar, cast

from brickgate.gates.result import GateName

EngineName = Literal["pandas", "spark"]
SpecT = TypeVar("SpecT", contravariant=True)
CountsT = TypeVar("CountsT", covariant=True)


class Engine(Protocol[SpecT, CountsT]):
    """A counting engine: a module with ``count(frame, spec) -> Counts`` and nothing else to
    decide. ``spec`` says what to count (the fairness config, the PSI bins); the gate's core
    does every piece of maths after counting, once for both engines."""

    def count(self, frame: Any, spec: SpecT, /) -> CountsT: ...


def is_spark_frame(data: object) -> bool:
    """True for a pyspark (classic or Connect) DataFrame, without importing pyspark.

    >>> is_spark_frame([1, 2])
    False
    """
    kind = type(data)
    return kind.__module__.startswith("pyspark.sql") and kind.__name__ == "DataFrame"


def engine_name(frame: object) -> EngineName:
    """``spark`` for a Spark DataFrame, else ``pandas``."""
    return "spark" if is_spark_frame(frame) else "pandas"


def engine(gate: GateName, frame: object) -> Engine[Any, Any]:
    """The engine module of `gate` for `frame`, imported on first use."""
    return cast("Engine[Any, Any]", importlib.import_module(f"brickgate.gates.{gate}.{engine_name(frame)}"))


def describe(data: object) -> str:
    """How reports name the data: the SOURCE string, or the kind of frame.

    >>> describe("claims.parquet"), describe([1])
    ('claims.parquet', 'list')
    """
    if isinstance(data, str):
        return data
    return (
        "Spark DataFrame" if is_spark_frame(data) else "pandas DataFrame" if _is_pandas(data) else type(data).__name__
    )


def _is_pandas(data: object) -> bool:
    return type(data).__module__.startswith("pandas") and type(data).__name__ == "DataFrame"


def load(
    data: Any, columns: Sequence[str] | None, engine: EngineName | None = None, *, allow_empty: bool = False
) -> Any:
    """A frame to count: `data` itself when it is a DataFrame, else the SOURCE read with `engine`
    (default pandas; ``spark`` through the active session). Only `columns` are read.

    Raises
    ------
    InputError
        When the SOURCE cannot be read, lacks a column, or (pandas, unless `allow_empty`) has no rows.
    """
    if not isinstance(data, str):
        return data
    if engine == "spark":
        from brickgate.gates.sources import read_spark
        from brickgate.runtime import get_spark

        return read_spark(get_spark(), data, columns)
    from brickgate.gates.sources import read_pandas

    return read_pandas(data, columns, allow_empty=allow_empty)
