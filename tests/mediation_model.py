"""A reference model of statutory mediation (DESIGN sections 8 and 11, `MediationCase`), written from
the design, DOMAIN and the law it cites, and kept deliberately simple, for model-based tests like
those of section 3. It states every rule itself: it imports no rule of the product, only the
vocabulary (enums, request models) and the `holidays` data (DOMAIN: "use a maintained calendar").

It extends the section 3 model (tests/case_model.py): mediator, session, outcome, agreed actions and
notes follow the same rules. What differs is below, each rule with its source:

- Every deadline is a duty: who owes it, its due date, and once settled, how (met, missed, cancelled)
  and by which act (DESIGN 11: "met by the act the law names, never by a message about it").
- The certificate (CFA 2014 s.55; SEND Regs 2014 reg 34) is owed after a "no" (3 working days from
  the day the family told the adviser), after the LA tells the adviser it cannot arrange mediation,
  after mediation (3 working days from the session, issued by the mediator, s.55(5)), and after any
  withdrawal at any stage (reg 34, "does not wish to or fails to pursue"), unless one was issued or
  is owed already. While it is owed the case is never `closed`: `certificate_due`, or
  `monitoring_agreement` while agreed actions are open (DESIGN 11).
- Only the first certificate moves the appeal deadline (the cautious reading, DESIGN 11); a later
  one warns the officer.
- The health notice (reg 32(e)) carries the issues and the provision sought, and is met when it has
  gone to every commissioner, 3 working days after the LA is told.
- The session held, not its booking, meets the arrangement duty (30 days).
- Agreed actions (reg 42): a date agreed in writing (42(5)); an appealable matter, the reg 44 period
  of its kind of order (42(2)); anything else 2 weeks (42(3)); from the session.
- Health-only mediation: the commissioning bodies are the parties (org-1 the first) and arrange it;
  the LA is told of any agreement within 1 week (reg 42(4)).
"""

from __future__ import annotations

import calendar as month_lengths
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from domain.models import (
    AgreedActionInput,
    AppealStatus,
    CaseOutcome,
    CaseStage,
    CertificateIssuer,
    CertificateReason,
    IssueCertificate,
    MediationIssue,
    OrderKind,
    RecordChoice,
    RecordOutcome,
    ScheduleSession,
    SessionResult,
)
from tests.case_model import OFFICER, ReferenceCase, StaffStep

ENGLAND = ZoneInfo("Europe/London")
BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG")
LA_PARTIES = ("applicant", "org-1")  # the family and the Local Authority
WITH_HEALTH = (*LA_PARTIES, "org-2")  # and a health commissioner
# The family is told the date and place at least 5 working days before, unless they consent to less
# (SEND Code of Practice 2015, chapter 11, restating the regulations; DOMAIN timescales). The day
# notice is given counts (when a working day), the session's own day does not.
NOTICE_WORKING_DAYS = 5
CERTIFICATE_WORKING_DAYS = 3  # reg 34; after mediation, or when it cannot be arranged (DOMAIN)
HEALTH_NOTICE_WORKING_DAYS = 3  # reg 32(e), DOMAIN
ARRANGEMENT_DAYS = 30  # DOMAIN: mediation takes place within 30 days
AGREEMENT_NOTICE_DAYS = 7  # reg 42(4): 1 week
OTHER_AGREEMENT_DAYS = 14  # reg 42(3): 2 weeks
# Reg 44(2) as reg 42(2) applies it, in calendar days from the agreement (DOMAIN's table).
REG_44_DAYS = {
    OrderKind.assess: 14, OrderKind.reassess: 14, OrderKind.issue_plan: 35, OrderKind.amend_plan: 35,
    OrderKind.name_school: 14, OrderKind.continue_plan: 0, OrderKind.cease_plan: 0,
}
WRITTEN_DAYS = 20  # an action's timescale agreed in writing, in the steps: 20 days from the day recorded
# Duties that the end of the process does not end (the law still owes them): the certificate, and
# the commissioning body's notice of an agreement to the LA.
OUTLIVE_THE_PROCESS = ("certificate", "agreement_notice")
OPEN_STAGES = (CaseStage.advice, CaseStage.arranging_session, CaseStage.session_scheduled, CaseStage.monitoring_agreement)
# The act that settles each duty, as the timeline names it.
SETTLING_ACT = {
    "certificate": "certificate_issued", "health_notice": "health_notice_sent", "mediation_arrangement": "outcome_recorded",
    "agreement_notice": "agreement_notice_sent",
}


