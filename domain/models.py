"""The words of the domain: who is in a case, what staff ask for, and what a case looks like.

Everything here is plain pydantic: no Temporal, no I/O. Field names of `CaseView` and its parts are a
contract (DESIGN section 3): add fields, never rename them.
"""


import functools
import re
import secrets
import string
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from domain.calendar import long_date


class ApplicantRole(StrEnum):
    parent = "parent"
    young_person = "young_person"
    alternative_person = "alternative_person"  # acts for a young person who lacks capacity (SEND Regs 2014 reg 64)


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


# SEND Code of Practice 11.8.
HEALTH_SOCIAL_CARE_POINTS = (
    EhcPoint.needs_assessment, EhcPoint.plan_drafting, EhcPoint.annual_review, EhcPoint.reassessment,
)


class Channel(StrEnum):
    email = "email"
    sms = "sms"
    letter = "letter"


class CaseStage(StrEnum):
    advice = "advice"  # statutory mediation: the family has contacted the mediation adviser and is deciding
    informal_talks = "informal_talks"
    awaiting_consent = "awaiting_consent"
    arranging_session = "arranging_session"
    session_scheduled = "session_scheduled"
    monitoring_agreement = "monitoring_agreement"
    # Statutory mediation: a certificate is owed and nothing else is going on (DESIGN section 11).
    certificate_due = "certificate_due"
    closed = "closed"


# How a stage reads after "the case is": here, beside the stages, so that `show` need not import
# the case model (domain/case.py) to say it.
STAGE_WORDS = {
    CaseStage.advice: "with the family deciding whether to mediate",
    CaseStage.informal_talks: "in informal talks",
    CaseStage.awaiting_consent: "waiting for every party's consent",
    CaseStage.arranging_session: "arranging the session",
    CaseStage.session_scheduled: "waiting for its session",
    CaseStage.monitoring_agreement: "following up what was agreed",
    CaseStage.certificate_due: "waiting for the mediation certificate",
    CaseStage.closed: "closed",
}


class CaseOutcome(StrEnum):
    resolved_informally = "resolved_informally"
    declined = "declined"
    no_response = "no_response"
    full_agreement = "full_agreement"
    partial_agreement = "partial_agreement"
    no_agreement = "no_agreement"
    withdrawn = "withdrawn"
    certificate_only = "certificate_only"  # statutory mediation not wanted, or not pursued
    not_arranged = "not_arranged"  # the Local Authority could not arrange it in time


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


class DecisionKind(StrEnum):
    """The appealable Local Authority decisions (CFA 2014 s.51(2); DESIGN section 8)."""

    refusal_to_assess = "refusal_to_assess"
    refusal_to_issue_plan = "refusal_to_issue_plan"
    plan_contents = "plan_contents"
    refusal_to_reassess = "refusal_to_reassess"
    refusal_to_amend = "refusal_to_amend"
    cease_to_maintain = "cease_to_maintain"


class AppealStatus(StrEnum):
    lodged = "lodged"
    not_appealing = "not_appealing"


class Route(StrEnum):
    disagreement_resolution = "disagreement_resolution"
    mediation = "mediation"


class MediationIssue(StrEnum):
    education = "education"
    health = "health"
    social_care = "social_care"


class CertificateReason(StrEnum):
    """Why the mediation adviser issues a certificate (CFA 2014 s.55(4), (5))."""

    no_mediation = "no_mediation"  # the family does not want mediation (reg 34)
    not_pursued = "not_pursued"  # the family chose mediation, then did not pursue it (reg 34)
    not_arranged = "not_arranged"  # the Local Authority could not arrange it within 30 days
    mediation_concluded = "mediation_concluded"  # mediation has taken place


class CertificateIssuer(StrEnum):
    """Who issues a mediation certificate: the mediator after mediation (CFA 2014 s.55(5)), the
    mediation adviser otherwise (s.55(4); SEND Regs 2014 reg 34)."""

    mediation_adviser = "mediation_adviser"
    mediator = "mediator"


class OrderKind(StrEnum):
    """What an agreement on an appealable matter requires, as a Tribunal order would (SEND Regs 2014
    reg 42(2) applies the reg 44(2) periods; see `domain.mediation.REG_44_PERIODS`)."""

    assess = "assess"  # make an EHC needs assessment
    reassess = "reassess"
    issue_plan = "issue_plan"  # make and maintain an EHC plan
    amend_plan = "amend_plan"  # amend the plan's contents
    name_school = "name_school"  # name a school or other institution
    continue_plan = "continue_plan"  # continue to maintain the plan
    cease_plan = "cease_plan"  # cease to maintain it


