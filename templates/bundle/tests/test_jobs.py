"""Each job script of the bundle runs with its parameters (written by `brickgate init`)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

JOBS = Path(__file__).resolve().parent.parent / "src" / "jobs"


@pytest.mark.parametrize("script", ["smoke.py", "train.py", "validate.py"])
def test_job_runs(
    script: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "argv", [script, "--catalog", "dev", "--schema", "demo"])
    runpy.run_path(str(JOBS / script), run_name="__main__")
    assert "dev.demo" in capsys.readouterr().out
