"""Every command with canary secrets in the environment and in URIs: not one byte of them written anywhere.

Each command runs as a real process in a scratch git repository with --format github. Then
stdout, stderr, the GITHUB_* files, every file under the working folder and every alert body
a local receiver got are scanned for the canaries.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.fake_databricks_cli import FOLDER as FAKE_CLI
from tests.helpers.http_recorder import HttpRecorder
from tests.helpers.smtp_server import free_port

TOKEN = "dapic0ffeec0ffeec0ffeec0ffeec0ffee01"
GITHUB_TOKEN = "ghp_CanaryGithubToken0123456789abcdefABCD"
CANARIES = (
    TOKEN,
    GITHUB_TOKEN,
    "CanarySlackPath",
    "CanaryHookPath",
    "CanaryRoutingKey",
    "CanaryWebhookSecret",
    "CanarySmtpPassword",
    "CanaryMlflowPw",
    "CanaryGitPw",
    "CanaryHostPw",
    "CanaryBundleVar",
)

BUNDLE = """\
bundle: {name: canary}
variables:
  api_token: {description: a secret given as BUNDLE_VAR_api_token, default: none}
targets:
  dev: {default: true, mode: development}
resources:
  jobs:
    leak:
      name: leak
      parameters:
        - {name: token, default: "${var.api_token}"}
      tasks:
        - task_key: talk
          spark_python_task:
            python_file: src/talk.py
            parameters: ["--token", "{{job.parameters.token}}"]
"""

TALK = """\
import os, sys
print("argv", sys.argv[1:])
for name in ("DATABRICKS_TOKEN", "GITHUB_TOKEN", "BRICKGATE_WEBHOOK_URL", "MLFLOW_TRACKING_URI", "DATABRICKS_HOST"):
    print(name, os.environ.get(name))
print("smtp", os.environ.get("BRICKGATE_SMTP_PASSWORD"), file=sys.stderr)
"""


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    (folder / "src").mkdir(parents=True)
    (folder / "databricks.yml").write_text(BUNDLE, encoding="utf-8")
    (folder / "src" / "talk.py").write_text(TALK, encoding="utf-8")
    rows = ["score,sex,amount"] + [f"{(i % 10) / 10},{'F' if i % 3 else 'M'},{i % 7}" for i in range(60)]
    (folder / "data.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    _git(folder, "init", "-q", "-b", "main")
    _git(folder, "-c", "user.name=t", "-c", "user.email=t@x", "add", ".")
    _git(folder, "-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "start")
    _git(folder, "remote", "add", "origin", f"http://bot:CanaryGitPw@127.0.0.1:{free_port()}/repo.git")
    return folder


@pytest.mark.slow  # thirteen real processes: about 90 s on a busy 2-core machine
def test_no_canary_reaches_any_sink(scratch: Path, tmp_path: Path) -> None:
    refused = free_port()
    with HttpRecorder() as receiver:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "DATABRICKS_", "BRICKGATE_"))},
            "DATABRICKS_TOKEN": TOKEN,
            "DATABRICKS_HOST": f"https://admin:CanaryHostPw@127.0.0.1:{refused}",
            "GITHUB_TOKEN": GITHUB_TOKEN,
            "GITHUB_REPOSITORY": "acme/claims",
            "GITHUB_SHA": "0" * 40,
            "GITHUB_API_URL": receiver.url("/api"),
            "GITHUB_OUTPUT": str(scratch / "github_output"),
            "GITHUB_STEP_SUMMARY": str(scratch / "step_summary.md"),
            "GITHUB_ENV": str(scratch / "github_env"),
            "BRICKGATE_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/CanarySlackPath",
            "BRICKGATE_WEBHOOK_URL": receiver.url("/hook/CanaryHookPath"),
            "BRICKGATE_WEBHOOK_SECRET": "CanaryWebhookSecret",
            "BRICKGATE_PAGERDUTY_ROUTING_KEY": "CanaryRoutingKey",
            "BRICKGATE_PAGERDUTY_EVENTS_URL": receiver.url("/pd"),
            "BRICKGATE_SMTP_PASSWORD": "CanarySmtpPassword",
            "BUNDLE_VAR_api_token": "CanaryBundleVar",
            "MLFLOW_TRACKING_URI": f"http://ml:CanaryMlflowPw@127.0.0.1:{refused}",
            "PATH": f"{FAKE_CLI}{os.pathsep}{os.environ.get('PATH', '')}",  # deploy gets as far as the workspace
            "FAKE_DATABRICKS_LOG": str(tmp_path / "databricks-calls.jsonl"),
            "FAKE_DATABRICKS_RESPONSES": str(tmp_path / "databricks-responses.json"),
        }
        (tmp_path / "databricks-responses.json").write_text("{}", encoding="utf-8")
        gate = ["--report-dir", "out", "--alert", "webhook", "--alert", "pagerduty", "--github-status"]
        commands = [
            ["init", "--project-name", "canary-init"],
            ["validate-bundle"],
            ["run", "leak"],
            ["runs", "list"],
            ["runs", "show", "latest"],
            [
                "fairness-gate",
                "--data",
                "data.csv",
                "--score-column",
                "score",
                "--protected-attributes",
                "sex",
                "--threshold",
                "0.5",
                "--min-group-size",
                "5",
                "--results-table",
                "main.mon.fairness",
                "--model-name",
                "fraud",
                *gate,
            ],
            ["psi-gate", "profile", "--reference", "data.csv", "--features", "amount", "--out", "profile.json"],
            [
                "psi-gate",
                "--current",
                "data.csv",
                "--profile",
                "profile.json",
                "--results-table",
                "main.mon.psi",
                *gate,
            ],
            ["psi-gate", "--current", "data.csv", "--profile", "runs:/0123456789abcdef/psi_profile.json"],
            ["deploy", "-t", "dev"],
            ["promote-model", "--model", "main.ml.fraud", "--version", "1"],
            ["promote-model", "--model", "main.ml.fraud", "--version", "1", "--tracking-uri", "databricks"],
            ["tag-release", "v0.1.0", "--push", "--github-release"],
        ]
        written: dict[str, str] = {}
        for number, command in enumerate(commands):
            if command == ["runs", "show", "latest"]:
                command = ["runs", "show", next((scratch / ".brickgate" / "runs").iterdir()).name]
            cwd = scratch / "init" if command[0] == "init" else scratch  # init writes a project of its own
            cwd.mkdir(exist_ok=True)
            done = subprocess.run(
                [sys.executable, "-m", "brickgate", "--format", "github", *command],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            written[f"{number} {' '.join(command[:2])} stdout"] = done.stdout
            written[f"{number} {' '.join(command[:2])} stderr"] = done.stderr
            assert "Traceback" not in done.stderr, done.stderr
        bodies = [r.text() for r in receiver.requests if not r.path.startswith("/pd")]  # PagerDuty needs its key
    for path in scratch.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(scratch).parts[:1]:
            written[str(path.relative_to(scratch))] = path.read_bytes().decode("utf-8", "replace")
    written |= {f"alert body {i}": body for i, body in enumerate(bodies)}
    assert any(name.endswith("run.json") for name in written) and (scratch / "out" / "psi-report.html").is_file()
    assert len(bodies) >= 4  # alerts and commit statuses really went out
    leaks = sorted({(name, canary) for name, text in written.items() for canary in CANARIES if canary in text})
    assert leaks == []
