"""Statutory mediation's rules (domain/mediation.py, DESIGN section 8) pinned exactly, on the domain alone.

The reference model (tests/test_mediation_model.py) says which actions are accepted and what the
case's stage, outcome, certificate and appeal deadline become; these tests pin what it leaves loose:
what each action announces (template, recipients in order, event key, facts), the refusals' exact
words, the deadlines, alarms and timeline entries it leaves, and the appeal clock's reasoning in
words (domain/appeal.py). Each case is driven as the workflow drives it (check, plan, apply), with
`at`/`today` given; nothing runs on a server.

Every date is worked out by hand. The law:
- SEND Regulations 2014 (legislation.gov.uk, cross-heading "Mediation", text read): reg 33, contact the
  mediation adviser within 2 months after the decision notice was sent; reg 34, headed "Where a parent
  or young person does not wish to or fails to pursue mediation"; reg 42(2), (3), (5), an agreement on
  an appealable matter in the reg 44 periods (staff give that date), anything else within two weeks of
  the agreement, a timescale agreed in writing replacing both.
- The 3 working days for each certificate (after a "no", after the LA tells the adviser it cannot
  arrange mediation within 30 days, after mediation) and the 3 working days for the health notice, as
  IPSEA ("The mediation process") and SENDIASS pages state them: DOMAIN timescales, marked "check".
- HESC Tribunal Rules 2008 as domain/appeal.py quotes them: r.20(1)(c), the later of notice + 2 months
  and certificate + 1 month; r.12(2), a non-working day moves to the next working day; r.12(3)(a),
  25 Dec-1 Jan or August moves to the first working day after 1 Jan / 31 Aug.
England's calendar (bank holidays): 2026: 31 Aug, 25 Dec, 28 Dec (Boxing Day observed); 2027: 1 Jan,
Good Friday 26 Mar, Easter Monday 29 Mar.

The case: a refusal to assess whose notice was sent Mon 2 Nov 2026; the family (Sam Parent), the
Local Authority (org-1, Rotherham LA) and a health commissioner (org-2, South Yorkshire ICB); issues
education and health. Its appeal deadline without a certificate: 2 Nov + 2 months = Sat 2 Jan 2027,
after the Christmas break (which ends on 1 Jan), so r.12(2): Mon 4 Jan 2027.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from domain.appeal import reckon_appeal_deadline
from domain.calendar import LONDON, WorkingCalendar, london_date
from domain.case import SYSTEM, AgreedAction, RuleViolation
from domain.deadlines import APPEAL, CERTIFICATE, HEALTH_NOTICE, MEDIATION_ARRANGEMENT, AlarmPurpose, action_deadline
from domain.mediation import Mediation
from domain.models import (
    AgreedActionInput,
    AppealStatus,
    ApplicantRole,
    CaseOutcome,
    CaseStage,
    CertificateReason,
    CertificateView,
    DecisionKind,
    DecisionView,
    DeadlineState,
    IssueCertificate,
    LocalAuthority,
    Contact,
    MediationIssue,
    OrganisationKind,
    RecordChoice,
    RecordOutcome,
    ReportCannotArrange,
    Route,
    ScheduleSession,
    SessionResult,
    Withdraw,
)
from domain.notifications import AgreedActionFacts, Announcement, Template
from tests.case_model import OFFICER, StaffStep
from tests.journeys import open_mediation
from tests.test_mediation_model import appeal_plan, check_and_apply, open_on_the_rules, planned
from tests.test_stage_rules import rejected

DECIDED = date(2026, 11, 2)  # Monday: the decision notice was sent
REFERENCE = "MD-2026-MODEL1"  # what open_on_the_rules calls the case
EVERYONE = ("applicant", "org-1", "org-2", "mediator")  # every party in order, then the mediator
FAMILY = "Sam Parent"
APPEAL_FROM_DECISION = date(2027, 1, 4)
DECISION_STEP = "decision notice sent 2026-11-02 + 2 months = 2027-01-02 (r.20(1)(c)(i))"
SATURDAY_STEP = "2027-01-02 is not a working day: next working day = 2027-01-04 (r.12(2))"


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    """An instant in winter, when England keeps UTC: the date in England is the date given."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def england(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), LONDON)


def opened(**overrides) -> Mediation:
    """The case, opened on Mon 9 Nov 2026 (a week after the decision, well inside reg 33's 2 months)."""
    return open_on_the_rules(DECIDED, at(11, 9), **overrides)


def said_no(**overrides) -> Mediation:
    """The family tells the adviser on Thu 3 Dec that they do not want mediation: the certificate is
    due 3 working days later (reg 34): Fri 4, Mon 7, Tue 8 Dec."""
    case = opened(**overrides)
    check_and_apply(case, StaffStep(action="record_choice", flag=False), at(12, 3))
    return case


def chose_mediation(**overrides) -> Mediation:
    """The family wants mediation and the LA is told on Mon 16 Nov: it must take place within 30 days,
    by Wed 16 Dec; the ICB hears of the issues with that message (health notice due Thu 19 Nov, met)."""
    case = opened(**overrides)
    check_and_apply(case, StaffStep(action="record_choice", flag=True), at(11, 16))
    return case


def cannot_arrange() -> Mediation:
    """The LA tells the adviser on Wed 23 Dec that it cannot arrange mediation (the step's own reason)."""
    case = chose_mediation()
    check_and_apply(case, StaffStep(action="report_cannot_arrange"), at(12, 23))
    return case


def session_held() -> Mediation:
    """A mediator assigned on Tue 17 Nov; the session booked for Thu 26 Nov at 14:00 (7 working days'
    notice), now held."""
    case = chose_mediation()
    check_and_apply(case, StaffStep(action="assign_mediator"), at(11, 17))
    check_and_apply(case, StaffStep(action="schedule_session", hours=9 * 24 + 4), at(11, 17))
    assert case.session is not None and case.session.at == at(11, 26, 14)
    return case


def deadlines(case: Mediation) -> dict[str, tuple[date, DeadlineState]]:
    return {deadline.name: (deadline.due, deadline.state) for deadline in case.deadlines}


def alarms(case: Mediation, name: str) -> list[tuple[AlarmPurpose, datetime, int | None]]:
    return [(alarm.purpose, alarm.at, alarm.working_days_before) for alarm in case.alarms if alarm.deadline == name]


def entries(case: Mediation, since: int) -> list[tuple[datetime, str, str, str]]:
    return [(entry.at, entry.actor, entry.event, entry.detail) for entry in case.timeline[since:]]


