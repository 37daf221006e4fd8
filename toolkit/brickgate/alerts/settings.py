"""Reading channel settings from environment variables: errors name variables, never secret values."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from brickgate.errors import ConfigError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
BAD_URL = "{name} must be an https:// URL (http:// only for localhost); its value is not shown"
BAD_BOOL = "{name} must be true or false, got '{value}'"


def get(env: Mapping[str, str], name: str) -> str | None:
    """A variable's value, with empty (an unset action input) meaning unset."""
    value = env.get(name, "").strip()
    return value or None


def url(env: Mapping[str, str], name: str) -> str:
    """An https URL (http only for loopback) from `name`; a bad one is refused without showing it."""
    value = get(env, name) or ""
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError as exc:  # e.g. an unclosed '[' of an IPv6 host; its text is not shown (a secret URL)
        raise ConfigError(BAD_URL.format(name=name)) from exc
    secure = parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)
    if not secure or not host:
        raise ConfigError(BAD_URL.format(name=name))
    return value


def boolean(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = get(env, name)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ConfigError(BAD_BOOL.format(name=name, value=value))
