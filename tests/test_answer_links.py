"""Links minted by the notification activity for a message that asks something (DESIGN section 14),
on SQLite and PostgreSQL: only the token's digest is kept, the identity check as a keyed hash, a retry
adds a second working link, and the sent-log still stops a second send."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from activities.delivery import TemporaryFailure
from activities.delivery.outbox import OutboxBackend
from activities.notifications import NotificationActivities
from domain.models import Channel, Contact, PostalAddress
from domain.notifications import AnswerPurpose, Delivery, Notice, Recipient, RecipientKind, Template
from infra.settings import Settings, SettingsError
from records.answer_links import AnswerLinks, CheckKind, LinkState, identity_check
from records.database import records_database_for
from tests.conftest import OWN_CONTACT_DETAILS, TEST_KEYS
from tests.notices import full_facts

LINK = re.compile(r"http://127\.0\.0\.1:8081/([A-Za-z0-9_-]{22})\b")
TODAY = datetime.now(UTC).date()


@dataclass
class FailsFirst:
    """The outbox, but the first hand-over fails for a while (a retry follows)."""

    outbox: OutboxBackend
    name: str = "outbox"
    failures: int = 1
    written: list[str] = field(default_factory=list)

    def can_send(self, template: Template, channel: Channel) -> bool:
        return True

    async def send(self, message, *, maybe_sent: bool) -> Delivery:
        self.written.append(message.content.body)
        if self.failures:
            self.failures -= 1
            raise TemporaryFailure("the mail server did not answer")
        return await self.outbox.send(message, maybe_sent=maybe_sent)


def asking(recipient_id: str = "applicant", contact: Contact | None = None, until: date | None = None, **facts) -> Notice:
    kind = RecipientKind.applicant if recipient_id == "applicant" else RecipientKind.organisation
    return Notice(
        key=f"DR-2026-7KQ3XZ.resolution_offered.{recipient_id}", template=Template.resolution_offered,
        recipient=Recipient(id=recipient_id, kind=kind, name="Sam Parent",
                            contact=contact or Contact(email="sam.parent@example.org", phone="07700 900123")),
        facts=full_facts(asks=AnswerPurpose.consent, answer_until=until or TODAY + timedelta(days=10), **facts),
    )


def store(settings: Settings) -> AnswerLinks:
    return AnswerLinks(records_database_for(settings), settings.public_site_secret())


async def test_a_message_that_asks_carries_a_link_kept_only_as_digests(records_settings: Settings) -> None:
    activities = NotificationActivities(records_settings)
    await activities.send_notification(asking())
    [written] = records_settings.outbox_path.glob("*.txt")
    text = written.read_text()
    [token] = LINK.findall(text)
    assert "the last 4 digits of your phone number" in text

    links = store(records_settings)
    link = await links.find(token)
    assert link is not None and (link.reference, link.party, link.purpose, link.check) == (
        "DR-2026-7KQ3XZ", "applicant", AnswerPurpose.consent, CheckKind.phone_last4,
    )
    assert link.state(datetime.now(UTC)) is LinkState.live
    answered = replace(link, spent_at=datetime.now(UTC))
    assert answered.state(datetime.now(UTC)) is LinkState.spent  # shows the answer given, asks nothing
    assert answered.state(link.expires_at) is LinkState.expired  # and nothing at all once its window ends
    # The end of the last day in England: midnight after it (GMT or BST).
    assert link.expires_at.astimezone(UTC).date() in (TODAY + timedelta(days=10), TODAY + timedelta(days=11))
    assert await links.is_recipient(link, "0123") and await links.is_recipient(link, "+44 7700 900123")
    assert not await links.is_recipient(link, "9123") and not await links.is_recipient(link, "")
    async with records_database_for(records_settings).transaction() as tx:
        rows = await tx.fetchall("SELECT * FROM answer_links")
    assert token not in repr(rows) and "0123" not in repr(rows)  # neither the token nor the answer is stored
    await links.close()


async def test_a_retry_adds_a_second_link_and_both_work_and_the_sent_log_stops_a_third(records_settings: Settings) -> None:
    backend = FailsFirst(OutboxBackend(records_settings.outbox_path))
    activities = NotificationActivities(records_settings, backend=backend)
    with pytest.raises(TemporaryFailure):
        await activities.send_notification(asking())
    await activities.send_notification(asking())
    await activities.send_notification(asking())  # sent already: the sent-log answers, nothing is minted
    assert len(backend.written) == 2
    first, second = (LINK.findall(body)[0] for body in backend.written)
    assert first != second
    links = store(records_settings)
    for token in (first, second):
        link = await links.find(token)
        assert link is not None and link.state(datetime.now(UTC)) is LinkState.live
    async with records_database_for(records_settings).transaction() as tx:
        assert (await tx.fetchall("SELECT COUNT(*) FROM answer_links"))[0][0] == 2
    await links.close()


async def test_no_link_where_nothing_is_asked_or_for_staff(settings: Settings) -> None:
    activities = NotificationActivities(settings)
    plain = asking().model_copy(update={"facts": full_facts(asks=None)})
    await activities.send_notification(plain)
    assert not LINK.search(next(settings.outbox_path.glob("*.txt")).read_text())
    # A message to the mediator, even one whose facts ask something, carries no link: staff answer
    # in the console, never through a link (ANSWERING).
    mediator = asking().model_copy(update={
        "key": "DR-2026-7KQ3XZ.session_scheduled.mediator", "template": Template.session_scheduled,
        "recipient": Recipient(id="mediator", kind=RecipientKind.mediator, name="Ali Mediator",
                               contact=Contact(email="ali.mediator@example.org")),
    })
    await activities.send_notification(mediator)
    [sent] = [path for path in settings.outbox_path.glob("*.txt") if "mediator" in path.name]
    assert not LINK.search(sent.read_text())
    async with records_database_for(settings).transaction() as tx:
        assert (await tx.fetchall("SELECT COUNT(*) FROM answer_links"))[0][0] == 0  # none minted either


@pytest.mark.parametrize(
    ("contact", "channel", "kind", "answer"),
    [
        (Contact(phone="07700 900123", email="a@example.org"), Channel.email, CheckKind.phone_last4, "0123"),
        (Contact(email="A@Example.org", address=PostalAddress(lines=["1 Mill Lane"], postcode="s60 1aa")), Channel.email,
         CheckKind.postcode, "S601AA"),
        (Contact(email="A@Example.org"), Channel.email, CheckKind.email, "a@example.org"),
    ],
    ids=["phone", "postcode", "email"],
)
def test_the_check_is_the_phone_else_the_postcode_else_the_email(contact, channel, kind, answer) -> None:
    recipient = Recipient(id="org-1", kind=RecipientKind.organisation, name="Hill Top", contact=contact)
    check = identity_check(recipient, channel, str(contact.email))
    assert (check.kind, check.answer) == (kind, answer)


async def test_a_letter_gives_the_address_to_type(settings: Settings) -> None:
    letter = Contact(address=PostalAddress(lines=["12 Mill Lane", "Rotherham"], postcode="S60 1AA"))
    await NotificationActivities(settings).send_notification(asking(contact=letter))
    text = next(settings.outbox_path.glob("*.txt")).read_text()
    assert "Type this address into the address bar of a web browser" in text and LINK.search(text)
    assert "the page will ask for your postcode" in text


def test_the_secret_is_written_once_in_development_and_required_in_production(tmp_path) -> None:
    development = Settings(data_dir=tmp_path, encryption_keys=TEST_KEYS)
    secret = development.public_site_secret()
    assert len(secret) >= 32 and development.public_site_secret() == secret  # the same for every process
    assert oct(development.public_site_secret_path.stat().st_mode & 0o777) == "0o600"
    production = Settings(data_dir=tmp_path / "elsewhere", encryption_keys=TEST_KEYS, production=True,
                          actor_verification="required", **OWN_CONTACT_DETAILS)
    with pytest.raises(SettingsError, match="DISAGREEMENT_PUBLIC_SITE_SECRET_FILE: cannot read"):
        production.public_site_secret()
    short = tmp_path / "short"
    short.write_text("too short")
    with pytest.raises(SettingsError, match="at least 32 characters"):
        Settings(data_dir=tmp_path, encryption_keys=TEST_KEYS, public_site_secret_file=short).public_site_secret()
