from __future__ import annotations

import sys

import pytest

from claims_fraud.demo import capture_alerts

POST = (
    "import json, os, sys, urllib.request\n"
    "for severity in sys.argv[1].split(','):\n"
    "    body = json.dumps({'gate': 'fairness', 'severity': severity, 'title': 'Bias detected in patient_gender'})\n"
    "    urllib.request.urlopen(urllib.request.Request(os.environ['BRICKGATE_WEBHOOK_URL'], body.encode()))\n"
    "sys.exit(int(sys.argv[2]))\n"
)


def test_a_failed_gate_with_its_alert_is_what_the_bias_demo_expects(capsys: pytest.CaptureFixture[str]) -> None:
    assert capture_alerts([sys.executable, "-c", POST, "warning,info", "1"], expect_failure=True) == 0
    out = capsys.readouterr().out
    assert "Alerts sent through the webhook channel (2), captured on 127.0.0.1:" in out
    assert '"severity": "warning"' in out  # the problem in full
    assert "  [fairness info] Bias detected in patient_gender" in out  # the notice in a line
    assert "As expected" in out


@pytest.mark.parametrize(("severities", "code"), [("info", "1"), ("warning", "0"), ("warning", "2")])
def test_anything_else_fails_the_bias_demo(severities: str, code: str) -> None:
    assert capture_alerts([sys.executable, "-c", POST, severities, code], expect_failure=True) == 1


def test_without_expectation_the_command_exit_code_is_returned() -> None:
    assert capture_alerts([sys.executable, "-c", POST, "info", "3"], expect_failure=False) == 3
