"""What a gate asks to send (`Alert`), what happened to it (`Delivery`), and text helpers."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, get_args

Gate = Literal["fairness", "psi"]
Severity = Literal["info", "warning", "critical"]
Channel = str
"""A channel name from `brickgate.alerts.registry.CHANNELS`."""


@dataclass(frozen=True, kw_only=True)
class Alert:
    """One thing a gate wants people to know about, rendered for every channel.

    `dedup_key` is stable per model and attribute or feature (for example
    ``brickgate/fairness/<model>/<attribute>``) so PagerDuty groups repeated failures into one
    incident and `resolve=True` closes it when the subject is fine again.
    """

    gate: Gate
    severity: Severity
    title: str
    lines: tuple[str, ...]
    dedup_key: str
    resolve: bool = False
    details: Mapping[str, Any] = field(default_factory=dict)
    report_url: str | None = None

    def __post_init__(self) -> None:
        if self.gate not in get_args(Gate):
            raise ValueError(f"Alert.gate must be one of {get_args(Gate)}, got {self.gate!r}")
        if self.severity not in get_args(Severity):
            raise ValueError(f"Alert.severity must be one of {get_args(Severity)}, got {self.severity!r}")
        if not self.title.strip() or not self.dedup_key.strip():
            raise ValueError("Alert.title and Alert.dedup_key must not be empty")


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """What happened to one alert on one channel; `detail` never contains a secret.

    `attempts` is 0 when nothing was sent (skipped after an earlier failure on the channel, or
    an alert the channel does not take, such as an info notice for PagerDuty).
    """

    channel: Channel
    ok: bool
    attempts: int
    detail: str
    dedup_key: str = ""


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """Result of one attempt: `retry` says whether trying again could help."""

    ok: bool
    detail: str
    retry: bool = False
    retry_after: float | None = None


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def scalar(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)
