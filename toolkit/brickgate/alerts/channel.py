"""What an alert channel provides to the delivery pass."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from brickgate.alerts.model import Alert, Outcome
from brickgate.alerts.transport import Transport

Attempt = Callable[[], Outcome]


@dataclass(frozen=True, kw_only=True)
class ChannelSpec:
    """One alert channel.

    `settings(env)` validates its variables (raising `ConfigError`); `skip(alert)` is why the
    channel does not take an alert, or None; `prepare(settings, alert, transport)` builds the
    request once, so that every retry resends identical bytes, and returns its sender.
    """

    name: str
    required_env: tuple[str, ...]
    settings: Callable[[Mapping[str, str]], Any]
    skip: Callable[[Alert], str | None]
    prepare: Callable[[Any, Alert, Transport], Attempt]