def issue(case: Mediation, now: datetime, issued_on: date | None = None) -> list[Announcement]:
    """As the workflow does: check, reckon the appeal clock with the certificate (unless it cannot
    count), apply, announce."""
    request, today = IssueCertificate(actor=OFFICER, issued_on=issued_on), london_date(now)
    case.check_issue_certificate(request, today)
    plan = appeal_plan(case, now, issued_on or today) if case.certificate_counts else None
    case.issue_certificate(request, plan, now, today)
    return case.announce_certificate()


def refused(case: Mediation, check) -> str:
    """The refusal's words, having checked that the refusal changed nothing."""
    before = case.model_dump()
    words = rejected(lambda: check(case))
    assert case.model_dump() == before
    return words


# --- Opening: reg 33's 2 months ------------------------------------------------------------------


@pytest.mark.parametrize(("opened_on", "late"), [(date(2027, 1, 2), False), (date(2027, 1, 3), True)], ids=["last-day", "a-day-late"])
def test_opening_more_than_2_months_after_the_decision_warns_the_officer(opened_on: date, late: bool) -> None:
    """reg 33: the family contacts the adviser within 2 months after the notice was sent, 2 Nov 2026:
    by Sat 2 Jan 2027 (calendar months; the regulation has no working-day rule). Later, DESIGN 8 allows
    the case with a warning: the Tribunal's permission is needed."""
    now = england(opened_on, 10)
    case = Mediation.open(REFERENCE, open_mediation(DECIDED), now)
    mark = len(case.timeline)
    told = case.announce_opening(now, opened_on)
    assert told[0] == Announcement(Template.mediation_opened, ("applicant", "org-1", "org-2"))
    assert told[1:] == ([Announcement(Template.late_opening, ("case_officer",))] if late else [])
    assert entries(case, mark) == ([(
        now, SYSTEM, "late_opening",
        "opened more than 2 months after the decision (reg 33): an appeal needs the Tribunal's permission",
    )] if late else [])


# --- The certificate after a "no" (reg 34) --------------------------------------------------------


def test_a_no_is_followed_by_a_certificate_due_in_3_working_days() -> None:
    case = said_no()
    assert case.stage is CaseStage.advice and case.certificate_reason is CertificateReason.no_mediation
    assert deadlines(case) == {APPEAL: (APPEAL_FROM_DECISION, DeadlineState.open), CERTIFICATE: (date(2026, 12, 8), DeadlineState.open)}


def test_the_certificate_after_a_no_closes_the_case_and_moves_the_appeal_deadline() -> None:
    """Issued on its last day, Tue 8 Dec, at 08:30: + 1 month = Fri 8 Jan 2027, later than 4 Jan and a
    working day. Warnings 20 and 5 working days before it, also after closing: counting back over
    New Year's Day and the 25 and 28 Dec holidays, Tue 8 Dec (20) and Thu 31 Dec (5), at 09:00."""
    case = said_no()
    now, mark = at(12, 8, 8, 30), len(case.timeline)
    told = issue(case, now)
    assert told == [
        Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20261208"),
        Announcement(Template.case_closed, EVERYONE, None, {"outcome": CaseOutcome.certificate_only}),
    ]
    assert case.certificate == CertificateView(issued_on=date(2026, 12, 8), reason=CertificateReason.no_mediation)
    assert case.certificate_reason is None
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.certificate_only)
    assert deadlines(case) == {APPEAL: (date(2027, 1, 8), DeadlineState.open), CERTIFICATE: (date(2026, 12, 8), DeadlineState.met)}
    assert entries(case, mark) == [
        (now, OFFICER, "certificate_issued", "no_mediation, dated 2026-12-08"),
        (now, SYSTEM, "appeal_deadline_computed",
         f"{DECISION_STEP}; certificate issued 2026-12-08 + 1 month = 2027-01-08, later (r.20(1)(c)(ii))"),
        (now, OFFICER, "case_closed", "certificate_only"),
    ]
    assert alarms(case, CERTIFICATE) == []
    assert alarms(case, APPEAL) == [
        (AlarmPurpose.reminder, england(date(2026, 12, 8), 9), 20),
        (AlarmPurpose.reminder, england(date(2026, 12, 31), 9), 5),
        (AlarmPurpose.expiry, england(date(2027, 1, 9), 0), None),
    ]
    assert case.view().appeal_deadline == date(2027, 1, 8)


def test_a_certificate_dated_the_decision_day_is_allowed_and_leaves_the_decision_date_governing() -> None:
    """The family said no on the decision day itself, Mon 2 Nov (recorded on Mon 9 Nov), and the
    certificate is dated that day: 2 Nov + 1 month = Wed 2 Dec 2026, before 2 Jan 2027, so the
    deadline stays Mon 4 Jan."""
    case = opened()
    check_and_apply(case, StaffStep(action="record_choice", flag=False, days=-7), at(11, 9))
    assert deadlines(case)[CERTIFICATE] == (date(2026, 11, 5), DeadlineState.open)  # Tue 3, Wed 4, Thu 5 Nov
    now, mark = at(11, 9), len(case.timeline)
    told = issue(case, now, issued_on=DECIDED)
    assert told[0] == Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20261102")
    assert case.certificate == CertificateView(issued_on=DECIDED, reason=CertificateReason.no_mediation)
    assert case.view().appeal_deadline == APPEAL_FROM_DECISION
    assert entries(case, mark)[:2] == [
        (now, OFFICER, "certificate_issued", "no_mediation, dated 2026-11-02"),
        (now, SYSTEM, "appeal_deadline_computed",
         f"{DECISION_STEP}; certificate issued 2026-11-02 + 1 month = 2026-12-02, not later: the decision date "
         f"governs; {SATURDAY_STEP}"),
    ]


@pytest.mark.parametrize(("issued_on", "words"), [
    (date(2026, 11, 10), "the certificate date 2026-11-10 is in the future"),  # today is Mon 9 Nov
    (date(2026, 11, 1), "the certificate date 2026-11-01 is before the decision"),
], ids=["tomorrow", "the-day-before-the-decision"])
def test_a_certificate_dated_tomorrow_or_before_the_decision_is_refused(issued_on: date, words: str) -> None:
    case = opened()
    check_and_apply(case, StaffStep(action="record_choice", flag=False, days=-7), at(11, 9))
    request = IssueCertificate(actor=OFFICER, issued_on=issued_on)
    assert refused(case, lambda case: case.check_issue_certificate(request, date(2026, 11, 9))) == words


