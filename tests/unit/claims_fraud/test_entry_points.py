"""The job entry points as a python_wheel_task runs them: the wheel's entry point, parameters as arguments."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLE


def run_entry_point(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """As `brickgate run` starts a python_wheel_task of the bundle's own package: its source on PYTHONPATH."""
    env = dict(os.environ, PYTHONPATH=str(EXAMPLE / "src"), BRICKGATE_ENTRY_POINT=f"claims_fraud.tasks.{name}:run")
    env["BRICKGATE_WAREHOUSE"] = str(cwd / "warehouse")
    command = [sys.executable, "-m", "brickgate.runtime.wheel", "claims_fraud", name, *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_entry_point(
        "ingest_data", "--catalog=local", "--schema=fraud", "--table=raw", "--source=missing.csv", cwd=tmp_path
    )
    assert done.returncode == 2
    assert done.stderr == (
        "ingest_data: error: claims file missing.csv does not exist (give a .parquet or .csv file, or 'synthetic')\n"
    )


def test_ingestion_then_features_write_their_tables(tmp_path: Path) -> None:
    done = run_entry_point(
        "ingest_data", "--catalog=local", "--schema=fraud", "--table=raw", "--size=500", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ingested 500 claims into local.fraud.raw")
    done = run_entry_point(
        "build_features", "--catalog=local", "--schema=fraud", "--claims-table=raw", "--features-table=f", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "wrote 500 rows to local.fraud.f: test 100, train 300, valid 100\n"


@pytest.mark.parametrize(
    ("candidates", "message"),
    [("catboost", "candidate 'catboost' is not model_kind=run_id"), ("", "no candidates given")],
)
def test_evaluation_refuses_malformed_candidates(tmp_path: Path, candidates: str, message: str) -> None:
    done = run_entry_point(
        "evaluate_models", "--catalog=l", "--schema=s", "--features-table=f", "--predictions-table=p",
        f"--candidates={candidates}", "--experiment=e", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
