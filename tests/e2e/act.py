"""Run GitHub workflows on this machine with act: host runner, local stand-ins, no network.

brickgate itself is served as github.com would serve it after a release: `release_repo` commits a
copy of this working tree and tags it `v<package version>` and the major tag, as `release.yml`
does, and `brickgate/brickgate/...@<ref>` resolves only for the refs that exist there (the tags
and the commit SHA); a workflow naming any other ref is refused before act starts. Each
SHA-pinned third-party action resolves to a stand-in in `tests/e2e/stubs/` (`--local-repository`);
act never clones (`--action-offline-mode`, `--pull=false`) and needs no Docker
(`-P ubuntu-latest=-self-hosted`). `actions/checkout` needs no stand-in: act copies the local
repository into the workspace itself.

act does not know GitHub's self-repository syntax (`uses: $/path`: the repository of the file
holding the reference, at the commit being run), so the harness gives it that meaning: in a copy
served at `<ref>` each `$/path` becomes `brickgate/brickgate/path@<ref>` (the same copy), and in
the repository act runs (`-C`), where that commit is the checked-out workspace, `./path`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
STUBS = Path(__file__).resolve().parent / "stubs"
ACT = REPO / ".venv" / "bin" / "act"
STUB_FOR = {
    "actions/setup-python": "setup-python",
    "databricks/setup-cli": "setup-cli",
    "actions/upload-artifact": "upload-artifact",
    "actions/download-artifact": "download-artifact",
    "actions/cache": "cache",
}
PINNED_USES = re.compile(r"uses:\s*([\w.-]+/[\w.-]+)@([0-9a-f]{40})\b")
OWN = "brickgate/brickgate"
OWN_USES = re.compile(r"uses:\s*['\"]?brickgate/brickgate(?:/[\w./-]*)?@([\w.-]+)")
SELF_USES = re.compile(r"^(\s*(?:-\s+)?uses:\s*)\$/(\S*)", re.M)


def act_available() -> bool:
    return ACT.is_file() and os.access(ACT, os.X_OK)


def pinned_third_party() -> dict[str, str]:
    """`owner/repo` → the one commit SHA the actions and workflows pin it to."""
    sources = [REPO / "action.yml", *REPO.glob("actions/*/action.yml"), *REPO.glob(".github/workflows/*.yml")]
    pins: dict[str, set[str]] = {}
    for path in sources:
        for repository, sha in PINNED_USES.findall(path.read_text(encoding="utf-8")):
            pins.setdefault(repository, set()).add(sha)
    assert all(len(shas) == 1 for shas in pins.values()), f"one SHA per action, found {pins}"
    return {repository: shas.pop() for repository, shas in pins.items()}


def copy_source(destination: Path) -> Path:
    """The working tree's tracked and untracked-but-not-ignored files (no .venv, caches or .git)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source, target = REPO / relative, destination / relative
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, target)
    return destination


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def release_repo(folder: Path) -> Path:
    """A copy of this working tree committed and tagged as `release.yml` tags a release."""
    from brickgate import __version__

    git_repo(copy_source(folder))
    _git(folder, "tag", f"v{__version__}")
    _git(folder, "tag", f"v{__version__.split('.')[0]}")
    return folder


def existing_refs(source: Path) -> dict[str, str]:
    """Every ref of the release repository a `uses:` may name → its commit SHA (tags and SHAs)."""
    head = _git(source, "rev-parse", "HEAD")
    refs = {head: head}
    for tag in _git(source, "tag", "--list").split():
        refs[tag] = _git(source, "rev-parse", f"{tag}^{{commit}}")
    return refs


def _resolve_self_references(folder: Path, resolve: Callable[[str], str]) -> None:
    """Rewrite each `uses: $/<path>` in the workflows and actions of `folder` to `resolve(path)`."""
    files = [*folder.glob(".github/workflows/*.yml"), *folder.glob("action.yml"), *folder.glob("actions/*/action.yml")]
    for path in files:
        text = path.read_text(encoding="utf-8")
        if SELF_USES.search(text):
            resolved = SELF_USES.sub(lambda m: m.group(1) + resolve(m.group(2)), text)
            path.write_text(resolved, encoding="utf-8")


