"""Release tags: an annotated, semantically versioned git tag, pushed once, and a GitHub release.

`tag_release` is safe to re-run: a tag that already points at the wanted commit is a success
that changes nothing; a tag (local or on the remote) at another commit is a refusal (a failed
verdict) that changes nothing; a rejected push removes the tag this run created, so a failed
run leaves the repository as it found it.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from brickgate import deadline
from brickgate.errors import ConfigError, InfraError, InputError, reason
from brickgate.redaction import redact

TagStatus = Literal["created", "exists", "conflict"]

# semver.org's grammar, behind a mandatory "v": MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD].
_IDENT = r"(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
SEMVER_TAG = re.compile(
    rf"^v(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    rf"(?:-(?P<prerelease>{_IDENT}(?:\.{_IDENT})*))?"
    r"(?:\+(?P<build>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
INVALID_VERSION = (
    "invalid version '{version}': expected a semantic version with a 'v' prefix, "
    "e.g. v1.2.3, v1.2.3-rc.1 or v1.2.3+build.7{hint}"
)
UNKNOWN_REF = "--ref '{ref}' is not a commit in {repo}{hint}"
RELEASE_AFTER_TAG = "{error} ({done}; rerunning the same command keeps the tag and creates the release)"
NOT_A_REPO = "{repo} is not a git repository (run tag-release inside the repository to tag)"
TAG_CONFLICT = "tag {tag} already exists at {existing} ({where}), not at {wanted}; nothing was changed"
TAG_EXISTS = "tag {tag} already exists at {sha}; nothing to do"
PUSH_REJECTED = "push of tag {tag} to {remote} was rejected: {reason}; {cleanup}"
PUSH_CLEANUP = {True: "the tag this run created was deleted again, nothing changed", False: "the local tag was kept"}
RELEASE_NOTES_LIMIT = 125_000  # GitHub refuses release bodies longer than this
GITHUB_RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True, kw_only=True)
class TagReleaseOptions:
    """How to tag: which commit, which message, whether to push and publish a GitHub release."""

    ref: str = "HEAD"
    message: str | None = None
    push: bool = False
    remote: str = "origin"
    github_release: bool = False
    gate_summaries: Sequence[Path] = ()
    repo: Path = field(default_factory=Path.cwd)


@dataclass(frozen=True, kw_only=True)
class TagReleaseResult:
    """What tag-release did; `status == "conflict"` is the one failed verdict (exit 1)."""

    tag: str
    sha: str
    status: TagStatus
    message: str
    prerelease: bool
    pushed: bool = False
    release_url: str | None = None
    release_created: bool = False

    @property
    def passed(self) -> bool:
        return self.status != "conflict"


def parse_version(version: str) -> re.Match[str]:
    """Check `version` against semantic versioning (with a ``v`` prefix).

    >>> parse_version("v1.2.3-rc.1+build.7").group("prerelease", "build")
    ('rc.1', 'build.7')
    >>> parse_version("1.2.3")
    Traceback (most recent call last):
    ...
    brickgate.errors.InputError: invalid version '1.2.3': expected a semantic version with a 'v' prefix, \
