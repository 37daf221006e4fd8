"""Tell people when a gate fails or recovers: Slack, a generic JSON webhook, PagerDuty, email.

Both gates' publish step builds `Alert` values and calls `send_alerts`. Channel settings and
secrets come only from environment variables, and no secret (webhook URL, routing key, SMTP
password) ever appears in a `Delivery`, a log record or an exception. A channel that fails is
retried a bounded number of times and then reported as ``Delivery(ok=False)``: alerting trouble
is a warning for the caller, never an exception that could replace a gate's verdict.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import smtplib
import ssl
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parsedate_to_datetime
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

import requests

from brickgate import __version__
from brickgate.errors import ConfigError
from brickgate.secrets import MIN_SECRET_LENGTH, secret_values
from brickgate.suggest import suggest

Channel = Literal["slack", "webhook", "pagerduty", "email"]
CHANNELS: tuple[str, ...] = get_args(Channel)
Gate = Literal["fairness", "psi"]
Severity = Literal["info", "warning", "critical"]

#: Variables a channel cannot work without (an empty value counts as unset).
REQUIRED_ENV: Mapping[str, tuple[str, ...]] = {
    "slack": ("BRICKGATE_SLACK_WEBHOOK_URL",),
    "webhook": ("BRICKGATE_WEBHOOK_URL",),
    "pagerduty": ("BRICKGATE_PAGERDUTY_ROUTING_KEY",),
    "email": ("BRICKGATE_SMTP_HOST", "BRICKGATE_SMTP_FROM", "BRICKGATE_SMTP_TO"),
}
PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SIGNATURE_HEADER = "X-Brickgate-Signature-256"
DELIVERY_HEADER = "X-Brickgate-Delivery"
WEBHOOK_SCHEMA = "brickgate.alert/v1"
DEFAULT_SMTP_PORT = 587
MAX_WAIT_SECONDS = 30.0  # cap on any single wait, Retry-After included
HTTP_TIMEOUT = (5.0, 15.0)  # connect, read (seconds)
SMTP_TIMEOUT = 15.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# Limits of the receiving services; longer text is cut with an ellipsis.
SLACK_HEADER_LIMIT = 150
SLACK_TEXT_LIMIT = 3000
SLACK_MAX_FIELDS = 10
PAGERDUTY_SUMMARY_LIMIT = 1024
PAGERDUTY_DEDUP_LIMIT = 255
RESPONSE_EXCERPT_LIMIT = 200

UNKNOWN_CHANNEL = "unknown alert channel '{name}'{hint}; valid channels: {valid}"
MISSING_ENV = "alert channel '{channel}' needs {names} in the environment"
BAD_URL = "{name} must be an https:// URL (http:// only for localhost); its value is not shown"
BAD_PORT = "BRICKGATE_SMTP_PORT must be a port number 1-65535, got '{value}'"
BAD_BOOL = "{name} must be true or false, got '{value}'"
BAD_RECIPIENTS = "BRICKGATE_SMTP_TO must be a comma-separated list of addresses"
PASSWORD_WITHOUT_USER = "BRICKGATE_SMTP_PASSWORD is set but BRICKGATE_SMTP_USER is not"
USER_WITHOUT_PASSWORD = "BRICKGATE_SMTP_USER is set but BRICKGATE_SMTP_PASSWORD is not"
AUTH_WITHOUT_TLS = (
    "BRICKGATE_SMTP_USER is set but BRICKGATE_SMTP_STARTTLS is false: "
    "brickgate never sends a password over an unencrypted connection"
)
BAD_RETRY = "alert retries must be >= 0 and backoff/max wait >= 0 seconds"

SEVERITY_EMOJI: Mapping[str, str] = {
    "critical": ":rotating_light:",
    "warning": ":warning:",
    "info": ":white_check_mark:",
}
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
HTTP_LOGGERS = ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry")

log = logging.getLogger(__name__)


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
    an info notice that PagerDuty does not need).
    """

    channel: Channel
    ok: bool
    attempts: int
    detail: str
    dedup_key: str = ""


@dataclass(frozen=True, kw_only=True)
class _HttpTarget:
    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True, kw_only=True)
class _SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None = field(repr=False)
    sender: str
    recipients: tuple[str, ...]
    starttls: bool
    ca_file: str | None


