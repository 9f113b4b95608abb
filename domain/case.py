"""A case and its stage rules, free of Temporal so that they read and test on their own.

`CaseFile` is what every route remembers and the rules the routes share; each route's own rules
are beside it (`domain.resolution.Resolution` for disagreement resolution,
`domain.mediation.Mediation` for statutory mediation). `check_*` methods say whether a
staff action fits the stage and the data, raising `RuleViolation` with a sentence a case officer
understands; the matching methods without the prefix apply the action and return what it
announces (`Announcement`: which message, to whom, under which event key). The workflow calls
`check_*` in its update validators (so a rejected action leaves no trace) and again when it applies
the action, plans deadlines before the change, and sends what the domain announces.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from domain import duties
from domain.calendar import london_date
from domain.duties import Duty, school_age_ends
from domain.words import (
    APPEAL_STATUS_WORDS, OUTCOME_WORDS, counted, date_and_time, duty_words, listed, long_date, owner_words,
    template_words,
)

from domain.notifications import (
    CASE_OFFICER,
    MEDIATOR,
    AgreedActionFacts,
    Announcement,
    AnswerPurpose,
    MessageFacts,
    Recipient,
    RecipientKind,
    Template,
)
from domain.deadlines import (
    ACTION_PREFIX,
    AGREEMENT_NOTICE,
    CALLBACK_PREFIX,
    APPEAL,
    CERTIFICATE,
    HEALTH_NOTICE,
    MEDIATION_ARRANGEMENT,
    CONSENT_WINDOW,
    SCHOOL_AGE,
    SESSION,
    Alarm,
    AlarmPurpose,
    AppealPlan,
    DeadlineRequest,
    PlannedDeadline,
    action_deadline,
    callback_deadline,
)
from domain.models import (
    STAGE_WORDS,
    AddNote,
    AgreedActionInput,
    AppealStatus,
    DecisionView,
    RecordAppealStatus,
    ActionView,
    ApplicantRole,
    AssignMediator,
    CallbackView,
    CaseOutcome,
    CaseStage,
    CaseView,
    Channel,
    CompleteAction,
    Consent,
    Contact,
    DeadlineState,
    DeadlineView,
    DeliveryStatus,
    ExtendDeadline,
    MediatorView,
    Model,
    NotificationView,
    OrderKind,
    OrganisationKind,
    PartyView,
    ProposeSlots,
    ReassignOfficer,
    RecordAvailability,
    RecordCallback,
    RecordOutcome,
    RequestCallback,
    ScheduleSession,
    SessionResult,
    SessionView,
    SlotView,
    StaffAction,
    TimelineEntry,
    Withdraw,
    acting_party,
)

APPLICANT = "applicant"
# The open stages of each route (DESIGN sections 3 and 8).
OPEN_STAGES = (
    CaseStage.informal_talks, CaseStage.awaiting_consent, CaseStage.arranging_session,
    CaseStage.session_scheduled, CaseStage.monitoring_agreement,
)
MEDIATION_OPEN_STAGES = (
    CaseStage.advice, CaseStage.arranging_session, CaseStage.session_scheduled, CaseStage.monitoring_agreement,
)
SESSION_STAGES = (CaseStage.arranging_session, CaseStage.session_scheduled)
ActionStages = dict[type[StaffAction], tuple[CaseStage, ...]]


def route_action_stages(open_stages: tuple[CaseStage, ...], own: ActionStages) -> ActionStages:
    """The stages each stage-bound staff action may be taken in on a route (DESIGN sections 3 and 8):
    the route's `own` actions and those both routes share. Stated once: the `check_*` methods require
    these stages, and the staff console offers an action only in them."""
    # Times are proposed, and answered, while the session is being arranged: once all have agreed (DR)
    # or the family has chosen mediation, never before (see `CaseFile.check_propose_slots`). A party
    # may ask to be called back, and is, while the case is open.
    return {
        AssignMediator: SESSION_STAGES, ScheduleSession: SESSION_STAGES,
        RecordOutcome: (CaseStage.session_scheduled,), CompleteAction: (CaseStage.monitoring_agreement,),
        Withdraw: open_stages, ExtendDeadline: open_stages, AddNote: open_stages, ReassignOfficer: open_stages,
        ProposeSlots: (CaseStage.arranging_session,), RecordAvailability: (CaseStage.arranging_session,),
        RequestCallback: open_stages, RecordCallback: open_stages,
    } | own


# Markers that carry an alarm but are no duty of their own: not shown among the deadlines.
MARKERS = (SESSION, SCHOOL_AGE)
SYSTEM = "system"  # the actor of what timers do
# The timeline events that open and close a case: where its life starts and ends (reports, records).
CASE_OPENED, CASE_CLOSED = "case_opened", "case_closed"
OFFICER_REASSIGNED = "officer_reassigned"  # the timeline event of `reassign_officer`
# Staff-typed timeline text a case may hold in all (bytes of UTF-8): about 200 notes of the longest
# kind, a fifth of Temporal's 2 MB payload limit, leaving room for everything else in the case.
TIMELINE_TEXT_LIMIT = 400_000
CLOSURE_TEMPLATES = {
    CaseOutcome.declined: Template.case_declined,
    CaseOutcome.no_response: Template.no_response,
    CaseOutcome.withdrawn: Template.withdrawn,
}
STATUTORY_DEADLINES = (CERTIFICATE, HEALTH_NOTICE, MEDIATION_ARRANGEMENT, AGREEMENT_NOTICE)


class RuleViolation(ValueError):
    """A staff action that does not fit the case; the message says why in words.

    `field` is the request's field the refusal is about (a path for a row: `("actions", 0, "owner")`),
    so that a form shows it on that field; none when it is about the case as a whole. `earliest` is the
    earliest date the rule allows, where there is one; the message says it too (at its end, or where
    it has `{earliest}`). `unless` names the
    request's field that would lift the rule (the CLI words it as its own flag); the message never
    names a command line flag, as it is shown on the console's pages as well."""

    def __init__(
        self, message: str, field: str | tuple = (), *, earliest: date | None = None, unless: str | None = None,
    ) -> None:
        if earliest is not None:  # said last, unless the message places it itself
            said = f"The earliest date is {long_date(earliest)}"
            message = message.format(earliest=said) if "{earliest}" in message else f"{message}. {said}"
        super().__init__(message)
        self.field = (field,) if isinstance(field, str) else tuple(field)
        self.earliest = earliest
        self.unless = unless