e.g. v1.2.3, v1.2.3-rc.1 or v1.2.3+build.7; did you mean v1.2.3?
    """
    match = SEMVER_TAG.match(version)
    if match is None:
        hint = f"; did you mean v{version}?" if SEMVER_TAG.match(f"v{version}") else ""
        raise InputError(INVALID_VERSION.format(version=version, hint=hint))
    return match


def git(
    repo: Path, *args: str, check: bool = True, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run git non-interactively in `repo`; a failure with `check` raises InfraError (scrubbed)."""
    full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    # a remote that stalls below 1 KB/s for the connect part of the deadline is given up
    full_env.setdefault("GIT_HTTP_LOW_SPEED_LIMIT", "1000")
    full_env.setdefault("GIT_HTTP_LOW_SPEED_TIME", str(int(deadline.connect_seconds())))
    full_env.setdefault("GIT_SSH_COMMAND", f"ssh -o BatchMode=yes -o ConnectTimeout={int(deadline.connect_seconds())}")
    limit = deadline.seconds()
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, env=full_env, check=False, timeout=limit
        )
    except FileNotFoundError as exc:
        raise InfraError("git is not installed or not on PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise InfraError(f"git {args[0]} did not finish within {limit:g} s (--network-timeout)") from exc
    if check and done.returncode != 0:
        raise InfraError(f"git {' '.join(args[:2])} failed: {_last_line(done.stderr)}")
    return done


def _last_line(text: str) -> str:
    """git's reason: its first `fatal:`/`error:` line (later lines only elaborate), else the last line."""
    lines = [line.strip() for line in redact(text).splitlines() if line.strip()]
    reasons = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (reasons or lines[-1:] or ["no error output"])[0]


def _local_tag_commit(repo: Path, tag: str) -> str | None:
    done = git(repo, "rev-parse", "-q", "--verify", f"refs/tags/{tag}^{{commit}}", check=False)
    return done.stdout.strip() or None if done.returncode == 0 else None


def _remote_tag_commit(repo: Path, remote: str, tag: str) -> str | None:
    """The commit `tag` points at on `remote` (peeled for annotated tags), or None."""
    done = git(repo, "ls-remote", "--tags", remote, f"refs/tags/{tag}", f"refs/tags/{tag}^{{}}", check=False)
    if done.returncode != 0:
        raise InfraError(f"cannot read tags of remote '{remote}': {_last_line(done.stderr)}")
    refs: dict[str, str] = {}
    for line in done.stdout.splitlines():
        sha, _, ref = line.partition("\t")
        refs[ref.strip()] = sha
    return refs.get(f"refs/tags/{tag}^{{}}") or refs.get(f"refs/tags/{tag}")


def _tagger_env(repo: Path, env: Mapping[str, str]) -> dict[str, str]:
    """A tagger identity when git has none (fresh CI checkouts): the GitHub actor, else brickgate."""
    if git(repo, "var", "GIT_COMMITTER_IDENT", check=False).returncode == 0:
        return {}
    actor = env.get("GITHUB_ACTOR") or "brickgate"
    return {"GIT_COMMITTER_NAME": actor, "GIT_COMMITTER_EMAIL": f"{actor}@users.noreply.github.com"}


def tag_release(version: str, options: TagReleaseOptions, *, env: Mapping[str, str] | None = None) -> TagReleaseResult:
    """Create (and optionally push and publish) the annotated release tag `version` at `options.ref`.

    Parameters
    ----------
    version:
        ``vMAJOR.MINOR.PATCH`` with optional ``-prerelease`` and ``+build`` parts (semver.org).
    options:
        Commit, message, push and GitHub release settings.
    env:
        Environment for `GITHUB_*` variables (default: the process environment).

    Returns
    -------
    TagReleaseResult
        ``created``, ``exists`` (same commit: nothing changed) or ``conflict`` (another commit:
        nothing changed, the failed verdict).

    Raises
    ------
    InputError
        Invalid version, unknown ref, not a git repository.
    InfraError
        Push rejected (the tag created by this run is deleted again), GitHub API failure.
    """
    source = os.environ if env is None else env
    match = parse_version(version)
    prerelease = match.group("prerelease") is not None
    # every input (a GitHub release's settings, each --gate-summary file) is checked before the tag
    # exists, so bad input changes nothing
    notes = release_notes(version, options.message, options.gate_summaries)
    if options.github_release:
        github_settings(source)
    repo = options.repo
    if git(repo, "rev-parse", "--git-dir", check=False).returncode != 0:
        raise InputError(NOT_A_REPO.format(repo=repo))
    resolved = git(repo, "rev-parse", "-q", "--verify", f"{options.ref}^{{commit}}", check=False)
    if resolved.returncode != 0:
        hint = " (the repository has no commits yet)" if options.ref == "HEAD" else ""
        raise InputError(UNKNOWN_REF.format(ref=options.ref, repo=repo, hint=hint))
    sha = resolved.stdout.strip()

    existing = _local_tag_commit(repo, version)
    remote_sha = _remote_tag_commit(repo, options.remote, version) if options.push else None
    for where, found in (("locally", existing), (f"on {options.remote}", remote_sha)):
        if found is not None and found != sha:
            message = TAG_CONFLICT.format(tag=version, existing=found[:12], where=where, wanted=sha[:12])
            return TagReleaseResult(tag=version, sha=sha, status="conflict", message=message, prerelease=prerelease)

    status: TagStatus = "exists" if existing else "created"
    if existing is None:
        text = options.message or f"Release {version}"
        git(repo, "tag", "-a", version, "-m", text, sha, env=_tagger_env(repo, source))
    pushed = False
    if options.push and remote_sha is None:
        _push_tag(repo, options.remote, version, created=existing is None)
        pushed = True
    message = TAG_EXISTS.format(tag=version, sha=sha) if status == "exists" else f"created tag {version} at {sha}"
    if pushed:
        message += f"; pushed to {options.remote}"
    release_url, release_created = None, False
    if options.github_release:
        try:
            release_url, release_created = create_github_release(
                version, sha=sha, notes=notes, prerelease=prerelease, env=source
            )
        except InfraError as exc:
            raise InfraError(RELEASE_AFTER_TAG.format(error=exc, done=message)) from exc
        message += f"; GitHub release {'created' if release_created else 'already exists'}: {release_url}"
    return TagReleaseResult(
        tag=version,
        sha=sha,
        status=status,
        message=message,
        prerelease=prerelease,
        pushed=pushed,
        release_url=release_url,
        release_created=release_created,
    )


def _push_tag(repo: Path, remote: str, tag: str, *, created: bool) -> None:
    """Push one tag ref; on rejection delete the tag this run created, so nothing is half done."""
    done = git(repo, "push", "--porcelain", remote, f"refs/tags/{tag}:refs/tags/{tag}", check=False)
    if done.returncode == 0:
        return
    if created:
        git(repo, "tag", "-d", tag)
    reason = _push_reason(done.stdout, done.stderr)
    raise InfraError(PUSH_REJECTED.format(tag=tag, remote=remote, reason=reason, cleanup=PUSH_CLEANUP[created]))


def _push_reason(stdout: str, stderr: str) -> str:
    """Why a push failed: the porcelain `!` line's summary plus what the remote's hooks said."""
    summary = next(
        (line.split("\t")[-1].strip() for line in redact(stdout).splitlines() if line.startswith("!")),
        _last_line(stderr),
    )
    said = [line[len("remote:") :].strip() for line in redact(stderr).splitlines() if line.startswith("remote:")]
    said = [line for line in said if line]
    return f"{summary} (remote said: {' / '.join(said)})" if said else summary


def release_notes(version: str, message: str | None, gate_summaries: Sequence[Path]) -> str:
    """Markdown body of the GitHub release: the tag message, then each gate summary file.

    Markdown and text files are included as they are, JSON results in a fenced block; the body
    is cut to GitHub's 125 000 character limit.
    """
    parts = [message or f"Release {version}"]
    if gate_summaries:
        parts.append("## Gate summaries")
    for path in gate_summaries:
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"--gate-summary {path}: cannot read: {reason(exc)}") from exc
        body = f"```json\n{text}\n```" if path.suffix == ".json" else text
        parts.append(f"### {path.name}\n\n{body}")
    notes = "\n\n".join(parts) + "\n"
    if len(notes) > RELEASE_NOTES_LIMIT:
        note = "\n\n_Notes truncated to GitHub's release body limit._\n"
        notes = notes[: RELEASE_NOTES_LIMIT - len(note)] + note
    return notes


