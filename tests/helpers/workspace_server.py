"""The local workspace the real Databricks CLI deploys to: `tools/workspace-server`, built by make.

It serves the CLI's own fake workspace (`libs/testserver` of the pinned CLI module). Each test
gets its own token, so its own workspace state on the one server of the session. Every request
is logged; 429/503 (or any) replies can be queued per path; a request the server has no handler
for is recorded and fails the test that made it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_BUNDLE = REPO_ROOT / "examples" / "claims-fraud"
TOOLS_BIN = REPO_ROOT / ".tools" / "bin"
DATABRICKS = TOOLS_BIN / "databricks"
WORKSPACE_SERVER = TOOLS_BIN / "workspace-server"
GO_MOD = REPO_ROOT / "tools" / "workspace-server" / "go.mod"
START_SECONDS = 30
HTTP_SECONDS = 10
# The fake workspace names the user behind a token starting with dbapi0 (libs/testserver).
USER_TOKEN_PREFIX = "dbapi0"
TEST_USER = "tester@databricks.com"


def pinned_cli_version() -> tuple[int, int, int]:
    """The CLI version tools/workspace-server/go.mod pins (the one place it is named)."""
    for line in GO_MOD.read_text(encoding="utf-8").splitlines():
        if line.startswith("require github.com/databricks/cli v"):
            major, minor, patch = line.rsplit("v", 1)[1].split(".")
            return int(major), int(minor), int(patch)
    raise AssertionError(f"{GO_MOD} does not require github.com/databricks/cli")


def copy_bundle(source: Path, into: Path) -> Path:
    """A copy of the bundle in `source`: the CLI writes its local state (.databricks/) next to it."""
    return Path(shutil.copytree(source, into / source.name, ignore=shutil.ignore_patterns(".databricks", ".brickgate")))


def require_built(path: Path) -> Path:
    """`path` if make built it; a plain failure (never a skip) otherwise."""
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{path} is missing: run `make tools` (needs Go, see Makefile)")
    return path


@dataclass
class WorkspaceServer:
    """One running tools/workspace-server process."""

    url: str
    pid: int
    log: Path
    process: subprocess.Popen[str] = field(repr=False)

    def control(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        """GET (or POST `payload` to) one of the server's /__brickgate/ endpoints."""
        data = None if payload is None else json.dumps(payload).encode()
        request = Request(f"{self.url}/__brickgate/{path}", data=data, method="GET" if data is None else "POST")
        with urlopen(request, timeout=HTTP_SECONDS) as response:
            return json.load(response)

    def errors(self) -> list[str]:
        """Failures the fake workspace reported so far, such as requests it has no handler for."""
        found: list[str] = self.control("errors")
        return found

    def stop(self) -> None:
        """Stop the server by its pid and wait for it."""
        os.kill(self.pid, signal.SIGTERM)
        self.process.wait(timeout=HTTP_SECONDS)


@contextmanager
def running_server(log: Path) -> Iterator[WorkspaceServer]:
    """Start tools/workspace-server on 127.0.0.1 (a free port); stop it by pid on exit."""
    process = subprocess.Popen(
        [str(require_built(WORKSPACE_SERVER)), "-log", str(log)],
        stdout=subprocess.PIPE,
        stderr=None,  # its own messages (unknown endpoints) go to the test output
        text=True,
    )
    server = None
    try:
        assert process.stdout is not None
        url = _first_line(process, START_SECONDS)
        server = WorkspaceServer(url=url, pid=process.pid, log=log, process=process)
        yield server
    finally:
        if server is not None:
            server.stop()
        else:
            process.kill()
            process.wait(timeout=HTTP_SECONDS)


def _first_line(process: subprocess.Popen[str], seconds: float) -> str:
    """The URL the server prints first, within `seconds`."""
    import selectors

    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=seconds):
            raise AssertionError(f"workspace-server printed no URL within {seconds:g} s")
    line = process.stdout.readline().strip()
    if not line.startswith("http://127.0.0.1:"):
        raise AssertionError(f"workspace-server did not start: {line!r} (exit {process.poll()})")
    return line


@dataclass
class Workspace:
    """One test's workspace on the shared server: its token, and the environment for the CLI."""

    server: WorkspaceServer
    token: str
    home: Path
    first_request: int  # where this test's requests start in the server's log

    @classmethod
    def fresh(cls, server: WorkspaceServer, home: Path) -> Workspace:
        token = f"{USER_TOKEN_PREFIX}{uuid.uuid4().hex}"
        return cls(server=server, token=token, home=home, first_request=len(server.control("requests")))

    @property
    def url(self) -> str:
        return self.server.url

    def env(self) -> dict[str, str]:
        """What the CLI (and brickgate around it) runs with: this workspace, the built CLI and this
        Python (wheel artifacts build with `python3 -m pip wheel`) on PATH, and a HOME of its own so no
        ~/.databrickscfg is read."""
        path = [str(TOOLS_BIN), str(Path(sys.executable).parent), os.environ.get("PATH", os.defpath)]
        return {
            "PATH": os.pathsep.join(path),
            "HOME": str(self.home),
            "DATABRICKS_HOST": self.url,
            "DATABRICKS_TOKEN": self.token,
        }

    def brickgate(self, *args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run brickgate in a subprocess with only this workspace's environment."""
        return self.run([*self.brickgate_command(), *args], cwd=cwd, timeout=timeout)

    @staticmethod
    def brickgate_command() -> list[str]:
        return [sys.executable, "-m", "brickgate"]

    def databricks(self, *args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run the real CLI directly, as a user next to brickgate would."""
        return self.run([str(DATABRICKS), *args], cwd=cwd, timeout=timeout)

    def run(
        self, command: list[str], *, cwd: Path | None, timeout: float, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {**self.env(), **(extra_env or {})}
        return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)

    def api(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        """Call the workspace's REST API as this test's user."""
        data = None if payload is None else json.dumps(payload).encode()
        request = Request(f"{self.url}{path}", data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urlopen(request, timeout=HTTP_SECONDS) as response:
            body = response.read()
        return json.loads(body) if body else None

    def queue_reply(self, pattern: str, status: int, body: str = "", headers: dict[str, str] | None = None) -> None:
        """Answer the next request matching `pattern` ("[METHOD ]/path") with `status` and `body`."""
        reply = {"pattern": pattern, "status": status, "body": body, "headers": headers or {}}
        self.server.control("queue", reply)

    def requests(self) -> list[dict[str, Any]]:
        """The requests the server logged since this workspace was made, oldest first."""
        logged: list[dict[str, Any]] = self.server.control("requests")
        return logged[self.first_request :]


JOB_CALLS = ("/api/2.2/jobs/create", "/api/2.2/jobs/reset", "/api/2.2/jobs/delete")


def deploy_json(workspace: Workspace, bundle: Path, target: str, *args: str) -> dict[str, Any]:
    """`brickgate --format json deploy BUNDLE -t TARGET ARGS…`, which must succeed; its JSON document."""
    done = workspace.brickgate("--format", "json", "deploy", str(bundle), "-t", target, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def job_calls(workspace: Workspace, since: int) -> list[str]:
    """create/reset/delete calls to the Jobs API after the first `since` requests of this test."""
    return [e["path"].rsplit("/", 1)[1] for e in workspace.requests()[since:] if e["path"] in JOB_CALLS]
