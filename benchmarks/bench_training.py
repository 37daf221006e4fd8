"""Wall time of the claims-fraud `model_training_job` run locally: one task at a time vs in parallel.

Each measurement runs `brickgate run <copy of examples/claims-fraud> model_training_job -t local`
in a fresh copy of the bundle (fresh MLflow store and warehouse, so every run pays the same
set-up), once with `--max-parallel 1` and once with the default (one task per core), and reads
the run record for the job's wall time and each task's time. The two trainings are the only
tasks that can overlap (then the two gates): with one thread per model they should run side by
side on a 2-core machine.

    python benchmarks/bench_training.py            # 300,000 claims (the demo's default size)
    BENCH_TRAINING_ROWS=60000 python benchmarks/bench_training.py   # quick run
    BENCH_TRAINING_REPEATS=3 ...                   # alternate modes three times each, report medians
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "claims-fraud"
ROWS = int(os.environ.get("BENCH_TRAINING_ROWS", "300000"))
REPEATS = int(os.environ.get("BENCH_TRAINING_REPEATS", "1"))
MODES = {"--max-parallel 1": ["--max-parallel", "1"], "default (2 cores)": []}


def seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def run_once(extra: list[str]) -> dict[str, Any]:
    """One training job run in a fresh copy of the bundle; its run record."""
    with tempfile.TemporaryDirectory(prefix="bench-training-") as scratch:
        bundle = Path(scratch) / "claims-fraud"
        shutil.copytree(EXAMPLE, bundle, ignore=shutil.ignore_patterns(".brickgate", "__pycache__"))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BRICKGATE_", "MLFLOW_"))}
        command = [str(Path(sys.executable).parent / "brickgate"), "run", str(bundle), "model_training_job"]
        command += ["-t", "local", "--param", f"data_size={ROWS}", *extra]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise SystemExit(f"training job failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        record_file = next((bundle / ".brickgate" / "runs").glob("*/run.json"))
        record: dict[str, Any] = json.loads(record_file.read_text(encoding="utf-8"))
        return record


def task_seconds(record: dict[str, Any]) -> dict[str, float]:
    return {
        task["task_key"]: seconds(task["attempts"][-1]["started_at"], task["attempts"][-1]["ended_at"])
        for task in record["tasks"]
        if task["attempts"]
    }


def main() -> int:
    load = os.getloadavg()
    results: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    for _ in range(REPEATS):
        for mode, extra in MODES.items():
            results[mode].append(run_once(extra))
    walls = {
        mode: statistics.median(seconds(r["started_at"], r["ended_at"]) for r in runs) for mode, runs in results.items()
    }
    tasks = {
        mode: {key: statistics.median(task_seconds(r)[key] for r in runs) for key in task_seconds(runs[0])}
        for mode, runs in results.items()
    }
    print(f"claims-fraud model_training_job, {ROWS:,} claims, {os.cpu_count()} cores, median of {REPEATS}")
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    modes = list(MODES)
    print(f"| task | {' | '.join(modes)} |")
    print(f"|---|{'---:|' * len(modes)}")
    for key in tasks[modes[0]]:
        print(f"| {key} | {' | '.join(f'{tasks[mode][key]:.1f} s' for mode in modes)} |")
    print(f"| **job wall time** | {' | '.join(f'**{walls[mode]:.1f} s**' for mode in modes)} |")
    print(f"\nspeed-up of the default over --max-parallel 1: {walls[modes[0]] / walls[modes[1]]:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
