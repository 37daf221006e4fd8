"""Both gates with `--engine spark` on a Delta table (folder or catalog.schema.table) give the
pandas engine's result, and `--results-table` appends through Spark's Delta writer (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from deltalake import DeltaTable, write_deltalake

from brickgate.cli import main

pytestmark = pytest.mark.spark
VOLATILE = ("engine", "run_id", "created_at")


def claims(seed: int, rows: int, shift: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    gender = rng.choice(np.array(["F", "M", "X", None], dtype=object), rows, p=[0.47, 0.47, 0.03, 0.03])
    amount = rng.lognormal(mean=shift, size=rows)
    amount[rng.random(rows) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "gender": gender,
            "age_band": rng.choice(["18-30", "31-50", "51+"], rows),
            "score": rng.beta(2, 5, rows) + np.where(gender == "F", 0.05, 0.0),
            "label": rng.integers(0, 2, rows),
            "amount": amount,
            "region": rng.choice(["n", "s", "e", "w"][: 3 + int(shift > 0)], rows),
        }
    )


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "warehouse"
    monkeypatch.setenv("BRICKGATE_WAREHOUSE", str(folder))
    monkeypatch.chdir(tmp_path)
    write_deltalake(str(folder / "main" / "claims" / "reference"), claims(1, 3_000, 0.0))
    write_deltalake(str(folder / "main" / "claims" / "current"), claims(2, 2_000, 0.4))
    return folder


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    with pytest.raises(SystemExit) as exit_info:
        main(["--format", "json", *args])
    captured = capsys.readouterr()
    assert exit_info.value.code in (0, 1), captured.err
    document: dict[str, Any] = json.loads(captured.out)
    return {key: value for key, value in document.items() if key not in VOLATILE}


def last_engine(folder: Path) -> str:
    """Which writer made the table's latest version (Delta's engineInfo)."""
    return str(DeltaTable(str(folder)).history(1)[0]["engineInfo"])


@pytest.mark.parametrize("source", ["folder", "name"])
def test_fairness_gate_on_delta(source: str, spark: Any, warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(warehouse / "main" / "claims" / "current") if source == "folder" else "main.claims.current"
    args = ["fairness-gate", "--data", data, "--score-column", "score", "--label-column", "label"]
    args += ["--protected-attributes", "gender,age_band", "--min-group-size", "5"]
    pandas_result = run([*args, "--engine", "pandas"], capsys)
    spark_result = run([*args, "--engine", "spark", "--results-table", "main.gates.fairness"], capsys)
    assert spark_result == pandas_result
    results = warehouse / "main" / "gates" / "fairness"
    assert last_engine(results).startswith("Apache-Spark/")
    rows = DeltaTable(str(results)).to_pandas()
    assert len(rows) > 0 and rows["run_id"].nunique() == 1


@pytest.mark.parametrize("source", ["folder", "name"])
def test_psi_gate_on_delta(source: str, spark: Any, warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    current = str(warehouse / "main" / "claims" / "current") if source == "folder" else "main.claims.current"
    profile = ["psi-gate", "profile", "--reference", "main.claims.reference", "--out", "profile.json"]
    with pytest.raises(SystemExit) as exit_info:
        main([*profile, "--features", "amount,region,age_band"])
    assert exit_info.value.code == 0
    capsys.readouterr()
    gate = ["psi-gate", "--current", current, "--profile", "profile.json"]
    pandas_result = run([*gate, "--engine", "pandas"], capsys)
    spark_result = run([*gate, "--engine", "spark", "--results-table", "main.gates.psi"], capsys)
    pandas_psi = [feature.pop("psi") for feature in pandas_result["features"]]
    spark_psi = [feature.pop("psi") for feature in spark_result["features"]]
    assert spark_psi == pytest.approx(pandas_psi, abs=1e-9)
    assert spark_result["features"] == pandas_result["features"]
    assert last_engine(warehouse / "main" / "gates" / "psi").startswith("Apache-Spark/")


def test_missing_table_and_column_are_one_line(spark: Any, warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["fairness-gate", "--engine", "spark", "--score-column", "score"]
    cases = {
        "main.claims.nope": ("gender", "brickgate: error: main.claims.nope: no such file, folder or table"),
        "main.claims.current": ("gendr", "brickgate: error: main.claims.current: column 'gendr' not found"),
    }
    for data, (attribute, start) in cases.items():
        with pytest.raises(SystemExit) as exit_info:
            main([*base, "--data", data, "--protected-attributes", attribute])
        lines = capsys.readouterr().err.strip().splitlines()
        assert exit_info.value.code == 2 and len(lines) == 1 and lines[0].startswith(start), lines