# --- Checked values -------------------------------------------------------------------------------

# ASCII only: `\d` takes any script's digits, so `DR-𝟸𝟶𝟸𝟼-...` (mathematical digits) would open a
# look-alike of another case. Checked with `fullmatch`; anchored with `\A...\Z` as well, never `$`,
# which matches before a trailing newline, so that even a `match` or `search` takes the whole text.
REFERENCE_PATTERN = re.compile(r"\A(DR|MD)-[0-9]{4}-[0-9A-Z]{6}\Z", re.ASCII)
MEDIATION_PREFIX = "MD-"  # statutory mediation cases; "DR-" for disagreement resolution
REFERENCE_ALPHABET = string.digits + string.ascii_uppercase


def new_reference(prefix: str, on: date) -> str:
    """A fresh case reference (`REFERENCE_PATTERN`) for a case opened on the day `on`: random, so it
    says nothing about the family (DESIGN section 3). For the fronts that open cases, not workflows."""
    return f"{prefix}{on.year}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
STAFF_ID_PATTERN = re.compile(r"\A[a-z0-9][a-z0-9._-]{1,63}\Z", re.ASCII)
PARTY_ID_PATTERN = re.compile(r"\A(applicant|org-[1-9][0-9]*)\Z", re.ASCII)


def _staff_id(value: str) -> str:
    if not STAFF_ID_PATTERN.fullmatch(value):
        raise ValueError(
            "a staff id is 2 to 64 lower-case letters, digits, dots, dashes or underscores"
        )
    return value


PHONE_NUMBER = "phone_number"


def _uk_phone(value: str) -> str:
    import phonenumbers  # here, not at the top: only a phone number needs it, and it is slow to import

    # Notify's test numbers (07700 900xxx) are possible but not "valid": accept possible numbers.
    # Its own error type (`PHONE_NUMBER`), so that a form can say it as GOV.UK's telephone pattern does.
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        raise PydanticCustomError(PHONE_NUMBER, "is not a phone number") from None
    # Only full numbers: "possible local only" numbers (e.g. "07700") would be stored mangled.
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise PydanticCustomError(PHONE_NUMBER, "is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


StaffId = Annotated[str, AfterValidator(_staff_id)]

# A party acting for itself, online (DESIGN section 14): the actor `party:<party id>`. A staff id
# never holds a colon, so the two never meet.
PARTY_ACTOR_PREFIX = "party:"


def party_actor(party_id: str) -> str:
    """The actor a party answers as: "party:applicant", "party:org-2"."""
    return f"{PARTY_ACTOR_PREFIX}{party_id}"


def acting_party(actor: str) -> str | None:
    """The party id of a party actor; None for a member of staff (or the system)."""
    return actor.removeprefix(PARTY_ACTOR_PREFIX) if actor.startswith(PARTY_ACTOR_PREFIX) else None


def _actor_id(value: str) -> str:
    party = acting_party(value)
    if party is None:
        return _staff_id(value)
    if not PARTY_ID_PATTERN.fullmatch(party):
        raise ValueError("a party answering for itself is party:applicant or party:org-N")
    return value


# Who may send one of the updates the public site runs (workflows/names.py PUBLIC_UPDATES).
ActorId = Annotated[str, AfterValidator(_actor_id)]
PhoneNumber = Annotated[str, AfterValidator(_uk_phone)]


LINE_BREAKS = "\n\t"  # the control characters multi-line text (notes, summaries, reasons) may hold
# The validation context of a value read back from Temporal or the records (infra.converter): it was
# checked when it was given, under the rules of its day, and is read as it was written.
RECORDED = {"recorded": True}


def _control_free(allowed: str) -> Callable[..., str]:
    """Control characters (ESC sequences, carriage returns, NUL...) would act on staff terminals and
    forge lines in files and headers; invisible format characters (U+202E turns text right to left,
    U+200B and U+FEFF have no width) and the Unicode line and paragraph separators (U+2028, U+2029)
    disguise what text says or break it into lines unseen. Refuse them all, but for the line breaks
    and tabs `allowed`. Where line breaks are allowed, a browser's CRLF (and a lone CR) is read as LF.

    Release 1.0.0 refused control characters only, so a case may hold the others: read back from
    history (`RECORDED`), they stay as written and the case still replays."""

    def check(value: str, recorded: bool = False) -> str:
        if "\n" in allowed:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if any(unicodedata.category(char) == "Cc" and char not in allowed for char in value):
            where = "" if allowed else " or line breaks"
            raise ValueError(f"must not contain control characters{where}")
        hidden = next((char for char in value if unicodedata.category(char) in _HIDDEN), None)
        if hidden is not None and not recorded:
            raise ValueError(
                "must not contain invisible formatting characters or Unicode line separators "
                f"(found U+{ord(hidden):04X}); type the text again without them"
            )
        return value

    return check


_HIDDEN = {"Cf", "Zl", "Zp"}  # format characters; line and paragraph separators


def _plain_text(allowed: str) -> AfterValidator:
    """`_control_free` as a field's validator, told whether the value is read back (`RECORDED`)."""
    check = _control_free(allowed)

    def validate(value: str, info: ValidationInfo) -> str:
        return check(value, recorded=info.context == RECORDED)

    return AfterValidator(validate)


def _deliverable_email(value: str) -> str:
    if not value.rpartition("@")[0].isascii():
        raise ValueError(
            "the part before @ has characters other than plain letters, digits and punctuation, "
            "which most mail servers cannot deliver to: give another address"
        )
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), _plain_text("")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), _plain_text(LINE_BREAKS)]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), _plain_text(LINE_BREAKS)]
Email = Annotated[EmailStr, AfterValidator(_deliverable_email)]
# A child's date of birth: a young person may be a party up to 25, so births from 1990 cover any case.
BirthDate = Annotated[date, Field(ge=date(1990, 1, 1), le=date(2099, 12, 31))]
# Every date staff give stays within the life of the SEND system (CFA 2014 Part 3 in force from
# 1 September 2014) and this century, so that no date arithmetic can overflow (9999-12-31 + 1 day).
FIRST_DAY, LAST_DAY = date(2014, 9, 1), date(2099, 12, 31)
CaseDate = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]


