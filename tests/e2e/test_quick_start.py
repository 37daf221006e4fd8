"""docs/actions.md's quick start, exactly as written, makes `ci / brickgate` green (issue 20).

A fresh repository, the documented commands (`brickgate init`, the documented `git add` and
`git commit`), then a clean clone of what was committed runs `brickgate-ci.yml` under act: a
file the quick start forgets to add fails the clone's checks, as on github.com.
brickgate is not published from here, so PyPI is stood in for twice: `pip install brickgate`
meets a `pip` on PATH that accepts exactly that command (the checkout's `brickgate`, this venv,
is used), and the workflow's jobs find `brickgate==<version>` (the dependency `init` writes) as
a wheel built from this checkout (`PIP_FIND_LINKS`); everything else comes from the index.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.examples import REPO, blocks, parse
from tests.e2e.act import act

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PIP = '#!/bin/sh\n[ "$*" = "install brickgate" ] || { echo "unexpected: pip $*" >&2; exit 3; }\n'


def quick_start() -> str:
    """The block of docs/actions.md whose marker names this test."""
    (block,) = [b for b in blocks(parse(REPO / "docs" / "actions.md")) if Path(__file__).name in (b.skip_reason or "")]
    return str(block.example.parsed)


def wheelhouse(folder: Path) -> Path:
    """A folder holding this checkout's wheel, as PyPI would hold the release."""
    subprocess.run(["uv", "build", "--wheel", "-q", "-o", str(folder), str(REPO)], check=True, timeout=600)
    return folder


def test_quick_start_gives_a_green_ci(tmp_path: Path, act_source: Path, act_cache: Path, shared_venv: Path) -> None:
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "pip").write_text(PIP, encoding="utf-8")
    (shims / "pip").chmod(0o755)
    repo = tmp_path / "my-project"
    repo.mkdir()
    env = os.environ | {
        "PATH": os.pathsep.join((str(shims), str(Path(sys.executable).parent), os.environ["PATH"])),
        "GIT_AUTHOR_NAME": "docs", "GIT_AUTHOR_EMAIL": "docs@example.invalid",
        "GIT_COMMITTER_NAME": "docs", "GIT_COMMITTER_EMAIL": "docs@example.invalid",
    }  # fmt: skip
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + quick_start()], cwd=repo, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    run = act(
        clone,
        "push",
        source=act_source,
        cache=act_cache,
        workflows=clone / ".github" / "workflows" / "brickgate-ci.yml",
        env={"BRICKGATE_VENV": str(shared_venv), "PIP_FIND_LINKS": str(wheelhouse(tmp_path / "wheels"))},
    )
    results = run.job_results()
    assert results.get("brickgate") == "success" and run.returncode == 0, f"{results}\n{run.log()}"
