"""How much `brickgate run` adds to a job's own work.

1. Scheduler overhead: a 50-task DAG of no-op Python tasks (10 layers of 5, each task
   depending on the whole previous layer), run one task at a time and with one task per
   core. Per task = wall time / 50. The peer baseline, measured in the same run, is what
   any subprocess-per-task runner pays at least: ``python -c pass`` (interpreter start-up).
   Target: < 150 ms per task, start-up included.
2. Critical path: a DAG of sleeping tasks with parallel branches; wall time against the
   longest chain of sleeps. Target: within 10 %.

Run: ``.venv/bin/python benchmarks/bench_runner.py [--repeats 3]``; prints a markdown table
(recorded in docs/benchmarks.md, section "runner").
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from brickgate.runner import RunOptions, run_job

LAYERS, WIDTH = 10, 5
SLEEPS = {"extract": 1.0, "clean": 2.0, "profile": 0.5, "features": 1.0, "train": 1.5, "report": 0.5}
SLEEP_DEPS = {
    "extract": [],
    "clean": ["extract"],
    "profile": ["extract"],
    "features": ["profile"],
    "train": ["clean", "features"],
    "report": ["train"],
}


def noop_jobs() -> dict[str, Any]:
    tasks = []
    for layer in range(LAYERS):
        for column in range(WIDTH):
            task: dict[str, Any] = {"task_key": f"t{layer}_{column}", "spark_python_task": {"python_file": "noop.py"}}
            if layer:
                task["depends_on"] = [{"task_key": f"t{layer - 1}_{c}"} for c in range(WIDTH)]
            tasks.append(task)
    return {"noop": {"tasks": tasks}}


def sleep_jobs() -> dict[str, Any]:
    tasks = [
        {
            "task_key": key,
            "spark_python_task": {"python_file": "nap.py", "parameters": [str(SLEEPS[key])]},
            "depends_on": [{"task_key": dep} for dep in deps],
        }
        for key, deps in SLEEP_DEPS.items()
    ]
    return {"sleepy": {"tasks": tasks}}


def critical_path() -> float:
    longest: dict[str, float] = {}
    for key, deps in SLEEP_DEPS.items():  # declared in topological order
        longest[key] = SLEEPS[key] + max((longest[dep] for dep in deps), default=0.0)
    return max(longest.values())


def timed_run(root: Path, jobs: dict[str, Any], job: str, max_parallel: int) -> float:
    options = RunOptions(root=root, jobs=jobs, max_parallel=max_parallel, handle_signals=False)
    start = time.perf_counter()
    record = run_job(job, options)
    elapsed = time.perf_counter() - start
    assert record.state == "SUCCESS", record.state
    return elapsed


def python_startup(samples: int) -> float:
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "noop.py").write_text("pass\n")
        (root / "nap.py").write_text("import sys, time\ntime.sleep(float(sys.argv[1]))\n")
        startups, serials = [], []
        for _ in range(args.repeats):  # interleaved, so both see the same machine load
            startups.append(python_startup(10))
            serials.append(timed_run(root, noop_jobs(), "noop", 1))
        startup, serial = statistics.median(startups), statistics.median(serials)
        beyond = statistics.median(run / LAYERS / WIDTH - start for run, start in zip(serials, startups, strict=True))
        parallel = statistics.median(timed_run(root, noop_jobs(), "noop", cores) for _ in range(args.repeats))
        sleepy = statistics.median(timed_run(root, sleep_jobs(), "sleepy", 4) for _ in range(args.repeats))
    tasks = LAYERS * WIDTH
    path = critical_path()
    print(f"Python {platform.python_version()}, {cores} cores, median of {args.repeats} runs\n")
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| peer: `python -c pass` (interpreter start-up) | {startup * 1000:.1f} ms | — |")
    print(f"| 50 no-op tasks, one at a time: wall | {serial:.2f} s | — |")
    print(f"| per task, one at a time (start-up included) | {serial / tasks * 1000:.1f} ms | < 150 ms |")
    print(f"| per task beyond interpreter start-up | {beyond * 1000:.1f} ms | — |")
    print(f"| per task, {cores} at a time (wall / 50) | {parallel / tasks * 1000:.1f} ms | < 150 ms |")
    print(f"| sleeping DAG: critical path | {path:.2f} s | — |")
    print(f"| sleeping DAG: wall | {sleepy:.2f} s (+{(sleepy / path - 1) * 100:.1f} %) | within 10 % |")


if __name__ == "__main__":
    main()
