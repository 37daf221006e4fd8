"""The shared publish step: order, warnings that never change a verdict, alert routing, escaping."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest

from brickgate.gates.fairness import FairnessConfig, evaluate
from brickgate.gates.fairness.render import outcome
from brickgate.gates.publish import NO_MATPLOTLIB, PublishOptions, publish, results_frame
from brickgate.gates.result import GateOutcome, RunContext
from brickgate.tables import read_table
from tests.helpers.github_files import fake_github
from tests.helpers.http_recorder import HttpRecorder, Reply
from tests.helpers.smtp_server import free_port

WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
FRAME = pd.DataFrame(
    {
        "flag": [1, 1, 0, 0, 1, 0, 0, 0],
        "sex": ["<script>alert(1)</script>", "<script>alert(1)</script>", "a|b", "a|b", "M", "M", "M", "M"],
    }
)


def make_outcome(*, fair: bool = False) -> GateOutcome:
    """Unfair: rates 1, 0 and 1/4 (reference M, the largest); fair: every group's rate is 1/2."""
    config = FairnessConfig(
        prediction_column="flag", protected_attributes=("sex",), min_group_size=1, model_name="fraud"
    )
    frame = FRAME.assign(flag=[1, 0, 1, 0, 1, 0, 1, 0]) if fair else FRAME
    return outcome(evaluate(frame, config), RunContext(run_id="run-1", created_at=WHEN, source="frame"))


def quiet(**settings: object) -> dict[str, object]:
    return {"stdout": io.StringIO(), "stderr": io.StringIO(), **settings}


