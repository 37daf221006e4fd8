"""Alerts against real local receivers: an HTTP recorder and an aiosmtpd server with STARTTLS."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import TypedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brickgate import alerts
from brickgate.alerts import Alert, Delivery, check_channels, mail, send_alerts
from brickgate.alerts.model import now
from brickgate.errors import ConfigError
from brickgate.output import validate_against_schema
from tests.helpers.http_recorder import HttpRecorder, RecordedRequest, Reply
from tests.helpers.smtp_server import SmtpServer, free_port, smtp_server

SLACK_PATH = "/services/T0001/B0002/slack-token-XYZ123"
ROUTING_KEY = "R0utingKeyR0utingKeyR0utingKey12"
WEBHOOK_SECRET = "whsec-0123456789"


class RetryArgs(TypedDict):
    retries: int
    backoff_seconds: float
    max_wait_seconds: float


FAST = RetryArgs(retries=3, backoff_seconds=0.01, max_wait_seconds=0.5)

BIAS = Alert(
    gate="fairness",
    severity="critical",
    title="Bias detected in patient_gender",
    lines=("DI ratios: 0.72 - 1.15", "Required range: 0.8 - 1.25", "Action: Review model before deployment"),
    dedup_key="brickgate/fairness/claims-fraud/patient_gender",
    details={"model": "claims-fraud", "version": 7, "worst_di": 0.72},
    report_url="https://github.com/acme/claims/actions/runs/42",
)
PASSED = Alert(
    gate="fairness",
    severity="info",
    title="Fairness validation passed",
    lines=("All 3 attributes are fair", "Ready for deployment"),
    dedup_key="brickgate/fairness/claims-fraud",
)
RESOLVED = Alert(
    gate="fairness",
    severity="info",
    title="Fairness restored for patient_gender",
    lines=("DI ratios: 0.91 - 1.04",),
    dedup_key="brickgate/fairness/claims-fraud/patient_gender",
    resolve=True,
)


@pytest.fixture
def server() -> Iterator[HttpRecorder]:
    with HttpRecorder() as recorder:
        yield recorder


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    yield from smtp_server(tmp_path)


def http_env(server: HttpRecorder) -> dict[str, str]:
    return {
        "BRICKGATE_SLACK_WEBHOOK_URL": server.url(SLACK_PATH),
        "BRICKGATE_WEBHOOK_URL": server.url("/hook"),
        "BRICKGATE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "BRICKGATE_PAGERDUTY_ROUTING_KEY": ROUTING_KEY,
        "BRICKGATE_PAGERDUTY_EVENTS_URL": server.url("/v2/enqueue"),
    }


def smtp_env(smtp: SmtpServer, **overrides: str) -> dict[str, str]:
    env = {
        "BRICKGATE_SMTP_HOST": smtp.host,
        "BRICKGATE_SMTP_PORT": str(smtp.port),
        "BRICKGATE_SMTP_USER": smtp.user,
        "BRICKGATE_SMTP_PASSWORD": smtp.password,
        "BRICKGATE_SMTP_FROM": "brickgate@example.com",
        "BRICKGATE_SMTP_TO": "ml-team@example.com, risk@example.com",
        "BRICKGATE_SMTP_CA_FILE": str(smtp.cert_path),
    }
    return env | overrides


# --- channel validation -------------------------------------------------------------------


def test_unknown_channel_names_the_valid_ones_and_nothing_is_sent(server: HttpRecorder) -> None:
    with pytest.raises(ConfigError) as error:
        send_alerts([BIAS], ["slack", "slak"], env=http_env(server))
    assert str(error.value) == (
        "unknown alert channel 'slak' (did you mean 'slack'?); valid channels: slack, webhook, pagerduty, email"
    )
    assert server.requests == []


def test_missing_variables_are_named_per_channel() -> None:
    env = {"BRICKGATE_SMTP_HOST": "smtp.example.com", "BRICKGATE_SLACK_WEBHOOK_URL": ""}
    with pytest.raises(ConfigError) as error:
        check_channels(["slack", "email", "webhook"], env)
    assert str(error.value) == (
        "alert channel 'slack' needs BRICKGATE_SLACK_WEBHOOK_URL in the environment; "
        "alert channel 'email' needs BRICKGATE_SMTP_FROM, BRICKGATE_SMTP_TO in the environment; "
        "alert channel 'webhook' needs BRICKGATE_WEBHOOK_URL in the environment"
    )


def test_channels_are_normalised_and_deduplicated() -> None:
    env = {"BRICKGATE_PAGERDUTY_ROUTING_KEY": ROUTING_KEY}
    assert check_channels([" PagerDuty ", "pagerduty"], env) == ("pagerduty",)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"BRICKGATE_SLACK_WEBHOOK_URL": "http://hooks.example.com/services/T/B/secret-part"},
            "BRICKGATE_SLACK_WEBHOOK_URL must be an https:// URL (http:// only for localhost); its value is not shown",
        ),
        (
            {"BRICKGATE_SLACK_WEBHOOK_URL": "hooks.slack.com/services/T/B/secret-part"},
            "BRICKGATE_SLACK_WEBHOOK_URL must be an https:// URL (http:// only for localhost); its value is not shown",
        ),
    ],
)
def test_bad_urls_are_rejected_without_showing_them(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        check_channels(["slack"], env)
    assert str(error.value) == message
    assert "secret-part" not in str(error.value)


EMAIL_BASE = {"BRICKGATE_SMTP_HOST": "smtp.example.com", "BRICKGATE_SMTP_FROM": "a@x", "BRICKGATE_SMTP_TO": "b@x"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"BRICKGATE_SMTP_PORT": "smtp"}, mail.BAD_PORT.format(value="smtp")),
        ({"BRICKGATE_SMTP_PORT": "70000"}, mail.BAD_PORT.format(value="70000")),
        ({"BRICKGATE_SMTP_STARTTLS": "maybe"}, "BRICKGATE_SMTP_STARTTLS must be true or false, got 'maybe'"),
        ({"BRICKGATE_SMTP_TO": "a@x,,b@x"}, mail.BAD_RECIPIENTS),
        ({"BRICKGATE_SMTP_USER": "bot"}, mail.USER_WITHOUT_PASSWORD),
        ({"BRICKGATE_SMTP_PASSWORD": "pw-12345"}, mail.PASSWORD_WITHOUT_USER),
        (
            {"BRICKGATE_SMTP_USER": "bot", "BRICKGATE_SMTP_PASSWORD": "pw-12345", "BRICKGATE_SMTP_STARTTLS": "false"},
            mail.AUTH_WITHOUT_TLS,
        ),
    ],
)
def test_bad_email_settings(extra: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        check_channels(["email"], EMAIL_BASE | extra)
    assert str(error.value) == message
    assert "pw-12345" not in str(error.value)


def test_negative_retry_settings_are_a_config_error(server: HttpRecorder) -> None:
    with pytest.raises(ConfigError, match="retries must be >= 0"):
        send_alerts([BIAS], ["slack"], env=http_env(server), retries=-1)


def test_invalid_alert_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="severity"):
        Alert(gate="fairness", severity="fatal", title="t", lines=(), dedup_key="k")  # type: ignore[arg-type]


# --- payloads ----------------------------------------------------------------------------


def test_slack_message_blocks_and_fallback(server: HttpRecorder) -> None:
    [delivery] = send_alerts([BIAS], ["slack"], env=http_env(server), **FAST)
    assert delivery == Delivery(
        channel="slack", ok=True, attempts=1, detail="delivered (HTTP 200)", dedup_key=BIAS.dedup_key
    )
    [request] = server.requests
    assert request.path == SLACK_PATH
    assert request.headers["content-type"] == "application/json"
    body = request.json()
    assert body["text"] == (
        "Bias detected in patient_gender\nDI ratios: 0.72 - 1.15\nRequired range: 0.8 - 1.25\n"
        "Action: Review model before deployment"
    )
    header, lines, fields, context = body["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": ":rotating_light: Bias detected in patient_gender", "emoji": True},
    }
    assert lines["text"]["text"] == (
        "DI ratios: 0.72 - 1.15\nRequired range: 0.8 - 1.25\nAction: Review model before deployment"
    )
    assert [f["text"] for f in fields["fields"]] == ["*model*\nclaims-fraud", "*version*\n7", "*worst_di*\n0.72"]
    assert context["elements"][0]["text"] == (
        "brickgate fairness gate · critical · <https://github.com/acme/claims/actions/runs/42|View report>"
    )


def test_slack_passed_notice_and_mrkdwn_escaping() -> None:
    passed = alerts.slack_payload(PASSED)
    assert passed["text"] == "Fairness validation passed\nAll 3 attributes are fair\nReady for deployment"
    assert passed["blocks"][0]["text"]["text"] == ":white_check_mark: Fairness validation passed"
    tricky = Alert(gate="psi", severity="warning", title="x", lines=("a < b & c > d",), dedup_key="k")
    assert alerts.slack_payload(tricky)["blocks"][1]["text"]["text"] == "a &lt; b &amp; c &gt; d"


def test_webhook_body_is_signed_and_a_receiver_can_verify_it(server: HttpRecorder) -> None:
    [delivery] = send_alerts([BIAS], ["webhook"], env=http_env(server), **FAST)
    assert delivery.ok
    [request] = server.requests
    # The receiver's check, written from the documentation: HMAC-SHA256 over the raw bytes.
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["x-brickgate-signature-256"], expected)
    body = request.json()
    assert body.pop("sent_at").endswith("Z")
    assert body.pop("id") == request.headers["x-brickgate-delivery"]
    assert body == {
        "schema": "brickgate.alert/v1",
        "gate": "fairness",
        "severity": "critical",
        "status": "triggered",
        "title": "Bias detected in patient_gender",
        "lines": list(BIAS.lines),
        "text": "\n".join([BIAS.title, *BIAS.lines]),
        "dedup_key": "brickgate/fairness/claims-fraud/patient_gender",
        "details": {"model": "claims-fraud", "version": 7, "worst_di": 0.72},
        "report_url": "https://github.com/acme/claims/actions/runs/42",
    }


def test_webhook_body_matches_the_shipped_schema() -> None:
    for alert in (BIAS, PASSED, RESOLVED):
        body = alerts.webhook_body(alert, delivery_id="0f0e", sent_at=now())
        validate_against_schema(json.loads(json.dumps(body)), "alert-webhook")


def test_webhook_without_secret_is_unsigned_and_retries_resend_identical_bytes(server: HttpRecorder) -> None:
    env = http_env(server)
    del env["BRICKGATE_WEBHOOK_SECRET"]
    server.script(Reply(status=502))
    [delivery] = send_alerts([RESOLVED], ["webhook"], env=env, **FAST)
    assert (delivery.ok, delivery.attempts) == (True, 2)
    first, second = server.requests
    assert "x-brickgate-signature-256" not in first.headers
    assert first.body == second.body
    assert first.headers["x-brickgate-delivery"] == second.headers["x-brickgate-delivery"]
    assert first.json()["status"] == "resolved"


def test_pagerduty_trigger_resolve_and_skipped_info(server: HttpRecorder) -> None:
    server.script(Reply.json_body({"status": "success", "dedup_key": BIAS.dedup_key}, status=202))
    deliveries = send_alerts([BIAS, RESOLVED, PASSED], ["pagerduty"], env=http_env(server), **FAST)
    assert [(d.ok, d.attempts) for d in deliveries] == [(True, 1), (True, 1), (True, 0)]
    assert deliveries[0].detail == "delivered (HTTP 202)"
    trigger, resolve = (r.json() for r in server.requests)
    assert {r.path for r in server.requests} == {"/v2/enqueue"}
    timestamp = trigger["payload"].pop("timestamp")
    assert timestamp.endswith("Z")
    assert trigger == {
        "routing_key": ROUTING_KEY,
        "event_action": "trigger",
        "dedup_key": "brickgate/fairness/claims-fraud/patient_gender",
        "client": "brickgate",
        "client_url": BIAS.report_url,
        "links": [{"href": BIAS.report_url, "text": "brickgate report"}],
        "payload": {
            "summary": "Bias detected in patient_gender",
            "source": "claims-fraud",
            "severity": "critical",
            "component": "fairness-gate",
            "class": "brickgate fairness gate",
            "custom_details": {"lines": list(BIAS.lines), "model": "claims-fraud", "version": 7, "worst_di": 0.72},
        },
    }
    assert resolve == {"routing_key": ROUTING_KEY, "event_action": "resolve", "dedup_key": trigger["dedup_key"]}


def test_pagerduty_long_dedup_key_is_shortened_the_same_way_for_trigger_and_resolve() -> None:
    key = "brickgate/psi/" + "m" * 300
    trigger = Alert(gate="psi", severity="warning", title="Drift", lines=(), dedup_key=key)
    resolve = Alert(gate="psi", severity="info", title="No drift", lines=(), dedup_key=key, resolve=True)
    first = alerts.pagerduty_event(trigger, routing_key="r", timestamp="t")["dedup_key"]
    second = alerts.pagerduty_event(resolve, routing_key="r", timestamp="t")["dedup_key"]
    assert first == second
    assert len(first) == 255
    assert first.endswith("#" + hashlib.sha256(key.encode()).hexdigest())


# --- retries -----------------------------------------------------------------------------


def test_429_then_200_is_delivered_on_the_second_attempt(server: HttpRecorder) -> None:
    server.script(Reply(status=429, body="rate_limited"))
    [delivery] = send_alerts([BIAS], ["slack"], env=http_env(server), **FAST)
    assert delivery == Delivery(
        channel="slack", ok=True, attempts=2, detail="delivered (HTTP 200) after 2 attempts", dedup_key=BIAS.dedup_key
    )
    assert len(server.requests) == 2


def test_503_every_time_gives_up_after_the_retries_with_doubling_backoff(server: HttpRecorder) -> None:
    server.script(*[Reply(status=503, body="no_service")] * 10)
    [delivery] = send_alerts([BIAS], ["pagerduty"], env=http_env(server), retries=3, backoff_seconds=0.05)
    assert not delivery.ok
    assert delivery.attempts == 4 == len(server.requests)
    assert delivery.detail == "not delivered: HTTP 503: no_service; gave up after 4 attempts"
    # waits 0.05, 0.10, 0.20 s (backoff · 2^(n−1)); generous upper bounds for a busy machine
    for gap, wait in zip(server.gaps(), (0.05, 0.10, 0.20), strict=True):
        assert wait <= gap < wait + 1.5


@given(
    backoff=st.floats(min_value=0, max_value=10),
    cap=st.floats(min_value=0, max_value=60),
    retry_after=st.none() | st.floats(min_value=0, max_value=1e6),
)
def test_retry_wait_never_exceeds_the_cap_and_backoff_never_shrinks(
    backoff: float, cap: float, retry_after: float | None
) -> None:
    waits = [
        alerts.retry_wait(n, backoff_seconds=backoff, max_wait_seconds=cap, retry_after=retry_after)
        for n in range(1, 8)
    ]
    assert all(0 <= w <= cap for w in waits)
    assert waits == sorted(waits)


def test_a_non_retryable_reply_after_a_retry_says_when(server: HttpRecorder) -> None:
    server.script(Reply(status=503), Reply(status=400, body="invalid_payload"))
    [delivery] = send_alerts([BIAS], ["slack"], env=http_env(server), **FAST)
    assert (delivery.ok, delivery.attempts) == (False, 2)
    assert delivery.detail == "not delivered: HTTP 400: invalid_payload on attempt 2 (not retried)"


def test_other_4xx_is_not_retried(server: HttpRecorder) -> None:
    server.script(Reply(status=404, body="no_team"))
    [delivery] = send_alerts([BIAS], ["slack"], env=http_env(server), **FAST)
    assert (delivery.ok, delivery.attempts, delivery.detail) == (
        False,
        1,
        "not delivered: HTTP 404: no_team (not retried)",
    )


def test_redirects_are_not_followed(server: HttpRecorder) -> None:
    server.script(Reply(status=302, headers={"Location": server.url("/elsewhere")}))
    [delivery] = send_alerts([BIAS], ["webhook"], env=http_env(server), **FAST)
    assert delivery.detail == "not delivered: HTTP 302 (redirects are not followed) (not retried)"
    assert [r.path for r in server.requests] == ["/hook"]


def test_retry_after_is_honoured(server: HttpRecorder) -> None:
    server.script(Reply(status=429, headers={"Retry-After": "1"}))
    [delivery] = send_alerts(
        [BIAS], ["slack"], env=http_env(server), retries=1, backoff_seconds=0.01, max_wait_seconds=5
    )
    assert (delivery.ok, delivery.attempts) == (True, 2)
    [gap] = server.gaps()
    assert 1.0 <= gap < 3.0


def test_retry_after_is_capped(server: HttpRecorder) -> None:
    server.script(Reply(status=503, headers={"Retry-After": "3600"}))
    [delivery] = send_alerts(
        [BIAS], ["slack"], env=http_env(server), retries=1, backoff_seconds=0.01, max_wait_seconds=0.2
    )
    assert delivery.ok
    [gap] = server.gaps()
    assert 0.2 <= gap < 3.0  # far below the 3600 s asked for


def test_timeout_is_retried(server: HttpRecorder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alerts.delivery, "ATTEMPT_SECONDS", 0.5)
    server.script(Reply(status=200, delay=1.5))
    [delivery] = send_alerts([BIAS], ["webhook"], env=http_env(server), **FAST)
    assert delivery.ok
    assert delivery.attempts >= 2  # the first attempt timed out
    assert delivery.detail == f"delivered (HTTP 200) after {delivery.attempts} attempts"


def test_a_channel_that_is_down_fails_quickly_and_skips_its_other_alerts(server: HttpRecorder) -> None:
    env = http_env(server) | {"BRICKGATE_SLACK_WEBHOOK_URL": f"http://127.0.0.1:{free_port()}{SLACK_PATH}"}
    started = time.monotonic()
    deliveries = send_alerts([BIAS, PASSED], ["slack", "webhook"], env=env, **FAST)
    assert time.monotonic() - started < 5.0
    assert [(d.channel, d.ok, d.attempts) for d in deliveries] == [
        ("slack", False, 4),
        ("slack", False, 0),
        ("webhook", True, 1),
        ("webhook", True, 1),
    ]
    assert deliveries[0].detail == "not delivered: connection failed; gave up after 4 attempts"
    assert deliveries[1].detail == "skipped: an earlier alert on this channel failed"


# --- email -------------------------------------------------------------------------------


def body_text(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode().replace("\r\n", "\n")


def test_email_over_starttls_with_auth(smtp: SmtpServer) -> None:
    [delivery] = send_alerts([BIAS], ["email"], env=smtp_env(smtp), **FAST)
    assert delivery == Delivery(
        channel="email", ok=True, attempts=1, detail="delivered to 2 recipient(s)", dedup_key=BIAS.dedup_key
    )
    [mail] = smtp.messages
    assert (mail.tls, mail.authenticated_as) == (True, "gatebot")
    assert mail.mail_from == "brickgate@example.com"
    assert mail.rcpt_tos == ("ml-team@example.com", "risk@example.com")
    assert mail.message["Subject"] == "Bias detected in patient_gender"
    assert mail.message.get_content_type() == "text/plain"
    assert body_text(mail.message) == (
        "Bias detected in patient_gender\n\nDI ratios: 0.72 - 1.15\nRequired range: 0.8 - 1.25\n"
        "Action: Review model before deployment\n\nDetails:\n  model: claims-fraud\n  version: 7\n  worst_di: 0.72\n\n"
        "Report: https://github.com/acme/claims/actions/runs/42\n\n-- \n"
        "Sent by brickgate (fairness gate, critical, dedup key brickgate/fairness/claims-fraud/patient_gender)\n"
    )


def test_email_wrong_password_is_not_retried(smtp: SmtpServer) -> None:
    [delivery] = send_alerts([BIAS], ["email"], env=smtp_env(smtp, BRICKGATE_SMTP_PASSWORD="wrong-pass"), **FAST)
    assert (delivery.ok, delivery.attempts) == (False, 1)
    assert delivery.detail == "not delivered: SMTP authentication failed (SMTP 535) (not retried)"
    assert smtp.failed_logins >= 1  # smtplib tries each offered mechanism (PLAIN, LOGIN) on one connection
    assert smtp.messages == []


def test_email_refuses_an_untrusted_certificate(smtp: SmtpServer) -> None:
    env = smtp_env(smtp)
    del env["BRICKGATE_SMTP_CA_FILE"]
    [delivery] = send_alerts([BIAS], ["email"], env=env, **FAST)
    assert (delivery.ok, delivery.attempts) == (False, 1)
    assert delivery.detail == "not delivered: TLS certificate verification failed (not retried)"


def test_email_4xx_reply_is_retried(smtp: SmtpServer) -> None:
    smtp.data_replies.append("451 4.3.0 Mail server temporarily rejected message")
    [delivery] = send_alerts([PASSED], ["email"], env=smtp_env(smtp), **FAST)
    assert (delivery.ok, delivery.attempts) == (True, 2)
    assert [m.message["Subject"] for m in smtp.messages] == ["Fairness validation passed"]


def test_email_without_starttls_is_refused_by_a_server_that_requires_it(smtp: SmtpServer) -> None:
    env = smtp_env(smtp, BRICKGATE_SMTP_STARTTLS="false")
    del env["BRICKGATE_SMTP_USER"], env["BRICKGATE_SMTP_PASSWORD"]
    [delivery] = send_alerts([BIAS], ["email"], env=env, **FAST)
    assert (delivery.ok, delivery.attempts) == (False, 1)
    assert delivery.detail == "not delivered: SMTP 530 (not retried)"


def test_email_server_down(tmp_path: Path) -> None:
    env = EMAIL_BASE | {"BRICKGATE_SMTP_HOST": "127.0.0.1", "BRICKGATE_SMTP_PORT": str(free_port())}
    [delivery] = send_alerts([BIAS], ["email"], env=env, retries=2, backoff_seconds=0.01)
    assert (delivery.ok, delivery.attempts) == (False, 3)
    assert delivery.detail == "not delivered: connection failed (ConnectionRefusedError); gave up after 3 attempts"


def test_settings_default_to_the_process_environment(server: HttpRecorder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRICKGATE_SLACK_WEBHOOK_URL", server.url(SLACK_PATH))
    [delivery] = send_alerts([PASSED], ["slack"], **FAST)
    assert delivery.ok
    assert server.requests[0].path == SLACK_PATH


# --- secrets -----------------------------------------------------------------------------


def test_no_secret_in_details_logs_or_errors(
    server: HttpRecorder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    env = http_env(server) | {
        "BRICKGATE_SMTP_HOST": "127.0.0.1",
        "BRICKGATE_SMTP_PORT": str(free_port()),
        "BRICKGATE_SMTP_USER": "gatebot",
        "BRICKGATE_SMTP_PASSWORD": "smtp-pass-5ecret",
        "BRICKGATE_SMTP_FROM": "a@x",
        "BRICKGATE_SMTP_TO": "b@x",
    }
    secrets = [SLACK_PATH, env["BRICKGATE_SLACK_WEBHOOK_URL"], ROUTING_KEY, WEBHOOK_SECRET, "smtp-pass-5ecret"]

    def echo(request: RecordedRequest) -> Reply:  # a hostile receiver that echoes everything back in a 500
        return Reply(status=500, body=f"{request.path} {request.body.decode()}")

    server.handler = echo
    deliveries = send_alerts([BIAS], ["slack", "webhook", "pagerduty", "email"], env=env, retries=1, backoff_seconds=0)
    assert not any(d.ok for d in deliveries)
    texts = [d.detail for d in deliveries] + [repr(d) for d in deliveries] + [caplog.text]
    with pytest.raises(ConfigError) as error:
        check_channels(["slack"], env | {"BRICKGATE_SLACK_WEBHOOK_URL": "ftp://x/" + SLACK_PATH})
    texts.append(str(error.value))
    texts.append(repr(mail.settings(env)))
    assert "urllib3" in caplog.text  # the HTTP client's debug log was captured, and redacted
    for text in texts:
        for secret in secrets:
            assert secret not in text
    assert json.loads(server.requests[4].body)["routing_key"] == ROUTING_KEY  # it was really sent
