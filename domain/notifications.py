"""What the case asks to be sent, to whom, and what became of it.

The workflow builds a `Notice` for each logical event and recipient; the notification activity
renders its template and delivers it once. `Notice.key` is the idempotency key: case reference,
event and recipient id, nothing personal, so it may appear in logs and in GOV.UK Notify's
`reference`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from domain.models import (
    CaseOutcome,
    Channel,
    Contact,
    DeliveryStatus,
    Model,
    SessionResult,
)


class RecipientKind(StrEnum):
    applicant = "applicant"
    organisation = "organisation"
    mediator = "mediator"
    case_officer = "case_officer"


class Template(StrEnum):
    """One message per event; each has a variant per recipient kind and channel."""

    case_opened = "case_opened"
    resolution_offered = "resolution_offered"
    consent_reminder = "consent_reminder"
    consent_recorded = "consent_recorded"
    case_declined = "case_declined"
    no_response = "no_response"
    mediator_assigned = "mediator_assigned"
    session_scheduled = "session_scheduled"
    session_reminder = "session_reminder"
    written_outcome = "written_outcome"
    action_due = "action_due"
    action_overdue = "action_overdue"
    appeal_warning = "appeal_warning"
    withdrawn = "withdrawn"
    case_closed = "case_closed"
    # Statutory mediation only.
    mediation_opened = "mediation_opened"
    mediation_chosen = "mediation_chosen"
    mediation_declined = "mediation_declined"
    certificate_issued = "certificate_issued"
    cannot_arrange = "cannot_arrange"
    # To each health commissioning body: the mediation issues and the health care provision sought
    # (SEND Regs 2014 reg 32(e); the LA's notice within 3 working days).
    health_notice = "health_notice"
    # To the Local Authority where it was not a party (health-only mediation): the agreement, within
    # 1 week (reg 42(4)), sent for the commissioning body.
    agreement_notice = "agreement_notice"
    # Staff only: reminders and escalations to the case officer.
    deadline_reminder = "deadline_reminder"
    deadline_missed = "deadline_missed"
    notification_failed = "notification_failed"
    late_opening = "late_opening"
    later_certificate = "later_certificate"  # a second certificate: the first fixed the appeal deadline
    school_age_reached = "school_age_reached"  # the child is past compulsory school age: who is the party?
    # Answers online (DESIGN section 14): every party is asked which proposed session times it can
    # make; the case officer is told when a party answers through its link.
    availability_requested = "availability_requested"
    answered_online = "answered_online"


class AnswerPurpose(StrEnum):
    """What a message asks its recipient to answer, through the link the public site adds to it."""

    consent = "consent"  # disagreement resolution: agree to the offer or not (SEND Code 11.6)
    mediation_choice = "mediation_choice"  # statutory mediation: mediate or not (SEND Regs 2014 regs 32(e), 33)
    availability = "availability"  # which proposed session times the party can make


class Recipient(Model):
    id: str  # "applicant", "org-1", "mediator", "case_officer"
    kind: RecipientKind
    name: str  # for staff: the staff id
    contact: Contact | None = None  # None for staff: the activity addresses them by staff id
    supporter_email: str | None = None  # a SENDIASS adviser copied on email to the applicant


class AgreedActionFacts(Model):
    number: int
    description: str
    owner: str  # the owner's name, for people to read
    due: date
    appealable: bool = False
    due_source: str | None = None  # the rule the due date comes from, in words ("reg 42(3): 2 weeks ...")


class MessageFacts(Model):
    """What a template may say. Only `reference` and `case_officer` are always there."""

    reference: str
    case_officer: str
    due: date | None = None  # the date this message is about (consent by, action due, ...)
    deadline: str | None = None  # deadline name, for staff messages
    session_at: datetime | None = None
    previous_session_at: datetime | None = None  # session_scheduled: the time it has moved from
    venue: str | None = None
    mediator_name: str | None = None
    result: SessionResult | None = None
    outcome: CaseOutcome | None = None
    actions: list[AgreedActionFacts] = []
    party_name: str | None = None  # the party a staff message is about
    reason: str | None = None
    appeal_deadline: date | None = None
    supporter_name: str | None = None
    other_parties: list[str] = []  # names of the organisations in the case
    applicant_role: str | None = None  # parent | young_person | alternative_person: who "the party" is
    answer: str | None = None  # consent_recorded: "agreed" or "declined"
    waiting_for: list[str] = []  # consent_recorded / no_response: parties who have not answered
    resolution_started: bool = True  # withdrawn: whether disagreement resolution was ever offered
    by_service: bool = False  # withdrawn: the service closed the case (cancelled in Temporal), not a party
    route: str = "disagreement_resolution"  # or "mediation": the words a message uses for the service
    decision_kind: str | None = None  # statutory mediation: the LA decision, and when its notice was sent
    decision_date: date | None = None
    certificate_date: date | None = None
    certificate_reason: str | None = None
    school_only: bool = False
    arranging_body: list[str] = []  # who must make mediation take place (the LA, or health commissioners)
    health_only: bool = False  # statutory mediation about health alone: the commissioners arrange it, the LA is not a party
    local_authority: str | None = None  # the LA's name, where it is not a party (health-only mediation)
    mediation_issues: list[str] = []  # statutory mediation: education, health, social_care
    health_provision_sought: str | None = None  # reg 32(e)(iii), in the family's words
    certificate_issued_by: str | None = None  # mediation_adviser | mediator
    certificate_owed: bool = False  # withdrawn, no_agreement...: a certificate is still to come (reg 34; s.55(5))
    appeal_deadline_passed: bool = False  # late_opening: whether the computed appeal deadline has already gone
    first_certificate_date: date | None = None  # later_certificate: the certificate that fixed the appeal deadline
    school_age_ends: date | None = None  # school_age_reached: the last Friday in June of the year they turn 16
    # A message that asks something: what, and the last day (in England) it can be answered online;
    # the link expires at the end of that day. Only the recipients asked get them.
    asks: AnswerPurpose | None = None
    answer_until: date | None = None
    slots: list[datetime] = []  # availability_requested: the proposed session times, numbered from 1
    online_answer: str | None = None  # answered_online: what the party did, in words ("agreed to ...")


class ServiceContact(Model):
    """How anyone reaches the service, printed in every message on every channel (settings
    `DISAGREEMENT_SERVICE_*`): a letter carries it at the top, email at the foot, a text the phone."""

    name: str
    phone: str
    email: str
    postal_address: list[str]  # the lines of the address, postcode last
    web_page: str


class Notice(Model):
    key: str
    template: Template
    recipient: Recipient
    facts: MessageFacts


# The channel label of a message refused before a channel was chosen (no usable contact details),
# in the report (domain/report.py) and the operators' metrics (workflows/metrics.py).
NO_CHANNEL = "none"


class Delivery(Model):
    status: DeliveryStatus
    channel: Channel | None = None
    reason: str | None = None  # why it failed, in words, without personal data


# Recipients who are not parties; parties are "applicant", "org-1", ...
MEDIATOR = "mediator"
CASE_OFFICER = "case_officer"


@dataclass(frozen=True)
class Announcement:
    """What an event tells whom, as the domain decides it: the workflow sends one notice per
    recipient, keyed by `event` (the template's name when not given) and the recipient id."""

    template: Template
    to: tuple[str, ...]
    event: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    # Facts for some recipients only, over `facts` (e.g. what the family alone is asked).
    facts_for: dict[str, dict[str, Any]] = field(default_factory=dict)


def notice_key(reference: str, event: str, recipient_id: str) -> str:
    """The idempotency key of one message: stable across retries, free of personal data."""
    return f"{reference}.{event}.{recipient_id}"
