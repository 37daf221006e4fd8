#!/usr/bin/env python3
"""Guard of brickgate's release (`.github/workflows/release.yml`): a pushed tag is released only if

- the tag is `v<package version>` (the version in toolkit/brickgate/__init__.py at that commit);
- the commit is on the default branch (`origin/<branch>`, fetched in full);
- the version goes up: above every earlier release of its major line (backports to an older
  major line stay possible);
- the required check (brickgate's `all-tests-passed`) succeeded for that very commit.

It writes `major=<vN>` and `move-major=true|false` to `$GITHUB_OUTPUT` (stdout outside Actions):
the major tag moves only for a stable release that is the newest of its line. Exit 0 released,
1 refused (one `::error::` line per reason), 2 bad usage or GitHub unreachable. Standard library
only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

VERSION_FILE = Path("toolkit/brickgate/__init__.py")
RELEASE_TAG = re.compile(r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:(a|b|rc)(0|[1-9]\d*))?$")
PRE_ORDER = {"a": 0, "b": 1, "rc": 2}
API_TIMEOUT_SECONDS = 30


class UsageError(Exception):
    """Bad arguments or an unreachable GitHub API: no verdict (exit 2)."""


@dataclass(frozen=True, order=True)
class Release:
    """A release version as brickgate tags it: `vX.Y.Z`, or a pre-release `vX.Y.Z(a|b|rc)N`."""

    major: int
    minor: int
    patch: int
    stage: int  # pre-release stage (a < b < rc) before the final release (3)
    number: int

    @classmethod
    def parse(cls, tag: str) -> Release | None:
        """The release a tag names, or None when it is not a release tag."""
        match = RELEASE_TAG.match(tag)
        if match is None:
            return None
        major, minor, patch, pre, number = match.groups()
        stage = PRE_ORDER[pre] if pre else 3
        return cls(int(major), int(minor), int(patch), stage, int(number or 0))

    @property
    def stable(self) -> bool:
        return self.stage == 3


def package_version(text: str) -> str:
    """`__version__ = "..."` of toolkit/brickgate/__init__.py."""
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, flags=re.M)
    if match is None:
        raise UsageError(f"no __version__ in {VERSION_FILE}")
    return match.group(1)


def refusals(tag: str, version: str, earlier_tags: Iterable[str], on_branch: bool, check_passed: bool) -> list[str]:
    """Every reason the tag must not be released (empty: release it)."""
    reasons = []
    release = Release.parse(tag)
    if tag != f"v{version}":
        reasons.append(f"tag {tag} is not v<package version> (the package here is {version})")
    if release is None:
        reasons.append(f"tag {tag} is not a release version vX.Y.Z or vX.Y.Z(a|b|rc)N")
    else:
        line = [
            r for r in map(Release.parse, earlier_tags) if r is not None and r.major == release.major and r != release
        ]
        newer = max(line, default=None)
        if newer is not None and newer >= release:
            reasons.append(f"version does not go up: v{release.major} already has a release above or at {tag}")
    if not on_branch:
        reasons.append("the tagged commit is not on the default branch: only its commits are released")
    if not check_passed:
        reasons.append("CI is not green for the tagged commit (its required check has not succeeded)")
    return reasons


def moves_major(tag: str, earlier_tags: Iterable[str]) -> bool:
    """The major tag follows only a stable release that is the newest of its line."""
    release = Release.parse(tag)
    if release is None or not release.stable:
        return False
    line = [r for r in map(Release.parse, earlier_tags) if r is not None and r.major == release.major]
    return all(r <= release for r in line)


def check_succeeded(runs: Sequence[dict[str, object]]) -> bool:
    """At least one run of the check, and every run of it completed successfully."""
    return bool(runs) and all(r.get("status") == "completed" and r.get("conclusion") == "success" for r in runs)


def check_runs(api: str, repository: str, sha: str, name: str, token: str) -> list[dict[str, object]]:
    """The runs of check `name` on commit `sha` (GitHub REST, with a deadline)."""
    url = f"{api}/repos/{repository}/commits/{sha}/check-runs?check_name={name}&per_page=100"
    request = urllib.request.Request(url, headers={"Accept": "application/vnd.github+json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=API_TIMEOUT_SECONDS) as response:
            document = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise UsageError(f"cannot read the check runs of {sha} from {api}: {type(exc).__name__}") from None
    runs = document.get("check_runs") if isinstance(document, dict) else None
    if not isinstance(runs, list):
        raise UsageError(f"unexpected answer from {api} for the check runs of {sha}")
    return [run for run in runs if isinstance(run, dict)]


def git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True, timeout=60, check=False)


def main(argv: Sequence[str] | None = None, runs: Callable[..., list[dict[str, object]]] = check_runs) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", required=True)
    parser.add_argument("--sha", required=True)
    parser.add_argument("--branch", required=True, help="the repository's default branch")
    parser.add_argument("--repository", required=True, help="owner/name")
    parser.add_argument("--check", default="all-tests-passed", help="the check that must have succeeded")
    parser.add_argument("--api-url", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    options = parser.parse_args(argv)
    try:
        shown = git("show", f"{options.sha}:{VERSION_FILE.as_posix()}")
        if shown.returncode != 0:
            raise UsageError(f"cannot read {VERSION_FILE} at {options.sha}")
        version = package_version(shown.stdout)
        earlier = git("tag", "--list", "v*").stdout.split()
        on_branch = git("merge-base", "--is-ancestor", options.sha, f"origin/{options.branch}").returncode == 0
        found = runs(
            options.api_url, options.repository, options.sha, options.check, os.environ.get("GITHUB_TOKEN", "")
        )
    except UsageError as exc:
        print(f"::error::release guard: {exc}")
        return 2
    reasons = refusals(options.tag, version, earlier, on_branch, check_succeeded(found))
    for reason in reasons:
        print(f"::error::release refused: {reason}")
    if reasons:
        return 1
    release = Release.parse(options.tag)
    assert release is not None  # refusals() refuses any other tag
    outputs = f"major=v{release.major}\nmove-major={'true' if moves_major(options.tag, earlier) else 'false'}\n"
    github_output = os.environ.get("GITHUB_OUTPUT")
    if github_output:
        with open(github_output, "a", encoding="utf-8") as handle:
            handle.write(outputs)
    else:
        print(outputs, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