def served(source: Path, ref: str) -> Path:
    """The tree of `ref` as act reads it for `brickgate/brickgate@<ref>`, `$/` pointing back at it."""
    folder = source.parent / f"{source.name}@{ref}"
    if not folder.is_dir():
        folder.mkdir()
        archive = subprocess.run(["git", "archive", ref], cwd=source, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
        _resolve_self_references(folder, lambda path: f"{OWN}/{path}@{ref}" if path else f"{OWN}@{ref}")
    return folder


def refused_refs(files: Sequence[Path], refs: Mapping[str, str]) -> list[str]:
    """`file: ref` for each `brickgate/brickgate...@ref` that does not exist (github.com refuses it)."""
    return [
        f"{path.name}: {ref}"
        for path in files
        for ref in OWN_USES.findall(path.read_text(encoding="utf-8"))
        if ref not in refs
    ]


@dataclass(frozen=True, kw_only=True)
class ActRun:
    returncode: int
    events: tuple[dict[str, Any], ...]
    stderr: str

    def job_results(self) -> dict[str, str]:
        """Job id (matrix values appended, e.g. `validate-bundle (dev)`) → success/failure/skipped."""
        results: dict[str, str] = {}
        for event in self.events:
            if "jobResult" in event:
                matrix = event.get("matrix") or {}
                suffix = f" ({', '.join(str(v) for v in matrix.values())})" if matrix else ""
                results[f"{event['jobID']}{suffix}"] = event["jobResult"]
        return results

    def summary(self, job: str | None = None) -> str:
        """The job summary markdown the steps wrote (act logs each once per nesting level)."""
        seen: list[str] = []
        for event in self.events:
            if event.get("command") == "summary" and (job is None or event.get("job") == job):
                content = str(event.get("content", ""))
                if content not in seen:
                    seen.append(content)
        return "".join(seen)

    def annotations(self, level: str = "error") -> list[str]:
        """Messages of `::error::` (or `::warning::`) workflow commands, without duplicates."""
        found: list[str] = []
        for event in self.events:
            if event.get("command") == level and str(event.get("arg", "")) not in found:
                found.append(str(event.get("arg", "")))
        return found

    def log(self, tail: int = 60) -> str:
        """The last `tail` log lines of each failed job (all jobs when none failed), for assertion messages."""
        failed = {e["jobID"] for e in self.events if e.get("jobResult") == "failure"}
        lines = [
            f"[{e.get('jobID', '')}] {str(e.get('msg', '')).rstrip()}"
            for e in self.events
            if (not failed or e.get("jobID") in failed) and not str(e.get("msg", "")).startswith("  ⚙  Summary")
        ]
        errors = [f"[{e.get('jobID', '')}] {e.get('msg', '')}" for e in self.events if e.get("level") == "error"]
        return "\n".join(errors + lines[-tail * max(1, len(failed)) :]) + (
            f"\nstderr: {self.stderr[-2000:]}" if self.stderr else ""
        )


def git_repo(folder: Path) -> Path:
    """Make `folder` a git repository with everything committed (act reads the SHA and ref)."""
    run = dict(cwd=folder, check=True, capture_output=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], **run)  # type: ignore[call-overload]
    subprocess.run(["git", "add", "-A"], **run)  # type: ignore[call-overload]
    subprocess.run(  # type: ignore[call-overload]
        ["git", "-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid", "commit", "-qm", "e2e"], **run
    )
    return folder


def act(
    repo: Path,
    event: str,
    *,
    source: Path,
    cache: Path,
    workflows: Path | None = None,
    env: Mapping[str, str] | None = None,
    inputs: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    variables: Mapping[str, str] | None = None,
    payload: Mapping[str, Any] | None = None,
    timeout: float = 1200,
) -> ActRun:
    """Run `act <event>` in `repo` and return its JSON log events and exit code.

    `source` is a `release_repo`; `$/` references in `repo`'s own workflows are rewritten to `./`.
    `payload` is the event payload (act takes `github.ref` from its `ref`, e.g. a dispatch from
    another branch); without it act dispatches from the default branch, `main`.
    """
    refs = existing_refs(source)
    run = [workflows] if workflows is not None and workflows.is_file() else list(repo.glob(".github/workflows/*.yml"))
    refused = refused_refs(run, refs)
    assert not refused, f"refs that do not exist in {OWN} (github.com fails the job at 'Set up job'): {refused}"
    _resolve_self_references(repo, lambda path: f"./{path}")
    command = [
        str(ACT),
        event,
        "--json",
        "-P",
        "ubuntu-latest=-self-hosted",
        "--pull=false",
        "--action-offline-mode",
        "--container-daemon-socket",
        "-",
        "--defaultbranch",
        "main",  # as git_repo names it; github.com sends it as github.event.repository.default_branch
        "--action-cache-path",
        str(cache),
        "-C",
        str(repo),
    ]
    for ref in refs:
        command += ["--local-repository", f"{OWN}@{ref}={served(source, ref)}"]
    for repository, sha in pinned_third_party().items():
        if repository in STUB_FOR:
            command += ["--local-repository", f"{repository}@{sha}={STUBS / STUB_FOR[repository]}"]
    if workflows is not None:
        command += ["-W", str(workflows)]
    if payload is not None:
        event_file = repo.parent / f"{repo.name}-event.json"
        event_file.write_text(json.dumps(payload), encoding="utf-8")
        command += ["-e", str(event_file)]
    env = {"BRICKGATE_UV_CACHE": str(cache / "uv"), **(env or {})}  # uv's downloads, kept for the session
    for flag, values in (("--env", env), ("--input", inputs), ("-s", secrets), ("--var", variables)):
        for key, value in (values or {}).items():
            command += [flag, f"{key}={value}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    events = []
    for line in done.stdout.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            events.append({"msg": line})
    return ActRun(returncode=done.returncode, events=tuple(events), stderr=done.stderr)