def test_markup_in_group_labels_is_escaped(tmp_path: Path) -> None:
    gate = make_outcome()
    publish(gate, PublishOptions(report_dir=tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    page = (tmp_path / "fairness-report.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    summary = (tmp_path / "fairness-summary.md").read_text()
    assert "| &lt;script&gt;alert(1)&lt;/script&gt; |" in summary and "| a\\|b |" in summary


def test_failing_alert_channel_is_a_warning_after_everything_is_saved(tmp_path: Path) -> None:
    gate = make_outcome()
    stderr = io.StringIO()
    env = {"BRICKGATE_WEBHOOK_URL": f"http://127.0.0.1:{free_port()}/down", "BRICKGATE_WAREHOUSE": str(tmp_path)}
    options = PublishOptions(
        report_dir=tmp_path / "out",
        results_table="main.mon.fairness",
        alert_channels=("webhook",),
        env=env,
        alert_retries=1,
        alert_backoff_seconds=0.01,
    )
    report = publish(gate, options, stdout=io.StringIO(), stderr=stderr)
    assert [d.ok for d in report.deliveries] == [False]  # one trigger: "Bias detected in sex"
    assert stderr.getvalue().startswith("brickgate: warning: alert via webhook not delivered after 2 attempt(s): ")
    assert (tmp_path / "out" / "fairness-result.json").is_file()
    assert len(read_table("main.mon.fairness", warehouse=tmp_path)) == 3
    assert gate.passed is True  # the verdict is the outcome's, untouched by delivery trouble


def test_resolves_go_only_to_machine_channels() -> None:
    with HttpRecorder() as server:
        env = {"BRICKGATE_WEBHOOK_URL": server.url("/hook"), "BRICKGATE_SLACK_WEBHOOK_URL": server.url("/slack")}
        options = PublishOptions(alert_channels=("slack", "webhook"), env=env)
        publish(make_outcome(fair=True), options, stdout=io.StringIO(), stderr=io.StringIO())
    by_path: dict[str, list[str]] = {}
    for request in server.requests:
        by_path.setdefault(request.path, []).append(request.text())
    assert len(by_path["/slack"]) == 1 and "Fairness validation passed" in by_path["/slack"][0]
    hook = [json.loads(text) for text in by_path["/hook"]]
    assert sorted(body["status"] for body in hook) == ["resolved", "triggered"]


def test_one_retry_cycle_per_channel_and_run() -> None:
    """A resolve and a notice to a webhook answering 503: one pass, at most 1 + retries requests, one warning."""
    stderr = io.StringIO()
    with HttpRecorder() as server:
        server.handler = lambda request: Reply(status=503)
        options = PublishOptions(
            alert_channels=("webhook",),
            env={"BRICKGATE_WEBHOOK_URL": server.url("/hook")},
            alert_retries=3,
            alert_backoff_seconds=0.01,
        )
        report = publish(make_outcome(fair=True), options, stdout=io.StringIO(), stderr=stderr)
    assert len(report.deliveries) == 2  # the resolve of 'sex' and the "passed" notice
    assert len(server.requests) == 4  # 1 + alert_retries, not per alert
    assert stderr.getvalue().count("after 4 attempt(s)") == 1 and len(stderr.getvalue().splitlines()) == 1


def test_without_matplotlib_the_report_is_still_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("brickgate.report.charts.render_png", lambda chart: None)
    stderr = io.StringIO()
    report = publish(make_outcome(), PublishOptions(report_dir=tmp_path), stdout=io.StringIO(), stderr=stderr)
    assert report.warnings == (NO_MATPLOTLIB,)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fairness-report.html",
        "fairness-result.json",
        "fairness-summary.md",
    ]


def test_github_status_server_error_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    with HttpRecorder(default=Reply(status=503)) as server:
        env = {
            "GITHUB_API_URL": server.url("").rstrip("/"),
            "GITHUB_TOKEN": "ghs_abcdefgh",
            "GITHUB_REPOSITORY": "o/r",
            "GITHUB_SHA": "b" * 40,
        }
        report = publish(make_outcome(), PublishOptions(github_status=True, env=env), **quiet())  # type: ignore[arg-type]
    assert report.status is not None and not report.status.posted
    assert report.warnings == ("commit status not posted: HTTP 503",)


def test_github_format_without_report_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = fake_github(tmp_path, monkeypatch)
    stdout = io.StringIO()
    publish(make_outcome(), PublishOptions(output_format="github"), stdout=stdout, stderr=io.StringIO())
    assert files.outputs()["report-path"] == ""
    assert files.summary_text().startswith("## Fairness gate")
    assert "::error title=brickgate fairness%3A sex::" in stdout.getvalue()


def test_results_frame_keeps_declared_types_for_all_null_columns() -> None:
    gate = make_outcome()
    assert gate.results is not None
    frame = results_frame(gate.results)
    assert str(frame["tpr"].dtype) == "Float64" and frame["tpr"].isna().all()
    assert str(frame["rows"].dtype) == "Int64" and str(frame["run_time"].dtype) == "datetime64[us, UTC]"


def test_every_sink_of_publish_is_masked(tmp_path: Path) -> None:
    """A secret value from the environment (here the model name) is masked in the console, the report
    files, the results table and the alert bodies alike."""
    stdout = io.StringIO()
    with HttpRecorder() as server:
        env = {
            "MY_API_TOKEN": "fraud",
            "BRICKGATE_WEBHOOK_URL": server.url("/hook"),
            "BRICKGATE_WAREHOUSE": str(tmp_path),
        }
        options = PublishOptions(
            report_dir=tmp_path / "out", results_table="main.mon.fair", alert_channels=("webhook",), env=env
        )
        publish(make_outcome(), options, stdout=stdout, stderr=io.StringIO())
    texts = [stdout.getvalue(), *(request.text() for request in server.requests)]
    texts += [path.read_text(encoding="utf-8") for path in (tmp_path / "out").glob("*.[jmh]*")]
    texts += [read_table("main.mon.fair", warehouse=tmp_path).to_csv()]
    assert len(texts) >= 5 and all("fraud" not in text for text in texts)
    assert "***" in stdout.getvalue()
