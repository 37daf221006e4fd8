"""Whole-process cost of a gate against the floor: Python that imports pandas and reads the same Parquet.

Issue 18 "cheap start": a `brickgate fairness-gate` process on 1 M rows, and a `brickgate psi-gate`
process on 1 M rows × 50 features with a stored profile, each paired run by run with a plain
``python -c "import pandas; pandas.read_parquet(<same file>, columns=<same columns>)"``. The two
commands of a pair run back to back, in alternating order, so a burst of load from elsewhere hits
both; the table shows the medians of wall and CPU time (user + system of the child, from
``os.wait4``) and the median of the per-pair ratios, plus each process's peak RSS against the
in-memory size of the columns read. The data is generated in a child process (``--generate``) and
this process never imports pandas: Linux hands a child the parent's peak RSS across fork and exec,
so a big parent would hide the children's own peaks.

Goal: gate / floor ≤ 1.3× (median of pairs). ``--check`` exits 1 when a ratio misses it.

Run: ``.venv/bin/python benchmarks/bench_start.py [--rows 1000000] [--features 50] [--pairs 7] [--check]``.
Import breakdown of one run: ``python -X importtime -m brickgate fairness-gate ...`` (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

GOAL = 1.3
ATTRIBUTES = ("gender", "age_band", "region")


@dataclass(frozen=True)
class Sample:
    wall: float
    cpu: float
    rss_mib: float


def run(command: list[str], cwd: Path) -> Sample:
    """One process: wall time, CPU time (user + system) and peak RSS of that child only."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # a gate verdict is 0 or 1; anything else is a broken benchmark
        raise SystemExit(
            f"{' '.join(command[:4])} … exited {code}: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return Sample(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_mib=usage.ru_maxrss / 1024)


def fairness_data(folder: Path, rows: int) -> tuple[Path, list[str], float]:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "score": rng.uniform(size=rows),
            "gender": pd.Categorical(rng.choice(["F", "M", "X"], rows)),
            "age_band": pd.Categorical(rng.choice(list("abcdef"), rows)),
            "region": pd.Categorical(rng.choice([f"r{i}" for i in range(50)], rows)),
        }
    )
    path = folder / "claims.parquet"
    frame.to_parquet(path, index=False)
    return path, list(frame.columns), frame.memory_usage(deep=True, index=False).sum() / 2**20


def psi_data(folder: Path, rows: int, features: int) -> tuple[Path, Path, list[str], float]:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(11)
    numeric = features - features // 10
    columns: dict[str, object] = {f"x{i}": rng.normal(size=rows) for i in range(numeric)}
    columns |= {f"c{i}": rng.choice(list("abcdefgh"), rows) for i in range(features - numeric)}
    reference = pd.DataFrame(columns)
    current = reference.assign(**{f"x{i}": reference[f"x{i}"] + 0.2 for i in range(0, numeric, 3)})
    reference_path, current_path = folder / "reference.parquet", folder / "current.parquet"
    reference.to_parquet(reference_path, index=False)
    current.to_parquet(current_path, index=False)
    profile = folder / "profile.json"
    command = ["psi-gate", "profile", "--reference", str(reference_path), "--all-features", "--out", str(profile)]
    subprocess.run(
        [sys.executable, "-m", "brickgate", *command],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    size = current.memory_usage(deep=True, index=False).sum() / 2**20
    return current_path, profile, list(current.columns), size


def pairs(gate: list[str], floor: list[str], count: int, cwd: Path) -> list[tuple[Sample, Sample]]:
    run(floor, cwd)  # warm the page cache and the import caches once
    run(gate, cwd)
    found = []
    for index in range(count):
        if index % 2:
            floor_sample = run(floor, cwd)
            gate_sample = run(gate, cwd)
        else:
            gate_sample = run(gate, cwd)
            floor_sample = run(floor, cwd)
        found.append((gate_sample, floor_sample))
    return found


def row(name: str, found: list[tuple[Sample, Sample]], columns_mib: float) -> tuple[str, float]:
    gate_wall = statistics.median(g.wall for g, _ in found)
    floor_wall = statistics.median(f.wall for _, f in found)
    gate_cpu = statistics.median(g.cpu for g, _ in found)
    floor_cpu = statistics.median(f.cpu for _, f in found)
    wall_ratio = statistics.median(g.wall / f.wall for g, f in found)
    cpu_ratio = statistics.median(g.cpu / f.cpu for g, f in found)
    rss = max(g.rss_mib for g, _ in found)
    floor_rss = max(f.rss_mib for _, f in found)
    line = (
        f"| {name} | {gate_wall:.2f} | {floor_wall:.2f} | **{wall_ratio:.2f}×** | {gate_cpu:.2f} | {floor_cpu:.2f} | "
        f"**{cpu_ratio:.2f}×** | {rss:.0f} ({rss / columns_mib:.1f}×) | {floor_rss:.0f} | {columns_mib:.0f} |"
    )
    return line, max(wall_ratio, cpu_ratio)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 when a median ratio is above the goal")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)  # child mode: write the data there
    args = parser.parse_args()
    python = sys.executable
    if args.generate is not None:
        print(
            json.dumps(
                [fairness_data(args.generate, args.rows), psi_data(args.generate, args.rows, args.features)],
                default=str,
            )
        )
        return 0
    lines = [
        "| process | gate wall s | floor wall s | wall ratio | gate CPU s | floor CPU s | CPU ratio "
        "| gate peak RSS MiB (× columns) | floor peak RSS MiB | columns MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    worst = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        command = [python, __file__, "--generate", scratch, "--rows", str(args.rows), "--features", str(args.features)]
        generated = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        data, columns, size = Path(generated[0][0]), generated[0][1], generated[0][2]
        gate = [python, "-m", "brickgate", "fairness-gate", "--data", str(data), "--score-column", "score"]
        gate += ["--protected-attributes", ",".join(ATTRIBUTES)]
        floor = [python, "-c", f"import pandas as pd; pd.read_parquet({str(data)!r}, columns={columns!r})"]
        line, ratio = row(f"fairness-gate, {args.rows:,} rows", pairs(gate, floor, args.pairs, folder), size)
        lines.append(line)
        worst = max(worst, ratio)
        current, profile, columns, size = Path(generated[1][0]), Path(generated[1][1]), generated[1][2], generated[1][3]
        gate = [python, "-m", "brickgate", "psi-gate", "--current", str(current), "--profile", str(profile)]
        floor = [python, "-c", f"import pandas as pd; pd.read_parquet({str(current)!r}, columns={columns!r})"]
        label = f"psi-gate, {args.rows:,} × {args.features}, stored profile"
        line, ratio = row(label, pairs(gate, floor, args.pairs, folder), size)
        lines.append(line)
        worst = max(worst, ratio)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    print("\n".join(lines))
    print(f"goal: ≤ {GOAL}× (median of {args.pairs} pairs); worst median ratio {worst:.2f}×")
    return 1 if args.check and worst > GOAL else 0


if __name__ == "__main__":
    raise SystemExit(main())