def test_a_certificate_dated_today_is_allowed() -> None:
    case = said_no()
    case.check_issue_certificate(IssueCertificate(actor=OFFICER, issued_on=date(2026, 12, 8)), date(2026, 12, 8))


CHOOSE_FIRST = (
    "a certificate is issued once the family has told the mediation adviser whether they want mediation: "
    "record their choice first (choose)"
)
NONE_DUE = (
    "no certificate is due now: it is issued after the family says no, after the Local Authority reports it "
    "cannot arrange mediation, or after mediation concludes"
)


def test_a_certificate_before_the_family_has_chosen_is_refused_asking_for_their_choice() -> None:
    case = opened()
    # The date is checked first: a date in the future is refused as such.
    tomorrow = IssueCertificate(actor=OFFICER, issued_on=date(2026, 11, 10))
    assert refused(case, lambda case: case.check_issue_certificate(tomorrow, date(2026, 11, 9))) == (
        "the certificate date 2026-11-10 is in the future"
    )
    # Nothing owed: asked for the choice before the date is compared with the decision.
    early = IssueCertificate(actor=OFFICER, issued_on=date(2026, 11, 1))
    assert refused(case, lambda case: case.check_issue_certificate(early, date(2026, 11, 9))) == CHOOSE_FIRST
    assert refused(case, lambda case: case.check_issue_certificate(IssueCertificate(actor=OFFICER), date(2026, 11, 9))) == CHOOSE_FIRST


def certified_after_a_no() -> Mediation:
    case = said_no()
    issue(case, at(12, 8))
    return case


@pytest.mark.parametrize("build", [chose_mediation, certified_after_a_no], ids=["chose-mediation", "certificate-issued"])
def test_no_certificate_is_due_while_mediation_is_being_arranged_or_once_it_is_issued(build) -> None:
    request = IssueCertificate(actor=OFFICER)
    assert refused(build(), lambda case: case.check_issue_certificate(request, date(2026, 12, 9))) == NONE_DUE


def test_a_certificate_after_the_appeal_is_lodged_does_not_move_the_stopped_clock() -> None:
    case = said_no()
    check_and_apply(case, StaffStep(action="record_appeal_status", status=AppealStatus.lodged), at(12, 4))
    now, mark = at(12, 8), len(case.timeline)
    issue(case, now)
    assert deadlines(case)[APPEAL] == (APPEAL_FROM_DECISION, DeadlineState.met)
    assert entries(case, mark) == [
        (now, OFFICER, "certificate_issued", "no_mediation, dated 2026-12-08"),
        (now, OFFICER, "case_closed", "certificate_only"),
    ]


def test_a_school_only_certificate_leaves_the_appeal_deadline_alone() -> None:
    """No certificate is needed for an appeal only about the school named (CFA 2014 s.55(3)); DESIGN 8
    leaves it out of the clock, so the workflow reckons none and the deadline stays Mon 4 Jan."""
    case = said_no(school_only=True)
    assert case.certificate_counts is False and said_no().certificate_counts is True
    now, mark = at(12, 8), len(case.timeline)
    issue(case, now)
    assert case.certificate == CertificateView(issued_on=date(2026, 12, 8), reason=CertificateReason.no_mediation)
    assert deadlines(case)[APPEAL] == (APPEAL_FROM_DECISION, DeadlineState.open)
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.certificate_only)
    assert entries(case, mark) == [
        (now, OFFICER, "certificate_issued", "no_mediation, dated 2026-12-08"),
        (now, OFFICER, "case_closed", "certificate_only"),
    ]


# --- The LA cannot arrange mediation in time ------------------------------------------------------


def test_cannot_arrange_makes_the_certificate_due_in_3_working_days_and_keeps_the_case_open() -> None:
    """Told on Wed 23 Dec: Thu 24 (1), Fri 25 and Mon 28 Dec are bank holidays, Tue 29 (2), Wed 30 (3)."""
    case = chose_mediation()
    now, mark = at(12, 23), len(case.timeline)
    request = ReportCannotArrange(actor=OFFICER, reason="no mediator free before January")
    case.check_report_cannot_arrange(request, date(2026, 12, 23))
    certificate = planned(CERTIFICATE, now, start_day=date(2026, 12, 23))
    told = case.report_cannot_arrange(request, certificate, now)
    assert told == [Announcement(
        Template.cannot_arrange, EVERYONE, None, {"due": date(2026, 12, 30), "reason": "no mediator free before January"},
    )]
    assert case.cannot_arrange is True and case.certificate_reason is CertificateReason.not_arranged
    assert (case.stage, case.outcome) == (CaseStage.arranging_session, None)
    assert deadlines(case) == {
        APPEAL: (APPEAL_FROM_DECISION, DeadlineState.open),
        MEDIATION_ARRANGEMENT: (date(2026, 12, 16), DeadlineState.open),
        HEALTH_NOTICE: (date(2026, 11, 19), DeadlineState.met),
        CERTIFICATE: (date(2026, 12, 30), DeadlineState.open),
    }
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 12, 31), 0), None)]
    assert entries(case, mark) == [(now, OFFICER, "cannot_arrange", "no mediator free before January")]


@pytest.mark.parametrize("informed", [date(2026, 12, 23), date(2026, 11, 16)], ids=["today", "the-day-the-la-was-told"])
def test_the_adviser_may_have_been_told_today_or_as_early_as_the_la_itself(informed: date) -> None:
    case = chose_mediation()
    case.check_report_cannot_arrange(ReportCannotArrange(actor=OFFICER, reason="x", adviser_informed_on=informed), date(2026, 12, 23))


@pytest.mark.parametrize(("informed", "words"), [
    (date(2026, 12, 24), "the date the adviser was told, 2026-12-24, is in the future"),
    (date(2026, 11, 15), "the adviser cannot have been told on 2026-11-15 that mediation cannot be arranged: the Local "
                         "Authority was told the family wants mediation on 2026-11-16"),
], ids=["tomorrow", "before-the-la-was-told"])
def test_the_adviser_told_tomorrow_or_before_the_la_knew_is_refused(informed: date, words: str) -> None:
    case = chose_mediation()
    request = ReportCannotArrange(actor=OFFICER, reason="x", adviser_informed_on=informed)
    assert refused(case, lambda case: case.check_report_cannot_arrange(request, date(2026, 12, 23))) == words