def in_service(day: date) -> date:
    """A date given outside a request (a list filter) held to the same bounds as `CaseDate`."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"must be between {long_date(FIRST_DAY)} and {long_date(LAST_DAY)}")
    return day


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class FieldRuleError(ValueError):
    """A rule across a model's fields, naming the one field the person should change (`about`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def about(field: str) -> Callable[[Callable], Callable]:
    """Mark a model-level rule (a `model_validator`) as being about one field: pydantic places such a
    rule on the model, not a field, so its problem is told which field to point a form at. The mark
    (`.about`) is what tests/test_model_rules.py walks, so that no rule is left without a field."""

    def mark(check: Callable) -> Callable:
        @functools.wraps(check)
        def checked(self):
            try:
                return check(self)
            except FieldRuleError:
                raise
            except ValueError as problem:
                raise FieldRuleError(field, str(problem)) from None

        checked.about = field
        return checked

    return mark


# --- Opening a case -------------------------------------------------------------------------------


class PostalAddress(Model):
    lines: list[Name] = Field(min_length=1, max_length=6)
    postcode: Annotated[
        str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=5, max_length=8), _plain_text("")
    ]


class Contact(Model):
    email: Email | None = None
    phone: PhoneNumber | None = None
    address: PostalAddress | None = None
    prefers: Channel | None = None

    @model_validator(mode="after")
    @about("email")  # the first of the ways to reach them
    def _reachable(self) -> Self:
        if not self.channels():
            raise ValueError("give at least one way to reach them: email, phone or postal address")
        return self

    @model_validator(mode="after")
    @about("prefers")
    def _reachable_as_preferred(self) -> Self:
        if self.prefers is not None and self.prefers not in self.channels():
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
    appeal_deadline: CaseDate | None = None
    supporter: Supporter | None = None
    # Rights pass to a young person at the end of compulsory school age (CFA 2014 s.83(2)): with the
    # date of birth the officer is told when that happens while a parent is the party.
    child_date_of_birth: BirthDate | None = None

    @field_validator("kinds")
    @classmethod
    def _distinct_kinds(cls, kinds: list[DisagreementKind]) -> list[DisagreementKind]:
        return list(dict.fromkeys(kinds))

    @model_validator(mode="after")
    @about("ehc_point")
    def _health_and_social_care_at_an_ehc_point(self) -> Self:
        # SEND Code 11.8: health and social care disagreements during EHC needs assessment, while a
        # plan is drawn up, reviewed, or on reassessment; not under SEN support nor once at Tribunal.
        if DisagreementKind.health_social_care in self.kinds and self.ehc_point not in HEALTH_SOCIAL_CARE_POINTS:
            *others, last = (point.value.replace("_", " ") for point in HEALTH_SOCIAL_CARE_POINTS)
            raise ValueError(
                f"health and social care disagreements are taken only at an EHC point of {', '.join(others)} or "
                f"{last} (SEND Code 11.8)"
            )
        return self