@dataclass(frozen=True, kw_only=True)
class _Outcome:
    """Result of one attempt: `retry` says whether trying again could help."""

    ok: bool
    detail: str
    retry: bool = False
    retry_after: float | None = None


def check_channels(channels: Sequence[str], env: Mapping[str, str] | None = None) -> tuple[Channel, ...]:
    """Validate channel names and their environment before anything is computed or sent.

    Parameters
    ----------
    channels
        Channel names (case and surrounding spaces ignored; duplicates dropped).
    env
        Environment to read (default: the process environment). Empty values count as unset.

    Returns
    -------
    tuple of Channel
        The channels, normalised, in the order given.

    Raises
    ------
    ConfigError
        An unknown channel (naming the valid ones), or missing or malformed variables (naming
        the variables, never showing a secret value).

    Examples
    --------
    >>> check_channels(["Slack", "slack"], {"BRICKGATE_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/x"})
    ('slack',)
    >>> check_channels(["teams"], {})
    Traceback (most recent call last):
    ...
    brickgate.errors.ConfigError: unknown alert channel 'teams'; valid channels: slack, webhook, pagerduty, email
    """
    source = _environment(env)
    chosen = _channel_names(channels)
    missing = [
        MISSING_ENV.format(channel=c, names=", ".join(n for n in REQUIRED_ENV[c] if not _get(source, n)))
        for c in chosen
        if any(not _get(source, n) for n in REQUIRED_ENV[c])
    ]
    if missing:
        raise ConfigError("; ".join(missing))
    for channel in chosen:
        _settings(channel, source)
    return chosen


def send_alerts(
    alerts: Sequence[Alert],
    channels: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    retries: int = 3,
    backoff_seconds: float = 0.5,
    max_wait_seconds: float = MAX_WAIT_SECONDS,
) -> list[Delivery]:
    """Send every alert to every channel and report each delivery; a failing channel never raises.

    Each (channel, alert) pair is tried at most ``1 + retries`` times. HTTP 429 and 5xx,
    connection errors, timeouts and SMTP 4xx replies are retried after
    ``wait_n = min(max_wait_seconds, Retry-After or backoff_seconds · 2^(n−1))`` seconds
    (n = 1 for the first retry); other 4xx replies, redirects and SMTP 5xx replies are not
    retried. Once an alert fails on a channel, that channel's remaining alerts are skipped
    (``attempts=0``) so a service that is down costs one retry cycle, not one per alert.

    Parameters
    ----------
    alerts
        Alerts in the order they should arrive.
    channels
        Channel names, validated first with `check_channels`.
    env
        Environment holding the channel settings and secrets (default: the process environment).
    retries
        Retries after the first attempt (0 = a single attempt).
    backoff_seconds
        First backoff wait; it doubles on every retry.
    max_wait_seconds
        Cap on any single wait, including a server's Retry-After.

    Returns
    -------
    list of Delivery
        One per channel and alert, channel-major, in the order given.

    Raises
    ------
    ConfigError
        Before anything is sent: unknown channel, missing or malformed variables, negative
        retry settings.
    """
    if retries < 0 or backoff_seconds < 0 or max_wait_seconds < 0:
        raise ConfigError(BAD_RETRY)
    source = _environment(env)
    chosen = check_channels(channels, source)
    clean = _redactor(source)
    deliveries: list[Delivery] = []
    with requests.Session() as session, _redacted_http_logs(clean):
        for channel in chosen:
            settings = _settings(channel, source)
            failed = False
            for alert in alerts:
                if failed:
                    delivery = Delivery(
                        channel=channel,
                        ok=False,
                        attempts=0,
                        detail="skipped: an earlier alert on this channel failed",
                        dedup_key=alert.dedup_key,
                    )
                else:
                    attempt = _attempt_for(channel, settings, alert, session)
                    delivery = _deliver(
                        channel,
                        alert,
                        attempt,
                        retries=retries,
                        backoff_seconds=backoff_seconds,
                        max_wait_seconds=max_wait_seconds,
                        clean=clean,
                    )
                    failed = not delivery.ok
                deliveries.append(delivery)
    return deliveries


