"""Two processes × 30 appends to one results table, through Spark and through deltalake: no
row lost, one log version per append (issue 16). The same script is the appends/s benchmark."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_delta_appends.py"


@pytest.mark.slow
@pytest.mark.spark
@pytest.mark.parametrize(("engine", "run_key"), [("spark", False), ("deltalake", False), ("deltalake", True)])
def test_two_writers_lose_no_row(engine: str, run_key: bool) -> None:
    """`run_key`: as results tables append (deltalake: data file, then a separate commit)."""
    command = [sys.executable, str(BENCH), "--engine", engine, "--processes", "2", "--appends", "30", "--json"]
    command += ["--run-key"] if run_key else []
    done = subprocess.run(command, capture_output=True, text=True, timeout=1500, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["appends"] == 60 and figures["rows"] == figures["rows_expected"] == 3 * 61
    assert figures["every_run_once"] and figures["one_version_per_append"]
    assert figures["versions"] == 60  # version 0 (the seed) + one per append
