"""GOV.UK Notify: the documented requests, channel choice, and both classes of failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment

from activities.delivery import TemporaryFailure
from activities.notifications import NotificationActivities
from domain.models import Channel, DeliveryStatus
from domain.notifications import RecipientKind, Template
from infra.settings import SettingsError, load_settings
from tests.delivery_servers import FakeNotify, every_template_id, notify_settings, template_id
from tests.notices import (
    APPLICANT_EMAIL,
    APPLICANT_PHONE,
    PERSONAL_DATA,
    SUPPORTER_EMAIL,
    notice,
    prefers,
)


def sender(tmp_path: Path, notify: FakeNotify, **overrides):
    return NotificationActivities(notify_settings(tmp_path, notify, **overrides)).send_notification


async def test_an_email_is_sent_as_notify_documents_it(tmp_path: Path, notify: FakeNotify) -> None:
    sent = notice(Template.resolution_offered, contact=prefers(Channel.email))
    delivery = await ActivityEnvironment().run(sender(tmp_path, notify), sent)

    assert delivery.status is DeliveryStatus.sent and delivery.channel is Channel.email
    family, adviser = notify.of_type("email")
    assert family["email_address"] == APPLICANT_EMAIL
    assert family["template_id"] == template_id(Template.resolution_offered, Channel.email)
    assert family["reference"] == sent.key == "DR-2026-7KQ3XZ.resolution_offered.applicant"
    fields = family["personalisation"]
    assert fields["name"] == "Sam Parent" and fields["due"] == "Thursday 7 January 2027"
    assert fields["body"].startswith("Dear Sam Parent,") and fields["subject"].endswith("case DR-2026-7KQ3XZ")
    # Notify has no Cc: the adviser gets the same message under a reference of its own.
    assert adviser["email_address"] == SUPPORTER_EMAIL and adviser["reference"] == f"{sent.key}.copy"


async def test_a_text_message_goes_to_the_phone_number(tmp_path: Path, notify: FakeNotify) -> None:
    delivery = await sender(tmp_path, notify)(notice(Template.consent_reminder, contact=prefers(Channel.sms)))

    assert delivery.channel is Channel.sms
    [text] = notify.of_type("sms")
    assert text["phone_number"] == APPLICANT_PHONE and text["personalisation"]["body"].startswith("Reminder:")
    assert not notify.of_type("email")  # advisers are copied on email only


async def test_a_letter_carries_the_address_in_its_personalisation(tmp_path: Path, notify: FakeNotify) -> None:
    delivery = await sender(tmp_path, notify)(notice(Template.appeal_warning, contact=prefers(Channel.letter)))

    assert delivery.channel is Channel.letter
    [letter] = notify.of_type("letter")
    fields = letter["personalisation"]
    assert (fields["address_line_1"], fields["address_line_4"]) == ("Sam Parent", "S60 1AA")
    assert letter["template_id"] == template_id(Template.appeal_warning, Channel.letter)


async def test_a_channel_without_a_notify_template_falls_back_to_the_next_one(tmp_path: Path, notify: FakeNotify) -> None:
    ids = every_template_id() | {"resolution_offered": {"email": template_id(Template.resolution_offered, Channel.email)}}
    delivery = await sender(tmp_path, notify, notify_template_ids=ids)(notice(contact=prefers(Channel.letter)))

    assert delivery.channel is Channel.email and not notify.of_type("letter")


async def test_staff_are_emailed_at_the_staff_domain(tmp_path: Path, notify: FakeNotify) -> None:
    await sender(tmp_path, notify)(notice(Template.notification_failed, RecipientKind.case_officer))

    [email] = notify.of_type("email")
    assert email["email_address"] == "jo.smith@send-service.example.gov.uk"


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_a_busy_or_failing_notify_is_retried_then_succeeds(tmp_path: Path, notify: FakeNotify, status: int) -> None:
    notify.fail_next.append((status, "RateLimitError" if status == 429 else "Exception"))
    send = sender(tmp_path, notify)

    with pytest.raises(TemporaryFailure) as raised:
        await ActivityEnvironment().run(send, notice(Template.case_opened, RecipientKind.organisation))
    assert not raised.value.non_retryable and raised.value.message == f"GOV.UK Notify is unavailable ({status})"

    delivery = await ActivityEnvironment().run(send, notice(Template.case_opened, RecipientKind.organisation))
    assert delivery.status is DeliveryStatus.sent and len(notify.of_type("email")) == 1


async def test_an_unreachable_notify_is_retried(tmp_path: Path) -> None:
    gone = FakeNotify()
    await gone.start()
    send = sender(tmp_path, gone)
    await gone.stop()

    with pytest.raises(TemporaryFailure, match=r"unavailable \(503\)"):  # the client's word for no connection
        await send(notice())


@pytest.mark.parametrize(("status", "error"), [(400, "ValidationError"), (400, "BadRequestError"), (403, "AuthError")])
async def test_a_refusal_is_a_failure_for_the_case_in_words_without_personal_data(
    tmp_path: Path, notify: FakeNotify, status: int, error: str
) -> None:
    notify.fail_next.append((status, error))
    send = sender(tmp_path, notify)

    delivery = await send(notice(contact=prefers(Channel.email)))
    again = await send(notice(contact=prefers(Channel.email)))

    assert delivery.status is DeliveryStatus.failed and delivery.channel is Channel.email
    assert delivery.reason == f"GOV.UK Notify refused the email ({status} {error})"
    assert not [detail for detail in PERSONAL_DATA if detail in delivery.reason]
    assert again == delivery and notify.posts == 1  # recorded: a retry does not ask again


async def test_a_key_with_the_wrong_secret_is_refused_by_the_token_check(tmp_path: Path, notify: FakeNotify) -> None:
    wrong_key = notify.api_key[:-36] + "00000000-0000-4000-8000-000000000000"
    delivery = await sender(tmp_path, notify, notify_api_key=wrong_key)(notice())

    assert delivery.reason == "GOV.UK Notify refused the email (403 AuthError)" and not notify.sent


def notify_environment(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    monkeypatch.setenv("DISAGREEMENT_NOTIFICATION_BACKEND", "notify")
    for name, value in variables.items():
        monkeypatch.setenv(f"DISAGREEMENT_{name}", value)


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({}, "DISAGREEMENT_NOTIFY_API_KEY must be set"),
        ({"NOTIFY_API_KEY": "not-a-key"}, "DISAGREEMENT_NOTIFY_API_KEY is not a GOV.UK Notify API key"),
        ({"NOTIFY_API_KEY": FakeNotify().api_key}, "DISAGREEMENT_NOTIFY_TEMPLATE_IDS has no template id for case_opened"),
        ({"NOTIFY_API_KEY": FakeNotify().api_key,
          "NOTIFY_TEMPLATE_IDS": '{"case_opened": {"email": "3f7e2a4c-0b1d-4e5f-8a9b-1c2d3e4f5a6b"}}'},
         "no template id for resolution_offered"),
        ({"NOTIFY_API_KEY": FakeNotify().api_key, "NOTIFY_TEMPLATE_IDS": '{"case_opened": {"email": "nope"}}'},
         "DISAGREEMENT_NOTIFY_TEMPLATE_IDS"),
    ],
)
def test_a_notify_backend_without_what_it_needs_stops_at_start_up(monkeypatch: pytest.MonkeyPatch, variables, named) -> None:
    notify_environment(monkeypatch, **variables)
    load_settings.cache_clear()
    try:
        with pytest.raises(SettingsError, match=named) as raised:
            load_settings()
    finally:
        load_settings.cache_clear()
    assert "disagreement_test-" not in str(raised.value)  # the key itself is never repeated


def test_template_ids_are_read_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    notify_environment(monkeypatch, NOTIFY_API_KEY=FakeNotify().api_key, NOTIFY_TEMPLATE_IDS=json.dumps(every_template_id()))
    load_settings.cache_clear()
    try:
        settings = load_settings()
    finally:
        load_settings.cache_clear()
    assert str(settings.notify_template_ids[Template.case_opened][Channel.sms]) == template_id(Template.case_opened, Channel.sms)
