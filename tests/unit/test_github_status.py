"""`--github-status` fails closed inside GitHub Actions and only warns outside it (issue 20 item 7).

A required check that is never posted leaves the pull request waiting forever, so inside
Actions a status that cannot be posted (no token, repository or SHA, or the API refusing)
is exit 2 with one line, after the verdict was printed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from brickgate.cli import main
from tests.helpers.http_recorder import HttpRecorder, Reply

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "tables" / "fairness_small.csv"
GATE = [
    "--format", "text", "fairness-gate", "--data", "claims.csv", "--score-column", "score", "--threshold", "0.5",
    "--min-group-size", "1", "--protected-attributes", "sex", "--github-status",
]  # fmt: skip
TOKEN = "ghs_secret_token_value"


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BRICKGATE_WAREHOUSE", str(tmp_path / "warehouse"))
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    shutil.copy(SMALL, tmp_path / "claims.csv")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and stderr; the verdict is always printed before the status is posted."""
    with pytest.raises(SystemExit) as info:
        main(GATE)
    captured = capsys.readouterr()
    assert captured.out.startswith("fairness gate: ")
    return int(info.value.code or 0), captured.err


def actions(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ({}, "GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_SHA"),
        ({"GITHUB_REPOSITORY": "acme/claims", "GITHUB_SHA": "a" * 40}, "GITHUB_TOKEN"),
        ({"GITHUB_TOKEN": TOKEN, "GITHUB_SHA": "a" * 40}, "GITHUB_REPOSITORY"),
        ({"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "acme/claims"}, "GITHUB_SHA"),
    ],
)
def test_inside_actions_a_missing_variable_is_exit_2(
    present: dict[str, str], missing: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    actions(monkeypatch, **present)
    code, err = run(capsys)
    assert code == 2
    assert err == (
        f"brickgate: error: commit status not posted: {missing} not set "
        "(GITHUB_ACTIONS=true: a required check must not go missing)\n"
    )


@pytest.mark.parametrize("status", [403, 503])
def test_inside_actions_the_api_refusing_is_exit_2(
    status: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with HttpRecorder(default=Reply(status=status)) as server:
        actions(
            monkeypatch,
            GITHUB_API_URL=server.url("").rstrip("/"),
            GITHUB_TOKEN=TOKEN,
            GITHUB_REPOSITORY="acme/claims",
            GITHUB_SHA="a" * 40,
        )
        code, err = run(capsys)
    assert code == 2 and err.count("\n") == 1 and TOKEN not in err
    assert err.startswith(f"brickgate: error: commit status not posted: HTTP {status} ")


def test_inside_actions_a_posted_status_keeps_the_verdict(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with HttpRecorder() as server:
        actions(
            monkeypatch,
            GITHUB_API_URL=server.url("").rstrip("/"),
            GITHUB_TOKEN=TOKEN,
            GITHUB_REPOSITORY="acme/claims",
            GITHUB_SHA="a" * 40,
        )
        code, err = run(capsys)
    assert (code, err) == (0, "")
    assert [r.path for r in server.requests] == [f"/repos/acme/claims/statuses/{'a' * 40}"]


def test_outside_actions_it_stays_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys)
    assert code == 0
    assert err == "brickgate: warning: commit status not posted: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_SHA not set\n"
