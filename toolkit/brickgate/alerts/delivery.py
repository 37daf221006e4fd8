"""One delivery pass per channel per run: every alert the channel takes, one retry cycle.

A failing channel is retried a bounded number of times and then reported as
``Delivery(ok=False)``; its remaining alerts are skipped, so an outage costs one retry cycle
per channel and run, triggers and resolves together. Alerting trouble is a warning for the
caller, never an exception that could replace a gate's verdict.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

import requests

from brickgate import deadline
from brickgate.alerts.channel import Attempt
from brickgate.alerts.model import Alert, Channel, Delivery
from brickgate.alerts.registry import CHANNELS, REGISTRY, REQUIRED_ENV
from brickgate.alerts.settings import get
from brickgate.alerts.transport import Transport
from brickgate.errors import ConfigError
from brickgate.redaction import Redactor, redacted_logs
from brickgate.suggest import suggest

MAX_WAIT_SECONDS = 30.0  # cap on any single wait, Retry-After included
ATTEMPT_SECONDS = 15.0  # cap on one attempt, so a slow reply leaves time for a retry
UNKNOWN_CHANNEL = "unknown alert channel '{name}'{hint}; valid channels: {valid}"
MISSING_ENV = "alert channel '{channel}' needs {names} in the environment"
BAD_RETRY = "alert retries must be >= 0 and backoff/max wait >= 0 seconds"
SKIPPED = "skipped: an earlier alert on this channel failed"
HTTP_LOGGERS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry")

log = logging.getLogger("brickgate.alerts")


def check_channels(channels: Sequence[str], env: Mapping[str, str] | None = None) -> tuple[Channel, ...]:
    """Validate channel names and their environment before anything is computed or sent.

    Channel names are matched ignoring case and surrounding spaces; duplicates are dropped.
    Empty variables count as unset. Raises `ConfigError` for an unknown channel (naming the
    valid ones) or missing or malformed variables (naming them, never showing a secret).

    Examples
    --------
    >>> check_channels(["Slack", "slack"], {"BRICKGATE_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/x"})
    ('slack',)
    >>> check_channels(["teams"], {})
    Traceback (most recent call last):
    ...
    brickgate.errors.ConfigError: unknown alert channel 'teams'; valid channels: slack, webhook, pagerduty, email
    """
    source = os.environ if env is None else env
    chosen: list[Channel] = []
    for raw in channels:
        name = raw.strip().lower()
        if name not in REGISTRY:
            close = suggest(name, CHANNELS)
            hint = f" (did you mean '{close}'?)" if close else ""
            raise ConfigError(UNKNOWN_CHANNEL.format(name=raw.strip(), hint=hint, valid=", ".join(CHANNELS)))
        if name not in chosen:
            chosen.append(name)
    missing = [
        MISSING_ENV.format(channel=c, names=", ".join(n for n in REQUIRED_ENV[c] if not get(source, n)))
        for c in chosen
        if any(not get(source, n) for n in REQUIRED_ENV[c])
    ]
    if missing:
        raise ConfigError("; ".join(missing))
    for channel in chosen:
        REGISTRY[channel].settings(source)
    return tuple(chosen)


def send_alerts(
    alerts: Sequence[Alert],
    channels: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    retries: int = 3,
    backoff_seconds: float = 0.5,
    max_wait_seconds: float = MAX_WAIT_SECONDS,
    timeout_seconds: float | None = None,
) -> list[Delivery]:
    """Send each alert to every channel that takes it, in one pass per channel; never raises once checked.

    Each channel takes what it is for: Slack and email take triggers and notices (people need
    no "still fine" message), PagerDuty warning/critical triggers and resolves, the webhook
    everything; an alert a channel does not take is reported with ``attempts=0, ok=True``.
    Each (channel, alert) is tried at most ``1 + retries`` times. HTTP 429 and 5xx, connection
    errors, timeouts and SMTP 4xx replies are retried after
    ``wait_n = min(max_wait_seconds, Retry-After or backoff_seconds · 2^(n−1))`` seconds
    (n = 1 for the first retry); other 4xx replies, redirects and SMTP 5xx are not retried.
    Once an alert fails on a channel, the channel's remaining alerts are skipped
    (``attempts=0``): a service that is down costs one retry cycle per run. Every attempt has
    the connect and read timeouts of `brickgate.deadline`, and no retry starts after the
    channel's pass has used up `timeout_seconds` (default: the network deadline setting).

    Returns one `Delivery` per channel and alert, channel-major, in the order given. Raises
    `ConfigError` before anything is sent: unknown channel, missing or malformed variables,
    negative retry settings.
    """
    if retries < 0 or backoff_seconds < 0 or max_wait_seconds < 0:
        raise ConfigError(BAD_RETRY)
    source = os.environ if env is None else env
    chosen = check_channels(channels, source)
    limit = deadline.seconds(source) if timeout_seconds is None else timeout_seconds
    clean = Redactor(source)
    deliveries: list[Delivery] = []
    with requests.Session() as session, redacted_logs(clean, *HTTP_LOGGERS):
        transport = Transport(session, deadline.connect_seconds(limit), min(ATTEMPT_SECONDS, limit))
        for channel in chosen:
            spec = REGISTRY[channel]
            settings = spec.settings(source)
            ends = transport.ends = time.monotonic() + limit
            failed = False
            for alert in alerts:
                reason = spec.skip(alert)
                if reason is not None:
                    delivery = Delivery(channel=channel, ok=True, attempts=0, detail=reason, dedup_key=alert.dedup_key)
                elif failed:
                    delivery = Delivery(
                        channel=channel, ok=False, attempts=0, detail=SKIPPED, dedup_key=alert.dedup_key
                    )
                else:
                    attempt = spec.prepare(settings, _masked(alert, clean), transport)
                    delivery = _deliver(
                        channel,
                        alert,
                        attempt,
                        retries=retries,
                        backoff_seconds=backoff_seconds,
                        max_wait_seconds=max_wait_seconds,
                        ends=ends,
                        clean=clean,
                    )
                    failed = not delivery.ok
                deliveries.append(delivery)
    return deliveries


def _masked(alert: Alert, clean: Redactor) -> Alert:
    """The alert with secrets masked in every text it carries (a payload is a sink like any other)."""
    details = {key: clean(value) if isinstance(value, str) else value for key, value in alert.details.items()}
    return replace(
        alert,
        title=clean(alert.title),
        lines=tuple(clean(line) for line in alert.lines),
        details=details,
        dedup_key=clean(alert.dedup_key),  # deterministic: a resolve still matches its trigger
        report_url=clean(alert.report_url) if alert.report_url else None,
    )


def _deliver(
    channel: Channel,
    alert: Alert,
    attempt: Attempt,
    *,
    retries: int,
    backoff_seconds: float,
    max_wait_seconds: float,
    ends: float,
    clean: Redactor,
) -> Delivery:
    """Run `attempt` until it succeeds, fails for good, the retries are spent or the deadline is near."""
    attempts = 1 + retries
    for number in range(1, attempts + 1):
        outcome = attempt()
        wait = retry_wait(
            number, backoff_seconds=backoff_seconds, max_wait_seconds=max_wait_seconds, retry_after=outcome.retry_after
        )
        out_of_time = time.monotonic() + wait >= ends
        if outcome.ok or not outcome.retry or number == attempts or out_of_time:
            if outcome.ok:
                detail = outcome.detail if number == 1 else f"{outcome.detail} after {number} attempts"
            elif outcome.retry:
                detail = f"not delivered: {outcome.detail}; gave up after {number} attempts"
                detail += " (network deadline reached)" if out_of_time and number < attempts else ""
            else:
                where = "" if number == 1 else f" on attempt {number}"
                detail = f"not delivered: {outcome.detail}{where} (not retried)"
            log.info("alert %s via %s: %s", alert.dedup_key, channel, clean(detail))
            return Delivery(
                channel=channel, ok=outcome.ok, attempts=number, detail=clean(detail), dedup_key=alert.dedup_key
            )
        log.info(
            "alert %s via %s: attempt %d: %s; retrying in %.2f s",
            alert.dedup_key,
            channel,
            number,
            clean(outcome.detail),
            wait,
        )
        time.sleep(wait)
    raise AssertionError("unreachable: the last attempt always returns")  # pragma: no cover


def retry_wait(
    retry: int, *, backoff_seconds: float, max_wait_seconds: float, retry_after: float | None = None
) -> float:
    """Seconds to wait before retry number `retry` (1 = the first retry).

    ``wait = min(max_wait_seconds, retry_after if given else backoff_seconds · 2^(retry−1))``:
    exponential backoff unless the server said how long to wait, never beyond the cap.

    Examples
    --------
    >>> [retry_wait(n, backoff_seconds=0.5, max_wait_seconds=30) for n in (1, 2, 3)]
    [0.5, 1.0, 2.0]
    >>> retry_wait(1, backoff_seconds=0.5, max_wait_seconds=30.0, retry_after=120.0)
    30.0
    >>> retry_wait(2, backoff_seconds=0.5, max_wait_seconds=30.0, retry_after=0.0)
    0.0
    """
    wait = backoff_seconds * 2.0 ** (retry - 1) if retry_after is None else retry_after
    return min(max_wait_seconds, wait)
