"""Email over SMTP: verified STARTTLS, AUTH only over TLS; people get no resolves."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from brickgate.alerts.channel import Attempt, ChannelSpec
from brickgate.alerts.model import Alert, Outcome, one_line, scalar
from brickgate.alerts.settings import boolean, get
from brickgate.alerts.transport import Transport
from brickgate.errors import ConfigError

DEFAULT_PORT = 587
BAD_PORT = "BRICKGATE_SMTP_PORT must be a port number 1-65535, got '{value}'"
BAD_RECIPIENTS = "BRICKGATE_SMTP_TO must be a comma-separated list of addresses"
PASSWORD_WITHOUT_USER = "BRICKGATE_SMTP_PASSWORD is set but BRICKGATE_SMTP_USER is not"
USER_WITHOUT_PASSWORD = "BRICKGATE_SMTP_USER is set but BRICKGATE_SMTP_PASSWORD is not"
AUTH_WITHOUT_TLS = (
    "BRICKGATE_SMTP_USER is set but BRICKGATE_SMTP_STARTTLS is false: "
    "brickgate never sends a password over an unencrypted connection"
)


@dataclass(frozen=True, kw_only=True)
class Settings:
    host: str
    port: int
    user: str | None
    password: str | None = field(repr=False)
    sender: str
    recipients: tuple[str, ...]
    starttls: bool
    ca_file: str | None


def settings(env: Mapping[str, str]) -> Settings:
    port_text = get(env, "BRICKGATE_SMTP_PORT") or str(DEFAULT_PORT)
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ConfigError(BAD_PORT.format(value=port_text))
    recipients = tuple(part.strip() for part in (get(env, "BRICKGATE_SMTP_TO") or "").split(","))
    if not recipients or not all(recipients):
        raise ConfigError(BAD_RECIPIENTS)
    user, password = get(env, "BRICKGATE_SMTP_USER"), get(env, "BRICKGATE_SMTP_PASSWORD")
    starttls = boolean(env, "BRICKGATE_SMTP_STARTTLS", default=True)
    if password and not user:
        raise ConfigError(PASSWORD_WITHOUT_USER)
    if user and not password:
        raise ConfigError(USER_WITHOUT_PASSWORD)
    if user and not starttls:
        raise ConfigError(AUTH_WITHOUT_TLS)
    return Settings(
        host=get(env, "BRICKGATE_SMTP_HOST") or "",
        port=int(port_text),
        user=user,
        password=password,
        sender=get(env, "BRICKGATE_SMTP_FROM") or "",
        recipients=recipients,
        starttls=starttls,
        ca_file=get(env, "BRICKGATE_SMTP_CA_FILE"),
    )


def skip(alert: Alert) -> str | None:
    return "not sent: email gets no resolves" if alert.resolve else None


def message(alert: Alert, *, sender: str, recipients: Sequence[str]) -> EmailMessage:
    """Plain-text email: subject = title, body = lines, details, report link and dedup key."""
    mail = EmailMessage()
    mail["Subject"] = one_line(alert.title)
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid(domain="brickgate.invalid")
    mail["X-Brickgate-Dedup-Key"] = one_line(alert.dedup_key)
    mail["X-Brickgate-Severity"] = alert.severity
    parts = [one_line(alert.title), "", *alert.lines]
    if alert.details:
        parts += ["", "Details:", *(f"  {k}: {scalar(v)}" for k, v in alert.details.items())]
    if alert.report_url:
        parts += ["", f"Report: {alert.report_url}"]
    status = "resolved" if alert.resolve else alert.severity
    parts += ["", "-- ", f"Sent by brickgate ({alert.gate} gate, {status}, dedup key {alert.dedup_key})"]
    mail.set_content("\n".join(parts) + "\n")
    return mail


def prepare(target: Settings, alert: Alert, transport: Transport) -> Attempt:
    mail = message(alert, sender=target.sender, recipients=target.recipients)
    return lambda: send(target, mail, timeout=transport.timeout())


def send(target: Settings, mail: EmailMessage, *, timeout: float) -> Outcome:
    """Connect, STARTTLS, AUTH and send once; SMTP 4xx and connection errors are worth a retry."""
    try:
        with smtplib.SMTP(target.host, target.port, timeout=timeout) as client:
            if target.starttls:
                client.starttls(context=ssl.create_default_context(cafile=target.ca_file))
            if target.user:
                client.login(target.user, target.password or "")
            client.send_message(mail)
    except smtplib.SMTPAuthenticationError as exc:
        return Outcome(ok=False, detail=f"SMTP authentication failed (SMTP {exc.smtp_code})")
    except smtplib.SMTPNotSupportedError:
        return Outcome(ok=False, detail="SMTP server does not offer STARTTLS or AUTH")
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _ in exc.recipients.values()})
        transient = all(400 <= code < 500 for code in codes)
        return Outcome(ok=False, detail=f"SMTP recipients refused ({', '.join(map(str, codes))})", retry=transient)
    except smtplib.SMTPResponseException as exc:
        return Outcome(ok=False, detail=f"SMTP {exc.smtp_code}", retry=400 <= exc.smtp_code < 500)
    except ssl.SSLCertVerificationError:
        return Outcome(ok=False, detail="TLS certificate verification failed")
    except smtplib.SMTPServerDisconnected:
        return Outcome(ok=False, detail="SMTP server disconnected", retry=True)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(ok=False, detail=f"connection failed ({type(exc).__name__})", retry=True)
    return Outcome(ok=True, detail=f"delivered to {len(target.recipients)} recipient(s)")


CHANNEL = ChannelSpec(
    name="email",
    required_env=("BRICKGATE_SMTP_HOST", "BRICKGATE_SMTP_FROM", "BRICKGATE_SMTP_TO"),
    settings=settings,
    skip=skip,
    prepare=prepare,
)