# --- Dates ----------------------------------------------------------------------------------------


def in_england(instant: datetime) -> date:
    return instant.astimezone(ENGLAND).date()


def at_in_england(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=ENGLAND)


def is_working_day(day: date) -> bool:
    """Not a weekend, nor a bank holiday in England (DOMAIN, "Working days")."""
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def working_days_later(day: date, count: int) -> date:
    """The `count`th working day after `day`."""
    while count:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day


def working_days_from(first: date, before: date) -> int:
    """Working days from `first` (counted) up to the day before `before`."""
    return sum(is_working_day(first + timedelta(days=offset)) for offset in range((before - first).days))


def notice_given(today: date, session_day: date) -> int:
    """The working days' notice of a session given today (today counting, the session's day not)."""
    return working_days_from(today, session_day)


def session_day_with_notice(today: date, notice: int, latest: bool) -> date:
    """A session day giving exactly `notice` working days' notice from today: the first such day, or
    the last (a weekend or a bank holiday after the last working day counted, where there is one)."""
    day = today + timedelta(days=1)
    while notice_given(today, day) < notice:
        day += timedelta(days=1)
    if latest:
        while notice_given(today, day + timedelta(days=1)) == notice:
            day += timedelta(days=1)
    return day


def expiry(due: date) -> datetime:
    """A duty's day ends at midnight in England."""
    return at_in_england(due + timedelta(days=1), time(0, 0))