# --- Staff actions (one input per update; every one names the acting staff member) ----------------


class StaffAction(Model):
    actor: StaffId


class RecordTalk(StaffAction):
    outcome: TalkOutcome
    notes: Text | None = None


class OfferResolution(StaffAction):
    pass


class PartyAnswer(StaffAction):
    """An answer a party gives: recorded by staff (their id), or given by the party itself online
    (`party:<id>`, only for itself: the case's rules check it)."""

    actor: ActorId


class RecordConsent(PartyAnswer):
    party: str
    agree: bool
    notes: Text | None = None


class AssignMediator(StaffAction):
    name: Name
    email: Email
    independent: bool = Field(
        description=(
            "Declared not employed by the Local Authority, an integrated care board or NHS England "
            "(CFA 2014 s.57; SEND Code 11.6)"
        )
    )


class ScheduleSession(StaffAction):
    at: AwareDatetime
    venue: Text | None = None
    # Statutory mediation: at least 5 working days' notice unless the family consents to less.
    short_notice_agreed: bool = False
    la_attendee: Name | None = None  # who attends for the Local Authority, with authority to settle


class AgreedActionInput(Model):
    """One agreed action. Its due date is a timescale agreed in writing (`agreed_due`), or comes
    from the law: on statutory mediation, the reg 44 period for an appealable matter (`order_kind`,
    reg 42(2)), else 2 weeks (reg 42(3)); on disagreement resolution, the service's default."""

    description: Text
    owner: str
    agreed_due: CaseDate | None = None
    appealable: bool = False
    order_kind: OrderKind | None = None

    @model_validator(mode="after")
    @about("order_kind")
    def _kind_for_an_appealable_matter(self) -> Self:
        if self.appealable and self.order_kind is None:
            raise ValueError("an appealable matter needs the kind of order it is (e.g. assess, issue_plan)")
        if self.order_kind is not None and not self.appealable:
            raise ValueError("a kind of order is given only for an appealable matter")
        return self


class RecordOutcome(StaffAction):
    result: SessionResult
    actions: list[AgreedActionInput] = Field(default_factory=list, max_length=50)
    child_views_sought: bool | None = None  # statutory mediation: the mediator sought the child's views (CFA s.56)


class CompleteAction(StaffAction):
    number: int


class Withdraw(StaffAction):
    party: str
    reason: Text


class ExtendDeadline(StaffAction):
    deadline: str
    days: int | None = None
    until: CaseDate | None = None
    reason: Text

    @model_validator(mode="after")
    @about("days")  # the first of the two ways, days or a new date
    def _one_way_to_extend(self) -> Self:
        if (self.days is None) == (self.until is None):
            raise ValueError("give either a number of days or a new date, not both")
        if self.days is not None and not 1 <= self.days <= 365:
            raise ValueError("an extension is between 1 and 365 days")
        return self


class AddNote(StaffAction):
    text: Text


class RecordDecision(StaffAction):
    """The Local Authority decision a disagreement resolution case runs alongside: its date (when the
    written notice was sent) starts the Tribunal appeal clock (HESC Rules 2008 r.20(1)(c))."""

    kind: DecisionKind
    date: CaseDate


class RecordAppealStatus(StaffAction):
    status: AppealStatus


class ReassignOfficer(StaffAction):
    """A team manager moves the case to another case officer (the role: infra/identity.py `Act.reassign`)."""

    case_officer: StaffId
    reason: Text


class LocalAuthority(Model):
    name: Name
    contact: Contact


