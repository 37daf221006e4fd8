"""One deadline for every network call: workspace, MLflow, alert channels and git remotes.

The setting is `--network-timeout` (env `BRICKGATE_NETWORK_TIMEOUT`, TOML `network-timeout`,
default 60 s). It bounds each call as a whole; connecting gets at most `CONNECT_SECONDS` of it,
so a host that refuses or does not exist is reported in seconds, naming the host, instead of
after a client library's own retries (databricks-sdk waits five minutes for a dead host's
metadata, MLflow retries seven times with doubling waits).

The CLI sets the value for one command with `use`; library callers may do the same, or rely
on the environment variable. Nothing here changes process-wide state outside such a block
(`bounded_mlflow` sets MLflow's own variables for its block only, as MLflow reads nothing else).
"""

from __future__ import annotations

import contextvars
import math
import os
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TypeVar
from urllib.parse import urlsplit

from brickgate.errors import ConfigError, InfraError, reason
from brickgate.redaction import redact

T = TypeVar("T")

DEFAULT_SECONDS = 60.0
MAX_SECONDS = 3600.0
CONNECT_SECONDS = 10.0
ENV = "BRICKGATE_NETWORK_TIMEOUT"
BAD_VALUE = "{source} must be a number of seconds in (0, {limit:g}], got '{value}'"
UNREACHABLE = "cannot reach {what} at {host}: {why} (check {source})"
MLFLOW_RETRIES = 2

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


def origin(url: str) -> tuple[str, str, int]:
    """(scheme://host[:port] as given, host, port) of an http(s) URL or a bare host name; no credentials.

    >>> origin("https://adb-1.azuredatabricks.net/")
    ('https://adb-1.azuredatabricks.net', 'adb-1.azuredatabricks.net', 443)
    >>> origin("http://alice:pw@127.0.0.1:5000/api")
    ('http://127.0.0.1:5000', '127.0.0.1', 5000)
    """
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = parts.hostname or ""
    port = parts.port or (80 if parts.scheme == "http" else 443)
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}" + (f":{parts.port}" if parts.port else ""), host, port


def check_reachable(url: str, what: str, source: str) -> None:
    """Fail in seconds, naming the host, when nothing accepts a TCP connection at `url`.

    Only the connection is tried (no request, no credentials), within `connect_seconds()`.
    The message shows scheme, host and port only, never a user, password, path or query, and
    names `source`, the setting the URL came from.
    """
    try:
        shown, host, port = origin(url.strip())
    except ValueError:
        host = ""
    if not host:
        raise ConfigError(f"{source} '{redact(url)}' is not a URL such as https://host.example")
    limit = connect_seconds()
    try:
        with socket.create_connection((host, port), timeout=limit):
            pass
    except OSError as exc:
        why = f"no answer within {limit:g} s" if isinstance(exc, TimeoutError) else reason(exc)
        raise InfraError(UNREACHABLE.format(what=what, host=shown, why=why, source=source)) from exc


def check_mlflow(uri: str, env: Mapping[str, str], source: str) -> None:
    """Probe what an MLflow tracking or registry URI talks to: an http(s) server or the Databricks workspace."""
    if uri.startswith(("http://", "https://")):
        check_reachable(uri, "the MLflow server", source)
    elif uri == "databricks" or uri.startswith(("databricks-uc", "databricks:")):
        host = env.get("DATABRICKS_HOST", "").strip()
        if host:  # a host from a config profile is left to the SDK
            check_reachable(host, "the Databricks workspace", "DATABRICKS_HOST")


@contextmanager
def bounded_mlflow() -> Iterator[None]:
    """For the block, bound MLflow's own HTTP timeout and retries by the deadline (unless set by the user).

    MLflow reads these only from the environment, so they are set for the block and restored
    after it: MLflow's default (7 retries with doubling waits, 120 s per request) takes minutes
    to give up on a server that answers 503. Its artifact progress bar is switched off too: it
    writes to stdout, where a gate's verdict line must stand alone.
    """
    limit = seconds()
    wanted = {
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": str(MLFLOW_RETRIES),
        "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
        "MLFLOW_HTTP_REQUEST_TIMEOUT": str(max(1, int(limit / (MLFLOW_RETRIES + 1)))),
        "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    }
    added = [name for name in wanted if name not in os.environ]
    for name in added:
        os.environ[name] = wanted[name]
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def within(call: Callable[[], T], what: str) -> T:
    """`call()`, or an InfraError once the deadline has passed (for read-only calls: the call is abandoned).

    A client library that ignores its timeouts cannot hold a gate step past the deadline.
    """
    limit = seconds()
    box: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            box.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed over to the caller's thread as is
            error.append(exc)

    worker = threading.Thread(target=run, name="brickgate-deadline", daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        raise InfraError(f"{what}: no answer within {limit:g} s (--network-timeout)")
    if error:
        raise error[0]
    return box[0]
