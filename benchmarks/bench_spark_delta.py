"""Both gates through local Spark on a 300k-row claims table stored as Delta vs as Parquet.

The same rows are written twice: as a Delta table (deltalake) and as one Parquet file. In one
local Spark session (the engine a `--engine spark` run uses, JVM already started and warmed
up), each gate runs in-process through the CLI entry point, alternating formats, N times:
the difference is what Delta costs a Spark reader (the log replay and snapshot on top of the
same Parquet scan). The PSI profile is built once from a separate reference sample.

Run: `.venv/bin/python benchmarks/bench_spark_delta.py [--rows 300000] [--runs 5]`. Needs
`make spark-jars`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def claims(rows: int, seed: int) -> pd.DataFrame:
    """Scored claims: protected attributes, a score, a label and PSI features."""
    rng = np.random.default_rng(seed)
    gender = rng.choice(["F", "M"], rows)
    return pd.DataFrame(
        {
            "claim_id": np.arange(rows),
            "patient_gender": gender,
            "age_band": rng.choice(["18-30", "31-45", "46-60", "61+"], rows),
            "region": rng.choice(["north", "south", "east", "west", "central"], rows),
            "claim_amount": rng.lognormal(7, 1, rows),
            "num_procedures": rng.integers(1, 12, rows),
            "provider_type": rng.choice(["clinic", "hospital", "lab", "pharmacy"], rows),
            "days_to_submit": rng.integers(0, 90, rows),
            "score": rng.beta(2, 8, rows) + np.where(gender == "F", 0.01, 0.0),
            "is_fraud": (rng.random(rows) < 0.05).astype(np.int64),
        }
    )


def cli(args: list[str]) -> float:
    """Seconds for one in-process `brickgate` run (output discarded; exit 0 or 1 expected)."""
    from brickgate.cli import main

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main(args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from deltalake import write_deltalake

    from brickgate.runtime import get_spark

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data = claims(args.rows, 42)
        write_deltalake(str(folder / "claims_delta"), data)
        data.to_parquet(folder / "claims.parquet", index=False)
        claims(args.rows // 2, 7).to_parquet(folder / "reference.parquet", index=False)
        features = "claim_amount,num_procedures,provider_type,days_to_submit,region"
        cli(
            [
                "psi-gate",
                "profile",
                "--reference",
                str(folder / "reference.parquet"),
                "--features",
                features,
                "--out",
                str(folder / "profile.json"),
            ]
        )
        spark = get_spark()
        spark.range(1).count()
        master = spark.conf.get("spark.master")
        gates = {
            "fairness-gate": [
                "fairness-gate",
                "--engine",
                "spark",
                "--score-column",
                "score",
                "--label-column",
                "is_fraud",
                "--protected-attributes",
                "patient_gender,age_band,region",
                "--data",
            ],
            "psi-gate": ["psi-gate", "--engine", "spark", "--profile", str(folder / "profile.json"), "--current"],
        }
        sources = {"Delta": str(folder / "claims_delta"), "Parquet": str(folder / "claims.parquet")}
        times: dict[tuple[str, str], list[float]] = {(g, s): [] for g in gates for s in sources}
        for gate, command in gates.items():
            for source in sources.values():
                cli([*command, source])  # warm-up: class loading, first plan
            for _ in range(args.runs):
                for label, source in sources.items():
                    times[gate, label].append(cli([*command, source]))
    print(
        f"{os.cpu_count()} CPUs, {args.rows:,} rows, Spark {master}, {args.runs} runs after a warm-up, "
        f"Python {sys.version.split()[0]}\n"
    )
    print("| gate | Parquet median (s) | Delta median (s) | Delta / Parquet | Parquet runs (s) | Delta runs (s) |")
    print("|---|---:|---:|---:|---|---|")
    for gate in gates:
        parquet, delta = times[gate, "Parquet"], times[gate, "Delta"]
        ratio = statistics.median(delta) / statistics.median(parquet)
        print(
            f"| `{gate} --engine spark` | {statistics.median(parquet):.2f} | {statistics.median(delta):.2f} | "
            f"{ratio:.2f}× | {', '.join(f'{t:.2f}' for t in parquet)} | {', '.join(f'{t:.2f}' for t in delta)} |"
        )


if __name__ == "__main__":
    main()
