from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pytest

from brickgate.registry import GATE_TAG_PREFIX
from claims_fraud import gates


def test_verdict_words_are_what_promote_model_reads() -> None:
    folder = Path("reports")
    verdicts = [gates.GateRun(gate="psi", exit_code=code, report_dir=folder, result=None).verdict for code in (0, 1, 2)]
    assert verdicts == ["passed", "failed", "error"]
    assert gates.VERDICT_TAG.format(gate="fairness") == f"{GATE_TAG_PREFIX}fairness"


def test_reports_go_into_the_run_folder_under_brickgate_run(tmp_path: Path) -> None:
    folder = gates.report_dir("fairness", {"BRICKGATE_RUN_DIR": str(tmp_path)})
    assert folder == tmp_path / "reports" / "fairness" and folder.is_dir()
    elsewhere = gates.report_dir("psi", {})
    assert elsewhere.is_dir() and elsewhere.name.startswith("claims-fraud-psi-")
    elsewhere.rmdir()


def test_publish_flags_name_the_full_table_and_each_channel() -> None:
    args = argparse.Namespace(
        catalog="prod", schema="fraud", results_table="fairness_results", alert=("slack", "email")
    )
    assert gates.publish_arguments(args) == [
        "--results-table",
        "prod.fraud.fairness_results",
        "--alert",
        "slack",
        "--alert",
        "email",
    ]
    assert gates.publish_arguments(argparse.Namespace(catalog="c", schema="s", results_table="", alert=())) == []


def test_latest_batch_only_when_asked(warehouse: Path) -> None:
    from brickgate.tables import write_table

    rows = pd.DataFrame({"batch_id": ["1", "2"], "scored_at": pd.to_datetime(["2026-01-01", "2026-01-02"], utc=True)})
    write_table("local.fraud.predictions", rows)
    args = argparse.Namespace(catalog="local", schema="fraud", data_table="predictions", latest_batch=False)
    assert len(gates.task_data(args)) == 2
    assert gates.task_data(argparse.Namespace(**{**vars(args), "latest_batch": True}))["batch_id"].tolist() == ["2"]


def test_a_failing_command_is_an_exit_code_not_an_exception(capsys: pytest.CaptureFixture[str]) -> None:
    assert gates.run_brickgate(["fairness-gate", "--data", "/nonexistent/data.parquet"]) == 2
    assert "brickgate: error:" in capsys.readouterr().err