def test_cannot_arrange_only_while_arranging_and_only_once() -> None:
    request = ReportCannotArrange(actor=OFFICER, reason="no mediator free")
    check = lambda case: case.check_report_cannot_arrange(request, date(2026, 12, 23))  # noqa: E731
    only = "; only while it is arranging the session"
    assert refused(opened(), check) == (
        "cannot report that mediation cannot be arranged while the case is with the family deciding whether to mediate" + only
    )
    assert refused(session_held(), check) == (
        "cannot report that mediation cannot be arranged while the case is waiting for its session" + only
    )
    assert refused(cannot_arrange(), check) == "it is already recorded that mediation could not be arranged in time"
    closed = chose_mediation()
    closed.withdraw(Withdraw(actor=OFFICER, party="applicant", reason="x"), None, at(11, 20))
    assert refused(closed, check) == f"case {REFERENCE} is closed (withdrawn); nothing more can be recorded"


def test_the_certificate_after_cannot_arrange_moves_the_appeal_deadline_and_the_case_stays_open() -> None:
    """Issued Tue 29 Dec: + 1 month = Fri 29 Jan 2027, later than 4 Jan, a working day. Mediation may
    still take place (DESIGN 8): no closure."""
    case = cannot_arrange()
    now, mark = at(12, 29), len(case.timeline)
    assert issue(case, now) == [Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20261229")]
    assert case.certificate == CertificateView(issued_on=date(2026, 12, 29), reason=CertificateReason.not_arranged)
    assert (case.stage, case.outcome, case.certificate_reason) == (CaseStage.arranging_session, None, None)
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 30), DeadlineState.met)
    assert deadlines(case)[APPEAL] == (date(2027, 1, 29), DeadlineState.open)
    assert entries(case, mark) == [
        (now, OFFICER, "certificate_issued", "not_arranged, dated 2026-12-29"),
        (now, SYSTEM, "appeal_deadline_computed",
         f"{DECISION_STEP}; certificate issued 2026-12-29 + 1 month = 2027-01-29, later (r.20(1)(c)(ii))"),
    ]
    # The family then stops: nothing more is owed, and the outcome says mediation was not arranged.
    assert case.owes_certificate_on_withdrawal() is False
    told = case.withdraw(Withdraw(actor=OFFICER, party="applicant", reason="going straight to appeal"), None, at(12, 30))
    assert told == [Announcement(
        Template.case_closed, EVERYONE, None,
        {"outcome": CaseOutcome.not_arranged, "party_name": FAMILY, "resolution_started": True},
    )]
    assert case.outcome is CaseOutcome.not_arranged


def test_withdrawing_after_cannot_arrange_keeps_the_certificate_owed_and_closes_as_not_arranged() -> None:
    case = cannot_arrange()
    assert case.owes_certificate_on_withdrawal() is False  # already owed, as not_arranged
    now, mark = at(12, 24), len(case.timeline)
    case.check_withdraw(Withdraw(actor=OFFICER, party="applicant", reason="going straight to appeal"))
    told = case.withdraw(Withdraw(actor=OFFICER, party="applicant", reason="going straight to appeal"), None, now)
    assert told == [Announcement(
        Template.case_closed, EVERYONE, None,
        {"outcome": CaseOutcome.not_arranged, "party_name": FAMILY, "resolution_started": True},
    )]
    assert (case.stage, case.outcome, case.certificate_reason) == (CaseStage.closed, CaseOutcome.not_arranged, CertificateReason.not_arranged)
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 30), DeadlineState.open)  # still owed, still chased
    assert deadlines(case)[MEDIATION_ARRANGEMENT] == (date(2026, 12, 16), DeadlineState.cancelled)
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 12, 31), 0), None)]
    assert entries(case, mark) == [
        (now, OFFICER, "withdrawn", "the family withdrew: going straight to appeal"),
        (now, OFFICER, "case_closed", "not_arranged"),
    ]
    # Issued after the closure: the reason stands, the case stays closed as it was.
    assert issue(case, at(12, 29)) == [
        Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20261229"),
        Announcement(Template.case_closed, EVERYONE, None, {"outcome": CaseOutcome.not_arranged}),
    ]
    assert case.certificate == CertificateView(issued_on=date(2026, 12, 29), reason=CertificateReason.not_arranged)
    assert case.outcome is CaseOutcome.not_arranged


# --- After the session: the outcome and the certificate ------------------------------------------


def test_an_agreement_with_actions_is_followed_up_and_the_certificate_is_due_in_3_working_days() -> None:
    """Recorded on Mon 30 Nov, counted (as the workflow does) from the session on Thu 26 Nov:
    certificate Fri 27 (1), Mon 30 (2), Tue 1 Dec (3). Action 1 on an appealable matter carries the
    reg 44 date staff give (reg 42(2)); action 2 has none: two weeks from the agreement, Thu 10 Dec
    (reg 42(3))."""
    case = session_held()
    now, mark = at(11, 30, 10), len(case.timeline)
    request = RecordOutcome(actor=OFFICER, result=SessionResult.partial_agreement, child_views_sought=True, actions=[
        AgreedActionInput(description="Amend section F: speech therapy", owner="org-1", agreed_due=date(2027, 1, 4)),
        AgreedActionInput(description="Send the therapy report", owner="org-2"),
    ])
    case.check_record_outcome(request, now)
    held = case.session.at
    dues = [
        planned(action_deadline(number), now, due=action.due, start=held).due for number, action in enumerate(request.actions, 1)
    ]
    assert dues == [date(2027, 1, 4), date(2026, 12, 10)]
    case.record_outcome(request, dues, planned(CERTIFICATE, now, start=held), now)
    assert (case.stage, case.outcome, case.result) == (CaseStage.monitoring_agreement, None, SessionResult.partial_agreement)
    assert case.certificate_reason is CertificateReason.mediation_concluded
    assert case.actions == [
        AgreedAction(number=1, description="Amend section F: speech therapy", owner="org-1", due=date(2027, 1, 4)),
        AgreedAction(number=2, description="Send the therapy report", owner="org-2", due=date(2026, 12, 10)),
    ]
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 1), DeadlineState.open)
    assert deadlines(case)[MEDIATION_ARRANGEMENT] == (date(2026, 12, 16), DeadlineState.met)  # held by then
    assert entries(case, mark) == [(now, OFFICER, "outcome_recorded", "partial_agreement, 2 agreed action(s); the child's views were sought")]
    assert case.announce_outcome() == [Announcement(Template.written_outcome, EVERYONE, None, {
        "result": SessionResult.partial_agreement, "session_at": at(11, 26, 14),
        "actions": [
            AgreedActionFacts(number=1, description="Amend section F: speech therapy", owner="Rotherham LA", due=date(2027, 1, 4)),
            AgreedActionFacts(number=2, description="Send the therapy report", owner="South Yorkshire ICB", due=date(2026, 12, 10)),
        ],
    })]


