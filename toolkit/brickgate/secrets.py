"""Keep secret values out of everything brickgate prints, logs or writes.

Secrets reach brickgate only through environment variables. Any variable whose name looks
like a credential is treated as secret, and its value is replaced by `***` wherever text
leaves the process (errors, logs, reports, alert payload echoes).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

SECRET_NAME = re.compile(
    r"(TOKEN|SECRET|PASSWORD|PASSWD|WEBHOOK|ROUTING_KEY|API_KEY|PRIVATE_KEY|CLIENT_SECRET|SMTP_PASS)",
    re.IGNORECASE,
)
MIN_SECRET_LENGTH = 4  # shorter values would mask innocent text such as "true"


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    """Values of every credential-like variable in `env` (default: the process environment)."""
    source = os.environ if env is None else env
    values = {v for k, v in source.items() if SECRET_NAME.search(k) and len(v) >= MIN_SECRET_LENGTH}
    return sorted(values, key=len, reverse=True)


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    """Return `text` with every secret value from `env` replaced by `***`.

    >>> redact("posting to https://hooks/x/abcd", {"SLACK_WEBHOOK_URL": "https://hooks/x/abcd"})
    'posting to ***'
    """
    for value in secret_values(env):
        text = text.replace(value, "***")
    return text
