"""Per-job overhead of a brickgate composite action: `actions/_shared/install.sh` cold and warm.

Cold: a new venv and `pip install` of the toolkit from this source tree with the action's extras
(pip's wheel cache as on a runner with a warm cache; a GitHub-hosted runner downloads them once
per job). Warm: a second install into the same `BRICKGATE_VENV` (self-hosted runners), skipped by
the source-hash stamp. Run: `.venv/bin/python benchmarks/bench_actions.py`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INSTALL = REPO / "actions" / "_shared" / "install.sh"
CASES = {"validate-bundle, tag-release (core)": "", "fairness-gate, psi-gate (plots)": "plots"}


def install(venv: Path, extras: str, scratch: Path) -> float:
    env = {**os.environ, "BRICKGATE_VENV": str(venv), "BRICKGATE_EXTRAS": extras, "RUNNER_TEMP": str(scratch)}
    env["GITHUB_OUTPUT"] = str(scratch / "output")
    start = time.perf_counter()
    subprocess.run(["bash", str(INSTALL), "install"], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    print("| action (extras) | cold install s | warm (same venv) s |")
    print("|---|---:|---:|")
    for label, extras in CASES.items():
        with tempfile.TemporaryDirectory() as folder:
            scratch = Path(folder)
            cold = install(scratch / "venv", extras, scratch)
            warm = install(scratch / "venv", extras, scratch)
            print(f"| {label} | {cold:.1f} | {warm:.2f} |")


if __name__ == "__main__":
    main()