def test_withdrawing_while_actions_are_followed_up_cancels_them_and_leaves_the_certificate_owed() -> None:
    """The certificate after mediation is the family's way to the Tribunal (reg 34 and DESIGN 8): it
    outlives the case; the agreed actions, planned after it, are cancelled with the case."""
    case = session_held()
    now = at(11, 26, 17)
    request = RecordOutcome(actor=OFFICER, result=SessionResult.partial_agreement, child_views_sought=True, actions=[
        AgreedActionInput(description="Send the therapy report", owner="org-2"),
    ])
    case.record_outcome(request, [date(2026, 12, 10)], planned(CERTIFICATE, now), now)
    case.set_deadline(planned(action_deadline(1), now))  # as the workflow does, after the certificate

    case.withdraw(Withdraw(actor=OFFICER, party="applicant", reason="moving away"), None, at(11, 27))

    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 1), DeadlineState.open)
    assert deadlines(case)[action_deadline(1)] == (date(2026, 12, 10), DeadlineState.cancelled)


@pytest.mark.parametrize(("result", "views", "detail"), [
    (SessionResult.no_agreement, False, "no_agreement, 0 agreed action(s); the child's views were not sought"),
    (SessionResult.full_agreement, None, "full_agreement, 0 agreed action(s)"),
], ids=["no-agreement", "full-agreement-views-not-recorded"])
def test_an_outcome_with_nothing_to_follow_up_closes_the_case_with_the_certificate_still_owed(
    result: SessionResult, views: bool | None, detail: str
) -> None:
    case = session_held()
    now, mark = at(11, 26, 17), len(case.timeline)
    request = RecordOutcome(actor=OFFICER, result=result, child_views_sought=views)
    case.check_record_outcome(request, now)
    case.record_outcome(request, [], planned(CERTIFICATE, now), now)
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome(result.value))
    assert case.certificate_reason is CertificateReason.mediation_concluded
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 1), DeadlineState.open)
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 12, 2), 0), None)]
    assert entries(case, mark) == [(now, OFFICER, "outcome_recorded", detail), (now, OFFICER, "case_closed", result.value)]
    assert case.announce_outcome() == [
        Announcement(Template.written_outcome, EVERYONE, None, {"result": result, "session_at": at(11, 26, 14), "actions": []}),
        Announcement(Template.case_closed, EVERYONE, None, {"outcome": CaseOutcome(result.value)}),
    ]
    # The certificate, Tue 1 Dec: + 1 month = Fri 1 Jan 2027, not later than 2 Jan: the deadline stays 4 Jan.
    now, mark = at(12, 1), len(case.timeline)
    assert issue(case, now) == [
        Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20261201"),
        Announcement(Template.case_closed, EVERYONE, None, {"outcome": CaseOutcome(result.value)}),
    ]
    assert case.certificate == CertificateView(issued_on=date(2026, 12, 1), reason=CertificateReason.mediation_concluded)
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome(result.value))
    assert entries(case, mark) == [
        (now, OFFICER, "certificate_issued", "mediation_concluded, dated 2026-12-01"),
        (now, SYSTEM, "appeal_deadline_computed",
         f"{DECISION_STEP}; certificate issued 2026-12-01 + 1 month = 2027-01-01, not later: the decision date "
         f"governs; {SATURDAY_STEP}"),
    ]
    assert deadlines(case)[APPEAL] == (APPEAL_FROM_DECISION, DeadlineState.open)


# --- Withdrawal: only the family; a certificate when they had chosen mediation -----------------------


def test_withdrawing_before_choosing_closes_the_case_with_nothing_owed() -> None:
    case = opened()
    now, mark = at(11, 10), len(case.timeline)
    request = Withdraw(actor=OFFICER, party="applicant", reason="has decided not to appeal")
    case.check_withdraw(request)
    assert case.owes_certificate_on_withdrawal() is False
    told = case.withdraw(request, None, now)
    assert told == [Announcement(
        Template.withdrawn, EVERYONE, None, {"outcome": CaseOutcome.withdrawn, "party_name": FAMILY, "resolution_started": False},
    )]
    assert (case.stage, case.outcome, case.certificate_reason) == (CaseStage.closed, CaseOutcome.withdrawn, None)
    assert deadlines(case) == {APPEAL: (APPEAL_FROM_DECISION, DeadlineState.open)}
    assert entries(case, mark) == [
        (now, OFFICER, "withdrawn", "the family withdrew: has decided not to appeal"),
        (now, OFFICER, "case_closed", "withdrawn"),
    ]


def test_withdrawing_after_choosing_mediation_owes_a_not_pursued_certificate() -> None:
    """reg 34 ("fails to pursue mediation"): withdrawn on Fri 20 Nov, the certificate is due Mon 23,
    Tue 24, Wed 25 Nov; it outlives the closure, with its expiry at midnight after it."""
    case = chose_mediation()
    now, mark = at(11, 20), len(case.timeline)
    request = Withdraw(actor=OFFICER, party="applicant", reason="no longer wishes to mediate")
    assert case.owes_certificate_on_withdrawal() is True
    told = case.withdraw(request, planned(CERTIFICATE, now), now)
    assert told == [Announcement(
        Template.withdrawn, EVERYONE, None, {"outcome": CaseOutcome.withdrawn, "party_name": FAMILY, "resolution_started": True},
    )]
    assert (case.stage, case.outcome, case.certificate_reason) == (CaseStage.closed, CaseOutcome.withdrawn, CertificateReason.not_pursued)
    assert deadlines(case) == {
        APPEAL: (APPEAL_FROM_DECISION, DeadlineState.open),
        MEDIATION_ARRANGEMENT: (date(2026, 12, 16), DeadlineState.cancelled),
        HEALTH_NOTICE: (date(2026, 11, 19), DeadlineState.met),
        CERTIFICATE: (date(2026, 11, 25), DeadlineState.open),
    }
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 11, 26), 0), None)]
    assert entries(case, mark) == [
        (now, OFFICER, "withdrawn", "the family withdrew: no longer wishes to mediate"),
        (now, OFFICER, "case_closed", "withdrawn"),
    ]


