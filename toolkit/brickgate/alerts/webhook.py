"""The generic JSON webhook (schema ``brickgate.alert/v1``), signed when a secret is set; takes everything."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from brickgate.alerts import http
from brickgate.alerts.channel import Attempt, ChannelSpec
from brickgate.alerts.model import Alert, now
from brickgate.alerts.settings import get, url
from brickgate.alerts.transport import Transport

SIGNATURE_HEADER = "X-Brickgate-Signature-256"
DELIVERY_HEADER = "X-Brickgate-Delivery"
SCHEMA = "brickgate.alert/v1"


@dataclass(frozen=True)
class Settings:
    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)


def settings(env: Mapping[str, str]) -> Settings:
    return Settings(url=url(env, "BRICKGATE_WEBHOOK_URL"), secret=get(env, "BRICKGATE_WEBHOOK_SECRET"))


def skip(alert: Alert) -> str | None:
    return None


def body(alert: Alert, *, delivery_id: str, sent_at: str) -> dict[str, Any]:
    """The generic webhook's JSON body (schema ``brickgate.alert/v1``, documented in docs/alerts.md).

    `status` is ``resolved`` for a resolve alert, else ``triggered``; `id` is the delivery id,
    also sent as the ``X-Brickgate-Delivery`` header and unchanged across retries.

    Examples
    --------
    >>> alert = Alert(gate="psi", severity="warning", title="Drift in age", lines=("PSI 0.31",), dedup_key="k")
    >>> document = body(alert, delivery_id="d-1", sent_at="2026-01-01T00:00:00Z")
    >>> document["schema"], document["status"], document["text"]
    ('brickgate.alert/v1', 'triggered', 'Drift in age\\nPSI 0.31')
    """
    return {
        "schema": SCHEMA,
        "id": delivery_id,
        "sent_at": sent_at,
        "gate": alert.gate,
        "severity": alert.severity,
        "status": "resolved" if alert.resolve else "triggered",
        "title": alert.title,
        "lines": list(alert.lines),
        "text": "\n".join([alert.title, *alert.lines]),
        "dedup_key": alert.dedup_key,
        "details": dict(alert.details),
        "report_url": alert.report_url,
    }


def sign(payload: bytes, secret: str) -> str:
    """Value of the ``X-Brickgate-Signature-256`` header: HMAC-SHA256 of the raw body.

    A receiver recomputes ``"sha256=" + hex(HMAC_SHA256(secret, raw_body))`` over the bytes it
    received (before any JSON parsing) and compares in constant time.

    >>> sign(b'{"a":1}', "s3cret")
    'sha256=5910e62016ef5034272c926c27071992a465c2335cecf41851bda071577f4f6d'
    """
    return "sha256=" + hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).hexdigest()


def prepare(target: Settings, alert: Alert, transport: Transport) -> Attempt:
    delivery_id = str(uuid.uuid4())
    payload = http.json_body(body(alert, delivery_id=delivery_id, sent_at=now()))
    headers = http.headers() | {"X-Brickgate-Event": "alert", DELIVERY_HEADER: delivery_id}
    if target.secret:
        headers[SIGNATURE_HEADER] = sign(payload, target.secret)
    return lambda: transport.post(target.url, payload, headers)


CHANNEL = ChannelSpec(
    name="webhook", required_env=("BRICKGATE_WEBHOOK_URL",), settings=settings, skip=skip, prepare=prepare
)