def _deliver(
    channel: Channel,
    alert: Alert,
    attempt: Callable[[], _Outcome] | None,
    *,
    retries: int,
    backoff_seconds: float,
    max_wait_seconds: float,
    clean: Callable[[str], str],
) -> Delivery:
    """Run `attempt` until it succeeds, fails for good, or the retries are spent."""
    if attempt is None:
        return Delivery(
            channel=channel,
            ok=True,
            attempts=0,
            detail="not sent: PagerDuty gets only warning/critical triggers and resolves",
            dedup_key=alert.dedup_key,
        )
    attempts = 1 + retries
    for number in range(1, attempts + 1):
        outcome = attempt()
        if outcome.ok or not outcome.retry or number == attempts:
            if outcome.ok:
                detail = outcome.detail if number == 1 else f"{outcome.detail} after {number} attempts"
            elif outcome.retry:
                detail = f"not delivered: {outcome.detail}; gave up after {number} attempts"
            else:
                where = "" if number == 1 else f" on attempt {number}"
                detail = f"not delivered: {outcome.detail}{where} (not retried)"
            log.info("alert %s via %s: %s", alert.dedup_key, channel, clean(detail))
            return Delivery(
                channel=channel, ok=outcome.ok, attempts=number, detail=clean(detail), dedup_key=alert.dedup_key
            )
        wait = retry_wait(
            number, backoff_seconds=backoff_seconds, max_wait_seconds=max_wait_seconds, retry_after=outcome.retry_after
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


def _attempt_for(
    channel: Channel, settings: _HttpTarget | _SmtpSettings, alert: Alert, session: requests.Session
) -> Callable[[], _Outcome] | None:
    """Build the request once (so a retry resends identical bytes) and return its sender."""
    if isinstance(settings, _SmtpSettings):
        message = email_message(alert, sender=settings.sender, recipients=settings.recipients)
        return lambda: _smtp_attempt(settings, message)
    headers = {"Content-Type": "application/json", "User-Agent": f"brickgate/{__version__}"}
    if channel == "slack":
        document: dict[str, Any] = slack_payload(alert)
    elif channel == "webhook":
        delivery_id = str(uuid.uuid4())
        document = webhook_body(alert, delivery_id=delivery_id, sent_at=_now())
        headers |= {"X-Brickgate-Event": "alert", DELIVERY_HEADER: delivery_id}
    else:
        if alert.severity == "info" and not alert.resolve:
            return None
        document = pagerduty_event(alert, routing_key=settings.secret or "", timestamp=_now())
    body = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")
    if channel == "webhook" and settings.secret:
        headers[SIGNATURE_HEADER] = sign(body, settings.secret)
    return lambda: _http_attempt(session, settings.url, body, headers)


def _http_attempt(session: requests.Session, url: str, body: bytes, headers: Mapping[str, str]) -> _Outcome:
    """POST once; exception texts are not used because they contain the (secret) URL."""
    try:
        response = session.post(url, data=body, headers=dict(headers), timeout=HTTP_TIMEOUT, allow_redirects=False)
    except requests.Timeout:
        return _Outcome(ok=False, detail="timed out", retry=True)
    except requests.ConnectionError:
        return _Outcome(ok=False, detail="connection failed", retry=True)
    except requests.RequestException as exc:
        return _Outcome(ok=False, detail=f"request failed ({type(exc).__name__})")
    with response:
        status = response.status_code
        if 200 <= status < 300:
            return _Outcome(ok=True, detail=f"delivered (HTTP {status})")
        excerpt = " ".join(response.text.split())[:RESPONSE_EXCERPT_LIMIT]
        detail = f"HTTP {status}" + (f": {excerpt}" if excerpt else "")
        if status == 429 or 500 <= status <= 599:
            return _Outcome(
                ok=False, detail=detail, retry=True, retry_after=parse_retry_after(response.headers.get("Retry-After"))
            )
        if 300 <= status < 400:
            detail = f"HTTP {status} (redirects are not followed)"
        return _Outcome(ok=False, detail=detail)


def _smtp_attempt(settings: _SmtpSettings, message: EmailMessage) -> _Outcome:
    """Connect, STARTTLS, AUTH and send once; SMTP 4xx and connection errors are worth a retry."""
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT) as client:
            if settings.starttls:
                client.starttls(context=_tls_context(settings.ca_file))
            if settings.user:
                client.login(settings.user, settings.password or "")
            client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        return _Outcome(ok=False, detail=f"SMTP authentication failed (SMTP {exc.smtp_code})")
    except smtplib.SMTPNotSupportedError:
        return _Outcome(ok=False, detail="SMTP server does not offer STARTTLS or AUTH")
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _ in exc.recipients.values()})
        transient = all(400 <= code < 500 for code in codes)
        return _Outcome(ok=False, detail=f"SMTP recipients refused ({', '.join(map(str, codes))})", retry=transient)
    except smtplib.SMTPResponseException as exc:
        return _Outcome(ok=False, detail=f"SMTP {exc.smtp_code}", retry=400 <= exc.smtp_code < 500)
    except ssl.SSLCertVerificationError:
        return _Outcome(ok=False, detail="TLS certificate verification failed")
    except smtplib.SMTPServerDisconnected:
        return _Outcome(ok=False, detail="SMTP server disconnected", retry=True)
    except (OSError, smtplib.SMTPException) as exc:
        return _Outcome(ok=False, detail=f"connection failed ({type(exc).__name__})", retry=True)
    return _Outcome(ok=True, detail=f"delivered to {len(settings.recipients)} recipient(s)")