class Party(Model):
    id: str
    name: str
    contact: Contact
    role: ApplicantRole | None = None
    kind: OrganisationKind | None = None
    consent: Consent = Consent.pending
    answered_online: bool = False  # its consent (DR) or the family's choice (mediation) came from its link
    availability: list[int] | None = None  # the proposed times it can make; None: not answered


class Callback(Model):
    """A party asked to be called back: the duty `callback-N` is the case officer's."""

    number: int
    party: str


class Deadline(Model):
    name: str
    due: date
    expires_at: datetime
    state: DeadlineState = DeadlineState.open
    working_days: bool
    # A missed deadline stays outstanding until the late step is done: it keeps a case "overdue".
    outstanding: bool = True
    extended: bool = False  # moved by staff (extend_deadline): a new session time must not drop it silently
    owed_by: str | None = None  # who must act (domain.duties)
    source: str | None = None  # the rule that sets it
    settled_on: date | None = None  # met, met late, or cancelled: when
    settled_by: int | None = None  # and by which timeline entry (its 1-based number)

    @property
    def owed(self) -> bool:
        """Still waiting for the act that discharges it: open, or missed and not yet done."""
        return self.state is DeadlineState.open or (self.state is DeadlineState.missed and self.outstanding)


class WarningCode(StrEnum):
    """What a warning is about: shown in the list and the Web UI (search attribute `CaseWarnings`), so
    no personal data; the words are on the case."""

    late_opening = "late_opening"  # statutory mediation opened after reg 33's 2 months
    later_certificate = "later_certificate"  # a second certificate: the first fixed the appeal deadline
    school_age_reached = "school_age_reached"  # the child is past compulsory school age: who is the party?


class CaseWarning(Model):
    code: WarningCode
    text: str


class Mediator(Model):
    name: str
    email: str
    independent: bool


class Session(Model):
    at: datetime
    venue: str | None = None
    number: int = 1
    la_attendee: str | None = None  # statutory mediation: who attends for the LA, with authority to settle


class AgreedAction(Model):
    number: int
    description: str
    owner: str
    due: date
    done: bool = False
    appealable: bool = False
    order_kind: OrderKind | None = None
    due_source: str | None = None  # the rule the due date comes from


class NotificationRecord(Model):
    key: str
    to: str
    template: str
    channel: Channel | None = None
    status: DeliveryStatus = DeliveryStatus.pending
    reason: str | None = None


