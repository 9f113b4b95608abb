"""The words of the domain: who is in a case, what staff ask for, and what a case looks like.

Everything here is plain pydantic: no Temporal, no I/O. Field names of `CaseView` and its parts are a
contract (DESIGN section 3): add fields, never rename them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import phonenumbers
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)


class ApplicantRole(StrEnum):
    parent = "parent"
    young_person = "young_person"


class OrganisationKind(StrEnum):
    early_years = "early_years"
    school = "school"
    college = "college"
    local_authority = "local_authority"
    health_commissioner = "health_commissioner"


class DisagreementKind(StrEnum):
    duties = "duties"
    provision = "provision"
    health_social_care = "health_social_care"


class EhcPoint(StrEnum):
    none = "none"
    needs_assessment = "needs_assessment"
    plan_drafting = "plan_drafting"
    awaiting_tribunal = "awaiting_tribunal"
    annual_review = "annual_review"
    reassessment = "reassessment"


class Channel(StrEnum):
    email = "email"
    sms = "sms"
    letter = "letter"


class CaseStage(StrEnum):
    informal_talks = "informal_talks"
    awaiting_consent = "awaiting_consent"
    arranging_session = "arranging_session"
    session_scheduled = "session_scheduled"
    monitoring_agreement = "monitoring_agreement"
    closed = "closed"


class CaseOutcome(StrEnum):
    resolved_informally = "resolved_informally"
    declined = "declined"
    no_response = "no_response"
    full_agreement = "full_agreement"
    partial_agreement = "partial_agreement"
    no_agreement = "no_agreement"
    withdrawn = "withdrawn"


class Consent(StrEnum):
    pending = "pending"
    agreed = "agreed"
    declined = "declined"
    withdrawn = "withdrawn"


class DeadlineState(StrEnum):
    open = "open"
    met = "met"
    missed = "missed"
    cancelled = "cancelled"


class TalkOutcome(StrEnum):
    resolved = "resolved"
    unresolved = "unresolved"


class SessionResult(StrEnum):
    full_agreement = "full_agreement"
    partial_agreement = "partial_agreement"
    no_agreement = "no_agreement"


class DeliveryStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


# --- Checked values -------------------------------------------------------------------------------

REFERENCE_PATTERN = re.compile(r"^DR-\d{4}-[0-9A-Z]{6}$")
STAFF_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
PARTY_ID_PATTERN = re.compile(r"^(applicant|org-[1-9][0-9]*)$")


def _staff_id(value: str) -> str:
    if not STAFF_ID_PATTERN.match(value):
        raise ValueError(
            "a staff id is 2 to 64 lower-case letters, digits, dots, dashes or underscores"
        )
    return value


def _uk_phone(value: str) -> str:
    # Notify's test numbers (07700 900xxx) are possible but not "valid": accept possible numbers.
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        raise ValueError("is not a phone number") from None
    # Only full numbers: "possible local only" numbers (e.g. "07700") would be stored mangled.
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise ValueError("is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


StaffId = Annotated[str, AfterValidator(_staff_id)]
PhoneNumber = Annotated[str, AfterValidator(_uk_phone)]


def _control_free(allowed: str) -> Callable[[str], str]:
    """Control characters (ESC sequences, carriage returns, NUL...) would act on staff terminals and
    forge lines in files and headers: refuse them, but for the line breaks and tabs `allowed`."""

    def check(value: str) -> str:
        if any(unicodedata.category(char) == "Cc" and char not in allowed for char in value):
            where = "" if allowed else " or line breaks"
            raise ValueError(f"must not contain control characters{where}")
        return value

    return check


def _deliverable_email(value: str) -> str:
    if not value.rpartition("@")[0].isascii():
        raise ValueError(
            "the part before @ has characters other than plain letters, digits and punctuation, "
            "which most mail servers cannot deliver to: give another address"
        )
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), AfterValidator(_control_free(""))]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), AfterValidator(_control_free("\n\t"))]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), AfterValidator(_control_free("\n\t"))]
Email = Annotated[EmailStr, AfterValidator(_deliverable_email)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- Opening a case -------------------------------------------------------------------------------


class PostalAddress(Model):
    lines: list[Name] = Field(min_length=1, max_length=6)
    postcode: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=5, max_length=8)]


class Contact(Model):
    email: Email | None = None
    phone: PhoneNumber | None = None
    address: PostalAddress | None = None
    prefers: Channel | None = None

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        available = self.channels()
        if not available:
            raise ValueError("give at least one way to reach them: email, phone or postal address")
        if self.prefers is not None and self.prefers not in available:
            raise ValueError(f"prefers {self.prefers.value} but no {self.prefers.value} details are given")
        return self

    def channels(self) -> list[Channel]:
        """The channels these details allow, the preferred one first."""
        available = [
            channel
            for channel, detail in (
                (Channel.email, self.email),
                (Channel.sms, self.phone),
                (Channel.letter, self.address),
            )
            if detail is not None
        ]
        if self.prefers in available:
            available.remove(self.prefers)
            available.insert(0, self.prefers)
        return available


class Applicant(Model):
    role: ApplicantRole
    name: Name
    contact: Contact


class Organisation(Model):
    kind: OrganisationKind
    name: Name
    contact: Contact


class Supporter(Model):
    """A SENDIASS adviser helping the family; copied into messages to the applicant."""

    name: Name
    email: Email


class OpenCase(Model):
    """Everything needed to open a case. The case reference is the workflow id, not a field here."""

    applicant: Applicant
    organisations: list[Organisation] = Field(min_length=1, max_length=9)
    kinds: list[DisagreementKind] = Field(min_length=1)
    ehc_point: EhcPoint
    summary: Summary
    case_officer: StaffId
    opened_by: StaffId
    appeal_deadline: date | None = None
    supporter: Supporter | None = None

    @field_validator("kinds")
    @classmethod
    def _distinct_kinds(cls, kinds: list[DisagreementKind]) -> list[DisagreementKind]:
        return list(dict.fromkeys(kinds))


# --- Staff actions (one input per update; every one names the acting staff member) ----------------


class StaffAction(Model):
    actor: StaffId


class RecordTalk(StaffAction):
    outcome: TalkOutcome
    notes: Text | None = None


class OfferResolution(StaffAction):
    pass


class RecordConsent(StaffAction):
    party: str
    agree: bool
    notes: Text | None = None


class AssignMediator(StaffAction):
    name: Name
    email: Email
    independent: bool = Field(
        description="Declared independent of the Local Authority (SEND Code 11.6)"
    )


class ScheduleSession(StaffAction):
    at: AwareDatetime
    venue: Text | None = None


class AgreedActionInput(Model):
    description: Text
    owner: str
    due: date | None = None


class RecordOutcome(StaffAction):
    result: SessionResult
    actions: list[AgreedActionInput] = Field(default_factory=list, max_length=50)


class CompleteAction(StaffAction):
    number: int


class Withdraw(StaffAction):
    party: str
    reason: Text


class ExtendDeadline(StaffAction):
    deadline: str
    days: int | None = None
    until: date | None = None
    reason: Text

    @model_validator(mode="after")
    def _one_way_to_extend(self) -> ExtendDeadline:
        if (self.days is None) == (self.until is None):
            raise ValueError("give either a number of days or a new date, not both")
        if self.days is not None and not 1 <= self.days <= 365:
            raise ValueError("an extension is between 1 and 365 days")
        return self


class AddNote(StaffAction):
    text: Text


# --- The case view (query `case`, update results, CLI --json) -------------------------------------


class PartyView(Model):
    id: str
    name: str
    consent: Consent
    role: ApplicantRole | None = None
    kind: OrganisationKind | None = None


class DeadlineView(Model):
    name: str
    due: date
    state: DeadlineState


class MediatorView(Model):
    name: str
    email: str
    independent: bool


class SessionView(Model):
    at: datetime
    venue: str | None = None
    number: int = 1


class ActionView(Model):
    number: int
    description: str
    owner: str
    due: date
    done: bool


class TimelineEntry(Model):
    at: datetime
    actor: str
    event: str
    detail: str = ""


class NotificationView(Model):
    to: str
    template: str
    channel: Channel | None
    status: DeliveryStatus
    reason: str | None = None


class CaseView(Model):
    reference: str
    stage: CaseStage
    outcome: CaseOutcome | None
    kinds: list[DisagreementKind]
    ehc_point: EhcPoint
    case_officer: str
    parties: list[PartyView]
    deadlines: list[DeadlineView]
    mediator: MediatorView | None
    session: SessionView | None
    actions: list[ActionView]
    timeline: list[TimelineEntry]
    notifications: list[NotificationView]
    appeal_deadline: date | None = None
    next_deadline: DeadlineView | None = None


class CaseSummary(Model):
    """One row of `list`: only what visibility holds, so no personal data."""

    reference: str
    stage: CaseStage | None
    outcome: CaseOutcome | None
    kinds: list[DisagreementKind]
    case_officer: str | None
    next_deadline: date | None  # due date of the earliest deadline still to be acted on
    overdue: bool = False  # that deadline has passed