def _tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Verified TLS (certificate and host name), optionally trusting a private CA bundle."""
    return ssl.create_default_context(cafile=ca_file)


def slack_payload(alert: Alert) -> dict[str, Any]:
    """Slack incoming-webhook message: Block Kit blocks plus a plain `text` fallback.

    The fallback is what notifications and old clients show: the title and every line.

    Examples
    --------
    >>> alert = Alert(gate="fairness", severity="critical", title="Bias detected in patient_gender",
    ...               lines=("DI ratios: 0.72 - 1.15", "Required range: 0.8 - 1.25"),
    ...               dedup_key="brickgate/fairness/m/patient_gender")
    >>> print(slack_payload(alert)["text"])
    Bias detected in patient_gender
    DI ratios: 0.72 - 1.15
    Required range: 0.8 - 1.25
    >>> slack_payload(alert)["blocks"][0]["text"]["text"]
    ':rotating_light: Bias detected in patient_gender'
    """
    title = _one_line(alert.title)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": _clip(f"{SEVERITY_EMOJI[alert.severity]} {title}", SLACK_HEADER_LIMIT),
                "emoji": True,
            },
        }
    ]
    if alert.lines:
        text = "\n".join(_slack_escape(line) for line in alert.lines)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, SLACK_TEXT_LIMIT)}})
    if alert.details:
        fields = [
            {"type": "mrkdwn", "text": _clip(f"*{_slack_escape(str(k))}*\n{_slack_escape(_scalar(v))}", 2000)}
            for k, v in list(alert.details.items())[:SLACK_MAX_FIELDS]
        ]
        blocks.append({"type": "section", "fields": fields})
    context = f"brickgate {alert.gate} gate · {alert.severity}" + (" · resolved" if alert.resolve else "")
    if alert.report_url:
        context += f" · <{alert.report_url}|View report>"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    fallback = "\n".join([title, *alert.lines])
    return {"text": _clip(fallback, SLACK_TEXT_LIMIT), "blocks": blocks}


def webhook_body(alert: Alert, *, delivery_id: str, sent_at: str) -> dict[str, Any]:
    """The generic webhook's JSON body (schema ``brickgate.alert/v1``, documented in docs/alerts.md).

    `status` is ``resolved`` for a resolve alert, else ``triggered``; `id` is the delivery id,
    also sent as the ``X-Brickgate-Delivery`` header and unchanged across retries.

    Examples
    --------
    >>> alert = Alert(gate="psi", severity="warning", title="Drift in age", lines=("PSI 0.31",), dedup_key="k")
    >>> body = webhook_body(alert, delivery_id="d-1", sent_at="2026-01-01T00:00:00Z")
    >>> body["schema"], body["status"], body["text"]
    ('brickgate.alert/v1', 'triggered', 'Drift in age\\nPSI 0.31')
    """
    return {
        "schema": WEBHOOK_SCHEMA,
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


def pagerduty_event(alert: Alert, *, routing_key: str, timestamp: str) -> dict[str, Any]:
    """PagerDuty Events API v2 event: a ``trigger`` or, for ``resolve=True``, a ``resolve``.

    A resolve carries only `routing_key`, `dedup_key` and `event_action`, as PagerDuty
    documents; it closes the open alert with the same `dedup_key` sent through the same
    routing key. Keys longer than PagerDuty's 255 characters are shortened deterministically
    (prefix + SHA-256), so trigger and resolve still match.

    Examples
    --------
    >>> alert = Alert(gate="fairness", severity="critical", title="Bias detected in sex", lines=(),
    ...               dedup_key="brickgate/fairness/m/sex", resolve=True)
    >>> pagerduty_event(alert, routing_key="R", timestamp="2026-01-01T00:00:00Z")
    {'routing_key': 'R', 'event_action': 'resolve', 'dedup_key': 'brickgate/fairness/m/sex'}
    """
    dedup_key = pagerduty_dedup_key(alert.dedup_key)
    if alert.resolve:
        return {"routing_key": routing_key, "event_action": "resolve", "dedup_key": dedup_key}
    event: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "client": "brickgate",
        "payload": {
            "summary": _clip(_one_line(alert.title), PAGERDUTY_SUMMARY_LIMIT),
            "source": _scalar(alert.details.get("model", "brickgate")),
            "severity": alert.severity,
            "timestamp": timestamp,
            "component": f"{alert.gate}-gate",
            "class": f"brickgate {alert.gate} gate",
            "custom_details": {"lines": list(alert.lines), **dict(alert.details)},
        },
    }
    if alert.report_url:
        event["client_url"] = alert.report_url
        event["links"] = [{"href": alert.report_url, "text": "brickgate report"}]
    return event


def pagerduty_dedup_key(key: str) -> str:
    """`key` itself, or when over 255 characters a stable shortened form.

    >>> pagerduty_dedup_key("brickgate/psi/m/age")
    'brickgate/psi/m/age'
    >>> len(pagerduty_dedup_key("x" * 300))
    255
    """
    if len(key) <= PAGERDUTY_DEDUP_LIMIT:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: PAGERDUTY_DEDUP_LIMIT - len(digest) - 1]}#{digest}"


def email_message(alert: Alert, *, sender: str, recipients: Sequence[str]) -> EmailMessage:
    """Plain-text email: subject = title, body = lines, details, report link and dedup key."""
    message = EmailMessage()
    message["Subject"] = _one_line(alert.title)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="brickgate.invalid")
    message["X-Brickgate-Dedup-Key"] = _one_line(alert.dedup_key)
    message["X-Brickgate-Severity"] = alert.severity
    parts = [_one_line(alert.title), "", *alert.lines]
    if alert.details:
        parts += ["", "Details:", *(f"  {k}: {_scalar(v)}" for k, v in alert.details.items())]
    if alert.report_url:
        parts += ["", f"Report: {alert.report_url}"]
    status = "resolved" if alert.resolve else alert.severity
    parts += ["", "-- ", f"Sent by brickgate ({alert.gate} gate, {status}, dedup key {alert.dedup_key})"]
    message.set_content("\n".join(parts) + "\n")
    return message


def sign(body: bytes, secret: str) -> str:
    """Value of the ``X-Brickgate-Signature-256`` header: HMAC-SHA256 of the raw body.

    A receiver recomputes ``"sha256=" + hex(HMAC_SHA256(secret, raw_body))`` over the bytes it
    received (before any JSON parsing) and compares in constant time.

    >>> sign(b'{"a":1}', "s3cret")
    'sha256=5910e62016ef5034272c926c27071992a465c2335cecf41851bda071577f4f6d'
    """
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds a server asks us to wait (``Retry-After``: delta-seconds or HTTP-date).

    Returns None when the header is absent or unreadable, so the normal backoff applies; a
    date in the past means 0.

    >>> parse_retry_after("7")
    7.0
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=datetime(2015, 10, 21, 7, 27, 30, tzinfo=timezone.utc))
    30.0
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _settings(channel: Channel, env: Mapping[str, str]) -> _HttpTarget | _SmtpSettings:
    """Parse and validate one channel's variables; errors name variables, never values of secrets."""
    if channel == "slack":
        return _HttpTarget(url=_url(env, "BRICKGATE_SLACK_WEBHOOK_URL"))
    if channel == "webhook":
        return _HttpTarget(url=_url(env, "BRICKGATE_WEBHOOK_URL"), secret=_get(env, "BRICKGATE_WEBHOOK_SECRET"))
    if channel == "pagerduty":
        url = (
            _url(env, "BRICKGATE_PAGERDUTY_EVENTS_URL")
            if _get(env, "BRICKGATE_PAGERDUTY_EVENTS_URL")
            else PAGERDUTY_EVENTS_URL
        )
        return _HttpTarget(url=url, secret=_get(env, "BRICKGATE_PAGERDUTY_ROUTING_KEY"))
    port_text = _get(env, "BRICKGATE_SMTP_PORT") or str(DEFAULT_SMTP_PORT)
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ConfigError(BAD_PORT.format(value=port_text))
    recipients = tuple(part.strip() for part in (_get(env, "BRICKGATE_SMTP_TO") or "").split(","))
    if not recipients or not all(recipients):
        raise ConfigError(BAD_RECIPIENTS)
    user, password = _get(env, "BRICKGATE_SMTP_USER"), _get(env, "BRICKGATE_SMTP_PASSWORD")
    starttls = _bool(env, "BRICKGATE_SMTP_STARTTLS", default=True)
    if password and not user:
        raise ConfigError(PASSWORD_WITHOUT_USER)
    if user and not password:
        raise ConfigError(USER_WITHOUT_PASSWORD)
    if user and not starttls:
        raise ConfigError(AUTH_WITHOUT_TLS)
    return _SmtpSettings(
        host=_get(env, "BRICKGATE_SMTP_HOST") or "",
        port=int(port_text),
        user=user,
        password=password,
        sender=_get(env, "BRICKGATE_SMTP_FROM") or "",
        recipients=recipients,
        starttls=starttls,
        ca_file=_get(env, "BRICKGATE_SMTP_CA_FILE"),
    )


