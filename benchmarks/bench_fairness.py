"""Benchmark the fairness gate: pandas engine vs fairlearn MetricFrame, and the Spark engine.

Same data for all three: N rows (default 10 million) × 3 protected attributes (category
columns, as read from Parquet written by pandas) and a float64 score; the percentile threshold
(95) flags the top 5 %. Measured in one run:

* pandas engine counting (threshold + one ``np.bincount`` per attribute) and the full
  `evaluate` (counts + statistics), wall and CPU time, best of ``--repeat``;
* its peak traced memory (``tracemalloc``, separate run so tracing does not slow the timing)
  against the size of the columns read;
* fairlearn ``MetricFrame(selection_rate)`` per attribute on the same flags — the same
  selection rates, checked equal;
* the Spark engine (local[2]) on the same rows read from Parquet, with its job count.

Run: ``.venv/bin/python benchmarks/bench_fairness.py`` (full size) or ``--rows 1000000`` /
``BRICKGATE_BENCH_ROWS=1000000`` for a quick run; ``--no-spark`` skips Spark.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from brickgate.gates.fairness import FairnessConfig, evaluate
from brickgate.gates.fairness.pandas import count

ATTRIBUTES = ("gender", "age_band", "region")


def _category(codes: np.ndarray[Any, Any], names: list[str]) -> Any:
    """A category column straight from int8 codes (−1 = missing), as Parquet from pandas reads back."""
    categorical: Any = pd.Categorical
    return categorical.from_codes(codes, names)


def make_data(rows: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ages = ["18-25", "26-35", "36-45", "46-55", "56-65", "65+"]
    return pd.DataFrame(
        {
            "score": rng.random(rows),
            "gender": _category(rng.integers(-1, 3, rows, dtype=np.int8), ["F", "M", "X"]),
            "age_band": _category(rng.integers(0, 6, rows, dtype=np.int8), ages),
            "region": _category(rng.integers(0, 50, rows, dtype=np.int8), [f"R{i:02d}" for i in range(50)]),
        }
    )


def timed(function: Callable[[], Any], repeat: int) -> tuple[Any, float, float]:
    """(result, best wall seconds, CPU seconds of that run)."""
    best_wall, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if wall < best_wall:
            best_wall, best_cpu = wall, cpu
    return result, best_wall, best_cpu


def peak_memory(function: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        function()
        return int(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def fairlearn_rates(frame: pd.DataFrame, flags: np.ndarray[Any, Any]) -> dict[str, pd.Series[Any]]:
    from fairlearn.metrics import MetricFrame, selection_rate

    rates = {}
    for attribute in ATTRIBUTES:
        sensitive = frame[attribute].cat.add_categories(["(missing)"]).fillna("(missing)")
        metric = MetricFrame(metrics=selection_rate, y_true=flags, y_pred=flags, sensitive_features=sensitive)
        rates[attribute] = metric.by_group
    return rates


def spark_run(frame: pd.DataFrame, config: FairnessConfig, repeat: int) -> tuple[float, int]:
    from tests.helpers.spark_jobs import count_spark_jobs

    from brickgate.runtime import get_spark

    spark = get_spark()
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "data.parquet")
        frame.to_parquet(path, row_group_size=1_000_000)
        data = spark.read.parquet(path)
        best = float("inf")
        jobs = 0
        for _ in range(repeat):
            with count_spark_jobs(spark) as counted:
                start = time.perf_counter()
                evaluate(data, config)
                best = min(best, time.perf_counter() - start)
            jobs = counted.count
    spark.stop()
    return best, jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=int(os.environ.get("BRICKGATE_BENCH_ROWS", "10000000")))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args()

    frame = make_data(args.rows)
    config = FairnessConfig(score_column="score", threshold_percentile=95.0, protected_attributes=ATTRIBUTES)
    columns_bytes = int(frame.memory_usage(deep=True, index=False).sum())

    counts, count_wall, count_cpu = timed(lambda: count(frame, config), args.repeat)
    result, eval_wall, eval_cpu = timed(lambda: evaluate(frame, config), args.repeat)
    peak = peak_memory(lambda: evaluate(frame, config))
    flags = (frame["score"].to_numpy() >= result.threshold.value).astype(np.int64)
    rates, fair_wall, fair_cpu = timed(lambda: fairlearn_rates(frame, flags), 1)
    for attribute in result.attributes:  # same selection rates as fairlearn, to the last bit
        for group in attribute.groups:
            assert group.selection_rate == float(rates[attribute.name].loc[group.label]), (attribute.name, group.label)

    print(f"rows: {args.rows:,} · attributes: {len(ATTRIBUTES)} · columns read: {columns_bytes / 2**20:.1f} MiB")
    print(f"threshold {result.threshold.value:.6f}, flagged {result.flagged:,} ({100 * result.flag_rate:.2f} %)")
    print()
    print("| measure | wall s | CPU s | note |")
    print("|---|---:|---:|---|")
    print(f"| pandas engine: counting | {count_wall:.3f} | {count_cpu:.3f} | threshold + bincount ×3 |")
    print(f"| pandas engine: evaluate | {eval_wall:.3f} | {eval_cpu:.3f} | counts + DI, CI, tests, Holm |")
    print(f"| fairlearn MetricFrame (selection_rate ×3) | {fair_wall:.3f} | {fair_cpu:.3f} | same rates |")
    speedups = f"{fair_wall / eval_wall:.0f}× | {fair_cpu / eval_cpu:.0f}×"
    print(f"| speed-up (fairlearn / evaluate) | {speedups} | target ≥ 20× |")
    ratio = peak / columns_bytes
    print(f"| peak traced memory of evaluate | {peak / 2**20:.1f} MiB | | {ratio:.2f}× columns read (target ≤ 3×) |")
    if not args.no_spark:
        spark_wall, jobs = spark_run(frame, config, args.repeat)
        print(f"| Spark engine local[2] (Parquet) | {spark_wall:.3f} | | {jobs} Spark jobs |")
    assert counts.rows == args.rows


if __name__ == "__main__":
    main()