def test_withdrawing_after_a_no_keeps_that_certificate_and_issuing_it_leaves_the_outcome() -> None:
    case = said_no()
    assert case.owes_certificate_on_withdrawal() is False
    told = case.withdraw(Withdraw(actor=OFFICER, party="applicant", reason="x"), None, at(12, 4))
    assert told[0].facts == {"outcome": CaseOutcome.withdrawn, "party_name": FAMILY, "resolution_started": False}
    assert case.certificate_reason is CertificateReason.no_mediation
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 8), DeadlineState.open)
    now, mark = at(12, 7), len(case.timeline)
    issue(case, now)
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.withdrawn)  # not re-closed as certificate_only
    assert [entry[2] for entry in entries(case, mark)] == ["certificate_issued", "appeal_deadline_computed"]
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 8), DeadlineState.met)


@pytest.mark.parametrize("party", ["org-1", "org-2", "org-9"])
def test_only_the_family_can_withdraw(party: str) -> None:
    request = Withdraw(actor=OFFICER, party=party, reason="x")
    assert refused(chose_mediation(), lambda case: case.check_withdraw(request)) == (
        "only the family can withdraw from statutory mediation: the Local Authority cannot refuse it "
        "(Children and Families Act 2014 ss.53-54)"
    )


def test_the_family_can_withdraw_at_every_open_stage_but_not_once_closed() -> None:
    request = Withdraw(actor=OFFICER, party="applicant", reason="x")
    monitoring = session_held()
    outcome = RecordOutcome(actor=OFFICER, result=SessionResult.full_agreement, actions=[AgreedActionInput(description="x", owner="org-1")])
    monitoring.record_outcome(outcome, [date(2026, 12, 10)], planned(CERTIFICATE, at(11, 26, 17)), at(11, 26, 17))
    for case in (opened(), chose_mediation(), session_held(), monitoring):
        case.check_withdraw(request)
    assert refused(certified_after_a_no(), lambda case: case.check_withdraw(request)) == (
        f"case {REFERENCE} is closed (certificate_only); nothing more can be recorded"
    )


# --- The service withdraws the case (cancellation in Temporal) ----------------------------------------


CANCELLED = "cancellation requested in Temporal (Web UI or CLI): the service withdrew the case"


def test_the_service_withdrawing_before_a_choice_owes_nothing() -> None:
    case = opened()
    now, mark = at(11, 10), len(case.timeline)
    told = case.withdrawn_by_service(None, now)
    assert told == [Announcement(
        Template.withdrawn, EVERYONE, None, {"outcome": CaseOutcome.withdrawn, "by_service": True, "resolution_started": False},
    )]
    assert (case.stage, case.outcome, case.certificate_reason) == (CaseStage.closed, CaseOutcome.withdrawn, None)
    assert entries(case, mark) == [(now, SYSTEM, "withdrawn_by_service", CANCELLED), (now, SYSTEM, "case_closed", "withdrawn")]


def test_the_service_withdrawing_after_the_family_chose_mediation_owes_a_not_arranged_certificate() -> None:
    """Mediation will not take place, not by the family's doing: as when the LA cannot arrange it.
    Cancelled on Fri 20 Nov: the certificate is due Wed 25 Nov."""
    case = chose_mediation()
    now, mark = at(11, 20), len(case.timeline)
    told = case.withdrawn_by_service(planned(CERTIFICATE, now), now)
    assert told == [Announcement(
        Template.withdrawn, EVERYONE, None, {"outcome": CaseOutcome.withdrawn, "by_service": True, "resolution_started": True},
    )]
    assert (case.outcome, case.certificate_reason) == (CaseOutcome.withdrawn, CertificateReason.not_arranged)
    assert deadlines(case)[CERTIFICATE] == (date(2026, 11, 25), DeadlineState.open)
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 11, 26), 0), None)]
    assert entries(case, mark) == [(now, SYSTEM, "withdrawn_by_service", CANCELLED), (now, SYSTEM, "case_closed", "withdrawn")]


def test_the_service_withdrawing_a_closed_case_only_records_the_request() -> None:
    case = opened()
    case.withdraw(Withdraw(actor=OFFICER, party="applicant", reason="x"), None, at(11, 10))
    now, mark = at(11, 11), len(case.timeline)
    assert case.withdrawn_by_service(planned(CERTIFICATE, now), now) == []
    assert (case.outcome, case.certificate_reason, case.deadline(CERTIFICATE)) == (CaseOutcome.withdrawn, None, None)
    assert entries(case, mark) == [(now, SYSTEM, "cancellation_requested",
                                    "cancellation requested in Temporal; the case was already closed; the family's appeal warnings continue")]
    check_and_apply(case, StaffStep(action="record_appeal_status", status=AppealStatus.not_appealing), at(11, 12))
    mark = len(case.timeline)
    assert case.withdrawn_by_service(None, at(11, 13)) == []
    assert entries(case, mark) == [(at(11, 13), SYSTEM, "cancellation_requested", "cancellation requested in Temporal; the case was already closed")]


# --- Who arranges mediation, and what messages and the case view say ---------------------------------

ICB = LocalAuthority(name="South Yorkshire ICB", contact=Contact(email="chc@icb.example.nhs.uk"))
NHS = LocalAuthority(name="NHS England", contact=Contact(email="send@england.example.nhs.uk"))


@pytest.mark.parametrize(("issues", "commissioners", "body"), [
    ([MediationIssue.education, MediationIssue.health], [ICB], ["Rotherham LA"]),
    ([MediationIssue.social_care], [ICB], ["Rotherham LA"]),
    ([MediationIssue.health], [ICB], ["South Yorkshire ICB"]),
    ([MediationIssue.health], [ICB, NHS], ["South Yorkshire ICB", "NHS England"]),
    ([MediationIssue.health], [], ["Rotherham LA"]),
], ids=["education-and-health", "social-care", "health-only", "health-only-two-bodies", "health-only-no-body-named"])
def test_the_la_arranges_mediation_unless_it_is_about_health_alone(
    issues: list[MediationIssue], commissioners: list[LocalAuthority], body: list[str]
) -> None:
    """DESIGN 8 (regs 32-42 as IPSEA states them): the commissioning body arranges health-only mediation."""
    case = opened(mediation_issues=issues, health_commissioners=commissioners)
    assert [party.name for party in case.arranging_body()] == body
    assert case.message_facts().arranging_body == body


def test_every_message_says_the_route_the_decision_and_the_certificate() -> None:
    case = said_no(school_only=True)
    facts = case.message_facts(due=date(2026, 12, 8))
    assert (facts.route, facts.decision_kind, facts.decision_date, facts.school_only) == ("mediation", "refusal_to_assess", DECIDED, True)
    assert (facts.certificate_date, facts.certificate_reason, facts.due) == (None, None, date(2026, 12, 8))
    assert facts.appeal_deadline == APPEAL_FROM_DECISION and facts.reference == REFERENCE
    case = said_no()
    issue(case, at(12, 8))
    facts = case.message_facts()
    assert (facts.certificate_date, facts.certificate_reason, facts.school_only) == (date(2026, 12, 8), "no_mediation", False)
    assert facts.appeal_deadline == date(2027, 1, 8)


