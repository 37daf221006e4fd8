"""Concurrent appends to one Delta results table: N processes × M appends, through Spark
(saveAsTable of the Delta folder) and through deltalake (delta-rs), via `brickgate.tables`.

Each worker process starts its writer (a local Spark session, or nothing for deltalake), waits
at a barrier until every worker is ready, then makes M appends of 3 rows each, as fast as it
can. Delta's optimistic concurrency decides the order: an append that loses the race to a
version number re-reads the log and commits as the next version (blind appends never
conflict on data). Afterwards the parent checks that no row is lost and that every append is
exactly one version of the log, and reports appends per second (all appends / wall time from
the barrier to the last commit).

`--run-key` appends as `--results-table` does (`run_key=RESULTS_RUN_KEY`: a lookup of the run
first; deltalake then writes the data file and commits it in a separate step).

Run: `.venv/bin/python benchmarks/bench_delta_appends.py [--processes 2] [--appends 30]
[--engine spark|deltalake|both] [--run-key] [--json]`. Needs `make spark-jars` for Spark.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROWS_PER_APPEND = 3


def rows(tag: str, index: int) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "run_id": [f"{tag}-{index}"] * ROWS_PER_APPEND,
            "attribute": ["gender", "age_band", "region"],
            "value": [float(index)] * ROWS_PER_APPEND,
        }
    )


def worker(engine: str, table: str, tag: str, appends: int, barrier: Path, run_key: bool) -> None:
    """Make `appends` appends once the parent removes the barrier; print start/end times."""
    from brickgate.tables import RESULTS_RUN_KEY, write_table

    spark = None
    if engine == "spark":
        from brickgate.runtime import get_spark

        spark = get_spark()
        spark.range(1).count()  # JVM warm: the first job's start-up is not an append's cost
    Path(f"{barrier}.{tag}.ready").touch()
    while barrier.exists():
        time.sleep(0.01)
    start = time.time()
    for index in range(appends):
        write_table(table, rows(tag, index), spark=spark, run_key=RESULTS_RUN_KEY if run_key else ())
    print(json.dumps({"tag": tag, "start": start, "end": time.time()}))


def measure(engine: str, processes: int, appends: int, folder: Path, run_key: bool) -> dict[str, Any]:
    """Run the workers against a fresh table in `folder`; check rows and log; return figures."""
    from deltalake import DeltaTable, write_deltalake

    table = folder / f"results_{engine}"
    write_deltalake(str(table), rows("seed", 0))  # version 0, so workers only append
    barrier = folder / f"barrier_{engine}"
    barrier.touch()
    command = [sys.executable, __file__, "--worker", "--engine", engine, "--table", str(table)]
    command += ["--appends", str(appends), "--barrier", str(barrier)] + (["--run-key"] if run_key else [])
    children = [
        subprocess.Popen([*command, "--tag", f"p{n}"], stdout=subprocess.PIPE, text=True) for n in range(processes)
    ]
    while not all(Path(f"{barrier}.p{n}.ready").exists() for n in range(processes)):
        if any(child.poll() not in (None, 0) for child in children):
            raise SystemExit(f"a {engine} worker failed before the barrier")
        time.sleep(0.05)
    go = time.time()
    barrier.unlink()
    reports = []
    for child in children:
        out, _ = child.communicate(timeout=1800)
        if child.returncode != 0:
            raise SystemExit(f"a {engine} worker exited {child.returncode}")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    wall = max(report["end"] for report in reports) - go
    delta = DeltaTable(str(table))
    data = delta.to_pandas()
    history = delta.history()
    expected_runs = {f"p{n}-{i}" for n in range(processes) for i in range(appends)} | {"seed-0"}
    counts = data.groupby("run_id").size()
    appended = [entry for entry in history if entry["version"] > 0]
    return {
        "engine": engine + (" (run_key)" if run_key else ""),
        "processes": processes,
        "appends": processes * appends,
        "rows": len(data),
        "rows_expected": ROWS_PER_APPEND * (processes * appends + 1),
        "every_run_once": set(counts.index) == expected_runs and bool((counts == ROWS_PER_APPEND).all()),
        "versions": delta.version(),
        "one_version_per_append": len(appended) == processes * appends
        and all(
            DeltaTable(str(table), version=version).to_pyarrow_table().num_rows == ROWS_PER_APPEND * (version + 1)
            for version in range(1, delta.version() + 1)
        ),
        "retries": sum(int(entry.get("operationMetrics", {}).get("num_retries", 0)) for entry in appended),
        "wall_s": round(wall, 3),
        "appends_per_s": round(processes * appends / wall, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["spark", "deltalake", "both"], default="both")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--appends", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON lines")
    parser.add_argument(
        "--run-key", action="store_true", help="append as results tables do (run_key: a re-run replaces its rows)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--table", help=argparse.SUPPRESS)
    parser.add_argument("--tag", help=argparse.SUPPRESS)
    parser.add_argument("--barrier", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.engine, args.table, args.tag, args.appends, Path(args.barrier), args.run_key)
        return
    engines = ["deltalake", "spark"] if args.engine == "both" else [args.engine]
    with tempfile.TemporaryDirectory() as folder:
        figures = [measure(engine, args.processes, args.appends, Path(folder), args.run_key) for engine in engines]
    if args.json:
        for figure in figures:
            print(json.dumps(figure))
        return
    print(f"{os.cpu_count()} CPUs; {args.processes} processes × {args.appends} appends of {ROWS_PER_APPEND} rows\n")
    print("| writer | appends | wall (s) | appends/s | rows (expected) | versions | no row lost, 1 version/append |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for f in figures:
        ok = f["every_run_once"] and f["one_version_per_append"] and f["rows"] == f["rows_expected"]
        print(
            f"| {f['engine']} | {f['appends']} | {f['wall_s']} | {f['appends_per_s']} | "
            f"{f['rows']} ({f['rows_expected']}) | {f['versions']} | {'yes' if ok else 'NO'} |"
        )


if __name__ == "__main__":
    main()