def github_settings(env: Mapping[str, str]) -> tuple[str, str]:
    """(`GITHUB_TOKEN`, `GITHUB_REPOSITORY`); ConfigError naming the ones missing (never their values)."""
    token = env.get("GITHUB_TOKEN", "")
    repository = env.get("GITHUB_REPOSITORY", "")
    missing = [name for name, value in (("GITHUB_TOKEN", token), ("GITHUB_REPOSITORY", repository)) if not value]
    if missing:
        raise ConfigError(f"--github-release needs {' and '.join(missing)} in the environment")
    return token, repository


def create_github_release(
    tag: str, *, sha: str, notes: str, prerelease: bool, env: Mapping[str, str]
) -> tuple[str, bool]:
    """Create the GitHub release for `tag` unless one exists; returns (html_url, created).

    Uses `GITHUB_API_URL` (default https://api.github.com), `GITHUB_REPOSITORY` and
    `GITHUB_TOKEN` (needs `contents: write`).
    """
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    token, repository = github_settings(env)
    api = env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    session = requests.Session()
    retry = Retry(total=3, backoff_factor=0.5, status_forcelist=GITHUB_RETRY_STATUSES, allowed_methods=None)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers.update(
        {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
    )
    base = f"{api}/repos/{repository}/releases"
    timeout = (deadline.connect_seconds(), deadline.seconds())
    body = {"tag_name": tag, "target_commitish": sha, "name": tag, "body": notes, "prerelease": prerelease}
    try:
        found = session.get(f"{base}/tags/{tag}", timeout=timeout)
        if found.status_code == 200:
            return _html_url(found, api), False
        if found.status_code != 404:
            raise InfraError(f"GitHub release lookup for {tag} failed: HTTP {found.status_code}")
        made = session.post(base, json=body, timeout=timeout)
        if made.status_code == 422:  # a retried POST that had in fact succeeded: report the release it made
            made = session.get(f"{base}/tags/{tag}", timeout=timeout)
    except requests.RequestException as exc:
        raise InfraError(f"GitHub API at {api} unreachable: {type(exc).__name__}") from exc
    if made.status_code not in (200, 201):
        raise InfraError(f"creating the GitHub release {tag} failed: HTTP {made.status_code}")
    return _html_url(made, api), True


def _html_url(response: Any, api: str) -> str:
    """The release page of a GitHub API reply; a reply without one is an InfraError, not a crash."""
    try:
        return str(response.json()["html_url"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InfraError(
            f"GitHub API at {api} answered without a release html_url (HTTP {response.status_code})"
        ) from exc