def _channel_names(channels: Sequence[str]) -> tuple[Channel, ...]:
    chosen: list[Channel] = []
    for raw in channels:
        name = raw.strip().lower()
        if name not in CHANNELS:
            close = suggest(name, CHANNELS)
            hint = f" (did you mean '{close}'?)" if close else ""
            raise ConfigError(UNKNOWN_CHANNEL.format(name=raw.strip(), hint=hint, valid=", ".join(CHANNELS)))
        if name not in chosen:
            chosen.append(name)  # type: ignore[arg-type]  # checked against CHANNELS above
    return tuple(chosen)


def _environment(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _get(env: Mapping[str, str], name: str) -> str | None:
    """A variable's value, with empty (an unset action input) meaning unset."""
    value = env.get(name, "").strip()
    return value or None


def _url(env: Mapping[str, str], name: str) -> str:
    value = _get(env, name) or ""
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError as exc:  # e.g. an unclosed '[' of an IPv6 host; its text is not shown (a secret URL)
        raise ConfigError(BAD_URL.format(name=name)) from exc
    secure = parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)
    if not secure or not host:
        raise ConfigError(BAD_URL.format(name=name))
    return value


def _bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    value = _get(env, name)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ConfigError(BAD_BOOL.format(name=name, value=value))


def _redactor(env: Mapping[str, str]) -> Callable[[str], str]:
    """Replace every secret, and the path of every secret URL (what HTTP logs show), by ``***``."""
    fragments = set(secret_values(env))
    for value in list(fragments):
        parts = urlsplit(value)
        if parts.scheme and parts.netloc:
            tail = parts.path + (f"?{parts.query}" if parts.query else "")
            if len(tail) >= MIN_SECRET_LENGTH:
                fragments.add(tail)
    ordered = sorted(fragments, key=len, reverse=True)

    def clean(text: str) -> str:
        for fragment in ordered:
            text = text.replace(fragment, "***")
        return text

    return clean


class _RedactingFilter(logging.Filter):
    """Rewrites records of the HTTP client loggers, which log request paths at DEBUG level."""

    def __init__(self, clean: Callable[[str], str]) -> None:
        super().__init__()
        self._clean = clean

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


@contextmanager
def _redacted_http_logs(clean: Callable[[str], str]) -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in HTTP_LOGGERS]
    redacting = _RedactingFilter(clean)
    for logger in loggers:
        logger.addFilter(redacting)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(redacting)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scalar(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _slack_escape(text: str) -> str:
    """Slack mrkdwn control characters (``&``, ``<``, ``>``) as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
