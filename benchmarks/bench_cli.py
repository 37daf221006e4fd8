"""Wall time of `brickgate --help` and `brickgate validate-bundle` on a 50 jobs × 10 tasks bundle.

Each command runs as a fresh subprocess (interpreter start included), hyperfine style: warm-up
runs, then N timed runs; the table shows mean ± standard deviation, min and median. The peer
in the same run is `python -c pass` (the floor any Python CLI pays). The Databricks CLI, the
natural peer for `bundle validate`, is not installable on this machine (no network beyond
package registries), so it is not measured.

Targets: `--help` under 0.3 s, `validate-bundle` on the generated bundle under 1 s (mean).

Wall time depends on how busy the machine is, so the table also shows CPU time (user + system
of the child process). `--check` makes a missed wall-time target exit 1.

Run: `.venv/bin/python benchmarks/bench_cli.py [--runs 20] [--jobs 50] [--tasks 10] [--check]`
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

TARGETS = {"brickgate --help": 0.3, "brickgate validate-bundle": 1.0}


def generate_bundle(folder: Path, jobs: int, tasks: int) -> None:
    """A bundle with `jobs` jobs of `tasks` chained spark_python_tasks, split over one file per job."""
    (folder / "src").mkdir(parents=True)
    (folder / "resources").mkdir()
    for index in range(tasks):
        (folder / "src" / f"step_{index}.py").write_text(f'print("step {index}")\n', encoding="utf-8")
    (folder / "databricks.yml").write_text(
        "bundle:\n  name: bench\ninclude:\n  - resources/*.yml\n"
        "variables:\n  catalog:\n    default: main\n  workers:\n    default: 2\n"
        "targets:\n  dev:\n    default: true\n    mode: development\n"
        "  prod:\n    mode: production\n    workspace:\n      root_path: /Workspace/Shared/.bundle/bench\n"
        "    run_as:\n      service_principal_name: 6f3a2c1e-0000-4000-8000-000000000001\n",
        encoding="utf-8",
    )
    for job in range(jobs):
        lines = [
            "resources:",
            "  jobs:",
            f"    job_{job}:",
            f"      name: job-{job}-${{bundle.target}}",
            "      schedule:",
            '        quartz_cron_expression: "0 0 6 ? * MON-FRI"',
            "        timezone_id: Europe/Paris",
            "      job_clusters:",
            "        - job_cluster_key: main",
            "          new_cluster:",
            "            spark_version: 15.4.x-scala2.12",
            "            node_type_id: i3.xlarge",
            "            num_workers: ${var.workers}",
            "      tasks:",
        ]
        for task in range(tasks):
            lines += [f"        - task_key: step_{task}", "          job_cluster_key: main"]
            if task:
                lines += ["          depends_on:", f"            - task_key: step_{task - 1}"]
            lines += [
                "          spark_python_task:",
                f"            python_file: ../src/step_{task}.py",
                '            parameters: ["--catalog", "${var.catalog}"]',
            ]
        (folder / "resources" / f"job_{job}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(command: Sequence[str], runs: int, warmup: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (user + system) seconds of `runs` executions after `warmup` untimed ones.

    CPU time is what the command costs; wall time also holds waiting for a core on a busy machine.
    Any failure aborts.
    """
    walls, cpus = [], []
    for index in range(warmup + runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(list(command), capture_output=True, env=env, check=False)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited with {result.returncode}: {result.stderr.decode()[-500:]}")
        if index >= warmup:
            walls.append(elapsed)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--check", action="store_true", help="exit 1 when a wall-time target is missed")
    args = parser.parse_args()
    brickgate = str(Path(sys.executable).parent / "brickgate")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRICKGATE_", "GITHUB_", "BUNDLE_VAR_"))}
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(tmp) / "bundle"
        generate_bundle(bundle, args.jobs, args.tasks)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "brickgate --help": [brickgate, "--help"],
            "brickgate validate-bundle": [brickgate, "validate-bundle", str(bundle), "-t", "prod"],
        }
        results = {name: measure(cmd, args.runs, args.warmup, env) for name, cmd in commands.items()}
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"# {args.runs} runs after {args.warmup} warm-up, bundle of {args.jobs} jobs × {args.tasks} tasks; "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, load average {load}"
    )
    print("| command | wall mean ± sd (s) | wall min (s) | wall median (s) | CPU mean (s) | target (wall) | verdict |")
    print("|---|---|---|---|---|---|---|")
    missed = 0
    for name, (walls, cpus) in results.items():
        mean, sd = statistics.fmean(walls), statistics.stdev(walls) if len(walls) > 1 else 0.0
        target = TARGETS.get(name)
        verdict = "peer" if target is None else ("met" if mean < target else "MISSED")
        missed += verdict == "MISSED"
        target_text = f"< {target} s" if target else "-"
        print(
            f"| `{name}` | {mean:.3f} ± {sd:.3f} | {min(walls):.3f} | {statistics.median(walls):.3f} "
            f"| {statistics.fmean(cpus):.3f} | {target_text} | {verdict} |"
        )
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
