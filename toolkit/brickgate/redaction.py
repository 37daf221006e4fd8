"""The one redaction of everything brickgate prints, logs or writes.

Secrets reach brickgate through environment variables: any variable whose name looks like a
credential is secret, and its value (and, for a URL, its path and query, which is what HTTP
logs show) is replaced by `***`. Some secrets are recognised wherever they appear, whatever
variable they came from: URL credentials (`user:pass@`), Databricks `dapi…` tokens, GitHub
tokens and chat webhook URLs. Every sink (console, task logs, GitHub files, reports, tables,
alert details, exceptions) goes through `redact` or a `Redactor`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO
from urllib.parse import urlsplit

SECRET_NAME = re.compile(
    r"(TOKEN|SECRET|PASSWORD|PASSWD|WEBHOOK|ROUTING_KEY|API_KEY|PRIVATE_KEY|CLIENT_SECRET|SMTP_PASS)",
    re.IGNORECASE,
)
MIN_SECRET_LENGTH = 4  # shorter values would mask innocent text such as "true"
MASK = "***"

#: Secrets recognised by their shape, wherever they come from; the group kept is not secret.
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s'\"<>]+@"), rf"\1{MASK}@"),  # scheme://user:pass@
    (re.compile(r"\bdapi[0-9a-f]{32}(?:-\d+)?\b"), MASK),  # Databricks personal access token
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b"), MASK),  # GitHub tokens
    (re.compile(r"(?i)(https?://hooks\.slack\.com/)[^\s'\"<>]+"), rf"\1{MASK}"),
    (re.compile(r"(?i)(https?://[\w.-]*webhook\.office\.com/)[^\s'\"<>]+"), rf"\1{MASK}"),
    (re.compile(r"(?i)(https?://(?:\w+\.)?discord(?:app)?\.com/api/webhooks/)[^\s'\"<>]+"), rf"\1{MASK}"),
)


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    """Values of every credential-like variable in `env` (default: the process environment), longest first."""
    source = os.environ if env is None else env
    values = {v for k, v in source.items() if SECRET_NAME.search(k) and len(v.strip()) >= MIN_SECRET_LENGTH}
    return sorted(values, key=len, reverse=True)


class Redactor:
    """Masks the secrets of one environment, read once; call it on any text.

    >>> Redactor({"SLACK_WEBHOOK_URL": "https://hooks/x/abcd"})("posting to https://hooks/x/abcd")
    'posting to ***'
    >>> Redactor({})("GET https://alice:s3cret@mlflow.example/api")
    'GET https://***@mlflow.example/api'
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        fragments = set(secret_values(env))
        for value in list(fragments):
            try:
                parts = urlsplit(value.strip())
            except ValueError:
                continue
            if parts.scheme and parts.netloc:  # the path of a secret URL is what HTTP logs print
                tail = parts.path + (f"?{parts.query}" if parts.query else "")
                if len(tail) >= MIN_SECRET_LENGTH and tail.strip("/"):
                    fragments.add(tail)
        self._fragments = sorted(fragments, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for fragment in self._fragments:
            text = text.replace(fragment, MASK)
        for pattern, replacement in PATTERNS:
            text = pattern.sub(replacement, text)
        return text


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    """`text` with every secret of `env` (default: the process environment) and every known shape masked.

    >>> redact("fatal: https://x-access-token:abc@github.com/o/r.git denied", {})
    'fatal: https://***@github.com/o/r.git denied'
    """
    return Redactor(env)(text)


class RedactingFilter(logging.Filter):
    """Rewrites log records so that no handler ever sees a secret."""

    def __init__(self, clean: Redactor) -> None:
        super().__init__()
        self._clean = clean

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


@contextmanager
def redacted_logs(clean: Redactor, *names: str) -> Iterator[None]:
    """Redact the records of the loggers `names` for the duration of the block only."""
    loggers = [logging.getLogger(name) for name in names]
    redacting = RedactingFilter(clean)
    for logger in loggers:
        logger.addFilter(redacting)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(redacting)


class RedactingStream:
    """A text stream that masks what is written to the one it wraps (the CLI's stdout and stderr)."""

    def __init__(self, stream: IO[str], clean: Redactor) -> None:
        self._stream = stream
        self._clean = clean

    def write(self, text: str) -> int:
        self._stream.write(self._clean(text))
        return len(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def pump(source: IO[bytes], sink: IO[bytes], clean: Redactor) -> None:
    """Copy a child process's output to `sink` line by line, masked (task log files)."""
    for line in iter(lambda: source.readline(65536), b""):
        sink.write(clean(line.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape"))
        sink.flush()