def test_the_case_view_shows_the_route_decision_certificate_issues_and_school_only() -> None:
    view = said_no(school_only=True, mediation_issues=[MediationIssue.health, MediationIssue.social_care]).view()
    assert (view.route, view.certificate, view.school_only) == (Route.mediation, None, True)
    assert view.mediation_issues == [MediationIssue.health, MediationIssue.social_care]
    assert view.decision == DecisionView(kind=DecisionKind.refusal_to_assess, date=DECIDED)
    case = said_no()
    issue(case, at(12, 8))
    view = case.view()
    assert (view.route, view.school_only, view.mediation_issues) == (Route.mediation, False, [MediationIssue.education, MediationIssue.health])
    assert view.certificate == CertificateView(issued_on=date(2026, 12, 8), reason=CertificateReason.no_mediation)


# --- Notice of the session: 5 working days unless the family agrees to less -------------------------


@pytest.mark.parametrize(("booked", "session_day", "short_notice", "allowed"), [
    (date(2026, 11, 16), date(2026, 11, 23), False, True),  # Mon 16 to Fri 20: 5 working days before Mon 23
    (date(2026, 11, 16), date(2026, 11, 20), False, False),  # Fri 20: only Mon 16 to Thu 19, 4 days
    (date(2026, 11, 18), date(2026, 11, 25), False, True),  # Wed 18, Thu 19, Fri 20, Mon 23, Tue 24: 5
    (date(2026, 11, 18), date(2026, 11, 24), False, False),  # Wed 18 to Mon 23: 4, the weekend not counting
    (date(2026, 11, 18), date(2026, 11, 24), True, True),  # the family consented to shorter notice
], ids=["monday-to-monday", "monday-to-friday", "over-a-weekend", "over-a-weekend-a-day-short", "short-notice-agreed"])
def test_a_session_needs_5_working_days_notice_unless_the_family_agrees(
    booked: date, session_day: date, short_notice: bool, allowed: bool
) -> None:
    """Code ch. 11 (restating the regulations): notice of the date and place at least 5 working days
    before, unless the family consents to less. The update's own check counts weekdays, today counting
    (bank holidays are the workflow's calendar check)."""
    case = chose_mediation()
    now = england(booked, 10)
    check_and_apply(case, StaffStep(action="assign_mediator"), now)
    request = ScheduleSession(actor=OFFICER, at=england(session_day, 10), short_notice_agreed=short_notice)
    if allowed:
        case.check_schedule_session(request, now)
    else:
        assert refused(case, lambda case: case.check_schedule_session(request, now)) == (
            "the family must have at least 5 working days' notice of the date and place of mediation; book a later "
            "date, or record that they consented to shorter notice (--short-notice-agreed)"
        )


# --- The appeal clock's reasoning, in words (domain/appeal.py) --------------------------------------


@pytest.mark.parametrize(("decided", "certified", "due", "steps"), [
    ("2026-11-02", None, "2027-01-04", [DECISION_STEP, SATURDAY_STEP]),
    # Sat 2 Jan 2027 either way: equal is not later, so the decision governs.
    ("2026-11-02", "2026-12-02", "2027-01-04", [
        DECISION_STEP, "certificate issued 2026-12-02 + 1 month = 2027-01-02, not later: the decision date governs", SATURDAY_STEP,
    ]),
    ("2026-11-02", "2026-12-03", "2027-01-04", [
        DECISION_STEP, "certificate issued 2026-12-03 + 1 month = 2027-01-03, later (r.20(1)(c)(ii))",
        "2027-01-03 is not a working day: next working day = 2027-01-04 (r.12(2))",
    ]),
    ("2026-10-24", None, "2026-12-24", ["decision notice sent 2026-10-24 + 2 months = 2026-12-24 (r.20(1)(c)(i))"]),
    ("2026-10-25", None, "2027-01-04", [
        "decision notice sent 2026-10-25 + 2 months = 2026-12-25 (r.20(1)(c)(i))",
        "2026-12-25 is in the Christmas or August break: first working day after 2027-01-01 = 2027-01-04 (r.12(3)(a))",
    ]),
    ("2026-11-01", None, "2027-01-04", [
        "decision notice sent 2026-11-01 + 2 months = 2027-01-01 (r.20(1)(c)(i))",
        "2027-01-01 is in the Christmas or August break: first working day after 2027-01-01 = 2027-01-04 (r.12(3)(a))",
    ]),
    ("2026-05-31", None, "2026-07-31", ["decision notice sent 2026-05-31 + 2 months = 2026-07-31 (r.20(1)(c)(i))"]),
    ("2026-06-01", None, "2026-09-01", [  # Sat 1 Aug; Mon 31 Aug is a bank holiday anyway
        "decision notice sent 2026-06-01 + 2 months = 2026-08-01 (r.20(1)(c)(i))",
        "2026-08-01 is in the Christmas or August break: first working day after 2026-08-31 = 2026-09-01 (r.12(3)(a))",
    ]),
    ("2026-07-01", None, "2026-09-01", ["decision notice sent 2026-07-01 + 2 months = 2026-09-01 (r.20(1)(c)(i))"]),
    ("2027-01-26", None, "2027-03-30", [  # Good Friday, then Easter Monday
        "decision notice sent 2027-01-26 + 2 months = 2027-03-26 (r.20(1)(c)(i))",
        "2027-03-26 is not a working day: next working day = 2027-03-30 (r.12(2))",
    ]),
], ids=["saturday", "certificate-equal", "certificate-later-sunday", "24-december", "christmas-day", "new-years-day",
        "31-july", "1-august", "1-september", "good-friday"])
def test_the_appeal_reckoning_gives_each_step_in_words(decided: str, certified: str | None, due: str, steps: list[str]) -> None:
    reckoning = reckon_appeal_deadline(
        date.fromisoformat(decided), date.fromisoformat(certified) if certified else None, WorkingCalendar()
    )
    assert (reckoning.due, reckoning.steps) == (date.fromisoformat(due), steps)


