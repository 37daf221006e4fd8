"""A real SMTP server on 127.0.0.1 (aiosmtpd) with STARTTLS and AUTH, for email tests.

The TLS certificate is self-signed, generated per test with `cryptography` for ``localhost``
and ``127.0.0.1``; a client trusts it by loading `cert_path` as its CA file. AUTH (PLAIN and
LOGIN) is offered only after STARTTLS, and only `user`/`password` are accepted.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed_certificate(directory: Path, *, common_name: str = "localhost") -> tuple[Path, Path]:
    """Write `cert.pem` and `key.pem` valid for localhost and 127.0.0.1 for one day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass(frozen=True, kw_only=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: Message
    authenticated_as: str | None
    tls: bool


@dataclass(kw_only=True)
class SmtpServer:
    host: str
    port: int
    cert_path: Path
    user: str
    password: str
    messages: list[ReceivedMail] = field(default_factory=list)
    failed_logins: int = 0
    data_replies: list[str] = field(default_factory=list)  # scripted DATA replies (e.g. "451 ..."), used first


class _Recorder:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        if self._server.data_replies:
            return self._server.data_replies.pop(0)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self._server.messages.append(
            ReceivedMail(
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                message=message_from_bytes(envelope.original_content or envelope.content),
                authenticated_as=login,
                tls=session.ssl is not None,
            )
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A port that was free a moment ago (aiosmtpd's Controller cannot listen on port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def smtp_server(directory: Path, *, user: str = "gatebot", password: str = "smtp-pass-5ecret") -> Iterator[SmtpServer]:
    """Run an SMTP server requiring STARTTLS before AUTH and AUTH before MAIL; yield its facts."""
    cert_path, key_path = self_signed_certificate(directory)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert_path, key_path)
    server = SmtpServer(host="127.0.0.1", port=free_port(), cert_path=cert_path, user=user, password=password)

    def authenticate(smtp: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == (user, password)
        if not ok:
            server.failed_logins += 1
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    controller = Controller(
        _Recorder(server),
        hostname=server.host,
        port=server.port,
        server_hostname="localhost",
        tls_context=tls,
        require_starttls=True,
        auth_require_tls=True,
        auth_required=True,
        authenticator=authenticate,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