class OpenMediation(Model):
    """Statutory mediation about an appealable Local Authority decision (DESIGN section 8)."""

    applicant: Applicant
    local_authority: LocalAuthority
    health_commissioners: list[LocalAuthority] = Field(default_factory=list, max_length=5)
    decision_kind: DecisionKind
    decision_date: CaseDate  # when the written notice was sent; never in the future (checked at opening)
    mediation_issues: list[MediationIssue] = Field(min_length=1)
    school_only: bool = False  # the appeal would be only about the school named, or its type: no certificate needed
    case_officer: StaffId
    opened_by: StaffId
    supporter: Supporter | None = None
    child_date_of_birth: BirthDate | None = None  # as on OpenCase

    @field_validator("mediation_issues")
    @classmethod
    def _distinct_issues(cls, issues: list[MediationIssue]) -> list[MediationIssue]:
        return list(dict.fromkeys(issues))


class RecordChoice(PartyAnswer):
    """The family's answer to the mediation adviser (SEND Regs 2014 regs 32(e), 33, 34)."""

    mediate: bool
    adviser_told_on: CaseDate | None = None  # the day the family told the adviser; default: today
    la_notified_on: CaseDate | None = None  # the day the LA was told they want mediation; default: today
    mediation_issues: list[MediationIssue] | None = None  # default: those given at opening
    # Where health is an issue, the health care provision the family wants specified (reg 32(e)(iii)).
    health_provision_sought: Text | None = None
    # Who comes with the family as their advocate or supporter: theirs to choose, no one's consent needed
    # (SEND Regs 2014 reg 38(1)(b)); None: nobody named.
    supporter_attending: Name | None = None

    @field_validator("mediation_issues")
    @classmethod
    def _some_distinct_issues(cls, issues: list[MediationIssue] | None) -> list[MediationIssue] | None:
        if issues is not None and not issues:
            raise ValueError("give at least one mediation issue")
        return list(dict.fromkeys(issues)) if issues else issues


# Staff propose 3 to 6 session times; each party says which it can make (DESIGN section 14).
SLOTS_MIN, SLOTS_MAX = 3, 6


class ProposeSlots(StaffAction):
    slots: list[AwareDatetime]
    venue: Text | None = None

    @field_validator("slots")
    @classmethod
    def _three_to_six_distinct(cls, slots: list[datetime]) -> list[datetime]:
        if not SLOTS_MIN <= len(slots) <= SLOTS_MAX:
            raise ValueError(f"propose {SLOTS_MIN} to {SLOTS_MAX} session times, not {len(slots)}")
        if len(set(slots)) != len(slots):
            raise ValueError("each proposed time must be different")
        return sorted(slots)  # numbered in time order, as people read them


class RecordAvailability(PartyAnswer):
    party: str
    slots: list[int] = Field(default_factory=list, max_length=SLOTS_MAX)  # 1-based; empty: none suit
    notes: Text | None = None

    @field_validator("slots")
    @classmethod
    def _distinct_numbers(cls, numbers: list[int]) -> list[int]:
        if any(number < 1 for number in numbers):
            raise ValueError("proposed times are numbered from 1")
        return sorted(set(numbers))


class RequestCallback(PartyAnswer):
    party: str
    note: Text | None = None  # what they want to talk about


class RecordCallback(StaffAction):
    """Staff called the party back: meets the call-back duty `callback-N`."""

    number: int
    notes: Text | None = None


class IssueCertificate(StaffAction):
    issued_on: CaseDate | None = None  # default: today; never in the future
    issued_by: CertificateIssuer | None = None  # default: whoever the law says issues this one


class ReportCannotArrange(StaffAction):
    reason: Text
    adviser_informed_on: CaseDate | None = None  # default: today


# --- The case view (query `case`, update results, CLI --json) -------------------------------------


class PartyView(Model):
    id: str
    name: str
    consent: Consent
    role: ApplicantRole | None = None
    kind: OrganisationKind | None = None
    answered_online: bool = False  # its consent (or, in mediation, the family's choice) was given online
    availability: list[int] | None = None  # the proposed times it can make (1-based); None: not answered


class CallbackView(Model):
    """A party asked to be called back: the duty `callback-N` (its state is among the deadlines)."""

    number: int
    party: str


