"""tag-release against real git repositories with a bare `origin` in tmp_path."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from brickgate.release import INVALID_VERSION, TagReleaseOptions, release_notes, tag_release
from tests.unit.release.conftest import run_main

TOKEN = "ghs_tag_release_test_token_7f3a9c"


def sh(cwd: Path, *args: str) -> str:
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone with two commits whose `origin` is a bare repository; the working directory is the clone."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    remote, work = tmp_path / "origin.git", tmp_path / "work"
    sh(tmp_path, "git", "init", "-q", "--bare", "-b", "main", str(remote))
    sh(tmp_path, "git", "clone", "-q", str(remote), str(work))
    sh(work, "git", "config", "user.name", "Release Bot")
    sh(work, "git", "config", "user.email", "bot@example.com")
    for n in (1, 2):
        (work / "f.txt").write_text(f"{n}\n")
        sh(work, "git", "add", "f.txt")
        sh(work, "git", "commit", "-q", "-m", f"commit {n}")
    sh(work, "git", "push", "-q", "origin", "main")
    monkeypatch.chdir(work)
    return work


def remote_tags(repo: Path) -> str:
    return sh(repo, "git", "ls-remote", "--tags", "origin")


def test_new_tag_is_annotated_and_pushed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = sh(repo, "git", "rev-parse", "HEAD")
    code, out, err = run_main(["tag-release", "v1.2.3", "--push", "-m", "First release"], capsys)
    assert (code, err) == (0, "")
    assert out == f"created tag v1.2.3 at {head}; pushed to origin\n"
    assert sh(repo, "git", "cat-file", "-t", "v1.2.3") == "tag"
    assert (
        sh(repo, "git", "tag", "-l", "--format=%(contents:subject)|%(taggername)", "v1.2.3")
        == "First release|Release Bot"
    )
    assert f"{head}\trefs/tags/v1.2.3^{{}}" in remote_tags(repo)


def test_same_tag_again_succeeds_and_changes_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = sh(repo, "git", "rev-parse", "HEAD")
    assert run_main(["tag-release", "v1.2.3", "--push"], capsys)[0] == 0
    before = (sh(repo, "git", "rev-parse", "v1.2.3"), remote_tags(repo))
    code, out, _ = run_main(["tag-release", "v1.2.3", "--push"], capsys)
    assert code == 0 and out == f"tag v1.2.3 already exists at {head}; nothing to do\n"
    assert (sh(repo, "git", "rev-parse", "v1.2.3"), remote_tags(repo)) == before


def test_local_tag_at_same_commit_is_pushed_when_missing_on_remote(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(["tag-release", "v2.0.0"], capsys)[0] == 0
    assert "v2.0.0" not in remote_tags(repo)
    code, out, _ = run_main(["tag-release", "v2.0.0", "--push"], capsys)
    assert code == 0 and out.endswith("nothing to do; pushed to origin\n")
    assert "refs/tags/v2.0.0" in remote_tags(repo)


def test_conflicting_local_tag_exits_1_and_changes_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = sh(repo, "git", "rev-parse", "HEAD~1")
    assert run_main(["tag-release", "v1.0.0", "--ref", "HEAD~1", "--push"], capsys)[0] == 0
    before = (sh(repo, "git", "rev-parse", "v1.0.0"), remote_tags(repo))
    code, out, _ = run_main(["tag-release", "v1.0.0", "--push"], capsys)
    head = sh(repo, "git", "rev-parse", "HEAD")
    assert code == 1
    assert out == (
        f"brickgate: tag-release failed: tag v1.0.0 already exists at {first[:12]} (locally), "
        f"not at {head[:12]}; nothing was changed\n"
    )
    assert (sh(repo, "git", "rev-parse", "v1.0.0"), remote_tags(repo)) == before


def test_conflicting_remote_tag_creates_no_local_tag(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sh(repo, "git", "tag", "v1.0.0", "HEAD~1")
    sh(repo, "git", "push", "-q", "origin", "v1.0.0")
    sh(repo, "git", "tag", "-d", "v1.0.0")
    code, out, _ = run_main(["tag-release", "v1.0.0", "--push"], capsys)
    assert code == 1 and "(on origin)" in out
    assert sh(repo, "git", "tag", "-l") == ""


@pytest.mark.parametrize(
    ("version", "hint"),
    [
        ("1.2.3", "; did you mean v1.2.3?"),
        ("v1.2", ""),
        ("v01.2.3", ""),
        ("v1.2.3-", ""),
        ("v1.2.3-rc..1", ""),
        ("v1.2.3+", ""),
        ("release-1", ""),
        ("v1.2.3 ", ""),
    ],
)
def test_invalid_versions_exit_2(repo: Path, capsys: pytest.CaptureFixture[str], version: str, hint: str) -> None:
    code, out, err = run_main(["tag-release", version], capsys)
    assert (code, out) == (2, "")
    assert err == f"brickgate: error: {INVALID_VERSION.format(version=version, hint=hint)}\n"
    assert sh(repo, "git", "tag", "-l") == ""


@pytest.mark.parametrize(
    ("version", "prerelease"), [("v0.1.0", False), ("v1.2.3-rc.1", True), ("v1.2.3+build.7", False)]
)
def test_valid_versions(repo: Path, version: str, prerelease: bool) -> None:
    result = tag_release(version, TagReleaseOptions(repo=repo))
    assert (result.status, result.prerelease) == ("created", prerelease)
    assert sh(repo, "git", "tag", "-l") == version


def test_unknown_ref_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["tag-release", "v1.0.0", "--ref", "no-such-branch"], capsys)
    assert code == 2 and err == f"brickgate: error: --ref 'no-such-branch' is not a commit in {repo}\n"


def test_missing_version_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(["tag-release"], capsys)
    assert code == 2 and "missing VERSION argument (or BRICKGATE_TAG_RELEASE_VERSION)" in err


def test_version_and_push_from_environment(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRICKGATE_TAG_RELEASE_VERSION", "v3.0.0")
    monkeypatch.setenv("BRICKGATE_TAG_RELEASE_PUSH", "true")
    assert run_main(["tag-release"], capsys)[0] == 0
    assert "refs/tags/v3.0.0" in remote_tags(repo)


def test_push_rejected_by_remote_hook_leaves_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hook = repo.parent / "origin.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'tags are frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    code, out, err = run_main(["tag-release", "v1.2.3", "--push"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        "brickgate: error: push of tag v1.2.3 to origin was rejected: [remote rejected] (pre-receive hook declined) "
        "(remote said: tags are frozen); "
        "the tag this run created was deleted again, nothing changed\n"
    )
    assert sh(repo, "git", "tag", "-l") == "" and "v1.2.3" not in remote_tags(repo)


def test_unreachable_remote_is_infra_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sh(repo, "git", "remote", "set-url", "origin", f"https://x-access-token:{TOKEN}@127.0.0.1:9/o/r.git")
    code, _, err = run_main(["tag-release", "v1.2.3", "--push"], capsys)
    assert code == 2 and err.startswith("brickgate: error: cannot read tags of remote 'origin': ")
    assert TOKEN not in err and sh(repo, "git", "tag", "-l") == ""


def test_tagger_falls_back_to_github_actor(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sh(repo, "git", "config", "--unset", "user.name")
    sh(repo, "git", "config", "--unset", "user.email")
    sh(repo, "git", "config", "user.useConfigOnly", "true")
    result = tag_release("v1.0.0", TagReleaseOptions(repo=repo), env={"GITHUB_ACTOR": "octocat"})
    assert result.status == "created"
    assert sh(repo, "git", "tag", "-l", "--format=%(taggername) %(taggeremail)") == (
        "octocat <octocat@users.noreply.github.com>"
    )


class FakeGitHub(BaseHTTPRequestHandler):
    """Releases endpoints: GET /repos/o/r/releases/tags/<tag>, POST /repos/o/r/releases."""

    releases: dict[str, dict[str, Any]]
    requests: list[tuple[str, str, dict[str, str], Any]]
    fail_next: list[int]

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.requests.append(("GET", self.path, dict(self.headers), None))
        if self.fail_next:
            self._send(self.fail_next.pop(0), {"message": "try later"})
            return
        tag = self.path.rsplit("/", 1)[-1]
        if tag in self.releases:
            self._send(200, self.releases[tag])
        else:
            self._send(404, {"message": "Not Found"})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append(("POST", self.path, dict(self.headers), body))
        release = {**body, "html_url": f"https://github.example/o/r/releases/tag/{body['tag_name']}"}
        self.releases[body["tag_name"]] = release
        self._send(201, release)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def github_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FakeGitHub]]:
    handler = type("Handler", (FakeGitHub,), {"releases": {}, "requests": [], "fail_next": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    yield handler
    server.shutdown()
    server.server_close()


def test_github_release_with_gate_summaries(
    repo: Path, github_api: type[FakeGitHub], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    summary = tmp_path / "fairness-summary.md"
    summary.write_text("**Fairness gate passed**: DI 0.91–1.04 within 0.8–1.25\n")
    psi = tmp_path / "psi-result.json"
    psi.write_text('{"gate": "psi", "passed": true}')
    github_api.fail_next.append(503)  # retried by the client
    args = ["--format", "json", "tag-release", "v1.3.0-rc.1", "--github-release", "--gate-summary", str(summary)]
    code, out, err = run_main([*args, "--gate-summary", str(psi)], capsys)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["release_url"] == "https://github.example/o/r/releases/tag/v1.3.0-rc.1"
    assert document["release_created"] is True and document["prerelease"] is True
    post = [r for r in github_api.requests if r[0] == "POST"]
    assert len(post) == 1
    _, path, headers, body = post[0]
    assert path == "/repos/o/r/releases" and headers["Authorization"] == f"Bearer {TOKEN}"
    assert body["target_commitish"] == document["sha"] and body["prerelease"] is True
    assert "### fairness-summary.md\n\n**Fairness gate passed**: DI 0.91–1.04" in body["body"]
    assert '```json\n{"gate": "psi", "passed": true}\n```' in body["body"]
    code, out, _ = run_main(["--format", "json", "tag-release", "v1.3.0-rc.1", "--github-release"], capsys)
    assert code == 0 and json.loads(out)["release_created"] is False
    assert len([r for r in github_api.requests if r[0] == "POST"]) == 1
    assert TOKEN not in out + err


def test_github_release_needs_token(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    code, _, err = run_main(["tag-release", "v1.0.0", "--github-release"], capsys)
    assert code == 2 and err == "brickgate: error: --github-release needs GITHUB_TOKEN in the environment\n"


def test_github_format_writes_outputs_and_summary(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers.github_files import fake_github

    files = fake_github(tmp_path, monkeypatch)
    code, out, _ = run_main(["tag-release", "v1.0.0"], capsys)
    outputs = files.outputs()
    assert code == 0 and outputs["tag"] == "v1.0.0" and outputs["status"] == "created"
    assert outputs["sha"] == sh(repo, "git", "rev-parse", "HEAD") and outputs["pushed"] == "false"
    assert "### Release tag v1.0.0" in files.summary_text()
    sh(repo, "git", "tag", "-d", "v1.0.0")
    sh(repo, "git", "tag", "v1.0.0", "HEAD~1")
    code, out, _ = run_main(["tag-release", "v1.0.0"], capsys)
    assert code == 1 and "::error title=tag-release::tag v1.0.0 already exists" in out


def test_release_notes_are_cut_to_github_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_text("x" * 200_000)
    notes = release_notes("v1.0.0", None, [big])
    assert len(notes) == 125_000 and notes.endswith("_Notes truncated to GitHub's release body limit._\n")
