"""One deadline for every network call: workspace, MLflow, alert channels and git remotes.

The setting is `--network-timeout` (env `BRICKGATE_NETWORK_TIMEOUT`, TOML `network-timeout`,
default 60 s). It bounds each call as a whole; connecting gets at most `CONNECT_SECONDS` of it,
so a host that refuses or does not exist is reported in seconds, naming the host, instead of
after a client library's own retries (databricks-sdk waits five minutes for a dead host's
metadata, MLflow retries seven times with doubling waits).

The CLI sets the value for one command with `use`; library callers may do the same, or rely
on the environment variable. Nothing here changes process-wide state outside such a block.
"""

from __future__ import annotations

import contextvars
import math
import os
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import urlsplit

from brickgate.errors import ConfigError, InfraError, reason

DEFAULT_SECONDS = 60.0
MAX_SECONDS = 3600.0
CONNECT_SECONDS = 10.0
ENV = "BRICKGATE_NETWORK_TIMEOUT"
BAD_VALUE = "{source} must be a number of seconds in (0, {limit:g}], got '{value}'"
UNREACHABLE = "cannot reach {what} at {host}: {why}"

_current: contextvars.ContextVar[float | None] = contextvars.ContextVar("brickgate_network_timeout", default=None)


def parse(value: object, source: str = ENV) -> float:
    """A deadline in seconds: finite, > 0 and at most an hour.

    >>> parse("30")
    30.0
    >>> parse("nan")
    Traceback (most recent call last):
    ...
    brickgate.errors.ConfigError: BRICKGATE_NETWORK_TIMEOUT must be a number of seconds in (0, 3600], got 'nan'
    """
    try:
        seconds = float(str(value).strip())
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= MAX_SECONDS):
        raise ConfigError(BAD_VALUE.format(source=source, limit=MAX_SECONDS, value=value))
    return seconds


def seconds(env: Mapping[str, str] | None = None) -> float:
    """The deadline in force: the one `use` set, else `BRICKGATE_NETWORK_TIMEOUT`, else 60 s."""
    chosen = _current.get()
    if chosen is not None:
        return chosen
    raw = (os.environ if env is None else env).get(ENV, "").strip()
    return parse(raw) if raw else DEFAULT_SECONDS


def connect_seconds(limit: float | None = None) -> float:
    """The part of the deadline a connection may take."""
    return min(CONNECT_SECONDS, seconds() if limit is None else limit)


@contextmanager
def use(limit: float) -> Iterator[float]:
    """Make `limit` the deadline of every network call inside the block (this thread and its context)."""
    token = _current.set(parse(limit, "--network-timeout"))
    try:
        yield limit
    finally:
        _current.reset(token)


def address(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL or a bare host name.

    >>> address("https://adb-1.azuredatabricks.net/")
    ('adb-1.azuredatabricks.net', 443)
    >>> address("http://127.0.0.1:5000")
    ('127.0.0.1', 5000)
    """
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return parts.hostname or "", parts.port or (80 if parts.scheme == "http" else 443)


def check_reachable(url: str, what: str) -> None:
    """Fail in seconds, naming the host, when nothing accepts a TCP connection at `url`.

    Only the connection is tried (no request, no credentials), within `connect_seconds()`.
    The message shows host and port only, never a user, password, path or query.
    """
    try:
        host, port = address(url.strip())
    except ValueError as exc:
        raise ConfigError(f"{what}: not a URL such as https://host.example") from exc
    if not host:
        raise ConfigError(f"{what}: not a URL such as https://host.example")
    limit = connect_seconds()
    try:
        with socket.create_connection((host, port), timeout=limit):
            pass
    except TimeoutError as exc:
        raise InfraError(
            UNREACHABLE.format(what=what, host=f"{host}:{port}", why=f"no answer within {limit:g} s")
        ) from exc
    except OSError as exc:
        raise InfraError(UNREACHABLE.format(what=what, host=f"{host}:{port}", why=reason(exc))) from exc