def test_the_appeal_warnings_are_planned_for_the_reckoned_day() -> None:
    """The opened case's appeal deadline, Mon 4 Jan 2027. Counted back over Fri 1 Jan, Mon 28 and Fri
    25 Dec (holidays) and the weekends: Thu 31 (1), Wed 30 (2), Tue 29 (3), Thu 24 (4), Wed 23 Dec (5);
    on to Wed 2 Dec (20). Both warnings at 09:00; the expiry at midnight after the due day."""
    case = opened()
    assert deadlines(case) == {APPEAL: (APPEAL_FROM_DECISION, DeadlineState.open)}
    assert alarms(case, APPEAL) == [
        (AlarmPurpose.reminder, england(date(2026, 12, 2), 9), 20),
        (AlarmPurpose.reminder, england(date(2026, 12, 23), 9), 5),
        (AlarmPurpose.expiry, england(date(2027, 1, 5), 0), None),
    ]
    assert entries(case, 1)[0] == (at(11, 9), SYSTEM, "appeal_deadline_computed", f"{DECISION_STEP}; {SATURDAY_STEP}")


# --- Opening and the family's choice ------------------------------------------------------------------


def test_opening_records_the_parties_the_decision_and_the_issues() -> None:
    case = Mediation.open(REFERENCE, open_mediation(DECIDED), at(11, 9))
    assert [(party.id, party.name, party.role, party.kind) for party in case.parties] == [
        ("applicant", FAMILY, ApplicantRole.parent, None),
        ("org-1", "Rotherham LA", None, OrganisationKind.local_authority),
        ("org-2", "South Yorkshire ICB", None, OrganisationKind.health_commissioner),
    ]
    assert case.decision == DecisionView(kind=DecisionKind.refusal_to_assess, date=DECIDED)
    assert entries(case, 0) == [(at(11, 9), OFFICER, "case_opened", "statutory mediation about refusal_to_assess; issues: education, health")]


def test_a_decision_dated_in_the_future_is_refused_and_today_is_allowed() -> None:
    case = Mediation.open(REFERENCE, open_mediation(date(2026, 11, 10)), at(11, 9))
    assert refused(case, lambda case: case.check_open(date(2026, 11, 9))) == (
        "the decision date 2026-11-10 is in the future: give the date the Local Authority's written notice was sent"
    )
    case.check_open(date(2026, 11, 10))


@pytest.mark.parametrize(("told", "words"), [
    (date(2026, 11, 10), "the date the Local Authority was told, 2026-11-10, is in the future"),  # today is Mon 9 Nov
    (date(2026, 11, 1), "the Local Authority cannot have been told on 2026-11-01, before its decision (2026-11-02)"),
], ids=["tomorrow", "before-the-decision"])
def test_a_choice_dated_tomorrow_or_before_the_decision_is_refused(told: date, words: str) -> None:
    request = RecordChoice(actor=OFFICER, mediate=True, la_notified_on=told)
    assert refused(opened(), lambda case: case.check_record_choice(request, date(2026, 11, 9))) == words


@pytest.mark.parametrize("told", [date(2026, 11, 9), DECIDED], ids=["today", "the-decision-day"])
def test_a_choice_dated_today_or_on_the_decision_day_is_allowed(told: date) -> None:
    opened().check_record_choice(RecordChoice(actor=OFFICER, mediate=True, la_notified_on=told), date(2026, 11, 9))


def test_the_choice_is_recorded_once() -> None:
    request = RecordChoice(actor=OFFICER, mediate=True)
    check = lambda case: case.check_record_choice(request, date(2026, 12, 23))  # noqa: E731
    assert refused(said_no(), check) == "the family's choice is already recorded"
    assert refused(chose_mediation(), check) == (
        "cannot record the family's choice while the case is arranging the session; only while it is with the family "
        "deciding whether to mediate"
    )


def choose(case: Mediation, mediate: bool, now: datetime) -> list[Announcement]:
    """As the workflow does: the certificate after a no; the arrangement (and any health notice) after a yes."""
    request, today = RecordChoice(actor=OFFICER, mediate=mediate), london_date(now)
    case.check_record_choice(request, today)
    names = ([MEDIATION_ARRANGEMENT] + ([HEALTH_NOTICE] if case.includes_health else [])) if mediate else [CERTIFICATE]
    return case.record_choice(request, [planned(name, now, start_day=today) for name in names], now, today)


def test_a_no_is_announced_to_every_party_with_the_certificate_date() -> None:
    case = opened()
    now, mark = at(12, 3), len(case.timeline)
    assert choose(case, False, now) == [Announcement(Template.mediation_declined, ("applicant", "org-1", "org-2"), None, {"due": date(2026, 12, 8)})]
    assert (case.mediate, case.la_notified_on, case.stage) == (False, date(2026, 12, 3), CaseStage.advice)
    assert entries(case, mark) == [(now, OFFICER, "mediation_declined", "the family does not want mediation")]


def test_a_yes_starts_the_30_days_and_the_commissioner_hears_of_the_issues_at_once() -> None:
    """The LA told Mon 16 Nov: mediation by Wed 16 Dec (30 days), the officer reminded 20 days in, on
    Sun 6 Dec at 09:00; the health notice (Thu 19 Nov) is met by this very message to the ICB."""
    case = opened()
    now, mark = at(11, 16), len(case.timeline)
    assert choose(case, True, now) == [Announcement(Template.mediation_chosen, ("applicant", "org-1", "org-2"), None, {"due": date(2026, 12, 16)})]
    assert (case.mediate, case.la_notified_on, case.stage) == (True, date(2026, 11, 16), CaseStage.arranging_session)
    assert entries(case, mark) == [(now, OFFICER, "mediation_chosen", "Local Authority told on 2026-11-16")]
    assert deadlines(case) == {
        APPEAL: (APPEAL_FROM_DECISION, DeadlineState.open),
        MEDIATION_ARRANGEMENT: (date(2026, 12, 16), DeadlineState.open),
        HEALTH_NOTICE: (date(2026, 11, 19), DeadlineState.met),
    }
    assert alarms(case, HEALTH_NOTICE) == []
    assert alarms(case, MEDIATION_ARRANGEMENT) == [
        (AlarmPurpose.reminder, england(date(2026, 12, 6), 9), None),
        (AlarmPurpose.expiry, england(date(2026, 12, 17), 0), None),
    ]


def test_with_health_issues_but_no_commissioner_named_the_health_notice_stays_for_the_la_to_give() -> None:
    case = opened(health_commissioners=[])
    choose(case, True, at(11, 16))
    assert deadlines(case)[HEALTH_NOTICE] == (date(2026, 11, 19), DeadlineState.open)
    assert alarms(case, HEALTH_NOTICE) == [(AlarmPurpose.expiry, england(date(2026, 11, 20), 0), None)]
