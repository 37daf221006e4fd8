"""Sending one request once: HTTP POST and its reading of the reply; SMTP lives with the email channel.

Exception texts are never used because they contain the (secret) URL.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import requests

from brickgate.alerts.model import Outcome

RESPONSE_EXCERPT_LIMIT = 200


@dataclass
class Transport:
    """What the attempts of one delivery pass share: the HTTP session and the time limits.

    An attempt may connect for `connect_seconds` and take `attempt_seconds` in all, and never
    runs past `ends` (a `time.monotonic()` value: the channel's deadline).
    """

    session: requests.Session
    connect_seconds: float
    attempt_seconds: float
    ends: float = math.inf

    def timeout(self) -> float:
        """Seconds the next attempt may wait for a reply."""
        return max(0.05, min(self.attempt_seconds, self.ends - time.monotonic()))

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Outcome:
        """POST once; 429 and 5xx, connection errors and timeouts are worth a retry."""
        try:
            response = self.session.post(
                url,
                data=body,
                headers=dict(headers),
                timeout=(min(self.connect_seconds, self.timeout()), self.timeout()),
                allow_redirects=False,
            )
        except requests.Timeout:
            return Outcome(ok=False, detail="timed out", retry=True)
        except requests.ConnectionError:
            return Outcome(ok=False, detail="connection failed", retry=True)
        except requests.RequestException as exc:
            return Outcome(ok=False, detail=f"request failed ({type(exc).__name__})")
        with response:
            status = response.status_code
            if 200 <= status < 300:
                return Outcome(ok=True, detail=f"delivered (HTTP {status})")
            excerpt = " ".join(response.text.split())[:RESPONSE_EXCERPT_LIMIT]
            detail = f"HTTP {status}" + (f": {excerpt}" if excerpt else "")
            if status == 429 or 500 <= status <= 599:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                return Outcome(ok=False, detail=detail, retry=True, retry_after=retry_after)
            if 300 <= status < 400:
                detail = f"HTTP {status} (redirects are not followed)"
            return Outcome(ok=False, detail=detail)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a server asks us to wait (``Retry-After``: delta-seconds or HTTP-date).

    Returns None when the header is absent or unreadable, so the normal backoff applies; a
    date in the past means 0.

    >>> parse_retry_after("7")
    7.0
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=datetime(2015, 10, 21, 7, 27, 30, tzinfo=timezone.utc))
    30.0
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
