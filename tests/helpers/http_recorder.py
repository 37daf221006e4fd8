"""A local HTTP server on 127.0.0.1 that records every request and answers from a script.

Stand-in for Slack, webhooks, PagerDuty, the GitHub REST API or the Databricks workspace API:

    with HttpRecorder() as server:
        server.script(Reply(status=429, headers={"Retry-After": "1"}), Reply(status=200))
        requests.post(server.url("/hook"), json={"a": 1})
        assert server.requests[0].json() == {"a": 1}

Replies queued with `script` are used first in, first out (optionally only for one path);
when none is queued the `default` reply (200, empty body) answers, or `handler` if set.
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Reply:
    """What the server answers: status, body (str is sent as UTF-8), headers, optional delay."""

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (for client timeout tests)

    @classmethod
    def json_body(cls, document: object, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
        return cls(
            status=status, body=json.dumps(document), headers={"Content-Type": "application/json", **(headers or {})}
        )


@dataclass(frozen=True, kw_only=True)
class RecordedRequest:
    method: str
    path: str  # path and query string, as sent
    headers: Mapping[str, str]  # header names lower-cased
    body: bytes
    received_at: float  # time.monotonic() when the request arrived

    def json(self) -> Any:
        return json.loads(self.body)

    def text(self) -> str:
        return self.body.decode("utf-8")


Handler = Callable[[RecordedRequest], Reply]


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up early (a timeout under test) is expected, not an error to print:
    socketserver would write its traceback to stderr, into the output a test asserts on."""

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class HttpRecorder:
    """Threaded HTTP server on 127.0.0.1 (free port); use as a context manager."""

    def __init__(self, *, default: Reply | None = None, handler: Handler | None = None) -> None:
        self.default = default or Reply()
        self.handler = handler
        self.requests: list[RecordedRequest] = []
        self._queues: dict[str | None, deque[Reply]] = {}
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._request_handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="http-recorder", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, *replies: Reply, path: str | None = None) -> None:
        """Queue replies for the next requests (to `path` only, if given; else to any path)."""
        with self._lock:
            self._queues.setdefault(path, deque()).extend(replies)

    def gaps(self) -> list[float]:
        """Seconds between consecutive requests: what a client's backoff really waited."""
        times = [r.received_at for r in self.requests]
        return [b - a for a, b in itertools.pairwise(times)]

    def __enter__(self) -> HttpRecorder:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _reply_for(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            path = request.path.split("?", 1)[0]
            for key in (path, None):
                queue = self._queues.get(key)
                if queue:
                    return queue.popleft()
        return self.handler(request) if self.handler else self.default

    def _request_handler_class(self) -> type[BaseHTTPRequestHandler]:
        recorder = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = RecordedRequest(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                    received_at=time.monotonic(),
                )
                reply = recorder._reply_for(request)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet (the base class writes every request to stderr)."""

        return _Handler
