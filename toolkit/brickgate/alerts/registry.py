"""The alert channels brickgate knows: adding one is a module in this package and one line here.

Each channel module provides a `CHANNEL` (`brickgate.alerts.channel.ChannelSpec`): its
required variables, how it reads its settings, which alerts it takes, and how it builds the
request for one alert.
"""

from __future__ import annotations

from collections.abc import Mapping

from brickgate.alerts import mail, pagerduty, slack, webhook
from brickgate.alerts.channel import ChannelSpec

REGISTRY: Mapping[str, ChannelSpec] = {
    spec.name: spec for spec in (slack.CHANNEL, webhook.CHANNEL, pagerduty.CHANNEL, mail.CHANNEL)
}
CHANNELS: tuple[str, ...] = tuple(REGISTRY)
REQUIRED_ENV: Mapping[str, tuple[str, ...]] = {name: spec.required_env for name, spec in REGISTRY.items()}
