"""Email through a real SMTP server (aiosmtpd on loopback), through the activity as Temporal runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from structlog.testing import capture_logs
from temporalio.api.failure.v1 import Failure
from temporalio.converter import DefaultFailureConverter, DefaultPayloadConverter
from temporalio.testing import ActivityEnvironment

from activities.delivery import TemporaryFailure
from activities.notifications import NotificationActivities
from domain.models import Channel, Contact, DeliveryStatus
from domain.notifications import RecipientKind, Template
from infra.settings import SettingsError, load_settings
from tests.delivery_servers import MAIL_FROM, Mailbox, smtp_settings
from tests.notices import (
    ADDRESS,
    APPLICANT_EMAIL,
    ORGANISATION_EMAIL,
    PERSONAL_DATA,
    REFERENCE,
    SUPPORTER_EMAIL,
    notice,
    prefers,
)

def sender(tmp_path: Path, smtp_port: int, **overrides):
    return NotificationActivities(smtp_settings(tmp_path, smtp_port, **overrides)).send_notification


async def test_an_email_arrives_with_its_recipients_subject_and_body(tmp_path: Path, smtp_port: int, mailbox: Mailbox) -> None:
    delivery = await ActivityEnvironment().run(sender(tmp_path, smtp_port), notice(Template.resolution_offered))

    assert delivery.status is DeliveryStatus.sent and delivery.channel is Channel.email
    [envelope] = mailbox.envelopes
    assert envelope.mail_from == "send@council.example.gov.uk"
    assert envelope.rcpt_tos == [APPLICANT_EMAIL, SUPPORTER_EMAIL]  # the family's adviser is copied
    [email] = mailbox.received
    assert email["To"] == f"Sam Parent <{APPLICANT_EMAIL}>" and email["Cc"] == SUPPORTER_EMAIL
    assert email["Subject"] == f"Would you like to try disagreement resolution? - case {REFERENCE}"
    assert email["Message-ID"].strip() == f"<{REFERENCE}.resolution_offered.applicant@council.example.gov.uk>"
    body = email.get_content()
    assert body.startswith("Dear Sam Parent,") and "Thursday 7 January 2027" in body and "SENDIASS" in body


async def test_staff_are_emailed_at_the_staff_domain_without_copies(tmp_path: Path, smtp_port: int, mailbox: Mailbox) -> None:
    delivery = await sender(tmp_path, smtp_port)(notice(Template.deadline_missed, RecipientKind.case_officer))

    assert delivery.status is DeliveryStatus.sent
    assert mailbox.envelopes[0].rcpt_tos == ["jo.smith@send-service.example.gov.uk"]


async def test_a_family_preferring_text_messages_is_emailed_when_only_email_can_go(tmp_path: Path, smtp_port: int, mailbox: Mailbox) -> None:
    delivery = await sender(tmp_path, smtp_port)(notice(contact=prefers(Channel.sms)))

    assert delivery.channel is Channel.email and mailbox.envelopes[0].rcpt_tos[0] == APPLICANT_EMAIL


async def test_a_recipient_with_only_a_postal_address_is_a_failure_in_words(tmp_path: Path, smtp_port: int, mailbox: Mailbox) -> None:
    delivery = await sender(tmp_path, smtp_port)(notice(contact=Contact(address=ADDRESS)))

    assert delivery.status is DeliveryStatus.failed
    assert delivery.reason == "the smtp backend cannot send resolution_offered by letter"
    assert not mailbox.received


async def test_a_server_that_is_down_is_retried_until_it_is_up(tmp_path: Path, smtp_port: int) -> None:
    send = sender(tmp_path, smtp_port)
    box = Mailbox()

    with pytest.raises(TemporaryFailure) as raised:
        await ActivityEnvironment().run(send, notice())
    assert not raised.value.non_retryable  # Temporal retries it with backoff
    assert "could not be reached" in raised.value.message
    assert not [detail for detail in PERSONAL_DATA if detail in raised.value.message]

    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        delivery = await ActivityEnvironment().run(send, notice())
    finally:
        controller.stop()
    assert delivery.status is DeliveryStatus.sent and len(box.received) == 1


async def test_a_refused_address_is_a_failure_for_the_case_not_a_retry(tmp_path: Path, smtp_port: int, mailbox: Mailbox) -> None:
    mailbox.refuse[APPLICANT_EMAIL] = f"550 5.1.1 <{APPLICANT_EMAIL}>: mailbox unavailable"
    send = sender(tmp_path, smtp_port)

    with capture_logs() as logs:
        delivery = await send(notice())
        again = await send(notice())  # a retry, or a replay: answered from the sent-log

    assert delivery.status is DeliveryStatus.failed and delivery.channel is Channel.email
    assert delivery.reason == "the mail server refused the email address (550)"
    assert again == delivery
    assert len(mailbox.envelopes) == 1  # the adviser's copy went once; nothing more was tried
    assert not [detail for detail in PERSONAL_DATA if detail in str(logs)]


async def test_a_deferred_address_is_retried_and_temporal_hears_no_address(tmp_path: Path, smtp_port: int, mailbox: Mailbox) -> None:
    mailbox.refuse[ORGANISATION_EMAIL] = f"450 4.2.1 <{ORGANISATION_EMAIL}>: try again later"

    with pytest.raises(TemporaryFailure, match=r"deferred the email address \(450\)") as raised:
        await sender(tmp_path, smtp_port)(notice(Template.case_opened, RecipientKind.organisation))

    recorded = Failure()  # what the worker would send to the Temporal server, causes included
    DefaultFailureConverter().to_failure(raised.value, DefaultPayloadConverter(), recorded)
    assert "450" in str(recorded) and not [detail for detail in PERSONAL_DATA if detail in str(recorded)]


async def test_starttls_is_required_not_attempted(tmp_path: Path, smtp_port: int, mailbox: Mailbox) -> None:
    """A server that does not offer STARTTLS (or a downgrade in the middle) gets nothing in plaintext."""
    with pytest.raises(TemporaryFailure):
        await sender(tmp_path, smtp_port, smtp_security="starttls")(notice())

    assert not mailbox.received


async def test_credentials_are_used_to_log_in(tmp_path: Path, smtp_port: int) -> None:
    logins = []

    def authenticator(server, session, envelope, mechanism, data: LoginPassword) -> AuthResult:
        logins.append((data.login, data.password))
        return AuthResult(success=True)

    controller = Controller(Mailbox(), hostname="127.0.0.1", port=smtp_port, authenticator=authenticator, auth_require_tls=False)
    controller.start()
    try:
        delivery = await sender(tmp_path, smtp_port, smtp_username="worker", smtp_password="s3cret-passw0rd")(notice())
    finally:
        controller.stop()
    assert delivery.status is DeliveryStatus.sent and logins == [(b"worker", b"s3cret-passw0rd")]


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({}, "DISAGREEMENT_SMTP_HOST and DISAGREEMENT_MAIL_FROM must be set"),
        ({"DISAGREEMENT_SMTP_HOST": "mail.example.gov.uk"}, "DISAGREEMENT_MAIL_FROM must be set"),
        ({"DISAGREEMENT_SMTP_HOST": "mail.example.gov.uk", "DISAGREEMENT_MAIL_FROM": MAIL_FROM,
          "DISAGREEMENT_SMTP_USERNAME": "worker"}, "DISAGREEMENT_SMTP_USERNAME and DISAGREEMENT_SMTP_PASSWORD"),
    ],
)
def test_an_smtp_backend_without_what_it_needs_stops_at_start_up(monkeypatch: pytest.MonkeyPatch, environment, named) -> None:
    monkeypatch.setenv("DISAGREEMENT_NOTIFICATION_BACKEND", "smtp")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    load_settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match=named):
            load_settings()
    finally:
        load_settings.cache_clear()
