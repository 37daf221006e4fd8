"""Tell people when a gate fails or recovers: Slack, a generic JSON webhook, PagerDuty, email.

Both gates' publish step builds `Alert` values and calls `send_alerts` once per run. Channel
settings and secrets come only from environment variables, and no secret (webhook URL, routing
key, SMTP password) ever appears in a `Delivery`, a log record or an exception.

Layout: `registry` lists the channels, one module each (`slack`, `webhook`, `pagerduty`,
`mail`) with its settings, payload and request; `delivery` is the one pass and retry cycle;
`transport` sends one HTTP request.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brickgate.alerts.delivery import check_channels, retry_wait, send_alerts
    from brickgate.alerts.mail import message as email_message
    from brickgate.alerts.model import Alert, Channel, Delivery, Gate, Severity
    from brickgate.alerts.pagerduty import dedup_key as pagerduty_dedup_key
    from brickgate.alerts.pagerduty import event as pagerduty_event
    from brickgate.alerts.registry import CHANNELS, REQUIRED_ENV
    from brickgate.alerts.slack import payload as slack_payload
    from brickgate.alerts.transport import parse_retry_after
    from brickgate.alerts.webhook import SIGNATURE_HEADER, sign
    from brickgate.alerts.webhook import body as webhook_body

# Imported on first use (PEP 562): a gate builds `Alert` values on every run, but only a run
# with channels needs the transport (requests and friends, a tenth of a second to import).
_LAZY = {
    "check_channels": ("delivery", "check_channels"),
    "retry_wait": ("delivery", "retry_wait"),
    "send_alerts": ("delivery", "send_alerts"),
    "email_message": ("mail", "message"),
    "Alert": ("model", "Alert"),
    "Channel": ("model", "Channel"),
    "Delivery": ("model", "Delivery"),
    "Gate": ("model", "Gate"),
    "Severity": ("model", "Severity"),
    "pagerduty_dedup_key": ("pagerduty", "dedup_key"),
    "pagerduty_event": ("pagerduty", "event"),
    "CHANNELS": ("registry", "CHANNELS"),
    "REQUIRED_ENV": ("registry", "REQUIRED_ENV"),
    "slack_payload": ("slack", "payload"),
    "parse_retry_after": ("transport", "parse_retry_after"),
    "SIGNATURE_HEADER": ("webhook", "SIGNATURE_HEADER"),
    "sign": ("webhook", "sign"),
    "webhook_body": ("webhook", "body"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _LAZY[name]
    return getattr(importlib.import_module(f"brickgate.alerts.{module}"), attribute)


__all__ = [
    "CHANNELS",
    "REQUIRED_ENV",
    "SIGNATURE_HEADER",
    "Alert",
    "Channel",
    "Delivery",
    "Gate",
    "Severity",
    "check_channels",
    "email_message",
    "pagerduty_dedup_key",
    "pagerduty_event",
    "parse_retry_after",
    "retry_wait",
    "send_alerts",
    "sign",
    "slack_payload",
    "webhook_body",
]
