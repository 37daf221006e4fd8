"""Per-job overhead of a brickgate composite action: the install step, pip beside uv, cold and warm.

All variants install the same hash-locked requirements (requirements/<extras>.txt) into a new
venv, from a copy of this source tree as the action's checkout (no .venv inside):

- pip (the former install.sh): `python -m venv`, `pip install --require-hashes -r <lock>`, then
  `pip install --no-deps <checkout>` (a build of the toolkit);
- uv (`actions/_shared/install.sh install`): uv from requirements/uv.txt (pip, hash-checked), a
  uv venv, `uv pip install --require-hashes -r <lock>`, the toolkit copied into the venv.

Cold: empty pip and uv caches (everything downloaded: a GitHub-hosted runner without a cache
hit). Warm: the caches of the cold run (pip's wheel cache; for uv the folder actions/cache
restores), still a new venv. Stamp: install.sh again into the same `BRICKGATE_VENV` (a self-hosted
runner keeping its venv). Run: `.venv/bin/python benchmarks/bench_actions.py`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CASES = {"validate-bundle, tag-release (core)": "", "fairness-gate, psi-gate (plots)": "plots"}
PYTHON = shutil.which("python3") or sys.executable


def checkout(destination: Path) -> Path:
    """This working tree's tracked and untracked-but-not-ignored files, as an action checkout."""
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    listed = subprocess.run(command, cwd=REPO, capture_output=True, check=True).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = REPO / relative
        if source.is_file() and not source.is_symlink():
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / relative)
    return destination


def timed(step: Callable[..., None], *args: Any) -> float:
    start = time.perf_counter()
    step(*args)
    return time.perf_counter() - start


def pip_install(root: Path, extras: str, venv: Path, pip_cache: Path) -> None:
    env = {**os.environ, "PIP_CACHE_DIR": str(pip_cache), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    lock = root / "requirements" / f"{'-'.join(sorted(filter(None, extras.split(',')))) or 'core'}.txt"
    run = dict(env=env, check=True, capture_output=True)
    subprocess.run([PYTHON, "-m", "venv", str(venv)], **run)  # type: ignore[call-overload]
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--require-hashes", "-r", str(lock)], **run)  # type: ignore[call-overload]
    subprocess.run([*pip, "--no-deps", str(root)], **run)  # type: ignore[call-overload]


def uv_install(root: Path, extras: str, venv: Path, pip_cache: Path, uv_cache: Path, scratch: Path) -> None:
    env = {
        **os.environ,
        "BRICKGATE_VENV": str(venv),
        "BRICKGATE_EXTRAS": extras,
        "BRICKGATE_UV_CACHE": str(uv_cache),
        "BRICKGATE_PYTHON": PYTHON,
        "PIP_CACHE_DIR": str(pip_cache),
        "RUNNER_TEMP": str(scratch),
        "RUNNER_OS": "Linux",
        "GITHUB_OUTPUT": str(scratch / "output"),
    }
    script = root / "actions" / "_shared" / "install.sh"
    subprocess.run(["bash", str(script), "install"], env=env, check=True, capture_output=True)


def main() -> None:
    print("| action (extras) | pip cold s | pip warm s | uv cold s | uv warm s | uv stamp s |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, extras in CASES.items():
        with tempfile.TemporaryDirectory() as folder:
            scratch = Path(folder)
            root = checkout(scratch / "checkout")
            pip_cache, uv_pip_cache, uv_cache = scratch / "pip-cache", scratch / "uv-pip-cache", scratch / "uv"
            pip_cold = timed(pip_install, root, extras, scratch / "pip-1", pip_cache)
            pip_warm = timed(pip_install, root, extras, scratch / "pip-2", pip_cache)
            uv_cold = timed(uv_install, root, extras, scratch / "uv-1", uv_pip_cache, uv_cache, scratch)
            uv_warm = timed(uv_install, root, extras, scratch / "uv-2", uv_pip_cache, uv_cache, scratch)
            stamp = timed(uv_install, root, extras, scratch / "uv-2", uv_pip_cache, uv_cache, scratch)
            print(f"| {label} | {pip_cold:.1f} | {pip_warm:.1f} | {uv_cold:.1f} | {uv_warm:.1f} | {stamp:.2f} |")


if __name__ == "__main__":
    main()
