"""Talk to the GitHub Actions runner: step outputs, job summary, annotations, commit statuses.

Every command that runs in a workflow uses this module, so the runner's file formats and
escaping rules are implemented once. Nothing here prints a token.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from brickgate import deadline
from brickgate.errors import InfraError

AnnotationLevel = Literal["error", "warning", "notice"]
StatusState = Literal["success", "failure", "error", "pending"]

SUMMARY_LIMIT = 1024 * 1024  # GitHub rejects a step summary over 1 MiB
SUMMARY_TRUNCATION_NOTE = "\n\n> **Summary truncated** to stay under GitHub's 1 MiB step summary limit.\n"
STATUS_DESCRIPTION_LIMIT = 140  # GitHub truncates longer descriptions


def in_github_actions(env: Mapping[str, str] | None = None) -> bool:
    return (os.environ if env is None else env).get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """Escape an annotation message the way the runner's toolkit does (`%`, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape an annotation property value (`file`, `title`): also `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: AnnotationLevel,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    col: int | None = None,
    title: str | None = None,
) -> str:
    """A workflow command such as ``::error file=a.yml,line=3::bad key``.

    >>> annotation("error", "50% off: now", file="a,b.yml", line=3)
    '::error file=a%2Cb.yml,line=3::50%25 off: now'
    """
    props: list[str] = []
    if file is not None:
        props.append(f"file={escape_property(file)}")
    if line is not None:
        props.append(f"line={line}")
    if col is not None:
        props.append(f"col={col}")
    if title is not None:
        props.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{escape_data(message)}"


def write_outputs(outputs: Mapping[str, object], env: Mapping[str, str] | None = None) -> None:
    """Append `outputs` to `$GITHUB_OUTPUT` as heredocs with a random delimiter.

    A random delimiter means a value can never end the heredoc early and inject another
    output, whatever text it holds. Without `$GITHUB_OUTPUT` (not in Actions) nothing happens.
    """
    path = (os.environ if env is None else env).get("GITHUB_OUTPUT")
    if not path:
        return
    chunks = []
    for name, value in outputs.items():
        text = _output_text(value)
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        while delimiter in text:  # pragma: no cover - 128 random bits
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        chunks.append(f"{name}<<{delimiter}\n{text}\n{delimiter}\n")
    _append(path, "".join(chunks), "GITHUB_OUTPUT")


def _output_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return "" if value is None else str(value)


def append_summary(markdown: str, env: Mapping[str, str] | None = None) -> None:
    """Append markdown to `$GITHUB_STEP_SUMMARY`, truncated so the file stays under 1 MiB."""
    path = (os.environ if env is None else env).get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    existing = Path(path).stat().st_size if Path(path).is_file() else 0
    _append(path, truncate_summary(markdown, SUMMARY_LIMIT - existing), "GITHUB_STEP_SUMMARY")


def _append(path: str, text: str, variable: str) -> None:
    """Append to a GitHub file (outputs, summary): workflow artifacts, so masked like the console."""
    from brickgate.redaction import redact

    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(redact(text))
    except OSError as exc:
        raise InfraError(f"{variable}={path}: cannot append: {exc.strerror or exc}") from exc


def truncate_summary(markdown: str, budget: int) -> str:
    """Cut `markdown` at a line boundary so its UTF-8 size, note included, fits in `budget` bytes."""
    if not markdown.endswith("\n"):
        markdown += "\n"
    if len(markdown.encode("utf-8")) <= budget:
        return markdown
    room = budget - len(SUMMARY_TRUNCATION_NOTE.encode("utf-8"))
    if room <= 0:
        return ""
    cut = markdown.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    cut = cut[: cut.rfind("\n") + 1] if "\n" in cut else ""
    if cut.count("```") % 2:  # never leave a code or mermaid block open
        cut = cut[: cut.rfind("```")]
    return cut + SUMMARY_TRUNCATION_NOTE


@dataclass(frozen=True, kw_only=True)
class StatusResult:
    """What happened to a commit status request; a failure is a warning, never a verdict."""

    posted: bool
    detail: str


def head_sha(env: Mapping[str, str]) -> str | None:
    """The pull request's head commit when the event is a pull request, else `GITHUB_SHA`."""
    event_path = env.get("GITHUB_EVENT_PATH")
    if event_path and Path(event_path).is_file():
        try:
            event = json.loads(Path(event_path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            event = {}
        sha = event.get("pull_request", {}).get("head", {}).get("sha") if isinstance(event, dict) else None
        if isinstance(sha, str) and sha:
            return sha
    return env.get("GITHUB_SHA") or None


def post_commit_status(
    *,
    context: str,
    state: StatusState,
    description: str,
    target_url: str | None = None,
    env: Mapping[str, str] | None = None,
    attempts: int = 3,
) -> StatusResult:
    """Create a commit status (e.g. `brickgate/fairness`) on the head commit.

    Needs `GITHUB_TOKEN` with `statuses: write`, `GITHUB_REPOSITORY` and a commit SHA.
    Retries 429 and 5xx with backoff. Fork pull requests get a read-only token: the 403 is
    returned as a detail for a warning.
    """
    import requests  # imported here: most commands never post statuses

    source = os.environ if env is None else env
    token = source.get("GITHUB_TOKEN", "")
    repository = source.get("GITHUB_REPOSITORY", "")
    sha = head_sha(source)
    if not token or not repository or not sha:
        missing = [
            n for n, v in (("GITHUB_TOKEN", token), ("GITHUB_REPOSITORY", repository), ("GITHUB_SHA", sha)) if not v
        ]
        return StatusResult(posted=False, detail=f"commit status not posted: {', '.join(missing)} not set")
    api = source.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    url = f"{api}/repos/{repository}/statuses/{sha}"
    body: dict[str, str] = {"state": state, "context": context, "description": description[:STATUS_DESCRIPTION_LIMIT]}
    if target_url:
        body["target_url"] = target_url
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    detail = ""
    for attempt in range(attempts):
        try:
            response = requests.post(
                url, json=body, headers=headers, timeout=(deadline.connect_seconds(), deadline.seconds())
            )
        except requests.RequestException as exc:
            detail = f"commit status not posted: {type(exc).__name__}"
        else:
            if response.status_code in (200, 201):
                return StatusResult(posted=True, detail=f"commit status {context}={state} posted on {sha[:12]}")
            detail = f"commit status not posted: HTTP {response.status_code}"
            if response.status_code not in (429, 500, 502, 503, 504):
                break
        if attempt + 1 < attempts:
            time.sleep(0.5 * 2**attempt)
    return StatusResult(posted=False, detail=detail)


def workflow_run_url(env: Mapping[str, str] | None = None) -> str | None:
    """Link to the current workflow run, for reports and audit tags."""
    source = os.environ if env is None else env
    server, repo, run_id = source.get("GITHUB_SERVER_URL"), source.get("GITHUB_REPOSITORY"), source.get("GITHUB_RUN_ID")
    if server and repo and run_id:
        return f"{server}/{repo}/actions/runs/{run_id}"
    return None


def require_env(name: str, env: Mapping[str, str]) -> str:
    value = env.get(name, "")
    if not value:
        raise InfraError(f"{name} is not set; it is needed to talk to GitHub")
    return value
