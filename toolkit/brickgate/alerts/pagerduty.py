"""PagerDuty Events API v2: warning/critical triggers and resolves; info notices are not paged."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from brickgate.alerts import http
from brickgate.alerts.channel import Attempt, ChannelSpec
from brickgate.alerts.model import Alert, clip, now, one_line, scalar
from brickgate.alerts.settings import get, url
from brickgate.alerts.transport import Transport

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SUMMARY_LIMIT = 1024
DEDUP_LIMIT = 255


@dataclass(frozen=True)
class Settings:
    url: str = field(repr=False)
    routing_key: str = field(repr=False)


def settings(env: Mapping[str, str]) -> Settings:
    events_url = (
        url(env, "BRICKGATE_PAGERDUTY_EVENTS_URL") if get(env, "BRICKGATE_PAGERDUTY_EVENTS_URL") else EVENTS_URL
    )
    return Settings(url=events_url, routing_key=get(env, "BRICKGATE_PAGERDUTY_ROUTING_KEY") or "")


def skip(alert: Alert) -> str | None:
    if alert.severity == "info" and not alert.resolve:
        return "not sent: PagerDuty gets only warning/critical triggers and resolves"
    return None


def event(alert: Alert, *, routing_key: str, timestamp: str) -> dict[str, Any]:
    """PagerDuty Events API v2 event: a ``trigger`` or, for ``resolve=True``, a ``resolve``.

    A resolve carries only `routing_key`, `dedup_key` and `event_action`, as PagerDuty
    documents; it closes the open alert with the same `dedup_key` sent through the same
    routing key. Keys longer than PagerDuty's 255 characters are shortened deterministically
    (prefix + SHA-256), so trigger and resolve still match.

    Examples
    --------
    >>> alert = Alert(gate="fairness", severity="critical", title="Bias detected in sex", lines=(),
    ...               dedup_key="brickgate/fairness/m/sex", resolve=True)
    >>> event(alert, routing_key="R", timestamp="2026-01-01T00:00:00Z")
    {'routing_key': 'R', 'event_action': 'resolve', 'dedup_key': 'brickgate/fairness/m/sex'}
    """
    dedup = dedup_key(alert.dedup_key)
    if alert.resolve:
        return {"routing_key": routing_key, "event_action": "resolve", "dedup_key": dedup}
    document: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup,
        "client": "brickgate",
        "payload": {
            "summary": clip(one_line(alert.title), SUMMARY_LIMIT),
            "source": scalar(alert.details.get("model", "brickgate")),
            "severity": alert.severity,
            "timestamp": timestamp,
            "component": f"{alert.gate}-gate",
            "class": f"brickgate {alert.gate} gate",
            "custom_details": {"lines": list(alert.lines), **dict(alert.details)},
        },
    }
    if alert.report_url:
        document["client_url"] = alert.report_url
        document["links"] = [{"href": alert.report_url, "text": "brickgate report"}]
    return document


def dedup_key(key: str) -> str:
    """`key` itself, or when over 255 characters a stable shortened form.

    >>> dedup_key("brickgate/psi/m/age")
    'brickgate/psi/m/age'
    >>> len(dedup_key("x" * 300))
    255
    """
    if len(key) <= DEDUP_LIMIT:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: DEDUP_LIMIT - len(digest) - 1]}#{digest}"


def prepare(target: Settings, alert: Alert, transport: Transport) -> Attempt:
    body = http.json_body(event(alert, routing_key=target.routing_key, timestamp=now()))
    return lambda: transport.post(target.url, body, http.headers())


CHANNEL = ChannelSpec(
    name="pagerduty", required_env=("BRICKGATE_PAGERDUTY_ROUTING_KEY",), settings=settings, skip=skip, prepare=prepare
)
