"""Notices for the notification tests, built in one place: every recipient kind, full or bare facts.

`PERSONAL_DATA` lists every personal detail these notices carry, so that tests can check that none
of it reaches a log line, a subject, a failure reason or a Notify reference.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.models import Channel, CaseOutcome, Contact, PostalAddress, SessionResult
from domain.notifications import AgreedActionFacts, AnswerPurpose, MessageFacts, Notice, Recipient, RecipientKind, ServiceContact, Template, notice_key

REFERENCE = "DR-2026-7KQ3XZ"
APPLICANT_EMAIL = "sam.parent@example.org"
APPLICANT_PHONE = "+447700900123"
SUPPORTER_EMAIL = "ali@sendiass.example.org"
ORGANISATION_EMAIL = "senco@hilltop.example.org"
MEDIATOR_EMAIL = "morgan@mediation.example.org"
ADDRESS = PostalAddress(lines=["12 Mill Lane", "Rotherham"], postcode="S60 1AA")
# The service's own contact details, as settings give them (the defaults: examples).
SERVICE = ServiceContact(
    name="Rotherham SEND disagreement resolution service", phone="01632 960123", email="send.dr@example.gov.uk",
    postal_address=["Riverside House", "Main Street", "Rotherham", "S60 1AE"], web_page="https://www.example.gov.uk/send-dr",
)

PERSONAL_DATA = [
    "Sam Parent", APPLICANT_EMAIL, "7700900123", "Mill Lane", "S60 1AA",
    "Ali Adviser", SUPPORTER_EMAIL, ORGANISATION_EMAIL, "Morgan Mediator", MEDIATOR_EMAIL, "Town Hall",
    "speech therapy",
]


def full_facts(**overrides) -> MessageFacts:
    """Every fact a message may use, set."""
    facts = dict(
        reference=REFERENCE,
        case_officer="jo.smith",
        due=date(2027, 1, 7),
        deadline="consent_window",
        session_at=datetime(2027, 1, 12, 14, 30, tzinfo=UTC),
        venue="Town Hall, Room 2",
        mediator_name="Morgan Mediator",
        result=SessionResult.partial_agreement,
        outcome=CaseOutcome.no_agreement,
        actions=[AgreedActionFacts(number=1, description="Review speech therapy hours", owner="Hill Top Primary", due=date(2027, 2, 1))],
        party_name="Hill Top Primary",
        reason="the email address was rejected",
        appeal_deadline=date(2027, 3, 1),
        supporter_name="Ali Adviser",
        other_parties=["Hill Top Primary", "Rotherham Council"],
        decision_kind="refusal_to_assess",
        decision_date=date(2026, 12, 1),
        certificate_date=date(2027, 1, 5),
        certificate_reason="mediation_concluded",
        arranging_body=["Rotherham Council"],
        local_authority="Rotherham Council",
        mediation_issues=["education", "health"],
        health_provision_sought="Weekly speech therapy from an NHS therapist",
        first_certificate_date=date(2027, 1, 5),  # the same certificate: no later one
        school_age_ends=date(2027, 6, 25),
        asks=AnswerPurpose.consent,
        answer_until=date(2027, 1, 7),
        slots=[datetime(2027, 1, 12, 14, 30, tzinfo=UTC), datetime(2027, 1, 13, 10, 0, tzinfo=UTC),
               datetime(2027, 1, 14, 9, 30, tzinfo=UTC)],
        online_answer="said which session times they can make",
    )
    return MessageFacts(**(facts | overrides))


def recipient(kind: RecipientKind, contact: Contact | None = None) -> Recipient:
    match kind:
        case RecipientKind.applicant:
            return Recipient(
                id="applicant", kind=kind, name="Sam Parent",
                contact=contact or Contact(email=APPLICANT_EMAIL, phone=APPLICANT_PHONE, address=ADDRESS),
                supporter_email=SUPPORTER_EMAIL,
            )
        case RecipientKind.organisation:
            return Recipient(id="org-1", kind=kind, name="Hill Top Primary", contact=contact or Contact(email=ORGANISATION_EMAIL))
        case RecipientKind.mediator:
            return Recipient(id="mediator", kind=kind, name="Morgan Mediator", contact=contact or Contact(email=MEDIATOR_EMAIL))
    return Recipient(id="case_officer", kind=kind, name="jo.smith", contact=contact)


def notice(
    template: Template = Template.resolution_offered,
    kind: RecipientKind = RecipientKind.applicant,
    *,
    facts: MessageFacts | None = None,
    contact: Contact | None = None,
    reference: str = REFERENCE,
) -> Notice:
    to = recipient(kind, contact)
    facts = facts or full_facts(reference=reference)
    return Notice(key=notice_key(facts.reference, template.value, to.id), template=template, recipient=to, facts=facts)


def prefers(channel: Channel) -> Contact:
    """The applicant's details, preferring one channel."""
    return Contact(email=APPLICANT_EMAIL, phone=APPLICANT_PHONE, address=ADDRESS, prefers=channel)
