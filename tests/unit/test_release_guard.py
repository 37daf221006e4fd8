"""tools/release_guard.py: what release.yml releases (tag = package version, on the default
branch, version going up, CI green) and when the major tag moves."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tools.release_guard import Release, check_succeeded, main, moves_major, refusals

GREEN: list[dict[str, object]] = [{"status": "completed", "conclusion": "success"}]


def test_a_good_release_has_no_refusal() -> None:
    assert refusals("v0.2.0", "0.2.0", ["v0.1.0", "v0", "v0.2.0"], on_branch=True, check_passed=True) == []


@pytest.mark.parametrize(
    ("tag", "version", "earlier", "on_branch", "check_passed", "reason"),
    [
        ("v0.2.0", "0.1.0", [], True, True, "tag v0.2.0 is not v<package version> (the package here is 0.1.0)"),
        ("v0.1.0", "0.1.0", ["v0.2.0"], True, True, "version does not go up: v0 already has a release above or at"),
        ("v0.2.0rc1", "0.2.0rc1", ["v0.2.0"], True, True, "version does not go up"),
        ("v0.2.0", "0.2.0", [], False, True, "the tagged commit is not on the default branch"),
        ("v0.2.0", "0.2.0", [], True, False, "CI is not green for the tagged commit"),
        ("v0.2", "0.2", [], True, True, "tag v0.2 is not a release version"),
    ],
)
def test_each_refusal(
    tag: str, version: str, earlier: list[str], on_branch: bool, check_passed: bool, reason: str
) -> None:
    found = refusals(tag, version, earlier, on_branch=on_branch, check_passed=check_passed)
    assert len(found) == 1 and found[0].startswith(reason), found


def test_a_backport_to_an_older_major_line_goes_up_within_its_line() -> None:
    assert refusals("v1.4.1", "1.4.1", ["v1.4.0", "v2.0.0"], on_branch=True, check_passed=True) == []


def test_versions_order_pre_releases_before_the_release() -> None:
    order = ["v0.9.9", "v1.0.0a1", "v1.0.0b2", "v1.0.0rc1", "v1.0.0", "v1.0.1", "v1.10.0"]
    parsed = [Release.parse(tag) for tag in order]
    assert all(p is not None for p in parsed)
    assert sorted(parsed) == parsed  # type: ignore[type-var]


@pytest.mark.parametrize(
    ("tag", "earlier", "moves"),
    [
        ("v0.2.0", ["v0.1.0"], True),
        ("v1.0.0rc1", ["v0.2.0"], False),  # pre-releases never move the major tag
        ("v1.4.1", ["v1.4.0", "v2.0.0"], True),  # newest of the v1 line: v1 follows it
        ("v1.4.1", ["v1.5.0"], False),
    ],
)
def test_major_tag_moves_only_for_the_newest_stable_release(tag: str, earlier: list[str], moves: bool) -> None:
    assert moves_major(tag, earlier) is moves


def test_check_must_exist_and_every_run_succeed() -> None:
    assert check_succeeded(GREEN)
    assert not check_succeeded([])
    assert not check_succeeded([*GREEN, {"status": "in_progress", "conclusion": None}])
    assert not check_succeeded([{"status": "completed", "conclusion": "failure"}])


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main at 0.1.0 (tagged), then 0.2.0 on main, and a side branch commit at 0.3.0."""
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    (tmp_path / "toolkit" / "brickgate").mkdir(parents=True)
    version_file = tmp_path / "toolkit" / "brickgate" / "__init__.py"
    git(tmp_path, "init", "-q", "-b", "main")
    for version in ("0.1.0", "0.2.0"):
        version_file.write_text(f'"""brickgate."""\n\n__version__ = "{version}"\n', encoding="utf-8")
        git(tmp_path, "add", "-A")
        git(tmp_path, "commit", "-qm", version)
        if version == "0.1.0":
            git(tmp_path, "tag", "v0.1.0")
    git(tmp_path, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(tmp_path, "checkout", "-q", "-b", "side")
    version_file.write_text('__version__ = "0.3.0"\n', encoding="utf-8")
    git(tmp_path, "commit", "-qam", "side")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_guard(
    repo: Path, tag: str, ref: str, capsys: pytest.CaptureFixture[str], runs: list[dict[str, object]]
) -> tuple[int, str]:
    sha = git(repo, "rev-parse", ref)
    git(repo, "tag", tag, sha)
    argv = ["--tag", tag, "--sha", sha, "--branch", "main", "--repository", "acme/brickgate"]
    code = main(argv, runs=lambda *_: runs)
    return code, capsys.readouterr().out


def test_guard_releases_a_green_main_commit_and_moves_the_major_tag(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_guard(repo, "v0.2.0", "main", capsys, GREEN) == (0, "major=v0\nmove-major=true\n")


def test_guard_refuses_a_commit_off_the_default_branch(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_guard(repo, "v0.3.0", "side", capsys, GREEN)
    assert code == 1 and out.splitlines() == [
        "::error::release refused: the tagged commit is not on the default branch: only its commits are released"
    ]


def test_guard_refuses_red_ci_and_a_tag_that_is_not_the_version(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_guard(repo, "v0.2.1", "main", capsys, [])
    assert code == 1 and len(out.splitlines()) == 2
    assert "tag v0.2.1 is not v<package version>" in out and "CI is not green" in out
