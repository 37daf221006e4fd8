"""PSI gate: the Spark engine gives the pandas numbers on the same data and profile, in one pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pyspark.sql import functions as F

from brickgate.cli import main
from brickgate.errors import InputError
from brickgate.gates.psi import core
from brickgate.gates.psi import pandas as pandas_engine
from brickgate.gates.psi import spark as spark_engine
from brickgate.gates.psi.gate import evaluate as psi_gate
from tests.helpers.spark_jobs import count_spark_jobs

pytestmark = pytest.mark.spark


def _frame(seed: int, rows: int, shift: float) -> pd.DataFrame:
    """Numeric with NaN, integer codes, text with nulls and new categories, a flag."""
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(mean=shift, size=rows)
    amount[rng.random(rows) < 0.1] = np.nan
    letters = ["a", "b", "c", "d"] if shift else ["a", "b", "c"]
    region = pd.Series(rng.choice(letters, rows), dtype=object)
    region[rng.random(rows) < 0.05] = None
    return pd.DataFrame(
        {
            "amount": amount,
            "age": rng.integers(18, 90, rows).astype(np.int64),
            "code": rng.integers(0, 5 + int(shift > 0), rows).astype(np.int64),
            "region": region,
            "flag": rng.random(rows) < 0.3 + shift / 10,
        }
    )


@pytest.fixture(scope="module")
def data(spark: Any) -> dict[str, Any]:
    reference, current = _frame(1, 3000, 0.0), _frame(2, 2000, 0.5)
    return {
        "reference": reference,
        "current": current,
        "spark_reference": spark.createDataFrame(reference),
        "spark_current": spark.createDataFrame(current),
    }


def _one_pass_jobs(spark: Any, frame: Any) -> int:
    """Jobs Spark runs for one global aggregation (a row count) of `frame`: 2 with AQE
    (the partial-aggregation stage, then the final one), 1 without."""
    with count_spark_jobs(spark) as jobs:
        frame.agg(F.count(F.lit(1))).first()
    return jobs.count


def test_same_profile_same_numbers_in_one_pass(spark: Any, data: dict[str, Any]) -> None:
    profile = pandas_engine.build_profile(data["reference"], bins=8)
    expected = psi_gate(data["current"], profile)
    with count_spark_jobs(spark) as jobs:
        actual = psi_gate(data["spark_current"], profile)
    assert jobs.count == _one_pass_jobs(spark, data["spark_current"])
    assert actual.current_rows == expected.current_rows == 2000
    for ours, theirs in zip(actual.features, expected.features, strict=True):
        assert (ours.name, ours.status, ours.kind) == (theirs.name, theirs.status, theirs.kind)
        assert ours.psi == pytest.approx(theirs.psi, abs=1e-9)
        assert ours.current_null_rate == pytest.approx(theirs.current_null_rate, abs=1e-12)
        assert [b.current for b in ours.bins] == pytest.approx([b.current for b in theirs.bins], abs=1e-12)
    assert expected.status == "critical"  # the unseen category and code 5 show


def test_exact_spark_profile_equals_pandas_profile(data: dict[str, Any]) -> None:
    expected = pandas_engine.build_profile(data["reference"], bins=8)
    actual = spark_engine.build_profile(data["spark_reference"], bins=8, relative_error=0.0)
    for ours, theirs in zip(actual.features, expected.features, strict=True):
        assert (ours.name, ours.kind, ours.value_type) == (theirs.name, theirs.kind, theirs.value_type)
        assert ours.edges == theirs.edges and ours.categories == theirs.categories
        assert ours.proportions == pytest.approx(theirs.proportions, abs=1e-12)
        assert ours.null_rate == pytest.approx(theirs.null_rate, abs=1e-12)
    assert actual.rows == expected.rows == 3000


def test_approximate_edges_keep_bins_near_their_share(data: dict[str, Any]) -> None:
    # δ = 0.01 on 3000 rows: each edge within 30 ranks, each of 10 bins within 0.1 ± 0.02 of
    # the non-null rows (the amount column is ~10 % null, shares are of all rows)
    profile = spark_engine.build_profile(data["spark_reference"], features=["amount"], relative_error=0.01)
    feature = profile.feature("amount")
    non_null = 1 - feature.null_rate
    assert all(abs(p / non_null - 0.1) <= 0.02 + 1e-9 for p in feature.proportions)
    assert profile.relative_error == 0.01


def test_gate_is_one_pass_whatever_the_number_of_features(spark: Any) -> None:
    rng = np.random.default_rng(5)
    wide = pd.DataFrame({f"f{i}": rng.normal(size=500) for i in range(30)})
    profile = pandas_engine.build_profile(wide)
    frame = spark.createDataFrame(wide)
    counted = []
    for names in (["f0"], list(wide.columns)):
        with count_spark_jobs(spark) as jobs:
            result = psi_gate(frame, profile, features=names)
        counted.append(jobs.count)
        assert all(f.psi == 0.0 for f in result.features)
    assert counted == [_one_pass_jobs(spark, frame)] * 2


def test_profile_jobs_and_quantile_calls_do_not_grow_with_features(spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(6)
    wide = pd.DataFrame({f"f{i}": rng.normal(size=300) for i in range(6)} | {"c": rng.choice(["x", "y"], 300)})
    frame = spark.createDataFrame(wide)
    calls: list[list[str]] = []
    original = type(frame).approxQuantile

    def counting(self: Any, columns: Any, *args: Any) -> Any:
        calls.append(list(columns))
        return original(self, columns, *args)

    monkeypatch.setattr(type(frame), "approxQuantile", counting)
    counted = []
    for names in (["f0", "c"], list(wide.columns)):
        with count_spark_jobs(spark) as jobs:
            spark_engine.build_profile(frame, features=names)
        counted.append(jobs.count)
    assert counted[0] == counted[1]
    assert calls == [["f0"], [f"f{i}" for i in range(6)]]  # one approxQuantile call per profile


def test_spark_errors_match_pandas(spark: Any, data: dict[str, Any]) -> None:
    profile = pandas_engine.build_profile(data["reference"])
    renamed = data["spark_current"].withColumnRenamed("amount", "amount_usd")
    with pytest.raises(InputError, match=r"^cur: column 'amount' not found; did you mean 'amount_usd'\?"):
        psi_gate(renamed, profile, source="cur")
    text = data["spark_current"].withColumn("age", data["spark_current"]["age"].cast("string"))
    with pytest.raises(InputError) as info:
        psi_gate(text, profile, source="cur")
    assert str(info.value) == "cur: column 'age' is string, but the profile expects numbers (numeric feature)"


def test_cli_spark_engine_matches_pandas(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--engine spark` end to end (Parquet read through Spark, exact Spark profile): same PSI as pandas."""
    monkeypatch.chdir(tmp_path)  # the JVM keeps its own working directory: give Spark absolute paths
    ref, cur = str(tmp_path / "ref.parquet"), str(tmp_path / "cur.parquet")
    _frame(1, 800, 0.0).to_parquet(ref)
    _frame(2, 600, 0.5).to_parquet(cur)
    psi: dict[str, list[float]] = {}
    for engine in ("pandas", "spark"):
        profile = ["psi-gate", "profile", "--reference", ref, "--all-features", "--engine", engine]
        gate = ["--format", "json", "psi-gate", "--current", cur, "--profile", f"{engine}.json"]
        for args in ([*profile, "--relative-error", "0", "--out", f"{engine}.json"], [*gate, "--engine", engine]):
            with pytest.raises(SystemExit) as exit_info:
                main(args)
            assert exit_info.value.code == 0
            out = capsys.readouterr().out
        psi[engine] = [f["psi"] for f in json.loads(out)["features"]]
    assert psi["spark"] == pytest.approx(psi["pandas"], abs=1e-9)


def test_current_without_rows_skips_every_feature_in_both_engines(spark: Any, data: dict[str, Any]) -> None:
    """Zero typed rows (Parquet, Delta) and a header-only CSV (string columns in Spark, object in
    pandas: no values to misread) give the same verdict: every feature skipped, undetermined, failed."""
    profile = pandas_engine.build_profile(data["reference"])
    options = core.PsiGateOptions(fail_on_drift=True)
    typed = data["current"].iloc[:0]
    untyped = pd.DataFrame({name: pd.Series([], dtype=object) for name in typed.columns})
    schema = ", ".join(f"`{name}` string" for name in typed.columns)
    results = [
        psi_gate(typed, profile, options),
        psi_gate(untyped, profile, options),
        psi_gate(data["spark_current"].limit(0), profile, options),
        psi_gate(spark.createDataFrame([], schema), profile, options),
    ]
    for result in results:
        assert (result.status, result.passed, result.current_rows) == ("undetermined", False, 0)
        assert {(f.status, f.reason, f.psi) for f in result.features} == {("skipped", core.SKIPPED_NO_ROWS, None)}
        assert [f.name for f in result.features] == [f.name for f in profile.features]
