"""Results-table appends are crash safe and idempotent per run (issue 18).

The kill is injected, not timed: a child process replaces the commit step of the append
(`brickgate.tables._commit_append`) with SIGKILL to itself, so it dies after the data file is
written and before the log names it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from deltalake import DeltaTable

from brickgate.tables import RESULTS_RUN_KEY, read_table, write_table

KILLED_APPEND = """
import os, signal, sys
import pandas as pd
from brickgate import tables

def killed(table, add):
    os.kill(os.getpid(), signal.SIGKILL)

tables._commit_append = killed
rows = pd.DataFrame({"run_id": ["run-2"] * 3, "gate": ["psi"] * 3, "current_source": ["d"] * 3,
                     "baseline": ["p"] * 3, "group": list("FMX"), "di": [1.0] * 3})
tables.write_table(sys.argv[1], rows, run_key=tables.RESULTS_RUN_KEY)
"""


def run_rows(run_id: str, groups: tuple[str, ...] = ("F", "M", "X"), di: float = 1.0) -> pd.DataFrame:
    """Rows with every `RESULTS_RUN_KEY` column, as a PSI gate writes them."""
    count = len(groups)
    identity = {"gate": "psi", "current_source": "d", "baseline": "p"}
    return pd.DataFrame(
        {
            "run_id": [run_id] * count,
            **{k: [v] * count for k, v in identity.items()},
            "group": groups,
            "di": [di] * count,
        }
    )


def rows_by_run(folder: Path) -> dict[str, int]:
    return {str(run): int(count) for run, count in read_table(str(folder)).groupby("run_id").size().items()}


def test_append_killed_before_its_commit_leaves_no_row(tmp_path: Path) -> None:
    table = tmp_path / "results"
    write_table(str(table), run_rows("run-1"), run_key=RESULTS_RUN_KEY)
    files_before = set(table.glob("*.parquet"))
    child = subprocess.run([sys.executable, "-c", KILLED_APPEND, str(table)], capture_output=True, timeout=120)
    assert child.returncode == -signal.SIGKILL
    orphans = set(table.glob("*.parquet")) - files_before
    assert len(orphans) == 1  # the data file was written: the kill hit the window before the commit
    assert DeltaTable(str(table)).version() == 0 and rows_by_run(table) == {"run-1": 3}  # readable, no partial run

    write_table(str(table), run_rows("run-2"), run_key=RESULTS_RUN_KEY)  # the retried run
    assert rows_by_run(table) == {"run-1": 3, "run-2": 3}


def test_rerunning_a_run_id_replaces_its_rows(tmp_path: Path) -> None:
    table = tmp_path / "results"
    write_table(str(table), run_rows("run-1"), run_key=RESULTS_RUN_KEY)
    write_table(str(table), run_rows("run-2"), run_key=RESULTS_RUN_KEY)
    written = write_table(str(table), run_rows("run-2", ("F", "M"), di=0.5), run_key=RESULTS_RUN_KEY)
    assert written.version == 2  # one commit: the old rows out, the new rows in
    back = read_table(str(table))
    assert rows_by_run(table) == {"run-1": 3, "run-2": 2}
    assert back.loc[back["run_id"] == "run-2", "di"].tolist() == [0.5, 0.5]
    other_data = run_rows("run-2").assign(current_source="other")  # same run id, other data: its own rows
    write_table(str(table), other_data, run_key=RESULTS_RUN_KEY)
    assert len(read_table(str(table))) == 3 + 2 + 3


def test_rows_without_a_data_source_are_never_replaced(tmp_path: Path) -> None:
    """Fairness rows name no data source: two gates on other data in one workflow run share
    the run id, gate and model, so a partial key would let the second delete the first's rows."""
    table = tmp_path / "results"
    for di in (1.0, 0.5):
        write_table(
            str(table), run_rows("run-1", di=di).drop(columns=["current_source", "baseline"]), run_key=RESULTS_RUN_KEY
        )
    assert sorted(read_table(str(table))["di"]) == [0.5] * 3 + [1.0] * 3


@pytest.mark.spark
def test_rerun_through_spark_replaces_its_rows(tmp_path: Path, spark: Any) -> None:
    table = tmp_path / "results"
    for run_id in ("run-1", "run-2", "run-2"):
        write_table(str(table), run_rows(run_id), run_key=RESULTS_RUN_KEY, spark=spark)
    assert rows_by_run(table) == {"run-1": 3, "run-2": 3}
    assert DeltaTable(str(table)).version() == 2


def test_a_gate_rerun_with_the_same_github_run_id_keeps_one_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A retried workflow step (same GITHUB_RUN_ID and attempt) through the CLI: rows once."""
    from brickgate.cli import main

    pd.DataFrame({"x": [float(i % 10) for i in range(200)]}).to_parquet(tmp_path / "d.parquet")
    monkeypatch.setenv("GITHUB_RUN_ID", "77")
    table = str(tmp_path / "results")
    args = ["psi-gate", "--current", str(tmp_path / "d.parquet"), "--reference", str(tmp_path / "d.parquet")]
    args += ["--features", "x", "--results-table", table]
    for _ in range(2):
        with pytest.raises(SystemExit):
            main(args)
    capsys.readouterr()
    assert rows_by_run(tmp_path / "results") == {"77-1": 1} and DeltaTable(table).version() == 1