def months_later(day: date, months: int) -> date:
    """The corresponding date, or the month's last day (DOMAIN: 31 Dec + 2 months = 28 Feb)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, month_lengths.monthrange(year, month + 1)[1]))


def tribunal_day(day: date) -> date:
    """HESC Rules 2008 r.12: 25 Dec-1 Jan or August moves to the first working day after 1 Jan / 31 Aug
    (r.12(3)(a)); any other non-working day to the next working day (r.12(2))."""
    if day.month == 8:
        day = date(day.year, 8, 31)
    elif (day.month, day.day) >= (12, 25):
        day = date(day.year + 1, 1, 1)
    elif (day.month, day.day) == (1, 1):
        pass
    elif is_working_day(day):
        return day
    return working_days_later(day, 1)


# --- Steps ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediationStep(StaffStep):
    """A staff action of statutory mediation, with the arguments section 11 adds."""

    adviser_days: int | None = None  # record_choice: adviser_told_on, this many days from today
    issues: tuple[MediationIssue, ...] | None = None  # record_choice: the issues stated with the choice
    provision: bool = False  # record_choice: the health care provision sought is given
    issuer: CertificateIssuer | None = None  # issue_certificate: who staff say issues it
    terms: tuple[str | None, ...] = ()  # record_outcome, per action: None (reg 42(3)), "written", or an OrderKind value
    child_views: bool | None = None  # record_outcome: whether the child's views were sought
    notice: int | None = None  # schedule_session: this many working days' notice (instead of `hours`)
    latest: bool = False  # schedule_session with `notice`: the last day giving that notice

    def session_at(self, now: datetime) -> datetime:
        if self.notice is None:
            return now + timedelta(hours=self.hours)
        return at_in_england(session_day_with_notice(in_england(now), self.notice, self.latest), time(10, 0))

    def request(self, now: datetime):
        today = in_england(now)
        match self.action:
            case "record_choice":
                return RecordChoice(
                    actor=OFFICER, mediate=self.flag, la_notified_on=self.given_day(now),
                    adviser_told_on=None if self.adviser_days is None else today + timedelta(days=self.adviser_days),
                    mediation_issues=list(self.issues) if self.issues else None,
                    health_provision_sought="a named speech and language therapist, weekly" if self.provision else None,
                )
            case "issue_certificate":
                return IssueCertificate(actor=OFFICER, issued_on=self.given_day(now), issued_by=self.issuer)
            case "schedule_session":
                return ScheduleSession(actor=OFFICER, at=self.session_at(now), venue="Town Hall", short_notice_agreed=self.short_notice)
            case "record_outcome":
                actions = []
                for number, owner in enumerate(self.owners, start=1):
                    term = self.terms[number - 1] if number <= len(self.terms) else None
                    agreed = today - timedelta(days=3) if self.past_due else today + timedelta(days=WRITTEN_DAYS) if term == "written" else None
                    kind = OrderKind(term) if term not in (None, "written") and not self.past_due else None
                    actions.append(AgreedActionInput(
                        description=f"task {number}", owner=owner, agreed_due=agreed, appealable=kind is not None, order_kind=kind,
                    ))
                return RecordOutcome(actor=OFFICER, result=self.result, actions=actions, child_views_sought=self.child_views)
        return super().request(now)


# --- The model ------------------------------------------------------------------------------------


@dataclass
class Duty:
    due: date
    owed_by: str
    state: str = "open"  # open | met | missed | cancelled
    owed: bool = True
    settled_by: str | None = None  # the timeline event that settled it
    settled_on: date | None = None


@dataclass
class ReferenceMediation(ReferenceCase):
    decision_date: date = date(2026, 11, 2)
    school_only: bool = False
    opening_issues: tuple[MediationIssue, ...] = (MediationIssue.education, MediationIssue.health)
    commissioners: int = 1
    parent: bool = True  # a parent is the party (else a young person)
    stage: CaseStage = CaseStage.advice
    mediate: bool | None = None
    issues: tuple[MediationIssue, ...] = ()
    la_told: date | None = None  # when the LA was told the family wants mediation
    cannot_arrange: bool = False
    owed_reason: CertificateReason | None = None  # why the certificate now owed is owed
    certificates: list[tuple[date, CertificateReason, CertificateIssuer]] = field(default_factory=list)
    appeal_status: AppealStatus | None = None
    appeal_deadline: date | None = None
    duties: dict[str, Duty] = field(default_factory=dict)
    later_certificate_warnings: int = 0
    arrangement_moved_past_due: bool = False
    unreachable: set[str] = field(default_factory=set)  # recipients whose messages cannot be delivered
    notices: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # the law's notices the last step sends
    finished: bool = False  # the workflow has completed: the server no longer knows it

    def __post_init__(self) -> None:
        self.issues = tuple(self.opening_issues)
        self.parties = self.party_ids()
        self.appeal_deadline = self.reckon_appeal()

    # --- Who is who ---

    @property
    def health_only(self) -> bool:
        """Mediation about health alone, with a commissioning body to hold it (fixed at opening)."""
        return self.opening_issues == (MediationIssue.health,) and self.commissioners > 0

    def party_ids(self) -> tuple[str, ...]:
        bodies = self.commissioners + (0 if self.health_only else 1)
        return ("applicant", *(f"org-{number}" for number in range(1, bodies + 1)))

    def commissioner_ids(self) -> tuple[str, ...]:
        return self.parties[1:] if self.health_only else self.parties[2:]

    @property
    def certificate(self) -> tuple[date, CertificateReason, CertificateIssuer] | None:
        return self.certificates[0] if self.certificates else None

    @property
    def today(self) -> date:
        return in_england(self.now)

    def owed(self) -> dict[str, Duty]:
        return {name: duty for name, duty in self.duties.items() if duty.owed}

    def next_due(self) -> date | None:
        """The earliest date still to be acted on while the case is open: a duty owed, or the family's
        own appeal deadline while its clock runs."""
        if self.stage is CaseStage.closed:
            return None
        dues = [duty.due for duty in self.owed().values()]
        if self.appeal_clock_running and self.appeal_deadline is not None:
            dues.append(self.appeal_deadline)
        return min(dues, default=None)

    # --- The appeal clock ---

    def reckon_appeal(self) -> date:
        """The later of decision + 2 months and the first certificate + 1 month (HESC r.20(1)(c)),
        moved by r.12; no certificate part for a school_only appeal, which needs none (DESIGN 8)."""
        end = months_later(self.decision_date, 2)
        if self.certificate is not None and not self.school_only:
            end = max(end, months_later(self.certificate[0], 1))
        return tribunal_day(end)

    @property
    def appeal_passed(self) -> bool:
        return self.appeal_deadline is not None and self.now >= expiry(self.appeal_deadline)

    @property
    def appeal_clock_running(self) -> bool:
        return self.appeal_status is None and not self.appeal_passed

    # --- Time passing ---

    def apply(self, step: StaffStep) -> bool:
        self.notices = []
        if self.finished and not step.action.startswith("wait"):
            return False  # "not found": the workflow has completed
        accepted = super().apply(step)
        self._pass_time()
        return accepted

    def _pass_time(self) -> None:
        """A duty whose day has ended unmet is missed, and still owed (DESIGN 11). A session booked
        before the arrangement duty ends is taken to be held in time until the outcome says."""
        for name, duty in self.duties.items():
            if duty.state == "open" and self.now >= expiry(duty.due):
                if name == "mediation_arrangement" and self.session_at is not None and self.session_at < expiry(duty.due):
                    continue
                duty.state = "missed"
        if self.stage is CaseStage.closed and not self.appeal_clock_running:
            self.finished = True

    def _plan(self, name: str, due: date, owed_by: str) -> None:
        self.duties[name] = Duty(due=due, owed_by=owed_by)

    def _settle(self, name: str, by: str, on: date | None = None) -> None:
        duty = self.duties.get(name)
        if duty is None or not duty.owed:
            return
        on = on or self.today
        duty.owed, duty.settled_by, duty.settled_on = False, by, on
        duty.state = "met" if on <= duty.due else "missed"

    def _plan_certificate(self, reason: CertificateReason, counted_from: date) -> None:
        self.owed_reason = reason
        issuer = "mediator" if reason is CertificateReason.mediation_concluded else "mediation_adviser"
        self._plan("certificate", working_days_later(counted_from, CERTIFICATE_WORKING_DAYS), issuer)

    def _certificate_owed(self) -> bool:
        return "certificate" in self.owed()

    # --- The end of the process ---

    def _close(self, outcome: CaseOutcome) -> None:
        """The process is over: what only it needed is cancelled (a missed duty stops being chased);
        what the law still owes stands, and the case waits for it rather than close."""
        self.outcome = outcome
        surviving = {name for name in OUTLIVE_THE_PROCESS if name in self.owed()}
        ending = "process_ended" if surviving else "case_closed"
        for name, duty in self.duties.items():
            if name in surviving or not duty.owed:
                continue
            duty.owed = False  # a missed one stays missed: no act discharged it
            if duty.state == "open":
                duty.state, duty.settled_on, duty.settled_by = "cancelled", self.today, ending
        self.timeline += 1
        if "certificate" in surviving:
            self.stage = CaseStage.certificate_due
        elif surviving:
            self.stage = CaseStage.monitoring_agreement  # only the LA's notice of the agreement is owed
        else:
            self.stage = CaseStage.closed

    def _close_once_nothing_owed(self) -> None:
        """A duty that outlived the process is met: closed if nothing else is owed, else waiting for what is."""
        if self.outcome is None or self.stage is CaseStage.closed:
            return
        if not self.owed():
            self.stage = CaseStage.closed
            self.timeline += 1
        elif not self._certificate_owed():
            self.stage = CaseStage.monitoring_agreement

    def _after_closure(self, step: StaffStep) -> bool:
        # Closed, the family's appeal clock still running: only its status may be recorded.
        return self._record_appeal_status(step) if step.action == "record_appeal_status" else False

    # --- Staff actions ---

    def _given_day_fits(self, day: date | None, earliest: date | None = None) -> bool:
        """A date staff give is a fact: not in the future, nor before the event it follows (the decision)."""
        day = day or self.today
        return (earliest or self.decision_date) <= day <= self.today

    def _days_from_today(self, days: int | None) -> date | None:
        return None if days is None else self.today + timedelta(days=days)

    def _record_choice(self, step: StaffStep) -> bool:
        assert isinstance(step, MediationStep)
        la_told, adviser_told = step.given_day(self.now), self._days_from_today(step.adviser_days)
        if self.stage is not CaseStage.advice or self.mediate is not None:
            return False
        if not self._given_day_fits(la_told) or not self._given_day_fits(adviser_told):
            return False
        issues = step.issues or self.issues
        wants_health = step.flag and MediationIssue.health in issues
        if wants_health != step.provision:  # reg 32(e)(iii): the provision, exactly when health is in issue
            return False
        self.mediate, self.issues = step.flag, tuple(issues)
        self.la_told = la_told or self.today
        self.timeline += 1
        if not step.flag:
            # reg 34: 3 working days after the family told the adviser
            self._plan_certificate(CertificateReason.no_mediation, adviser_told or self.today)
            self.stage = CaseStage.certificate_due
            return True
        self.stage = CaseStage.arranging_session  # the LA cannot decline: no consent stage
        if self.health_only:  # the commissioning bodies arrange it, 30 days after the LA's notice (sent now)
            self._plan("mediation_arrangement", self.today + timedelta(days=ARRANGEMENT_DAYS), "health_commissioner")
        else:
            self._plan("mediation_arrangement", self.la_told + timedelta(days=ARRANGEMENT_DAYS), "local_authority")
        if MediationIssue.health in issues:  # owed whenever health is in issue, a commissioner named or not
            self._plan("health_notice", working_days_later(self.la_told, HEALTH_NOTICE_WORKING_DAYS), "local_authority")
            if self.commissioner_ids():
                self.notices.append(("health_notice", self.commissioner_ids()))
            if self.commissioner_ids() and not self.unreachable & set(self.commissioner_ids()):
                # sent to every one of them (the harness delivers at once): that is the act
                self.timeline += 1
                self._settle("health_notice", by="health_notice_sent")
        return True

    def _issue_certificate(self, step: StaffStep) -> bool:
        assert isinstance(step, MediationStep)
        issued_on = step.given_day(self.now) or self.today
        if not self._certificate_owed() or not self._given_day_fits(issued_on):
            return False
        reason = self.owed_reason
        assert reason is not None
        issuer = CertificateIssuer.mediator if reason is CertificateReason.mediation_concluded else CertificateIssuer.mediation_adviser
        if step.issuer is not None and step.issuer is not issuer:  # CFA 2014 s.55(4), (5)
            return False
        first = self.certificate is None
        self.certificates.append((issued_on, reason, issuer))
        self.owed_reason = None
        self.timeline += 1
        self._settle("certificate", by="certificate_issued", on=issued_on)
        if first and not self.school_only and self.appeal_status is None:
            self.appeal_deadline = self.reckon_appeal()  # only the first certificate moves it
            self.timeline += 1
        elif not first:
            self.later_certificate_warnings += 1  # the officer is told; the date never moves
            self.notices.append(("later_certificate", ("case_officer",)))
            self.timeline += 1
        if self.stage is CaseStage.certificate_due and self.outcome is None:  # after a "no", the certificate ends it
            self._close(CaseOutcome.certificate_only)
        else:
            self._close_once_nothing_owed()
        return True

    def _report_cannot_arrange(self, step: StaffStep) -> bool:
        informed = step.given_day(self.now)
        # The LA can only tell the adviser it cannot arrange what it was asked to arrange.
        if self.stage is not CaseStage.arranging_session or self.cannot_arrange or not self._given_day_fits(informed, self.la_told):
            return False
        self.cannot_arrange = True
        self._plan_certificate(CertificateReason.not_arranged, informed or self.today)  # the case stays open
        self.timeline += 1
        return True

    def _schedule_session(self, step: StaffStep) -> bool:
        assert isinstance(step, MediationStep)
        at = step.session_at(self.now)
        if not self._session_fits(at):
            return False
        if not step.short_notice and notice_given(self.today, in_england(at)) < NOTICE_WORKING_DAYS:
            return False
        arrangement = self.duties.get("mediation_arrangement")
        if arrangement is not None and arrangement.owed and self.now >= expiry(arrangement.due):
            self.arrangement_moved_past_due = True  # the session booked in time moves after the 30 days ended
        self.session_at, self.sessions, self.stage = at, self.sessions + 1, CaseStage.session_scheduled
        self.timeline += 1
        return True

    def _record_outcome(self, step: StaffStep) -> bool:
        assert isinstance(step, MediationStep)
        if self.stage is not CaseStage.session_scheduled or self.session_at is None or self.session_at > self.now:
            return False
        if step.child_views is not None and not self.parent:  # CFA 2014 s.56(1)(e): only where a parent is the party
            return False
        if step.result is SessionResult.no_agreement and step.owners:
            return False
        if step.result is SessionResult.partial_agreement and not step.owners:
            return False
        if any(owner not in self.parties for owner in step.owners) or (step.owners and step.past_due):
            return False
        held = in_england(self.session_at)  # everything counts from the session, however late it is recorded
        self.result = step.result
        self.actions = dict.fromkeys(range(1, len(step.owners) + 1), False)
        self.timeline += 1
        self._settle("mediation_arrangement", by="outcome_recorded", on=held)  # the session held meets it
        for number, owner in enumerate(step.owners, start=1):
            term = step.terms[number - 1] if number <= len(step.terms) else None
            if term == "written":
                due = self.today + timedelta(days=WRITTEN_DAYS)  # reg 42(5)
            elif term is not None:
                due = held + timedelta(days=REG_44_DAYS[OrderKind(term)])  # reg 42(2), reg 44
            else:
                due = held + timedelta(days=OTHER_AGREEMENT_DAYS)  # reg 42(3)
            self._plan(f"action-{number}", due, owner)
        if self._certificate_owed():  # the adviser's certificate owed since it could not be arranged stands
            self.timeline += 1
        else:
            self._plan_certificate(CertificateReason.mediation_concluded, held)  # CFA s.55(5): by the mediator
        if self.health_only and step.result is not SessionResult.no_agreement:
            self._plan("agreement_notice", held + timedelta(days=AGREEMENT_NOTICE_DAYS), "health_commissioner")
        if self.actions:
            self.stage = CaseStage.monitoring_agreement  # the certificate runs beside the actions
        else:
            self._close(CaseOutcome(step.result.value))
        if "agreement_notice" in self.duties:
            self.notices.append(("agreement_notice", ("local_authority",)))
            self.timeline += 1  # sent to the LA at once: that meets reg 42(4)
            self._settle("agreement_notice", by="agreement_notice_sent")
            self._close_once_nothing_owed()
        return True

    def _complete_action(self, step: StaffStep) -> bool:
        if self.stage is not CaseStage.monitoring_agreement or self.actions.get(step.number) is not False:
            return False
        self.actions[step.number] = True
        self.timeline += 1
        self._settle(f"action-{step.number}", by="action_completed")
        if all(self.actions.values()):
            assert self.result is not None
            self._close(CaseOutcome(self.result.value))
        return True

    def _withdraw(self, step: StaffStep) -> bool:
        # Only the family may stop: the LA must arrange mediation and take part (CFA 2014 ss.53-54).
        if step.party != "applicant" or self.stage not in OPEN_STAGES:
            return False
        self.timeline += 1
        if not self.certificates and self.owed_reason is None:
            self._plan_certificate(CertificateReason.not_pursued, self.today)  # reg 34: fails to pursue, at any stage
        self._close(CaseOutcome.not_arranged if self.cannot_arrange else CaseOutcome.withdrawn)
        return True

    def _extend_deadline(self, step: StaffStep) -> bool:
        # Statutory duties and the appeal deadline are the law's: never extended here. An agreed
        # action's date may be (5 calendar days, as the step asks), while the process runs.
        if step.deadline != "action-1" or self.stage not in OPEN_STAGES:
            return False
        duty = self.duties.get("action-1")
        if duty is None or duty.state in ("met", "cancelled") or not duty.owed:
            return False
        self.duties["action-1"] = Duty(due=duty.due + timedelta(days=5), owed_by=duty.owed_by)
        self.timeline += 1
        return True

    def _add_note(self, step: StaffStep) -> bool:
        if self.stage not in (*OPEN_STAGES, CaseStage.certificate_due):
            return False
        self.timeline += 1
        return True

    def _record_appeal_status(self, step: StaffStep) -> bool:
        if self.appeal_status is not None:
            return False
        self.appeal_status = step.status
        self.timeline += 1
        return True
