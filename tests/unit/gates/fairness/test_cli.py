"""`brickgate fairness-gate` end to end through `brickgate.cli.main`: exit codes, messages, outputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from brickgate.cli import main
from brickgate.output import validate_against_schema
from brickgate.tables import read_table
from tests.helpers.github_files import fake_github
from tests.helpers.http_recorder import HttpRecorder

SMALL = Path(__file__).resolve().parents[3] / "fixtures" / "tables" / "fairness_small.csv"
BASE = ["fairness-gate", "--score-column", "score", "--threshold", "0.5", "--min-group-size", "1"]


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRICKGATE_WAREHOUSE", str(tmp_path / "warehouse"))
    shutil.copy(SMALL, tmp_path / "claims.csv")
    return tmp_path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    captured = capsys.readouterr()
    return int(info.value.code or 0), captured.out, captured.err


def gate(*extra: str, attributes: str = "sex") -> list[str]:
    return [*BASE, "--data", "claims.csv", "--protected-attributes", attributes, *extra]


def test_exit_codes_follow_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    # sex is CRITICAL (DI 1/3) but one critical attribute only fails with --fail-on-bias.
    code, out, err = run(gate(), capsys)
    assert code == 0 and err == ""
    assert out.startswith("fairness gate: CRITICAL — Bias detected in sex (DI 0.33 - 1.00; required 0.8 - 1.25)")
    assert run(gate("--fail-on-bias"), capsys)[0] == 1
    # sex and region CRITICAL → escalation → exit 1 without --fail-on-bias.
    code, out, _ = run(gate(attributes="sex,region"), capsys)
    assert code == 1 and "Bias detected in 2 attributes (sex, region): escalated, gate failed" in out


def test_passing_gate_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(gate("--di-min", "0.3", "--di-max", "3.5"), capsys)
    assert code == 0
    assert out.startswith("fairness gate: PASS — Fairness validation passed: all 1 attributes are fair")


def test_settings_from_environment(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRICKGATE_FAIRNESS_GATE_PROTECTED_ATTRIBUTES", "sex")
    monkeypatch.setenv("BRICKGATE_FAIRNESS_GATE_FAIL_ON_BIAS", "true")
    monkeypatch.setenv("BRICKGATE_FAIRNESS_GATE_DATA", "claims.csv")
    assert run(BASE, capsys)[0] == 1


def test_json_output_is_valid_and_carries_the_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--format", "json", *gate("--model-name", "fraud", "--model-version", "3")], capsys)
    document = json.loads(out)
    validate_against_schema(document, "fairness-result")
    assert code == 0 and document["passed"] is True and document["status"] == "critical"
    assert document["model"] == {"name": "fraud", "version": "3"}
    assert document["data"] == {"rows": 12, "flagged": 4, "flag_rate": pytest.approx(1 / 3)}
    m = document["attributes"][0]["groups"][1]
    assert (m["label"], m["rows"], m["flagged"], m["di"]["value"]) == ("M", 6, 1, pytest.approx(1 / 3))
    assert m["test"]["name"] == "fisher" and m["test"]["p_value"] == pytest.approx(6 / 11)


def test_prediction_column_and_percentile_default(capsys: pytest.CaptureFixture[str], workdir: Path) -> None:
    frame = pd.read_csv(workdir / "claims.csv")
    frame.assign(flag=(frame["score"] >= 0.5).astype(int)).to_parquet(workdir / "pred.parquet")
    args = ["--format", "json", "fairness-gate", "--data", "pred.parquet", "--prediction-column", "flag"]
    code, out, _ = run([*args, "--protected-attributes", "sex", "--min-group-size", "1"], capsys)
    document = json.loads(out)
    assert code == 0 and document["threshold"]["mode"] == "prediction" and document["data"]["flagged"] == 4
    # Without --threshold the shipped default percentile (95) applies: ⌈12·0.95⌉ = 12th → 0.9 only.
    code, out, _ = run(["--format", "json", *BASE[:3], "--data", "claims.csv", "--protected-attributes", "sex"], capsys)
    assert json.loads(out)["threshold"] == {
        "mode": "percentile",
        "column": "score",
        "value": 0.9,
        "percentile": 95.0,
        "exact": True,
        "rank_error": 0,
    }


def test_github_format_writes_outputs_summary_and_annotations(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = fake_github(tmp_path, monkeypatch)
    code, out, _ = run(gate("--report-dir", "reports", attributes="sex,region"), capsys)
    assert code == 1
    outputs = files.outputs()
    assert outputs == {
        "passed": "false",
        "status": "escalated",
        "worst-di": "0.0000",
        "critical-attributes": "sex,region",
        "report-path": "reports/fairness-report.html",
    }
    summary = files.summary_text()
    assert summary.startswith("## Fairness gate: 🚨 escalated")
    assert "| M | 6 | 1 | 0.1667 | 0.333 | 0.047 – 2.366 | fisher | 0.5455 |" in summary
    assert summary.count("```mermaid\nxychart-beta") == 4  # selection rate and DI per attribute
    errors = [line for line in out.splitlines() if line.startswith("::error")]
    assert errors == [
        "::error title=brickgate fairness%3A sex::Bias detected in sex: DI ratios 0.33 - 1.00, required 0.8 - 1.25; "
        "group 'M': DI 0.333",
        "::error title=brickgate fairness%3A region::Bias detected in region: DI ratios 0.00 - 1.50, required "
        "0.8 - 1.25; group 'B': DI 1.500; group '(missing)': DI 0.000",
    ]


def test_small_groups_raise_warning_annotations(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_github(tmp_path, monkeypatch)
    code, out, _ = run(
        [
            *gate(attributes="region")[:-4],
            "--min-group-size",
            "5",
            "--data",
            "claims.csv",
            "--protected-attributes",
            "region",
        ],
        capsys,
    )
    warnings = [line for line in out.splitlines() if line.startswith("::warning")]
    assert code == 0
    assert (
        "::warning title=brickgate fairness%3A region::group '(missing)' has 2 rows (< --min-group-size 5): "
        "reported, not gated" in warnings
    )


def test_report_dir_files(capsys: pytest.CaptureFixture[str], workdir: Path) -> None:
    run(gate("--report-dir", "out", attributes="sex,region"), capsys)
    names = sorted(p.name for p in (workdir / "out").iterdir())
    assert names == [
        "fairness-di-region.png",
        "fairness-di-sex.png",
        "fairness-rate-region.png",
        "fairness-rate-sex.png",
        "fairness-report.html",
        "fairness-result.json",
        "fairness-summary.md",
    ]
    validate_against_schema(json.loads((workdir / "out" / "fairness-result.json").read_text()), "fairness-result")
    page = (workdir / "out" / "fairness-report.html").read_text()
    assert "data:image/png;base64," in page and "&lt;" not in page.split("<body>")[0]
    assert (workdir / "out" / "fairness-di-sex.png").read_bytes().startswith(b"\x89PNG")


def test_results_table_is_appended_never_overwritten(capsys: pytest.CaptureFixture[str]) -> None:
    table = "main.monitoring.fairness_results"
    assert run(gate("--results-table", table, "--model-name", "fraud"), capsys)[0] == 0
    assert run(gate("--results-table", table, "--model-name", "fraud", "--threshold", "0.3"), capsys)[0] == 0
    rows = read_table(table)
    assert rows["run_id"].nunique() == 2 and len(rows) == 4  # 2 runs × 2 groups
    assert sorted(rows["threshold"].unique()) == [0.3, 0.5]
    reference = rows[rows["group_status"] == "reference"]
    assert reference["di"].tolist() == [1.0, 1.0] and reference["p_value"].isna().all()


def test_commit_status_posted_to_github_api(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with HttpRecorder() as server:
        monkeypatch.setenv("GITHUB_API_URL", server.url("").rstrip("/"))
        monkeypatch.setenv("GITHUB_TOKEN", "ghs_secret_token_value")
        monkeypatch.setenv("GITHUB_REPOSITORY", "acme/claims")
        monkeypatch.setenv("GITHUB_SHA", "a" * 40)
        code, _, err = run(gate("--github-status", "--fail-on-bias"), capsys)
    assert code == 1 and err == ""
    (request,) = server.requests
    assert request.path == f"/repos/acme/claims/statuses/{'a' * 40}"
    body = request.json()
    assert (body["context"], body["state"]) == ("brickgate/fairness", "failure")
    assert body["description"].startswith("Bias detected in sex")


def test_commit_status_failure_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(gate("--github-status"), capsys)
    assert code == 0
    assert err == "brickgate: warning: commit status not posted: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_SHA not set\n"


def test_alerts_go_to_the_webhook(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with HttpRecorder() as server:
        monkeypatch.setenv("BRICKGATE_WEBHOOK_URL", server.url("/hook"))
        code, _, err = run(gate("--alert", "webhook", "--model-name", "fraud", attributes="sex,region"), capsys)
    assert code == 1 and err == ""
    bodies = [r.json() for r in server.requests]
    titles = [b.get("title") or b.get("alert", {}).get("title") for b in bodies]
    assert titles == ["Bias detected in sex", "Bias detected in region"]
    assert "brickgate/fairness/fraud/sex" in json.dumps(bodies[0])


def test_unknown_alert_channel_fails_before_reading(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([*BASE, "--data", "missing.csv", "--protected-attributes", "sex", "--alert", "teams"], capsys)
    assert (code, out) == (2, "")
    assert err == "brickgate: error: unknown alert channel 'teams'; valid channels: slack, webhook, pagerduty, email\n"


def _write(workdir: Path, name: str, text: str) -> None:
    (workdir / name).write_text(text)


@pytest.mark.parametrize(
    ("args", "setup", "message"),
    [
        (
            [*BASE[:2], "scroe", *BASE[3:], "--data", "claims.csv", "--protected-attributes", "sex"],
            None,
            "claims.csv: column 'scroe' not found; did you mean 'score'? "
            "(columns: claim_id, score, sex, region, label)",
        ),
        (
            gate(attributes="sexx"),
            None,
            "claims.csv: column 'sexx' not found; did you mean 'sex'? (columns: claim_id, score, sex, region, label)",
        ),
        (
            [*BASE[:2], "sex", *BASE[3:], "--data", "claims.csv", "--protected-attributes", "region"],
            None,
            "score column 'sex' is not numeric (dtype object); scores must be numbers",
        ),
        (
            [*BASE, "--data", "nan.csv", "--protected-attributes", "sex"],
            ("nan.csv", "score,sex\n0.1,F\n,M\n0.3,M\n"),
            "score column 'score' has 1 missing or NaN value(s); score every row or filter them out first",
        ),
        (
            [*BASE, "--data", "empty.csv", "--protected-attributes", "sex"],
            ("empty.csv", "score,sex\n"),
            "empty.csv: no rows",
        ),
        (
            [*BASE, "--data", "one.csv", "--protected-attributes", "sex"],
            ("one.csv", "score,sex\n0.1,F\n0.9,F\n"),
            "attribute 'sex' has only one group ('F'); a fairness comparison needs at least two",
        ),
        (
            [*BASE[:3], "--threshold-percentile", "100", "--data", "claims.csv", "--protected-attributes", "sex"],
            None,
            "Invalid value for '--threshold-percentile': 100 is not in the range 0 < x < 100 "
            "(see 'brickgate fairness-gate --help')",
        ),
        (
            gate("--reference-group", "sex=X"),
            None,
            "--reference-group sex=X: no such group in 'sex' (groups: F, M)",
        ),
        (
            [*BASE, "--data", "bad.parquet", "--protected-attributes", "sex"],
            ("bad.parquet", "not parquet"),
            "bad.parquet: cannot read Parquet data: Parquet magic bytes not found in footer. Either the file is "
            "corrupted or this is not a parquet file.",
        ),
        (
            [*BASE, "--data", "nope.parquet", "--protected-attributes", "sex"],
            None,
            "nope.parquet: no such file, folder or table (expected a Parquet or CSV file or folder, a Delta table "
            "folder, or catalog.schema.table)",
        ),
        (gate("--threshold-percentile", "90"), None, "--threshold and --threshold-percentile conflict; give one"),
        (
            gate("--prediction-column", "label"),
            None,
            "--score-column and --prediction-column conflict; give one",
        ),
        (gate("--reference-group", "sex"), None, "--reference-group 'sex' must be attribute=value, e.g. gender=M"),
        (gate("--gate-metric", "tpr"), None, "--gate-metric tpr needs --label-column"),
        (
            [*BASE, "--protected-attributes", "sex"],
            None,
            "missing --data SOURCE (or BRICKGATE_FAIRNESS_GATE_DATA): a Parquet/CSV file or folder, a Delta folder "
            "or catalog.schema.table",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], workdir: Path, args: list[str], setup: tuple[str, str] | None, message: str
) -> None:
    if setup is not None:
        _write(workdir, *setup)
    code, out, err = run(args, capsys)
    assert (code, out, err) == (2, "", f"brickgate: error: {message}\n")


def test_email_alert_over_starttls(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers.smtp_server import smtp_server

    for smtp in smtp_server(tmp_path):
        settings = {
            "BRICKGATE_SMTP_HOST": smtp.host,
            "BRICKGATE_SMTP_PORT": str(smtp.port),
            "BRICKGATE_SMTP_USER": smtp.user,
            "BRICKGATE_SMTP_PASSWORD": smtp.password,
            "BRICKGATE_SMTP_FROM": "brickgate@example.com",
            "BRICKGATE_SMTP_TO": "risk@example.com",
            "BRICKGATE_SMTP_CA_FILE": str(smtp.cert_path),
        }
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        code, out, err = run(gate("--alert", "email", "--model-name", "fraud"), capsys)
        assert code == 0 and err == "" and smtp.password not in out
        (mail,) = smtp.messages
        assert mail.tls and mail.authenticated_as == smtp.user
        assert "Bias detected in sex" in str(mail.message["Subject"])


def test_pagerduty_dedup_key_is_stable_and_resolves_when_fair(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with HttpRecorder() as server:
        monkeypatch.setenv("BRICKGATE_PAGERDUTY_ROUTING_KEY", "routing-key-0123456789")
        monkeypatch.setenv("BRICKGATE_PAGERDUTY_EVENTS_URL", server.url("/v2/enqueue"))
        run(gate("--alert", "pagerduty", "--model-name", "fraud", attributes="sex,region"), capsys)
        run(gate("--alert", "pagerduty", "--model-name", "fraud", attributes="sex,region"), capsys)
        run(gate("--alert", "pagerduty", "--model-name", "fraud", "--di-min", "0.3", "--di-max", "3.5"), capsys)
    events = [r.json() for r in server.requests]
    first, second, fixed = events[:2], events[2:4], events[4:]
    assert [e["event_action"] for e in first] == ["trigger", "trigger"]
    assert [e["dedup_key"] for e in first] == [e["dedup_key"] for e in second]  # a repeat run does not page twice
    assert [e["payload"]["severity"] for e in first] == ["critical", "critical"]  # escalated
    assert [e["event_action"] for e in fixed] == ["resolve"] and fixed[0]["dedup_key"] == first[0]["dedup_key"]