class SlotView(Model):
    """A proposed session time, who can make it, and whether every party can."""

    number: int
    at: datetime
    available: list[str] = []  # party ids
    suits_everyone: bool = False


class DeadlineView(Model):
    """A duty (DESIGN section 11): who owes it, which rule sets it, and once settled, when and by
    which timeline entry (its 1-based number)."""

    name: str
    due: date
    state: DeadlineState
    owed_by: str | None = None  # local_authority | mediation_adviser | mediator | health_commissioner | case_officer | a party id
    source: str | None = None
    settled_on: date | None = None
    settled_by: int | None = None
    owed: bool = False  # still waiting for the act that discharges it: open, or missed and not yet done

    @model_validator(mode="before")
    @classmethod
    def _open_is_owed(cls, data: dict) -> dict:
        """An open duty is owed; whether a missed one still is, only the case can say (it is given)."""
        if isinstance(data, dict) and "owed" not in data:
            data = {**data, "owed": data.get("state") in (DeadlineState.open, DeadlineState.open.value)}
        return data


class MediatorView(Model):
    name: str
    email: str
    independent: bool


class SessionView(Model):
    at: datetime
    venue: str | None = None
    number: int = 1
    la_attendee: str | None = None


class ActionView(Model):
    number: int
    description: str
    owner: str
    due: date
    done: bool
    appealable: bool = False
    order_kind: OrderKind | None = None
    due_source: str | None = None  # the rule the due date comes from


class TimelineEntry(Model):
    at: datetime
    actor: str
    event: str
    detail: str = ""
    # The actor is who they say: the workflow itself, or staff a trusted signer vouched for
    # (workflows/verification.py). False: said, not proven (development, or an unchecked opening).
    verified: bool = False


class NotificationView(Model):
    to: str
    template: str
    channel: Channel | None
    status: DeliveryStatus
    reason: str | None = None


class DecisionView(Model):
    kind: DecisionKind
    date: date


class CertificateView(Model):
    issued_on: date
    reason: CertificateReason
    issued_by: CertificateIssuer = CertificateIssuer.mediation_adviser


class CaseView(Model):
    reference: str
    stage: CaseStage
    outcome: CaseOutcome | None
    case_officer: str
    parties: list[PartyView]
    deadlines: list[DeadlineView]
    mediator: MediatorView | None
    session: SessionView | None
    actions: list[ActionView]
    timeline: list[TimelineEntry]
    notifications: list[NotificationView]
    kinds: list[DisagreementKind] = []  # disagreement resolution only
    ehc_point: EhcPoint | None = None  # disagreement resolution only
    appeal_deadline: date | None = None
    next_deadline: DeadlineView | None = None
    route: Route = Route.disagreement_resolution
    decision: DecisionView | None = None
    appeal_status: AppealStatus | None = None
    certificate: CertificateView | None = None  # statutory mediation only
    mediation_issues: list[MediationIssue] = []
    school_only: bool = False
    health_provision_sought: str | None = None  # statutory mediation, reg 32(e)(iii)
    warnings: list[str] = []  # for staff, in words: what needs their attention beyond the deadlines
    # For the case page: what the officer typed at opening (disagreement resolution; statutory mediation
    # has none) and how to reach the applicant and their SENDIASS supporter. Personal data: only ever in
    # the encrypted case view, never in search attributes, memos or logs.
    summary: str | None = None
    applicant_contact: Contact | None = None
    supporter: Supporter | None = None
    # Session times proposed to the parties (DESIGN section 14), and whether they are still being asked.
    slots: list[SlotView] = []
    slots_venue: str | None = None
    availability_asked: bool = False
    callbacks: list[CallbackView] = []
    supporter_attending: str | None = None  # statutory mediation: who comes with the family, as they said


class CaseSummary(Model):
    """One row of `list`: only what visibility holds, so no personal data."""

    reference: str
    stage: CaseStage | None
    outcome: CaseOutcome | None
    kinds: list[DisagreementKind]
    case_officer: str | None
    next_deadline: date | None  # due date of the earliest deadline still to be acted on
    overdue: bool = False  # that deadline has passed
    appeal_deadline: date | None = None  # the last day to appeal, while the family's clock runs
    route: Route = Route.disagreement_resolution
    warnings: list[str] = []  # codes of what staff are warned of (domain.case.WarningCode), from `CaseWarnings`
