"""tools/workspace-server itself: request log, queued replies, unknown endpoints reported."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.error import HTTPError

import pytest

from tests.helpers.workspace_server import TEST_USER, Workspace, running_server

pytestmark = [pytest.mark.real_cli, pytest.mark.slow]
ME = "/api/2.0/preview/scim/v2/Me"


def test_queued_replies_come_first_in_order_then_the_fake_workspace(workspace: Workspace) -> None:
    workspace.queue_reply(f"GET {ME}", 429, '{"error_code": "TOO_MANY_REQUESTS"}', {"Retry-After": "0"})
    workspace.queue_reply(ME, 503, '{"error_code": "TEMPORARILY_UNAVAILABLE"}')
    statuses = []
    for _ in range(3):
        try:
            workspace.api("GET", ME)
            statuses.append(200)
        except HTTPError as exc:
            statuses.append(exc.code)
    assert statuses == [429, 503, 200]
    logged = [(e["path"], e["status"], e.get("queued", False)) for e in workspace.requests()[-3:]]
    assert logged == [(ME, 429, True), (ME, 503, True), (ME, 200, False)]


def test_cli_retries_a_queued_429_and_the_log_shows_it(workspace: Workspace, databricks: Path) -> None:
    workspace.queue_reply(f"GET {ME}", 429, '{"error_code": "TOO_MANY_REQUESTS"}', {"Retry-After": "1"})
    done = subprocess.run(
        [str(databricks), "current-user", "me", "-o", "json"],
        env=workspace.env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["userName"] == TEST_USER
    me = [e["status"] for e in workspace.requests() if e["path"] == ME]
    assert me[-2:] == [429, 200]


def test_an_unknown_endpoint_is_reported_and_logged(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    with running_server(log) as server:
        workspace = Workspace.fresh(server, tmp_path)
        with pytest.raises(HTTPError) as failure:
            workspace.api("GET", "/api/2.0/no-such-endpoint")
        assert failure.value.code == 501
        assert len(server.errors()) == 1
        assert "No handler for URL: /api/2.0/no-such-endpoint" in server.errors()[0]
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(e["method"], e["path"], e["status"]) for e in lines] == [("GET", "/api/2.0/no-such-endpoint", 501)]
