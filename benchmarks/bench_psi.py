"""How fast the PSI gate is against a stored profile, compared with evidently's PSI drift test.

Data: N current rows × F features (default 1 000 000 × 50, seeded): 90 % numeric (normal, a
third of them shifted by 0.2 std, every fifth with 5 % nulls), 10 % text with 8 categories
(one new category in the current data). The reference has as many rows, another seed.

Timed, in the same run, on the same in-memory frames and columns:

1. brickgate pandas engine: ``load_profile`` (the stored JSON) + ``psi_gate`` (counting, PSI,
   χ² critical values) — what `brickgate psi-gate --profile` does after reading the data.
Lazy imports (scipy.stats, jsonschema, evidently) are loaded before any timing.

2. evidently ``Report([DataDriftPreset(method="psi")])`` on reference and current: the peer.
   It bins from the raw reference on every run (it has no stored profile). Target: brickgate
   at least 5× faster.
3. brickgate Spark engine (local[2]) on the current data written as Parquet: read + the one
   aggregation, after one warm-up run.

Not timed against the peer but reported: building the profile (pandas engine, once at training).

Wall time and the CPU time of this Python process are both reported: on a shared machine wall
time depends on the load, CPU time much less (the Spark engine's work happens in the JVM, so its
Python CPU time is not its cost).

Run: ``.venv/bin/python benchmarks/bench_psi.py`` (full) or ``--quick`` (100 000 × 10);
``--no-spark`` / ``--no-evidently`` skip a column. Prints a markdown table (recorded in
docs/benchmarks.md, section "psi-gate"); exits 1 when the 5× target is missed.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from brickgate.gates.psi import PsiGateOptions, load_profile, save_profile
from brickgate.gates.psi import pandas as pandas_engine

TARGET_SPEEDUP = 5.0


def make_data(rows: int, features: int, seed: int, current: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    text = max(1, features // 10)
    columns: dict[str, Any] = {}
    for i in range(features - text):
        shift = 0.2 if current and i % 3 == 0 else 0.0
        values = rng.normal(loc=shift, size=rows)
        if i % 5 == 0:
            values[rng.random(rows) < 0.05] = np.nan
        columns[f"num_{i:02d}"] = values
    categories = np.array([f"cat_{k}" for k in range(8 + int(current))], dtype=object)
    for i in range(text):
        columns[f"text_{i:02d}"] = categories[rng.integers(0, len(categories), rows)]
    return pd.DataFrame(columns)


def timed(function: Callable[[], Any], repeats: int) -> tuple[list[tuple[float, float]], Any]:
    """(wall, CPU of this Python process) seconds per run, and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        result = function()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return times, result


def evidently_psi(reference: pd.DataFrame, current: pd.DataFrame) -> dict[str, float]:
    from evidently import Report
    from evidently.presets import DataDriftPreset

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        snapshot = Report([DataDriftPreset(method="psi")]).run(current_data=current, reference_data=reference)
        metrics = snapshot.dict()["metrics"]
    return {m["config"]["column"]: float(m["value"]) for m in metrics if m["config"].get("column")}


def spark_gate(path: Path, profile_path: Path) -> Any:
    from brickgate.gates.psi import spark as spark_engine
    from brickgate.runtime import get_spark

    frame = get_spark().read.parquet(str(path))
    return spark_engine.psi_gate(frame, load_profile(profile_path), PsiGateOptions())


def preload(*, peer: bool) -> None:
    """Import what each contender imports lazily, so no timed run pays a one-off import."""
    import jsonschema  # noqa: F401  - profile validation
    import scipy.stats  # noqa: F401  - χ² critical values

    if peer:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import evidently.presets  # noqa: F401


def row(name: str, times: list[tuple[float, float]], note: str) -> str:
    wall = [w for w, _ in times]
    spread = statistics.stdev(wall) if len(wall) > 1 else 0.0
    cpu = statistics.mean(c for _, c in times)
    return (
        f"| {name} | {statistics.mean(wall):.3f} ± {spread:.3f} | {min(wall):.3f} | {cpu:.3f} | {len(times)} | {note} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="100 000 rows × 10 features")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of the brickgate engines")
    parser.add_argument("--peer-repeats", type=int, default=1, help="timed runs of evidently")
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--no-evidently", action="store_true")
    args = parser.parse_args()
    rows, features = (100_000, 10) if args.quick else (args.rows, args.features)

    preload(peer=not args.no_evidently)
    reference = make_data(rows, features, seed=1, current=False)
    current = make_data(rows, features, seed=2, current=True)
    table: list[str] = []
    notes: list[str] = []
    verdict = 0
    with tempfile.TemporaryDirectory() as folder:
        profile_path = Path(folder) / "psi_profile.json"
        build_times, profile = timed(lambda: pandas_engine.build_profile(reference), 1)
        save_profile(profile, profile_path)
        table.append(row("brickgate profile (pandas, once at training)", build_times, "not compared"))

        def gate() -> Any:
            return pandas_engine.psi_gate(current, load_profile(profile_path), PsiGateOptions())

        ours, result = timed(gate, args.repeats)
        table.append(row("brickgate psi-gate, pandas engine", ours, "stored profile + current frame"))
        if not args.no_evidently:
            theirs, psi = timed(lambda: evidently_psi(reference, current), args.peer_repeats)
            table.append(row("evidently DataDriftPreset(method='psi')", theirs, "reference + current frames"))
            speedup = statistics.mean(w for w, _ in theirs) / statistics.mean(w for w, _ in ours)
            cpu_speedup = statistics.mean(c for _, c in theirs) / statistics.mean(c for _, c in ours)
            verdict = 0 if min(speedup, cpu_speedup) >= TARGET_SPEEDUP else 1
            ours_drift = {f.name for f in result.features if f.psi is not None and f.psi >= 0.1}
            theirs_drift = {name for name, value in psi.items() if value >= 0.1}
            notes.append(
                f"Speed-up pandas engine vs evidently: {speedup:.1f}× wall, {cpu_speedup:.1f}× CPU "
                f"(target ≥ {TARGET_SPEEDUP:g}× on both: "
                f"{'met' if verdict == 0 else 'MISSED'}). Features with PSI ≥ 0.1: brickgate {len(ours_drift)}, "
                f"evidently {len(theirs_drift)}, both {len(ours_drift & theirs_drift)} (evidently bins "
                "equal-width over reference + current, brickgate uses reference deciles, so values differ)."
            )
        if not args.no_spark:
            parquet = Path(folder) / "current.parquet"
            current.to_parquet(parquet)
            spark_gate(parquet, profile_path)  # warm-up: session start, codegen
            spark_times, spark_result = timed(lambda: spark_gate(parquet, profile_path), args.repeats)
            pairs = zip(spark_result.features, result.features, strict=True)
            worst = max(abs((a.psi or 0.0) - (b.psi or 0.0)) for a, b in pairs)
            note = f"Parquet read + one aggregation; max abs PSI difference to pandas {worst:.1e}"
            table.append(row("brickgate psi-gate, Spark engine local[2]", spark_times, note))
    header = [
        f"{rows:,} rows × {features} features; Python {platform.python_version()}, "
        f"pandas {pd.__version__}, numpy {np.__version__}",
        "",
        "| engine | wall mean ± sd (s) | wall min (s) | CPU mean (s) | runs | note |",
        "|---|---|---|---|---|---|",
    ]
    print("\n".join([*header, *table, "", *notes]))
    return verdict


if __name__ == "__main__":
    sys.exit(main())