class CaseFile(Model):
    """What every case holds, whichever route it takes, and the rules the routes share: parties,
    deadlines and their alarms, the mediator, the session, agreed actions, the timeline, the
    messages, and the Tribunal appeal clock."""

    action_stages: ClassVar[ActionStages]  # `route_action_stages` for the route
    arrangement_deadline: ClassVar[str]  # the deadline a session held in time meets
    # Who may not lead the meeting, and the law that says so, for the mediator check.
    independence_rule: ClassVar[str] = (
        "nobody employed by the Local Authority, an integrated care board or NHS England may provide "
        "disagreement resolution (Children and Families Act 2014 s.57; SEND Code 11.6)"
    )
    reference: str
    parties: list[Party]
    stage: CaseStage
    outcome: CaseOutcome | None = None
    result: SessionResult | None = None
    deadlines: list[Deadline] = []
    alarms: list[Alarm] = []
    mediator: Mediator | None = None
    session: Session | None = None
    actions: list[AgreedAction] = []
    timeline: list[TimelineEntry] = []
    notifications: list[NotificationRecord] = []
    decision: DecisionView | None = None
    appeal_status: AppealStatus | None = None
    warnings: list[CaseWarning] = []  # for staff: what needs their attention beyond the deadlines
    closure_announced: bool = False  # the closing message has gone (a withdrawal says it at once)
    officer: str | None = None  # who runs the case since a team manager moved it; None: the one named at opening
    slots: list[datetime] = []  # session times proposed to the parties, in time order (numbered from 1)
    slots_venue: str | None = None
    slots_round: int = 0  # how many times times were proposed: keys each round's messages
    callbacks: list[Callback] = []

    @property
    def is_closed(self) -> bool:
        return self.stage is CaseStage.closed

    @property
    def case_officer(self) -> str:
        return self.officer or self.opened.case_officer

    def party(self, party_id: str) -> Party | None:
        return next((party for party in self.parties if party.id == party_id), None)

    def deadline(self, name: str) -> Deadline | None:
        return next((deadline for deadline in self.deadlines if deadline.name == name), None)

    def next_deadline(self) -> Deadline | None:
        """The earliest deadline still to be acted on: open, or missed and not yet caught up."""
        if self.is_closed:
            return None
        return min((deadline for deadline in self.deadlines if deadline.owed), key=lambda deadline: deadline.due, default=None)

    @property
    def appeal_clock_running(self) -> bool:
        """The Tribunal appeal deadline is still ahead and nobody has said what the family did."""
        appeal = self.deadline(APPEAL)
        return appeal is not None and appeal.state is DeadlineState.open and self.appeal_status is None

    def duty(self, name: str) -> Duty:
        """Who owes the deadline `name`, under which rule (a route adds its own)."""
        if name == APPEAL:
            return duties.APPEAL_DUTY
        if name.startswith(ACTION_PREFIX):
            action = self.action_of(name)
            return Duty(action.owner, action.due_source or duties.DR_ACTION_SOURCE)
        if name.startswith(CALLBACK_PREFIX):
            return duties.CALLBACK
        return duties.DR_DUTIES[name]

    def school_age_ends(self) -> date | None:
        """When rights pass from the parent to the young person, if a parent is the party and the
        child's date of birth is known (CFA 2014 s.83(2); `domain.duties.school_age_ends`)."""
        born = self.opened.child_date_of_birth
        if born is None or self.opened.applicant.role is not ApplicantRole.parent:
            return None
        return school_age_ends(born)

    def plan_opening(self, now: datetime) -> list[DeadlineRequest]:
        """What opening plans for both routes: the day the officer is told the child is past
        compulsory school age, while that is still ahead."""
        ends = self.school_age_ends()
        if ends is None or ends <= london_date(now):
            return []
        return [DeadlineRequest(name=SCHOOL_AGE, now=now, due=ends)]

    def announce_school_age(self, at: datetime) -> list[Announcement]:
        """At opening: a child already past compulsory school age, with a parent as the party."""
        ends = self.school_age_ends()
        return self._school_age_reached(at, ends) if ends is not None and ends <= london_date(at) else []

    def _school_age_reached(self, at: datetime, ends: date) -> list[Announcement]:
        warning = (
            f"The child reached the end of compulsory school age on {long_date(ends)}: the rights in this case "
            "pass to the young person (CFA 2014 s.83(2)). Confirm who the party is."
        )
        self.warn(WarningCode.school_age_reached, warning, at)
        return [Announcement(Template.school_age_reached, (CASE_OFFICER,), "school_age_reached", {"school_age_ends": ends})]

    def notice_delivered(self, template: str, at: datetime) -> None:
        """A message has gone to every recipient of its event; a route whose law asks for that notice
        settles the duty it meets."""

    def owed_after_closure(self) -> tuple[str, ...]:
        """Duties that closing the process does not end (a route's law may owe the family more)."""
        return ()

    def stage_while_owed(self) -> CaseStage:
        """The stage of a case whose process is over but whose `owed_after_closure` duties are not."""
        return CaseStage.closed

    def next_alarm(self) -> Alarm | None:
        return min(self.alarms, key=lambda alarm: alarm.at, default=None)

    def describe(self) -> str:
        """Where the case is, in words and dates as pages write them, without naming anybody (shown
        to operators in plaintext, in the Web UI)."""
        if self.is_closed:
            text = f"Closed: {OUTCOME_WORDS[self.outcome]}." if self.outcome else "Closed."
            if self.appeal_clock_running:
                text += f" Appeal deadline {long_date(self.deadline(APPEAL).due)}: warnings continue."
            return text
        text = f"Case is {STAGE_WORDS[self.stage]}."
        if self.stage is CaseStage.awaiting_consent:
            agreed = sum(party.consent is Consent.agreed for party in self.parties)
            text += f" {agreed} of {len(self.parties)} parties have agreed."
        if self.stage is CaseStage.monitoring_agreement:
            done = sum(action.done for action in self.actions)
            text += f" {done} of {len(self.actions)} agreed actions done."
        upcoming = self.next_deadline()
        if upcoming:
            missed = " (missed)" if upcoming.state is DeadlineState.missed else ""
            text += f" Next: {duty_words(upcoming.name)}, due {long_date(upcoming.due)}{missed}."
        return text

    def _require_stage(self, action: type[StaffAction], doing: str) -> None:
        stages = self.action_stages[action]
        if self.is_closed:
            raise RuleViolation(f"case {self.reference} is closed ({self.outcome.value}); nothing more can be recorded")
        if self.stage not in stages:
            allowed = " or ".join(STAGE_WORDS[stage] for stage in stages)
            raise RuleViolation(
                f"cannot {doing} while the case is {STAGE_WORDS[self.stage]}; only while it is {allowed}"
            )

    def _require_party(self, party_id: str) -> Party:
        party = self.party(party_id)
        if party is None:
            known = ", ".join(party.id for party in self.parties)
            raise RuleViolation(f"there is no party {party_id!r} in case {self.reference}; its parties are {known}", "party")
        return party

    def check_assign_mediator(self, request: AssignMediator) -> None:
        self._require_stage(AssignMediator, doing="assign a mediator")
        if not request.independent:
            raise RuleViolation(f"the mediator must be declared independent: {self.independence_rule}", "independent")

    def check_schedule_session(self, request: ScheduleSession, now: datetime) -> None:
        self._require_stage(ScheduleSession, doing="schedule a session")
        if self.mediator is None:
            raise RuleViolation("assign a mediator before scheduling the session")
        if request.at <= now:
            raise RuleViolation(
                f"the session time, {date_and_time(request.at)}, is in the past: book a time still to come", "at",
            )
        if (request.at - now).days > 365:
            raise RuleViolation("the session must be within a year", "at")

    def check_record_outcome(self, request: RecordOutcome, now: datetime) -> None:
        self._require_stage(RecordOutcome, doing="record a session outcome")
        assert self.session is not None
        if self.session.at > now:
            raise RuleViolation(
                f"the session is at {date_and_time(self.session.at)} and has not been held yet: record its "
                "outcome once it has been held, after that time (if it has moved, book the new time first)"
            )
        self._check_actions(request)
        if request.result is SessionResult.no_agreement and request.actions:
            raise RuleViolation("a session with no agreement has no agreed actions", "result")
        if request.result is SessionResult.partial_agreement and not request.actions:
            raise RuleViolation(
                "a partial agreement needs at least one agreed action to follow up", ("actions", 0, "description"),
            )
        for number, action in enumerate(request.actions, start=1):
            if self.party(action.owner) is None:
                known = ", ".join(party.id for party in self.parties)
                raise RuleViolation(
                    f"action {number}: there is no party {action.owner!r}; parties are {known}",
                    ("actions", number - 1, "owner"),
                )
            today = london_date(now)  # dates agreed in writing are England's dates
            if action.agreed_due is not None and action.agreed_due < today:
                raise RuleViolation(
                    f"action {number}: the date agreed in writing, {long_date(action.agreed_due)}, is in the past",
                    ("actions", number - 1, "agreed_due"), earliest=today,
                )

    def _check_actions(self, request: RecordOutcome) -> None:
        """Appealable matters and reg 44 periods belong to a statutory mediation agreement (SEND Regs
        2014 reg 42); disagreement resolution agrees its own dates."""
        for number, action in enumerate(request.actions, start=1):
            if action.appealable:
                raise RuleViolation(
                    f"action {number}: the reg 44 periods for an appealable matter apply to an agreement reached in "
                    "statutory mediation (SEND Regulations 2014 reg 42(2)); give the date agreed at the session instead",
                    ("actions", number - 1, "appealable"),
                )

    def check_complete_action(self, request: CompleteAction) -> None:
        self._require_stage(CompleteAction, doing="complete an agreed action")
        action = next((action for action in self.actions if action.number == request.number), None)
        if action is None:
            numbers = ", ".join(str(action.number) for action in self.actions)
            raise RuleViolation(f"there is no agreed action {request.number}; actions are {numbers}", "number")
        if action.done:
            raise RuleViolation(f"agreed action {request.number} is already done", "number")

    def check_withdraw(self, request: Withdraw) -> None:
        self._require_stage(Withdraw, doing="withdraw")
        self._require_party(request.party)

    def check_extend_deadline(self, request: ExtendDeadline, today: date) -> None:
        self._require_stage(ExtendDeadline, doing="extend a deadline")
        self._require_room(request.reason, "reason")
        if request.deadline == APPEAL:
            raise RuleViolation(
                "the appeal deadline is set by law (SEND Tribunal) and cannot be extended here", "deadline"
            )
        if request.deadline in STATUTORY_DEADLINES:
            raise RuleViolation(
                f"the {request.deadline} deadline is set by the SEND Regulations 2014 and cannot be extended here",
                "deadline",
            )
        deadline = self.deadline(request.deadline)
        if deadline is None:
            names = ", ".join(d.name for d in self.deadlines if d.name != APPEAL) or "none"
            raise RuleViolation(
                f"there is no deadline {request.deadline!r} in this case; its deadlines are {names}", "deadline"
            )
        if deadline.state is DeadlineState.met or deadline.state is DeadlineState.cancelled:
            raise RuleViolation(f"deadline {deadline.name} is {deadline.state.value} and cannot be extended", "deadline")
        if not deadline.owed:
            on = f", on {long_date(deadline.settled_on)}," if deadline.settled_on else ""
            raise RuleViolation(
                f"deadline {deadline.name} was met late{on} and cannot be extended",
                "deadline",
            )
        if deadline.state is DeadlineState.missed and deadline.name == CONSENT_WINDOW:
            raise RuleViolation("the consent window has already closed", "deadline")
        later = max(deadline.due + timedelta(days=1), today)
        if request.until is not None and request.until <= deadline.due:
            raise RuleViolation(
                f"the new date, {long_date(request.until)}, must be after the current due date, "
                f"{long_date(deadline.due)}",
                "until", earliest=later,
            )
        if request.until is not None and request.until < today:
            raise RuleViolation(f"the new date, {long_date(request.until)}, is in the past", "until", earliest=later)

    def check_add_note(self, request: AddNote) -> None:
        self._require_stage(AddNote, doing="add a note")
        self._require_room(request.text, "text")

    def _require_room(self, text: str | None, field: str) -> None:
        """Text staff may add again and again (notes, talks, extensions) has a ceiling: the whole
        case travels in every update result and in continue-as-new, and Temporal refuses (and
        terminates the case over) a payload past its 2 MB limit."""
        if not text:
            return
        used = sum(len(entry.detail.encode()) for entry in self.timeline)
        if used + len(text.encode()) > TIMELINE_TEXT_LIMIT:
            raise RuleViolation(
                f"the case timeline already holds {used // 1000} KB of text, the most a case can carry; "
                "keep the detail in the service's records system and note only where to find it",
                field,
            )

    def check_reassign_officer(self, request: ReassignOfficer) -> None:
        self._require_stage(ReassignOfficer, doing="move the case to another officer")
        self._require_room(request.reason, "reason")
        if request.case_officer == self.case_officer:
            raise RuleViolation(
                f"{request.case_officer} already runs case {self.reference}: choose another officer", "case_officer"
            )

    # --- Answers, given by staff or by a party online (DESIGN section 14) ---------------------------

    def _require_own_answer(self, actor: str, party_id: str, field: str = "party") -> None:
        """A party answering through its link answers for itself, never for another party."""
        acting = acting_party(actor)
        if acting is not None and acting != party_id:
            raise RuleViolation(f"an answer given online is the party's own: {actor} cannot answer for {party_id}", field)

    def repeats(self, request: StaffAction) -> bool:
        """The answer a party's link sends is already recorded, the same (a form sent twice, a page
        sent again after going back): it is accepted and changes nothing. A different answer from a
        link is refused by the check; staff can still correct an answer."""
        acting = acting_party(request.actor)
        # Only its own answer (the family's choice is the applicant's): a party must not learn
        # another's by sending it again.
        return acting is not None and acting == getattr(request, "party", APPLICANT) and self._same_answer(request)

    def _same_answer(self, request: StaffAction) -> bool:
        """Whether `request` is the answer already recorded (a route adds its own answers)."""
        if isinstance(request, RecordAvailability):
            party = self.party(request.party)
            return party is not None and party.availability == request.slots
        return False

    def _told_online(self, actor: str, party: Party, what: str) -> list[Announcement]:
        """The case officer hears of an answer a party gave online (staff already know their own)."""
        if acting_party(actor) is None:
            return []
        return [Announcement(
            Template.answered_online, (CASE_OFFICER,), f"answered_online-{len(self.timeline)}",
            {"party_name": party.name, "online_answer": what},
        )]

    @staticmethod
    def _online(actor: str) -> str:
        return "; answered online" if acting_party(actor) is not None else ""

    def check_propose_slots(self, request: ProposeSlots, now: datetime) -> None:
        """3 to 6 distinct times (the request checks that), each still to come and within a year, as a
        booked session must be (`check_schedule_session`); a route may add its notice rule. Proposed
        only while arranging the session: in disagreement resolution that is once every party has
        agreed, not while their consent is awaited, since taking part is voluntary and needs everyone's
        agreement (SEND Code 11.6): asking for dates first would presume the answer."""
        self._require_stage(ProposeSlots, doing="propose session times")
        for index, at in enumerate(request.slots):
            if at <= now:
                raise RuleViolation(
                    f"time {index + 1}, {date_and_time(at)}, is in the past: propose times still to come", ("slots", index),
                )
            if (at - now).days > 365:
                raise RuleViolation(f"time {index + 1}, {date_and_time(at)}, is more than a year away", ("slots", index))

    def propose_slots(self, request: ProposeSlots, at: datetime) -> list[Announcement]:
        """The times replace any proposed before, and the answers to those are cleared; every party
        is asked which it can make, through its link until `availability_until`."""
        again = bool(self.slots)
        self.slots, self.slots_venue = list(request.slots), request.venue
        self.slots_round += 1
        for party in self.parties:
            party.availability = None
        times = "; ".join(f"{number}. {date_and_time(slot)}" for number, slot in enumerate(self.slots, start=1))
        cleared = "; the times proposed before, and the answers to them, are replaced" if again else ""
        self.record(
            at, request.actor, "slots_proposed",
            f"{counted(len(self.slots), 'session time')} proposed, every party asked which it can make: {times}{cleared}",
        )
        until = self.availability_until(london_date(at))
        return [Announcement(
            Template.availability_requested, tuple(self.party_ids()), f"availability_requested-{self.slots_round}",
            {"slots": self.slots, "venue": request.venue, "due": until,
             "asks": AnswerPurpose.availability, "answer_until": until},
        )]

    def availability_until(self, today: date) -> date:
        """[policy] The last day a party can say online which times it can make: the day before the first
        time (after that the officer books what suits), or the arrangement duty's due date if that
        is earlier, while it is still ahead (the session must be held by then, so answers are needed
        before it); never before today."""
        eve = london_date(self.slots[0]) - timedelta(days=1)
        arrangement = self.deadline(self.arrangement_deadline)
        until = eve
        if arrangement is not None and arrangement.owed and today <= arrangement.due < eve:
            until = arrangement.due
        return max(until, today)

    def check_record_availability(self, request: RecordAvailability) -> None:
        if self.repeats(request):
            return
        self._require_stage(RecordAvailability, doing="record which session times a party can make")
        if not self.slots:
            raise RuleViolation("no session times have been proposed yet: propose 3 to 6 times first")
        party = self._require_party(request.party)
        self._require_own_answer(request.actor, party.id)
        for index, number in enumerate(request.slots):
            if number > len(self.slots):
                raise RuleViolation(
                    f"there is no proposed time {number}: the times are numbered 1 to {len(self.slots)}", ("slots", index),
                )
        if acting_party(request.actor) is not None and party.availability is not None:
            raise RuleViolation(
                f"{party.id} has already said which times it can make; a different answer cannot be given online: "
                "contact the case officer to change it",
                "slots",
            )
        self._require_room(request.notes, "notes")

    def record_availability(self, request: RecordAvailability, at: datetime) -> list[Announcement]:
        party = self._require_party(request.party)
        before, party.availability = party.availability, list(request.slots)
        said = (
            f"{party.name} can make time{'s' if len(request.slots) > 1 else ''} {listed([str(n) for n in request.slots])}"
            if request.slots else f"none of the proposed times suit {party.name}"
        )
        if before is not None:
            said = f"changed by staff: {said} (before: {listed([str(n) for n in before]) or 'none'})"
        detail = f"{said}{self._online(request.actor)}"
        self.record(at, request.actor, "availability_recorded", f"{detail}. {request.notes}" if request.notes else detail)
        return self._told_online(request.actor, party, "said which session times they can make")

    def check_request_callback(self, request: RequestCallback) -> None:
        self._require_stage(RequestCallback, doing="record a request to be called back")
        party = self._require_party(request.party)
        self._require_own_answer(request.actor, party.id)
        self._require_room(request.note, "note")

    def _callback_owed(self, party_id: str) -> Callback | None:
        return next(
            (callback for callback in self.callbacks
             if callback.party == party_id and (deadline := self.deadline(callback_deadline(callback.number))) and deadline.owed),
            None,
        )

    def plan_callback(self, request: RequestCallback, now: datetime) -> list[DeadlineRequest]:
        """A new call-back duty, unless the party is still waiting for one: asking again is noted,
        and the officer still calls once."""
        if self._callback_owed(request.party) is not None:
            return []
        return [DeadlineRequest(name=callback_deadline(len(self.callbacks) + 1), now=now)]

    def request_callback(self, request: RequestCallback, planned: list[PlannedDeadline], at: datetime) -> list[Announcement]:
        party = self._require_party(request.party)
        for deadline in planned:
            self.callbacks.append(Callback(number=len(self.callbacks) + 1, party=party.id))
            self.set_deadline(deadline)
        waiting = self._callback_owed(party.id)
        assert waiting is not None
        due = self.deadline(callback_deadline(waiting.number))
        again = "" if planned else " again"
        detail = (
            f"{party.name} asked{again} to be called back (call-back {waiting.number}, by {long_date(due.due)})"
            f"{self._online(request.actor)}"
        )
        self.record(at, request.actor, "callback_requested", f"{detail}: {request.note}" if request.note else detail)
        return self._told_online(request.actor, party, "asked to be called back")

    def check_record_callback(self, request: RecordCallback) -> None:
        self._require_stage(RecordCallback, doing="record a call-back")
        waiting = [callback for callback in self.callbacks if self.deadline(callback_deadline(callback.number)).owed]
        if not any(callback.number == request.number for callback in waiting):
            numbers = ", ".join(str(callback.number) for callback in waiting) or "none"
            raise RuleViolation(f"there is no call-back {request.number} waiting; call-backs waiting: {numbers}", "number")
        self._require_room(request.notes, "notes")

    def record_callback(self, request: RecordCallback, at: datetime) -> None:
        """The officer called the party back: that meets the duty."""
        callback = next(callback for callback in self.callbacks if callback.number == request.number)
        party = self._require_party(callback.party)
        detail = f"Called {party.name} back (call-back {callback.number})"
        self.record(at, request.actor, "callback_made", f"{detail}. {request.notes}" if request.notes else detail)
        self._settle(callback_deadline(callback.number))

    def check_record_appeal_status(self, request: RecordAppealStatus) -> None:
        if self.deadline(APPEAL) is None:
            raise RuleViolation(
                "this case has no appeal deadline: record the Local Authority's decision first"
            )
        if self.appeal_status is not None:
            raise RuleViolation(
                f"the family's appeal is already recorded as {self.appeal_status.value.replace('_', ' ')}", "status"
            )

    def record(self, at: datetime, actor: str, event: str, detail: str = "") -> None:
        self.timeline.append(TimelineEntry(at=at, actor=actor, event=event, detail=detail, verified=actor == SYSTEM))

    def vouched(self, since: int, actor: str | None) -> None:
        """The entries from `since` on by `actor` are by someone a trusted signer vouched for."""
        for entry in self.timeline[since:]:
            entry.verified = entry.verified or (actor is not None and entry.actor == actor)

    def warn(self, code: WarningCode, text: str, at: datetime) -> None:
        """A warning for staff: on the case in words, on the timeline, and by code in the lists."""
        self.warnings.append(CaseWarning(code=code, text=text))
        self.record(at, SYSTEM, code.value, text)

    def assign_mediator(self, request: AssignMediator, at: datetime) -> list[Announcement]:
        replacing = self.mediator is not None
        self.mediator = Mediator(name=request.name, email=str(request.email), independent=request.independent)
        self.record(at, request.actor, "mediator_assigned", "mediator replaced" if replacing else "mediator assigned")
        number = sum(entry.event == "mediator_assigned" for entry in self.timeline)
        arrangement = self.deadline(self.arrangement_deadline)
        return [Announcement(
            Template.mediator_assigned, (*self.party_ids(), MEDIATOR), f"mediator_assigned-{number}",
            {"mediator_name": request.name, "due": arrangement.due if arrangement else None},
        )]

    def schedule_session(self, request: ScheduleSession, at: datetime) -> list[Announcement]:
        """Book (or move) the session. A booking does not meet the arrangement duty: the session held
        by its due date does (`record_outcome`). A new time for a booked session says from when to
        when, on the timeline and in the message."""
        moved_from = self.session.at if self.session else None
        number = self.session.number + 1 if self.session else 1
        self.session = Session(at=request.at, venue=request.venue, number=number, la_attendee=request.la_attendee)
        arrangement = self.deadline(self.arrangement_deadline)
        if arrangement is not None and arrangement.state is DeadlineState.open and at >= arrangement.expires_at <= request.at:
            arrangement.state = DeadlineState.missed  # its end passed quietly for the earlier booking: now chased
        self.stage = CaseStage.session_scheduled
        event = "session_rescheduled" if number > 1 else "session_scheduled"
        detail = f"Session booked for {date_and_time(request.at)}"
        if moved_from is not None:
            detail = f"Session moved from {date_and_time(moved_from)} to {date_and_time(request.at)}"
        self.record(at, request.actor, event, detail)
        return [Announcement(
            Template.session_scheduled, (*self.party_ids(), MEDIATOR), f"session_scheduled-{number}",
            {
                "session_at": request.at, "venue": request.venue, "previous_session_at": moved_from,
                "mediator_name": self.mediator.name if self.mediator else None,
            },
        )]

    def complete_action(self, request: CompleteAction, at: datetime) -> list[Announcement]:
        action = next(action for action in self.actions if action.number == request.number)
        action.done = True
        self.record(at, request.actor, "action_completed", f"Agreed action {action.number} done")
        self._settle(action_deadline(action.number))
        if all(action.done for action in self.actions):
            assert self.result is not None
            self.close(CaseOutcome(self.result.value), at, request.actor)
        return [self.closure()] if self.is_closed else []

    def add_note(self, request: AddNote, at: datetime) -> None:
        self.record(at, request.actor, "note", request.text)

    def reassign_officer(self, request: ReassignOfficer, at: datetime) -> None:
        """The case moves to another officer: from now on they are told what the case officer is told."""
        before, self.officer = self.case_officer, request.case_officer
        self.record(
            at, request.actor, OFFICER_REASSIGNED,
            f"case officer changed from {before} to {request.case_officer}: {request.reason}",
        )

    def _agree_actions(self, request: RecordOutcome, action_dues: list[date]) -> None:
        """The agreed actions, with the due dates planned for them and the rule each comes from."""
        self.actions = [
            AgreedAction(
                number=number, description=action.description, owner=action.owner, due=due,
                appealable=action.appealable, order_kind=action.order_kind, due_source=self.action_due_source(action),
            )
            for number, (action, due) in enumerate(zip(request.actions, action_dues, strict=True), start=1)
        ]

    def action_due_source(self, action: AgreedActionInput) -> str:
        """The rule an agreed action's due date comes from (a route's law may give more)."""
        return "[policy] agreed at the session" if action.agreed_due else duties.DR_ACTION_SOURCE

    def record_appeal_status(self, request: RecordAppealStatus, at: datetime) -> None:
        appeal = self.deadline(APPEAL)
        assert appeal is not None
        self.appeal_status = request.status
        self.record(at, request.actor, "appeal_status_recorded", APPEAL_STATUS_WORDS[request.status])
        if appeal.state is DeadlineState.open:  # settled by this entry: lodged in time, or not appealing
            appeal.state = DeadlineState.met if request.status is AppealStatus.lodged else DeadlineState.cancelled
            appeal.settled_on, appeal.settled_by = london_date(at), len(self.timeline)
        appeal.outstanding = False
        self.alarms = [alarm for alarm in self.alarms if alarm.deadline != APPEAL]

    def close(self, outcome: CaseOutcome, at: datetime, actor: str) -> None:
        """The process is over with `outcome`. Its own deadlines are cancelled; the appeal deadline
        (the law's, not ours) and any duty the law still owes the family stand, and while such a duty
        is owed the case is not shown closed (DESIGN section 11)."""
        self.outcome = outcome
        owed = self.owed_after_closure()
        for deadline in self.deadlines:
            if deadline.name == APPEAL or (deadline.name in owed and deadline.owed):
                continue
            if deadline.state is DeadlineState.open:
                deadline.state = DeadlineState.cancelled
                deadline.settled_on = london_date(at)
            deadline.outstanding = False
        self.alarms = [alarm for alarm in self.alarms if alarm.deadline == APPEAL or alarm.deadline in owed]
        if any(deadline.owed for deadline in self.deadlines if deadline.name in owed):
            self.stage = self.stage_while_owed()
            still = listed([duty_words(d.name).lower() for d in self.deadlines if d.name in owed and d.owed])
            self.record(at, actor, "process_ended", f"{OUTCOME_WORDS[outcome]}; still owed: {still}")
        else:
            self._closed(at, actor)
        for deadline in self.deadlines:
            if deadline.state is DeadlineState.cancelled and deadline.settled_by is None:
                deadline.settled_by = len(self.timeline)

    def _closed(self, at: datetime, actor: str) -> None:
        assert self.outcome is not None
        self.stage = CaseStage.closed
        self.record(at, actor, CASE_CLOSED, OUTCOME_WORDS[self.outcome])

    def _close_once_nothing_owed(self, at: datetime, actor: str) -> None:
        """After a duty that outlived the process is met: close the case if nothing else is owed."""
        if self.outcome is None or self.is_closed:
            return
        if any(deadline.owed for deadline in self.deadlines if deadline.name != APPEAL and not _is_callback(deadline.name)):
            self.stage = self.stage_while_owed()  # what is still owed, now that this is met
            return
        # A call-back asked for since the process ended goes as `close` ends those asked for before:
        # a policy duty of the process, not one the law owes after it.
        for deadline in self.deadlines:
            if _is_callback(deadline.name) and deadline.owed:
                if deadline.state is DeadlineState.open:
                    deadline.state = DeadlineState.cancelled
                    deadline.settled_on = london_date(at)
                deadline.outstanding = False
        self.alarms = [alarm for alarm in self.alarms if not _is_callback(alarm.deadline)]
        self._closed(at, actor)
        for deadline in self.deadlines:
            if deadline.state is DeadlineState.cancelled and deadline.settled_by is None:
                deadline.settled_by = len(self.timeline)

    def _close_for_service(self, at: datetime, **facts: Any) -> list[Announcement]:
        """Cancellation was requested in Temporal (the Web UI's "Request Cancellation", or `temporal
        workflow cancel`): the service withdraws the case. Everyone hears it; the family's appeal
        clock and any certificate still owed go on. A case already closed, or whose process is over
        with a duty still owed, only records the request."""
        if self.outcome is not None:
            self.record(
                at, SYSTEM, "cancellation_requested",
                f"cancellation requested in Temporal; the case was already {STAGE_WORDS[self.stage]}"
                + ("; the family's appeal warnings continue" if self.appeal_clock_running else ""),
            )
            return []
        self.record(
            at, SYSTEM, "withdrawn_by_service",
            "cancellation requested in Temporal (Web UI or CLI): the service withdrew the case",
        )
        self.close(CaseOutcome.withdrawn, at, SYSTEM)
        return [self.closure(by_service=True, **facts)]

    def set_appeal(self, appeal: AppealPlan, at: datetime) -> None:
        """The appeal clock's answer: the deadline, and how it was worked out on the timeline."""
        self.set_deadline(appeal.deadline)
        self.record(at, SYSTEM, "appeal_deadline_computed", "; ".join(appeal.steps))

    def set_deadline(self, planned: PlannedDeadline) -> Deadline:
        """Set (or replace) a planned deadline and its alarms, with who owes it under which rule."""
        self.deadlines = [deadline for deadline in self.deadlines if deadline.name != planned.name]
        self.alarms = [alarm for alarm in self.alarms if alarm.deadline != planned.name]
        deadline = Deadline(
            name=planned.name, due=planned.due, expires_at=planned.expires_at, working_days=planned.working_days
        )
        if planned.name not in MARKERS:
            deadline.owed_by, deadline.source = self.duty(planned.name)
            self.deadlines.append(deadline)
        self.alarms.extend(planned.alarms)
        return deadline

    def extend_deadline(self, request: ExtendDeadline, planned: PlannedDeadline, at: datetime) -> None:
        previous = self.deadline(request.deadline)
        assert previous is not None
        self.set_deadline(planned).extended = True
        self.record(
            at,
            request.actor,
            "deadline_extended",
            f"{duty_words(planned.name)} moved from {long_date(previous.due)} to {long_date(planned.due)}: {request.reason}",
        )

    def ring(self, alarm: Alarm) -> None:
        """An alarm has rung: forget it, and mark its deadline missed if this was the expiry."""
        self.alarms.remove(alarm)
        if alarm.purpose is AlarmPurpose.expiry and not self._held_in_time(alarm.deadline):
            deadline = self.deadline(alarm.deadline)
            if deadline is not None and deadline.state is DeadlineState.open:
                deadline.state = DeadlineState.missed
                deadline.outstanding = alarm.deadline != APPEAL

    def _held_in_time(self, name: str) -> bool:
        """A session booked before the arrangement duty's end: held in time unless the outcome says
        otherwise, so its end passes quietly (the outcome's own deadline chases the recording)."""
        deadline = self.deadline(name)
        return (
            name == self.arrangement_deadline and deadline is not None and self.session is not None
            and self.session.at < deadline.expires_at
        )

    def alarm_rang(self, alarm: Alarm, at: datetime) -> list[Announcement]:
        """An alarm has rung: change the case, and say who is told what. An appeal warning is keyed
        by the date it warns of, so that a recomputed deadline's warnings are new messages, not
        repeats of the earlier date's."""
        self.ring(alarm)
        deadline = self.deadline(alarm.deadline)
        due = deadline.due if deadline else None
        dated = f"{alarm.deadline}-{due:%Y%m%d}" if due else alarm.deadline
        if alarm.purpose is AlarmPurpose.reminder and alarm.deadline == APPEAL:
            event = f"appeal_warning-{alarm.working_days_before}-{dated}"
            return [Announcement(Template.appeal_warning, (APPLICANT,), event, {"due": due})]
        if alarm.purpose is AlarmPurpose.reminder:
            return self._reminded(alarm, due, dated)
        if self._held_in_time(alarm.deadline):
            return []
        self.record(at, SYSTEM, "deadline_missed", f"{duty_words(alarm.deadline)} was due {long_date(due)}")
        return self._expired(alarm, due, dated, at)

    def _reminded(self, alarm: Alarm, due: date | None, dated: str) -> list[Announcement]:
        """Who hears before a deadline (a route adds its own deadlines)."""
        if alarm.deadline == SCHOOL_AGE:
            return self._school_age_reached(alarm.at, london_date(alarm.at))
        if alarm.deadline == SESSION:
            assert self.session is not None
            return [Announcement(
                Template.session_reminder, (*self.party_ids(), MEDIATOR), f"session_reminder-{self.session.number}",
                {"session_at": self.session.at, "venue": self.session.venue},
            )]
        if alarm.deadline.startswith(ACTION_PREFIX):
            action = self.action_of(alarm.deadline)
            return [Announcement(
                Template.action_due, (action.owner,), f"action_due-{dated}",
                {"due": due, "actions": [self.action_facts(action.number)]},
            )]
        return [Announcement(
            Template.deadline_reminder, (CASE_OFFICER,), f"deadline_reminder-{dated}", {"deadline": alarm.deadline, "due": due}
        )]

    def _expired(self, alarm: Alarm, due: date | None, dated: str, at: datetime) -> list[Announcement]:
        """Who hears when a deadline has passed (a route adds its own consequences)."""
        if alarm.deadline.startswith(ACTION_PREFIX):
            action = self.action_of(alarm.deadline)
            return [Announcement(
                Template.action_overdue, (action.owner, CASE_OFFICER), f"action_overdue-{dated}",
                {"due": due, "actions": [self.action_facts(action.number)]},
            )]
        return [Announcement(
            Template.deadline_missed, (CASE_OFFICER,), f"deadline_missed-{dated}", {"deadline": alarm.deadline, "due": due}
        )]

    def announce_outcome(self) -> list[Announcement]:
        """The written outcome to everyone at the table, then the closure if there is nothing to follow up."""
        assert self.result is not None
        written = Announcement(
            Template.written_outcome, (*self.party_ids(), MEDIATOR), None,
            {
                "result": self.result, "session_at": self.session.at if self.session else None,
                "actions": [self.action_facts(action.number) for action in self.actions],
            },
        )
        return [written] + ([self.closure()] if self.is_closed else [])

    def closure(self, **facts: Any) -> Announcement:
        """The message that the case has closed, to every party and the mediator."""
        assert self.outcome is not None
        self.closure_announced = True
        template = CLOSURE_TEMPLATES.get(self.outcome, Template.case_closed)
        return Announcement(template, (*self.party_ids(), MEDIATOR), None, {"outcome": self.outcome, **facts})

    def recipient(self, recipient_id: str) -> Recipient:
        """Who a message goes to: a party (the applicant with their SENDIASS adviser copied), the
        mediator, or the case officer (addressed by staff id)."""
        if recipient_id == CASE_OFFICER:
            return Recipient(id=CASE_OFFICER, kind=RecipientKind.case_officer, name=self.case_officer)
        if recipient_id == MEDIATOR:
            assert self.mediator is not None
            return Recipient(id=MEDIATOR, kind=RecipientKind.mediator, name=self.mediator.name, contact=Contact(email=self.mediator.email))
        party = self.party(recipient_id)
        assert party is not None
        supporter = self.opened.supporter
        return Recipient(
            id=party.id,
            kind=RecipientKind.applicant if party.id == APPLICANT else RecipientKind.organisation,
            name=party.name,
            contact=party.contact,
            supporter_email=str(supporter.email) if supporter and party.id == APPLICANT else None,
        )

    def message_facts(self, **facts: Any) -> MessageFacts:
        """What every message of this case may say, with the event's own facts on top."""
        supporter = self.opened.supporter
        return MessageFacts(
            reference=self.reference,
            case_officer=self.case_officer,
            appeal_deadline=self.view().appeal_deadline,
            supporter_name=supporter.name if supporter else None,
            other_parties=[party.name for party in self.parties if party.id != APPLICANT],
            applicant_role=self.opened.applicant.role.value,
            **(self._route_facts() | facts),
        )

    def _route_facts(self) -> dict[str, Any]:
        """What a route's messages say beyond the shared facts."""
        return {}

    def delivery_failed(self, template: Template, recipient: Recipient, reason: str, at: datetime) -> list[Announcement]:
        """A message could not be delivered: it goes on the timeline and the case officer is told
        (unless the message was theirs)."""
        self.record(
            at, SYSTEM, "notification_failed", f"{template_words(template)} to {owner_words(recipient.id).lower()}: {reason}",
        )
        if recipient.kind is RecipientKind.case_officer:
            return []
        return [Announcement(
            Template.notification_failed, (CASE_OFFICER,), f"notification_failed-{template.value}-{recipient.id}",
            {"party_name": recipient.name, "reason": f"the message “{template_words(template)}”: {reason}"},
        )]

    def party_ids(self) -> list[str]:
        return [party.id for party in self.parties]

    def action_of(self, deadline_name: str) -> AgreedAction:
        number = int(deadline_name.removeprefix(ACTION_PREFIX))
        return next(action for action in self.actions if action.number == number)

    def action_facts(self, number: int) -> AgreedActionFacts:
        """An agreed action as messages tell it: its owner by name."""
        action = next(action for action in self.actions if action.number == number)
        owner = self.party(action.owner)
        return AgreedActionFacts(
            number=action.number, description=action.description, owner=owner.name if owner else action.owner, due=action.due
        )

    def _session_held(self) -> None:
        """The outcome recorded says the session was held: that, not its booking, meets the
        arrangement duty, on the session's day (late if it was held after the due date)."""
        assert self.session is not None
        self._settle(self.arrangement_deadline, on=london_date(self.session.at))

    def _settle(self, name: str, on: date | None = None) -> None:
        """The act a duty waited for has just been recorded (the timeline's last entry), done on the
        day `on` (default: the entry's). The verdict follows that day, whatever an alarm assumed:
        met if by the due date, missed (caught up late) after it."""
        deadline = self.deadline(name)
        if deadline is None:
            return
        if deadline.owed:
            day = on or london_date(self.timeline[-1].at)
            deadline.state = DeadlineState.met if day <= deadline.due else DeadlineState.missed
            deadline.settled_on, deadline.settled_by = day, len(self.timeline)
        deadline.outstanding = False
        self.alarms = [alarm for alarm in self.alarms if alarm.deadline != name]

    def view(self) -> CaseView:
        next_deadline = self.next_deadline()
        return CaseView(
            reference=self.reference,
            stage=self.stage,
            outcome=self.outcome,
            case_officer=self.case_officer,
            parties=[
                PartyView(
                    id=party.id, name=party.name, consent=party.consent, role=party.role, kind=party.kind,
                    answered_online=party.answered_online, availability=party.availability,
                )
                for party in self.parties
            ],
            deadlines=[_deadline_view(deadline) for deadline in self.deadlines],
            mediator=MediatorView(**self.mediator.model_dump()) if self.mediator else None,
            session=SessionView(**self.session.model_dump()) if self.session else None,
            actions=[ActionView(**action.model_dump()) for action in self.actions],
            timeline=list(self.timeline),
            notifications=[
                NotificationView(
                    to=record.to, template=record.template, channel=record.channel,
                    status=record.status, reason=record.reason,
                )
                for record in self.notifications
            ],
            appeal_deadline=appeal.due if (appeal := self.deadline(APPEAL)) else None,
            next_deadline=_deadline_view(next_deadline) if next_deadline else None,
            decision=self.decision,
            appeal_status=self.appeal_status,
            warnings=[warning.text for warning in self.warnings],
            applicant_contact=self.opened.applicant.contact,
            supporter=self.opened.supporter,
            slots=self._slot_views(),
            slots_venue=self.slots_venue,
            availability_asked=bool(self.slots) and self.stage is CaseStage.arranging_session,
            callbacks=[CallbackView(**callback.model_dump()) for callback in self.callbacks],
        ).model_copy(update=self._route_view())

    def _slot_views(self) -> list[SlotView]:
        views = []
        for number, at in enumerate(self.slots, start=1):
            available = [party.id for party in self.parties if party.availability and number in party.availability]
            views.append(SlotView(number=number, at=at, available=available, suits_everyone=len(available) == len(self.parties)))
        return views

    def _route_view(self) -> dict:
        """The case view fields only this route has."""
        raise NotImplementedError


def _deadline_view(deadline: Deadline) -> DeadlineView:
    return DeadlineView(
        name=deadline.name, due=deadline.due, state=deadline.state, owed_by=deadline.owed_by, source=deadline.source,
        settled_on=deadline.settled_on, settled_by=deadline.settled_by, owed=deadline.owed,
    )


def _is_callback(name: str) -> bool:
    return name.startswith(CALLBACK_PREFIX)
