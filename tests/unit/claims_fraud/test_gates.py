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


def gate_args(**settings: object) -> argparse.Namespace:
    base: dict[str, object] = {
        "catalog": "local",
        "schema": "fraud",
        "results_table": "fairness_results",
        "alert": (),
        "score_column": "score",
        "protected_attributes": ("sex",),
        "threshold_percentile": 50.0,
        "fail_on_bias": True,
        "model_name": "local.fraud.claims_fraud",
    }
    return argparse.Namespace(**{**base, **settings})


def test_fairness_task_calls_the_api_and_publishes_where_the_task_says(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from brickgate.tables import read_table

    monkeypatch.setenv("BRICKGATE_RUN_DIR", str(tmp_path / "run"))
    scores = pd.DataFrame({"score": [0.9, 0.8, 0.7, 0.1, 0.2, 0.3, 0.6, 0.4] * 8, "sex": list("FFFFMMMM") * 8})
    run = gates.fairness(scores, gate_args(), version="3")
    # Median 0.4 (nearest rank 32 of 64): F is flagged 3/4, M 2/4: DI 2/3, critical; --fail-on-bias fails.
    assert (run.exit_code, run.verdict, run.report_dir) == (1, "failed", tmp_path / "run" / "reports" / "fairness")
    assert run.result is not None and run.result["status"] == "critical"
    assert run.result["model"] == {"name": "local.fraud.claims_fraud", "version": "3"}
    assert (run.report_dir / "fairness-result.json").is_file()
    assert set(read_table("local.fraud.fairness_results")["group"]) == {"F", "M"}
    assert capsys.readouterr().out.startswith("fairness gate: CRITICAL")


def test_bad_input_is_no_verdict_not_an_exception(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = gates.fairness(pd.DataFrame({"score": [0.5]}), gate_args(results_table=""))
    assert (run.exit_code, run.verdict, run.result) == (2, "error", None)
    err = capsys.readouterr().err
    assert err.startswith("brickgate: error: ") and "column 'sex' not found" in err and err.count("\n") == 1


def test_baseline_profile_stores_the_model_as_its_identity(tmp_path: Path) -> None:
    reference = pd.DataFrame({"age": [float(v) for v in range(40)], "score": [v / 40 for v in range(40)]})
    profile = gates.baseline_profile(
        reference, ["age"], score_column="score", out=tmp_path / "p.json", model_name="claims-fraud"
    )
    assert profile.identity == "claims-fraud" and (tmp_path / "p.json").is_file()


def test_latest_batch_only_when_asked(warehouse: Path) -> None:
    from brickgate.tables import write_table

    rows = pd.DataFrame({"batch_id": ["1", "2"], "scored_at": pd.to_datetime(["2026-01-01", "2026-01-02"], utc=True)})
    write_table("local.fraud.predictions", rows)
    args = argparse.Namespace(
        catalog="local", schema="fraud", data_table="predictions", latest_batch=False, engine="pandas"
    )
    assert len(gates.task_data(args)) == 2
    assert gates.task_data(argparse.Namespace(**{**vars(args), "latest_batch": True}))["batch_id"].tolist() == ["2"]
