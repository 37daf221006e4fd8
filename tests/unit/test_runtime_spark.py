"""The local Spark session's Delta jars and Spark failures as one-line errors (no JVM started)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from pyspark.errors import AnalysisException
from pyspark.errors.exceptions.connect import SparkConnectGrpcException

from brickgate.errors import InfraError, InputError
from brickgate.runtime.spark import choose_session, delta_jars, local_conf, spark_error, spark_session


def test_missing_jars_name_make_spark_jars(tmp_path: Path) -> None:
    with pytest.raises(InfraError) as error:
        delta_jars({"BRICKGATE_SPARK_JARS": str(tmp_path)})
    assert str(error.value) == (
        f"local Spark needs the Delta Lake jars (delta-spark, delta-storage) and found none in {tmp_path}: "
        "run `make spark-jars` in the brickgate checkout, or set BRICKGATE_SPARK_JARS to a folder holding them"
    )


def test_local_session_loads_delta_from_local_jars(tmp_path: Path) -> None:
    for jar in ("delta-spark_4.2_2.13-4.4.0.jar", "delta-storage-4.4.0.jar"):
        (tmp_path / jar).touch()
    conf = local_conf({"BRICKGATE_SPARK_JARS": str(tmp_path)})
    assert conf["spark.jars"] == f"{tmp_path / 'delta-spark_4.2_2.13-4.4.0.jar'},{tmp_path / 'delta-storage-4.4.0.jar'}"
    assert conf["spark.sql.extensions"] == "io.delta.sql.DeltaSparkSessionExtension"
    assert conf["spark.sql.catalog.spark_catalog"] == "org.apache.spark.sql.delta.catalog.DeltaCatalog"
    assert "spark.jars.packages" not in conf  # nothing is downloaded while Spark starts


def test_analysis_errors_keep_class_and_first_line() -> None:
    exc = AnalysisException(
        message="[TABLE_OR_VIEW_NOT_FOUND] The table or view `x` cannot be found. SQLSTATE: 42P01\nVerify the spelling",
        errorClass="TABLE_OR_VIEW_NOT_FOUND",
        messageParameters={},
    )
    error = spark_error(exc)
    assert isinstance(error, InputError)
    assert str(error) == "Spark TABLE_OR_VIEW_NOT_FOUND: The table or view `x` cannot be found."


def test_a_lost_connect_channel_is_an_infrastructure_error() -> None:
    exc = SparkConnectGrpcException(
        message='<_InactiveRpcError: status = StatusCode.UNAVAILABLE details = "failed to connect to all addresses">'
    )
    error = spark_error(exc)
    assert isinstance(error, InfraError) and str(error).startswith("Spark connection lost: <_InactiveRpcError")


def test_other_exceptions_are_not_spark_errors() -> None:
    assert spark_error(ValueError("x")) is None


@pytest.mark.parametrize("verbose", [False, True])
def test_cli_prints_one_line_and_exits_2(
    verbose: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI's one handler: Spark's class and message on one line, the stack only with -v."""
    from brickgate.cli import main

    def fail() -> None:
        raise AnalysisException(message="[PATH_NOT_FOUND] Path does not exist: /x. SQLSTATE: 42K03")

    monkeypatch.setattr("brickgate.runtime.get_spark", fail)
    (tmp_path / "d.csv").write_text("g,p\na,1\n", encoding="utf-8")
    args = ["fairness-gate", "--engine", "spark", "--data", str(tmp_path / "d.csv"), "--prediction-column", "p"]
    args += ["--protected-attributes", "g"]
    with pytest.raises(SystemExit) as exit_info:
        main(["-v", *args] if verbose else args)
    assert exit_info.value.code == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line and " from " not in line]  # -v: sources
    assert lines[0] == "brickgate: error: Spark PATH_NOT_FOUND: Path does not exist: /x."
    if verbose:
        assert lines[1] == "Traceback (most recent call last):" and "AnalysisException" in lines[-1]
    else:
        assert len(lines) == 1


@pytest.mark.parametrize(
    ("settings", "env", "expected"),
    [
        (
            {"active": True},
            {"SPARK_REMOTE": "sc://h:1", "DATABRICKS_HOST": "https://x"},
            ("active", "the running session"),
        ),
        ({"remote": "sc://flag:2"}, {"SPARK_REMOTE": "sc://env:1"}, ("remote", "sc://flag:2")),
        ({}, {"SPARK_REMOTE": "sc://env:1", "DATABRICKS_HOST": "https://x"}, ("remote", "sc://env:1")),
        ({"databricks_connect": True}, {"DATABRICKS_HOST": "https://x"}, ("databricks-connect", "serverless")),
        (
            {"databricks_connect": True, "cluster_id": "0102-x"},
            {"DATABRICKS_HOST": "https://x"},
            ("databricks-connect", "cluster 0102-x"),
        ),
        (
            {"databricks_connect": True},
            {"DATABRICKS_HOST": "h", "DATABRICKS_CLUSTER_ID": "c1"},
            ("databricks-connect", "cluster c1"),
        ),
        ({"databricks_connect": False}, {"DATABRICKS_HOST": "https://x"}, ("local", "local[*]")),
        ({"databricks_connect": True}, {}, ("local", "local[*]")),
        ({}, {"BRICKGATE_SPARK_MASTER": "local[2]"}, ("local", "local[2]")),
    ],
)
def test_session_order(settings: dict[str, Any], env: dict[str, str], expected: tuple[str, str]) -> None:
    choice = choose_session(env=env, **settings)
    assert (choice.kind, choice.detail) == expected


def test_databricks_connect_that_fails_names_every_option(monkeypatch: pytest.MonkeyPatch) -> None:
    """databricks-connect said installed but not importable here: one line, exit-2 error."""
    monkeypatch.setattr("brickgate.runtime.spark._databricks_connect_installed", lambda: True)
    monkeypatch.setitem(sys.modules, "databricks.connect", None)  # import fails as if broken
    with pytest.raises(InfraError) as error:
        spark_session(env={"DATABRICKS_HOST": "https://adb-1.azuredatabricks.net"})
    message = str(error.value)
    assert message.startswith("no Spark session (databricks-connect serverless: ")
    assert message.endswith(
        "run on a Databricks cluster, set SPARK_REMOTE=sc://host:port (Spark Connect), set DATABRICKS_HOST "
        "with databricks-connect installed (serverless, or DATABRICKS_CLUSTER_ID), or install Java 17 and run "
        "`make spark-jars` for local Spark"
    )
    assert "\n" not in message and error.value.exit_code == 2
