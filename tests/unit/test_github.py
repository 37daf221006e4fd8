from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from brickgate import github
from brickgate.errors import InfraError
from tests.helpers.github_files import fake_github


def test_annotation_escapes_message_and_properties() -> None:
    line = github.annotation("warning", "100%\r\ndone", file="dir/a:b,c.yml", line=7, col=2, title="x,y")
    assert line == "::warning file=dir/a%3Ab%2Cc.yml,line=7,col=2,title=x%2Cy::100%25%0D%0Adone"


def test_annotation_without_properties() -> None:
    assert github.annotation("notice", "plain") == "::notice::plain"


def test_outputs_are_multiline_safe_with_random_delimiters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = fake_github(tmp_path, monkeypatch)
    evil = "line1\nEOF\nother=injected"
    github.write_outputs({"passed": True, "text": evil, "names": ["a", "b"], "none": None})
    github.write_outputs({"second": 2})
    assert files.outputs() == {"passed": "true", "text": evil, "names": "a,b", "none": "", "second": "2"}
    delimiters = [line.split("<<")[1] for line in files.output.read_text().splitlines() if "<<" in line]
    assert len(set(delimiters)) == 5


def test_outputs_noop_outside_actions(tmp_path: Path) -> None:
    github.write_outputs({"a": 1}, env={})
    github.append_summary("# hi", env={})
    assert list(tmp_path.iterdir()) == []


def test_summary_truncated_under_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = fake_github(tmp_path, monkeypatch)
    files.summary.write_text("x" * 1000 + "\n")
    big = "".join(f"| row {i} | {'é' * 50} |\n" for i in range(20000))
    github.append_summary(big)
    size = files.summary.stat().st_size
    assert size <= github.SUMMARY_LIMIT
    text = files.summary_text()
    assert text.endswith(github.SUMMARY_TRUNCATION_NOTE)
    assert "\n| row" in text and "Summary truncated" in text


def test_truncation_never_leaves_code_block_open() -> None:
    text = "intro\n```mermaid\n" + "bar\n" * 100 + "```\n"
    cut = github.truncate_summary(text, 300)
    assert cut.count("```") % 2 == 0
    assert cut.endswith(github.SUMMARY_TRUNCATION_NOTE)


def test_small_summary_is_unchanged() -> None:
    assert github.truncate_summary("# ok", 100) == "# ok\n"


class _Recorder(BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[str, dict[str, str], dict[str, object]]]] = []
    codes: ClassVar[list[int]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append((self.path, dict(self.headers), body))
        code = type(self).codes.pop(0) if type(self).codes else 201
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def api_server() -> Iterator[str]:
    _Recorder.calls, _Recorder.codes = [], []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_commit_status_uses_pull_request_head_and_retries(api_server: str, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"head": {"sha": "abc123"}}}))
    _Recorder.codes = [503, 201]
    env = {
        "GITHUB_API_URL": api_server,
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_TOKEN": "ghs_secret",
        "GITHUB_SHA": "merge-sha",
        "GITHUB_EVENT_PATH": str(event),
    }
    result = github.post_commit_status(context="brickgate/fairness", state="failure", description="d" * 200, env=env)
    assert result.posted, result.detail
    assert len(_Recorder.calls) == 2
    path, headers, body = _Recorder.calls[-1]
    assert path == "/repos/o/r/statuses/abc123"
    assert headers["Authorization"] == "Bearer ghs_secret"
    assert body["context"] == "brickgate/fairness" and len(str(body["description"])) == 140
    assert "ghs_secret" not in result.detail


def test_commit_status_forbidden_is_reported_not_raised(api_server: str) -> None:
    _Recorder.codes = [403]
    env = {"GITHUB_API_URL": api_server, "GITHUB_REPOSITORY": "o/r", "GITHUB_TOKEN": "t0ken", "GITHUB_SHA": "s"}
    result = github.post_commit_status(context="c", state="success", description="ok", env=env)
    assert not result.posted and result.detail == "commit status not posted: HTTP 403"
    assert len(_Recorder.calls) == 1


def test_commit_status_without_token_is_skipped() -> None:
    result = github.post_commit_status(context="c", state="success", description="ok", env={"GITHUB_SHA": "s"})
    assert result.detail == "commit status not posted: GITHUB_TOKEN, GITHUB_REPOSITORY not set"


@pytest.mark.parametrize("variable", ["GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"])
def test_unwritable_runner_file_is_infra_error(tmp_path: Path, variable: str) -> None:
    env = {variable: str(tmp_path)}  # a directory, not a file
    with pytest.raises(InfraError, match=rf"^{variable}=.*: cannot append: Is a directory$"):
        github.write_outputs({"a": 1}, env=env) if variable == "GITHUB_OUTPUT" else github.append_summary("x", env=env)
