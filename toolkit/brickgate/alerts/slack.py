"""Slack incoming webhooks: Block Kit message for triggers and notices; people get no resolves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from brickgate.alerts import http
from brickgate.alerts.channel import Attempt, ChannelSpec
from brickgate.alerts.model import Alert, clip, one_line, scalar
from brickgate.alerts.settings import url
from brickgate.alerts.transport import Transport

HEADER_LIMIT = 150
TEXT_LIMIT = 3000
MAX_FIELDS = 10
SEVERITY_EMOJI: Mapping[str, str] = {
    "critical": ":rotating_light:",
    "warning": ":warning:",
    "info": ":white_check_mark:",
}


@dataclass(frozen=True)
class Settings:
    url: str = field(repr=False)


def settings(env: Mapping[str, str]) -> Settings:
    return Settings(url=url(env, "BRICKGATE_SLACK_WEBHOOK_URL"))


def skip(alert: Alert) -> str | None:
    return "not sent: chat gets no resolves" if alert.resolve else None


def payload(alert: Alert) -> dict[str, Any]:
    """Slack incoming-webhook message: Block Kit blocks plus a plain `text` fallback.

    The fallback is what notifications and old clients show: the title and every line.

    Examples
    --------
    >>> alert = Alert(gate="fairness", severity="critical", title="Bias detected in patient_gender",
    ...               lines=("DI ratios: 0.72 - 1.15", "Required range: 0.8 - 1.25"),
    ...               dedup_key="brickgate/fairness/m/patient_gender")
    >>> print(payload(alert)["text"])
    Bias detected in patient_gender
    DI ratios: 0.72 - 1.15
    Required range: 0.8 - 1.25
    >>> payload(alert)["blocks"][0]["text"]["text"]
    ':rotating_light: Bias detected in patient_gender'
    """
    title = one_line(alert.title)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": clip(f"{SEVERITY_EMOJI[alert.severity]} {title}", HEADER_LIMIT),
                "emoji": True,
            },
        }
    ]
    if alert.lines:
        text = "\n".join(_escape(line) for line in alert.lines)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": clip(text, TEXT_LIMIT)}})
    if alert.details:
        fields = [
            {"type": "mrkdwn", "text": clip(f"*{_escape(str(k))}*\n{_escape(scalar(v))}", 2000)}
            for k, v in list(alert.details.items())[:MAX_FIELDS]
        ]
        blocks.append({"type": "section", "fields": fields})
    context = f"brickgate {alert.gate} gate · {alert.severity}" + (" · resolved" if alert.resolve else "")
    if alert.report_url:
        context += f" · <{alert.report_url}|View report>"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    fallback = "\n".join([title, *alert.lines])
    return {"text": clip(fallback, TEXT_LIMIT), "blocks": blocks}


def prepare(target: Settings, alert: Alert, transport: Transport) -> Attempt:
    body = http.json_body(payload(alert))
    return lambda: transport.post(target.url, body, http.headers())


def _escape(text: str) -> str:
    """Slack mrkdwn control characters (``&``, ``<``, ``>``) as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


CHANNEL = ChannelSpec(
    name="slack", required_env=("BRICKGATE_SLACK_WEBHOOK_URL",), settings=settings, skip=skip, prepare=prepare
)
