"""Statutory mediation's rules (domain/mediation.py, DESIGN sections 8 and 11) pinned exactly, on the domain alone.

The reference model (tests/test_mediation_model.py) says which actions are accepted and what the
case's stage, outcome, certificate and appeal deadline become; these tests pin what it leaves loose:
what each action announces (template, recipients in order, event key, facts), the refusals' exact
words, the duties it starts and settles (due date, who owes it, under which rule, when and by which
timeline entry it was settled), alarms and timeline entries, and the appeal clock's reasoning in
words (domain/appeal.py). Each case is driven as the workflow drives it (check, plan what the domain
asks for, apply, queue the messages: tests/mediation_steps.py), with `at`/`today` given; nothing
runs on a server.

Every date is worked out by hand. The law:
- SEND Regulations 2014 (legislation.gov.uk, cross-heading "Mediation", text read): reg 32(e), the
  family tells the LA the mediation issues and, where health is in issue, the health care provision
  they want specified, which the LA's notice to each health commissioning body carries; reg 33,
  contact the mediation adviser within 2 months after the decision notice was sent; reg 34, headed
  "Where a parent or young person does not wish to or fails to pursue mediation" (its 3 working days
  count from the day the family told the adviser); reg 42(2), an agreement on an appealable matter
  is done in the reg 44(2) periods as if the Tribunal had ordered it, (3) anything else within two
  weeks of the agreement, (4) where the LA was not a party, the commissioning body tells it of the
  agreement within a week, (5) a timescale agreed in writing replaces (2) and (3). Periods from the
  date of the agreement, the session day, in calendar days (domain/duties.py, REG_44_PERIODS).
- Children and Families Act 2014: s.55(4), the mediation adviser issues the certificate; s.55(5),
  the mediator does after mediation; s.56(1)(e), the child's views, only where a parent is a party;
  ss.53-54, the LA cannot refuse mediation (only the family withdraws).
- The 3 working days for each certificate (after a "no", after the family stops, after the LA tells
  the adviser it cannot arrange mediation within 30 days, after mediation) and the 3 working days
  for the health notice, as IPSEA ("The mediation process") and SENDIASS pages state them: DOMAIN
  timescales, marked "check". The first certificate fixes the appeal deadline; a later one never
  moves it (the cautious reading, docs/process-and-law.md).
- HESC Tribunal Rules 2008 as domain/appeal.py quotes them: r.20(1)(c), the later of notice + 2 months
  and certificate + 1 month; r.12(2), a non-working day moves to the next working day; r.12(3)(a),
  25 Dec-1 Jan or August moves to the first working day after 1 Jan / 31 Aug; r.5(3)(a), the
  Tribunal may extend the time.
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
from pydantic import ValidationError

from domain.appeal import reckon_appeal_deadline
from domain.calendar import LONDON, WorkingCalendar
from domain.case import SYSTEM, AgreedAction, RuleViolation
from domain.deadlines import (
    AGREEMENT_NOTICE, APPEAL, CERTIFICATE, HEALTH_NOTICE, MEDIATION_ARRANGEMENT, SCHOOL_AGE, AlarmPurpose, action_deadline,
)
from domain.mediation import Mediation
from domain.models import (
    AgreedActionInput,
    Applicant,
    AppealStatus,
    ApplicantRole,
    AssignMediator,
    CaseOutcome,
    CaseStage,
    CertificateIssuer,
    CertificateReason,
    CertificateView,
    CompleteAction,
    Contact,
    DecisionKind,
    DecisionView,
    DeadlineState,
    DeliveryStatus,
    IssueCertificate,
    LocalAuthority,
    MediationIssue,
    OrderKind,
    OrganisationKind,
    RecordAppealStatus,
    RecordChoice,
    RecordOutcome,
    ReportCannotArrange,
    Route,
    ScheduleSession,
    SessionResult,
    Withdraw,
)
from domain.notifications import AgreedActionFacts, Announcement, AnswerPurpose, Template
from domain.words import OUTCOME_WORDS
from tests.journeys import open_mediation
from tests.mediation_steps import (
    REFERENCE, apply, deliver, open_case, open_on_the_rules, rejected, ring_until, withdraw_for_service,
)

OFFICER = "jo.smith"  # tests/journeys.py opens every case for this officer
DECIDED = date(2026, 11, 2)  # Monday: the decision notice was sent
EVERYONE = ("applicant", "org-1", "org-2", "mediator")  # every party in order, then the mediator
PARTIES = ("applicant", "org-1", "org-2")
FAMILY = "Sam Parent"
PROVISION = "speech and language therapy from the community NHS trust, weekly"
APPEAL_FROM_DECISION = date(2027, 1, 4)
DECISION_STEP = "decision notice sent 2 November 2026 + 2 months = 2 January 2027 (r.20(1)(c)(i))"
SATURDAY_STEP = "2 January 2027 is not a working day: next working day = 4 January 2027 (r.12(2))"
# Who owes each certificate, under which rule (domain/duties.py), as the case view shows it.
NO_MEDIATION_DUTY = ("mediation_adviser", "SEND Regs 2014 reg 34; CFA 2014 s.55(4): 3 working days after the family tells the adviser")
NOT_PURSUED_DUTY = ("mediation_adviser", "SEND Regs 2014 reg 34 (fails to pursue mediation); CFA 2014 s.55(4): 3 working days")
NOT_ARRANGED_DUTY = (
    "mediation_adviser", "CFA 2014 s.55(4); SEND Regs 2014 regs 32-42 (check): 3 working days after the LA tells the adviser",
)
MEDIATOR_DUTY = ("mediator", "CFA 2014 s.55(5); SEND Regs 2014 regs 32-42 (check): 3 working days after mediation concludes")
HEALTH_NOTICE_DUTY = (
    "local_authority",
    "SEND Regs 2014 reg 32(e) (the issues and health care provision sought); 3 working days after the LA is told (check)",
)


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    """An instant in winter, when England keeps UTC: the date in England is the date given."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def england(day: date, hour: int) -> datetime:
    """That day at that hour in England (alarms are planned in Europe/London)."""
    return datetime.combine(day, time(hour), LONDON)


def opened(**overrides) -> Mediation:
    """The case, opened on Mon 9 Nov 2026 (a week after the decision, well inside reg 33's 2 months)."""
    return open_on_the_rules(DECIDED, at(11, 9), **overrides)


def choice(mediate: bool, **fields) -> RecordChoice:
    """The family's answer as staff record it."""
    return RecordChoice(actor=OFFICER, mediate=mediate, **fields)


def said_no(**overrides) -> Mediation:
    """The family tells the adviser on Thu 3 Dec, and staff record it that day, that they do not want
    mediation: the certificate is due 3 working days later (reg 34): Fri 4, Mon 7, Tue 8 Dec."""
    case = opened(**overrides)
    apply(case, choice(False), at(12, 3))
    return case


def chose_mediation(**overrides) -> Mediation:
    """The family wants mediation and the LA is told on Mon 16 Nov: it must take place within 30 days,
    by Wed 16 Dec. With health among the issues, the family names the health care provision they
    want (reg 32(e)); the notice to the ICB is due Tue 17, Wed 18, Thu 19 Nov and is delivered at
    10:05 that Monday, which meets it. Every message of the choice is delivered then."""
    case = opened(**overrides)
    provision = PROVISION if case.includes_health else None
    apply(case, choice(True, health_provision_sought=provision), at(11, 16))
    deliver(case, Template.mediation_chosen, at(11, 16, 10, 5))
    deliver(case, Template.health_notice, at(11, 16, 10, 5))
    return case


def cannot_arrange() -> Mediation:
    """The LA tells the adviser on Wed 23 Dec that it cannot arrange mediation."""
    case = chose_mediation()
    apply(case, ReportCannotArrange(actor=OFFICER, reason="no mediator free before January"), at(12, 23))
    return case


def mediator() -> AssignMediator:
    """An independent mediator (not employed by the LA, an ICB or NHS England)."""
    return AssignMediator(actor=OFFICER, name="Pat Mediator", email="pat@mediation.example.org", independent=True)


def session_held(**overrides) -> Mediation:
    """A mediator assigned on Tue 17 Nov; the session booked that day for Thu 26 Nov at 14:00 (Tue 17
    to Wed 25: 7 working days' notice), now held."""
    case = chose_mediation(**overrides)
    apply(case, mediator(), at(11, 17))
    apply(case, ScheduleSession(actor=OFFICER, at=at(11, 26, 14), venue="Town Hall"), at(11, 17))
    return case


def outcome(result: SessionResult, *actions: AgreedActionInput, views: bool | None = True) -> RecordOutcome:
    """The session's outcome as staff record it (by default, the child's views were sought)."""
    return RecordOutcome(actor=OFFICER, result=result, actions=list(actions), child_views_sought=views)


def deadlines(case: Mediation) -> dict[str, tuple[date, DeadlineState]]:
    """Each duty's due date and state."""
    return {deadline.name: (deadline.due, deadline.state) for deadline in case.deadlines}


def duty(case: Mediation, name: str) -> tuple[str | None, str | None]:
    """Who owes the duty `name`, and under which rule."""
    deadline = case.deadline(name)
    assert deadline is not None, f"no {name} duty"
    return deadline.owed_by, deadline.source


def settled(case: Mediation, name: str) -> tuple[date | None, str | None]:
    """When the duty `name` was settled, and the event of the timeline entry that settled it."""
    deadline = case.deadline(name)
    assert deadline is not None
    entry = case.timeline[deadline.settled_by - 1].event if deadline.settled_by else None
    return deadline.settled_on, entry


def alarms(case: Mediation, name: str) -> list[tuple[AlarmPurpose, datetime, int | None]]:
    """The alarms still to ring for the deadline `name`: purpose, time, working days before."""
    return [(alarm.purpose, alarm.at, alarm.working_days_before) for alarm in case.alarms if alarm.deadline == name]


def entries(case: Mediation, since: int) -> list[tuple[datetime, str, str, str]]:
    """The timeline from entry `since` (0-based) on: time, actor, event, detail."""
    return [(entry.at, entry.actor, entry.event, entry.detail) for entry in case.timeline[since:]]


def issue(case: Mediation, now: datetime, issued_on: date | None = None, by: CertificateIssuer | None = None) -> list[Announcement]:
    """Issue the certificate as the workflow does: check, reckon the appeal clock with it only if it
    may move it (the first certificate, not school_only, no appeal status), apply, announce."""
    return apply(case, IssueCertificate(actor=OFFICER, issued_on=issued_on, issued_by=by), now)


def refused(case: Mediation, check) -> str:
    """The refusal's words, having checked that the refusal changed nothing."""
    before = case.model_dump()
    words = rejected(lambda: check(case))
    assert case.model_dump() == before
    return words


# --- Opening: reg 33's 2 months, and whether the appeal deadline is still ahead ----------------------

# The family's choice is asked for online until reg 33's 2 months after the notice of 2 Nov 2026 end.
CHOICE_ASKED = {"applicant": {"asks": AnswerPurpose.mediation_choice, "answer_until": date(2027, 1, 2)}}
STILL_AHEAD = (
    "Opened more than 2 months after the decision notice (SEND Regulations 2014 reg 33). That is not the "
    "appeal deadline (4 January 2027): it is still ahead."
)
PASSED = (
    "Opened more than 2 months after the decision notice (SEND Regulations 2014 reg 33). That is not the "
    "appeal deadline (4 January 2027): it has passed, so the family may ask the Tribunal to extend the time "
    "(HESC Rules 2008 r.5(3)(a))."
)


@pytest.mark.parametrize(("opened_on", "warning", "passed", "asked_until"), [
    (date(2027, 1, 2), None, None, date(2027, 1, 2)),  # Sat 2 Jan: the last day of reg 33's 2 months
    (date(2027, 1, 3), STILL_AHEAD, False, date(2027, 1, 4)),  # a day late; the appeal deadline, Mon 4 Jan, is still ahead
    (date(2027, 1, 4), STILL_AHEAD, False, date(2027, 1, 4)),  # on the appeal deadline itself: the appeal may reach the Tribunal by 5pm
    (date(2027, 1, 5), PASSED, True, None),  # the day after it
], ids=["last-day", "a-day-late", "on-the-appeal-deadline", "after-the-appeal-deadline"])
def test_opening_after_reg_33s_2_months_warns_whether_the_appeal_deadline_is_still_ahead(
    opened_on: date, warning: str | None, passed: bool | None, asked_until: date | None,
) -> None:
    """reg 33: the family contacts the adviser within 2 months after the notice was sent, 2 Nov 2026:
    by Sat 2 Jan 2027 (calendar months; the regulation has no working-day rule). Later is allowed with
    a warning (DESIGN 8). Missing reg 33 is not missing the appeal deadline (Mon 4 Jan, r.20): the
    warning says whether that is still ahead, or has passed and the family may ask the Tribunal to
    extend the time (r.5(3)(a)). It shows on the case (`warnings`), the timeline and to the officer.

    The family alone is asked for its choice online (the organisations are only told), until reg 33's
    last day, or once that has gone, until the appeal deadline; after both, not online at all."""
    now = england(opened_on, 10)
    case, told = open_case(DECIDED, now)
    asked = {"applicant": {"asks": AnswerPurpose.mediation_choice, "answer_until": asked_until}} if asked_until else {}
    assert told[0] == Announcement(Template.mediation_opened, PARTIES, facts_for=asked)
    assert told[1:] == ([] if warning is None else [
        Announcement(Template.late_opening, ("case_officer",), None, {"appeal_deadline_passed": passed}),
    ])
    assert case.view().warnings == ([] if warning is None else [warning])
    assert entries(case, 2) == ([] if warning is None else [(now, SYSTEM, "late_opening", warning)])
    assert "permission" not in (warning or "")


def test_a_child_already_past_compulsory_school_age_is_flagged_to_the_officer_at_opening() -> None:
    """Born Mon 31 Aug 2010: 16 on 31 Aug 2026, in the school year Sept 2025-Aug 2026, so compulsory
    school age ended on its last Friday in June: 30 Jun 2026 is a Tuesday, so Fri 26 Jun 2026, before
    the opening on 9 Nov. With a parent as the party, the officer is told at once to confirm who the
    party is (rights pass to the young person, CFA 2014 s.83(2))."""
    now = at(11, 9)
    case, told = open_case(DECIDED, now, child_date_of_birth=date(2010, 8, 31))
    words = (
        "The child reached the end of compulsory school age on 26 June 2026: the rights in this case pass to the "
        "young person (CFA 2014 s.83(2)). Confirm who the party is."
    )
    assert told == [
        Announcement(Template.mediation_opened, PARTIES, facts_for=CHOICE_ASKED),
        Announcement(Template.school_age_reached, ("case_officer",), "school_age_reached", {"school_age_ends": date(2026, 6, 26)}),
    ]
    assert case.view().warnings == [words]
    assert entries(case, 2) == [(now, SYSTEM, "school_age_reached", words)]
    assert alarms(case, SCHOOL_AGE) == []


def test_a_child_reaching_the_end_of_compulsory_school_age_while_the_case_runs_is_flagged_on_the_day() -> None:
    """Born Tue 1 Sep 2010: 16 on 1 Sep 2026, the first day of the school year Sept 2026-Aug 2027, so
    compulsory school age ends on its last Friday in June: 30 Jun 2027 is a Wednesday, so Fri 25 Jun
    2027. The officer is told that day at 09:00; it is a marker, not a duty anyone owes."""
    case, told = open_case(DECIDED, at(11, 9), child_date_of_birth=date(2010, 9, 1))
    assert told == [Announcement(Template.mediation_opened, PARTIES, facts_for=CHOICE_ASKED)]
    assert alarms(case, SCHOOL_AGE) == [(AlarmPurpose.reminder, england(date(2027, 6, 25), 9), 0)]
    assert SCHOOL_AGE not in deadlines(case) and case.view().warnings == []
    # A young person who is the party themselves: nobody's rights pass, so nothing is planned.
    young = Applicant(role=ApplicantRole.young_person, name="Alex Young", contact=Contact(email="alex@example.org"))
    case, told = open_case(DECIDED, at(11, 9), applicant=young, child_date_of_birth=date(2008, 9, 1))
    assert told == [Announcement(Template.mediation_opened, PARTIES, facts_for=CHOICE_ASKED)] and alarms(case, SCHOOL_AGE) == []


# --- The certificate after a "no" (reg 34) --------------------------------------------------------


def test_a_no_puts_the_case_in_certificate_due_with_the_advisers_certificate_its_next_deadline() -> None:
    case = said_no()
    assert (case.stage, case.outcome) == (CaseStage.certificate_due, None)
    assert case.certificate_reason is CertificateReason.no_mediation
    assert deadlines(case) == {APPEAL: (APPEAL_FROM_DECISION, DeadlineState.open), CERTIFICATE: (date(2026, 12, 8), DeadlineState.open)}
    assert duty(case, CERTIFICATE) == NO_MEDIATION_DUTY
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 12, 9), 0), None)]
    view = case.view()
    assert (view.stage, view.next_deadline.name, view.next_deadline.due) == (CaseStage.certificate_due, CERTIFICATE, date(2026, 12, 8))
    assert view.next_deadline.owed_by == "mediation_adviser"
    assert case.describe() == "Case is waiting for the mediation certificate. Next: Issue the mediation certificate, due 8 December 2026."


def test_the_no_certificate_counts_from_the_day_the_family_told_the_adviser_not_from_its_recording() -> None:
    """The family told the adviser on Fri 4 Dec; staff record it after the weekend, on Mon 7 Dec.
    reg 34's 3 working days count from Fri 4 Dec: Mon 7 (1), Tue 8 (2), Wed 9 Dec (3). (Counted from
    the recording it would be Thu 10 Dec.)"""
    case = opened()
    now, mark = at(12, 7), len(case.timeline)
    told = apply(case, choice(False, adviser_told_on=date(2026, 12, 4)), now)
    assert told == [Announcement(Template.mediation_declined, PARTIES, None, {"due": date(2026, 12, 9)})]
    assert (case.adviser_told_on, case.la_notified_on) == (date(2026, 12, 4), date(2026, 12, 7))
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 9), DeadlineState.open)
    assert entries(case, mark) == [
        (now, OFFICER, "mediation_declined", "The family told the mediation adviser on 4 December 2026 that they do not want mediation"),
    ]


def test_a_no_told_to_the_adviser_more_than_3_working_days_ago_is_overdue_at_once_and_stays_owed() -> None:
    """Told the adviser on Fri 27 Nov, recorded on Fri 4 Dec: Mon 30 Nov (1), Tue 1 (2), Wed 2 Dec (3).
    Its expiry (midnight after Wed 2 Dec) is already past: it rings at once, the officer is told, and
    the certificate stays owed and next, shown as missed, until it is issued (on Mon 7 Dec: late).
    (The family's first appeal warning, 20 working days before Mon 4 Jan, rang before it: counting
    back over Fri 1 Jan and 28 and 25 Dec, Thu 31 Dec (1) ... Thu 24 (4) ... Thu 3 (19), Wed 2 Dec (20),
    at 09:00.)"""
    case = opened()
    now = at(12, 4)
    apply(case, choice(False, adviser_told_on=date(2026, 11, 27)), now)
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 12, 3), 0), None)]
    mark = len(case.timeline)
    told = ring_until(case, now)
    assert told == [
        Announcement(Template.appeal_warning, ("applicant",), "appeal_warning-20-appeal-20270104", {"due": APPEAL_FROM_DECISION}),
        Announcement(
            Template.deadline_missed, ("case_officer",), "deadline_missed-certificate-20261202",
            {"deadline": CERTIFICATE, "due": date(2026, 12, 2)},
        ),
    ]
    assert entries(case, mark) == [(england(date(2026, 12, 3), 0), SYSTEM, "deadline_missed", "Issue the mediation certificate was due 2 December 2026")]
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 2), DeadlineState.missed)
    assert case.deadline(CERTIFICATE).owed and case.next_deadline().name == CERTIFICATE
    assert case.describe() == "Case is waiting for the mediation certificate. Next: Issue the mediation certificate, due 2 December 2026 (missed)."
    issue(case, at(12, 7))
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 2), DeadlineState.missed)  # caught up late, not met
    assert settled(case, CERTIFICATE) == (date(2026, 12, 7), "certificate_issued")
    assert not case.deadline(CERTIFICATE).owed and case.is_closed


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
    assert case.certificate == CertificateView(
        issued_on=date(2026, 12, 8), reason=CertificateReason.no_mediation, issued_by=CertificateIssuer.mediation_adviser,
    )
    assert case.certificate_reason is None
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.certificate_only)
    assert deadlines(case) == {APPEAL: (date(2027, 1, 8), DeadlineState.open), CERTIFICATE: (date(2026, 12, 8), DeadlineState.met)}
    assert entries(case, mark) == [
        (now, OFFICER, "certificate_issued", "The family did not want mediation; dated 8 December 2026; issued by the mediation adviser"),
        (now, SYSTEM, "appeal_deadline_computed",
         f"{DECISION_STEP}; certificate issued 8 December 2026 + 1 month = 8 January 2027, later (r.20(1)(c)(ii))"),
        (now, OFFICER, "case_closed", "Mediation not pursued: certificate only"),
    ]
    assert settled(case, CERTIFICATE) == (date(2026, 12, 8), "certificate_issued")
    assert alarms(case, CERTIFICATE) == []
    assert alarms(case, APPEAL) == [
        (AlarmPurpose.reminder, england(date(2026, 12, 8), 9), 20),
        (AlarmPurpose.reminder, england(date(2026, 12, 31), 9), 5),
        (AlarmPurpose.expiry, england(date(2027, 1, 9), 0), None),
    ]
    assert case.view().appeal_deadline == date(2027, 1, 8)
    assert case.next_deadline() is None  # closed: only the family's own clock runs on


def test_a_certificate_dated_the_decision_day_is_allowed_and_leaves_the_decision_date_governing() -> None:
    """The family told the adviser on the decision day itself, Mon 2 Nov (recorded on Mon 9 Nov): the
    certificate was due Tue 3, Wed 4, Thu 5 Nov. Dated that day: 2 Nov + 1 month = Wed 2 Dec 2026,
    before 2 Jan 2027, so the deadline stays Mon 4 Jan."""
    case = opened()
    apply(case, choice(False, adviser_told_on=DECIDED), at(11, 9))
    assert deadlines(case)[CERTIFICATE] == (date(2026, 11, 5), DeadlineState.open)
    now, mark = at(11, 9), len(case.timeline)
    told = issue(case, now, issued_on=DECIDED)
    assert told[0] == Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20261102")
    assert case.certificate == CertificateView(issued_on=DECIDED, reason=CertificateReason.no_mediation)
    assert case.view().appeal_deadline == APPEAL_FROM_DECISION
    assert entries(case, mark)[:2] == [
        (now, OFFICER, "certificate_issued", "The family did not want mediation; dated 2 November 2026; issued by the mediation adviser"),
        (now, SYSTEM, "appeal_deadline_computed",
         f"{DECISION_STEP}; certificate issued 2 November 2026 + 1 month = 2 December 2026, not later: the decision date "
         f"governs; {SATURDAY_STEP}"),
    ]


def said_no_on_the_decision_day() -> Mediation:
    """The family told the adviser on Mon 2 Nov, recorded Mon 9 Nov."""
    case = opened()
    apply(case, choice(False, adviser_told_on=DECIDED), at(11, 9))
    return case


@pytest.mark.parametrize(("issued_on", "words"), [
    (date(2026, 11, 10), "the certificate date, 10 November 2026, is in the future"),  # today is Mon 9 Nov
    (date(2026, 11, 1), "the certificate date, 1 November 2026, is before the decision. The earliest date is 2 November 2026"),
], ids=["tomorrow", "the-day-before-the-decision"])
def test_a_certificate_dated_tomorrow_or_before_the_decision_is_refused(issued_on: date, words: str) -> None:
    request = IssueCertificate(actor=OFFICER, issued_on=issued_on)
    assert refused(said_no_on_the_decision_day(), lambda case: case.check_issue_certificate(request, date(2026, 11, 9))) == words


def test_a_certificate_dated_today_is_allowed() -> None:
    case = said_no()
    case.check_issue_certificate(IssueCertificate(actor=OFFICER, issued_on=date(2026, 12, 8)), date(2026, 12, 8))


CHOOSE_FIRST = (
    "no certificate is due yet: the family has not told the mediation adviser whether they want mediation "
    "(record their choice), nor withdrawn"
)
NONE_DUE = (
    "no certificate is due now: it is issued after the family says no or stops, after the Local Authority reports "
    "it cannot arrange mediation, or after mediation concludes"
)


def test_a_certificate_before_the_family_has_chosen_or_stopped_is_refused_asking_for_their_choice() -> None:
    case = opened()
    # The date is checked first: a date in the future is refused as such.
    tomorrow = IssueCertificate(actor=OFFICER, issued_on=date(2026, 11, 10))
    assert refused(case, lambda case: case.check_issue_certificate(tomorrow, date(2026, 11, 9))) == (
        "the certificate date, 10 November 2026, is in the future"
    )
    # Nothing owed: asked for the choice before the date is compared with the decision.
    early = IssueCertificate(actor=OFFICER, issued_on=date(2026, 11, 1))
    assert refused(case, lambda case: case.check_issue_certificate(early, date(2026, 11, 9))) == CHOOSE_FIRST
    assert refused(case, lambda case: case.check_issue_certificate(IssueCertificate(actor=OFFICER), date(2026, 11, 9))) == CHOOSE_FIRST


def certified_after_a_no() -> Mediation:
    """After a "no", the adviser's certificate issued on Tue 8 Dec: the case closed as certificate_only."""
    case = said_no()
    issue(case, at(12, 8))
    return case


@pytest.mark.parametrize("build", [chose_mediation, certified_after_a_no], ids=["chose-mediation", "certificate-issued"])
def test_no_certificate_is_due_while_mediation_is_being_arranged_or_once_it_is_issued(build) -> None:
    request = IssueCertificate(actor=OFFICER)
    assert refused(build(), lambda case: case.check_issue_certificate(request, date(2026, 12, 9))) == NONE_DUE


ADVISER_NOT_MEDIATOR = (
    "this certificate is issued by the mediation adviser, not a mediator: no mediation has concluded "
    "(Children and Families Act 2014 s.55(4))"
)
MEDIATOR_ISSUES = "after mediation the mediator issues the certificate (Children and Families Act 2014 s.55(5))"


def test_a_certificate_without_mediation_is_the_advisers_and_a_mediator_is_refused() -> None:
    """CFA 2014 s.55(4): without mediation, the mediation adviser issues the certificate."""
    by_mediator = IssueCertificate(actor=OFFICER, issued_by=CertificateIssuer.mediator)
    assert refused(said_no(), lambda case: case.check_issue_certificate(by_mediator, date(2026, 12, 8))) == ADVISER_NOT_MEDIATOR
    assert refused(cannot_arrange(), lambda case: case.check_issue_certificate(by_mediator, date(2026, 12, 23))) == ADVISER_NOT_MEDIATOR
    case = said_no()
    issue(case, at(12, 8), by=CertificateIssuer.mediation_adviser)  # saying the right one is accepted
    assert case.certificate.issued_by is CertificateIssuer.mediation_adviser


def test_the_certificate_after_mediation_is_the_mediators_and_the_adviser_is_refused() -> None:
    """CFA 2014 s.55(5): after mediation, the mediator issues it; the message and timeline say so."""
    case = session_held()
    apply(case, outcome(SessionResult.no_agreement), at(11, 26, 17))
    by_adviser = IssueCertificate(actor=OFFICER, issued_by=CertificateIssuer.mediation_adviser)
    assert refused(case, lambda case: case.check_issue_certificate(by_adviser, date(2026, 11, 27))) == MEDIATOR_ISSUES
    now, mark = at(11, 27), len(case.timeline)
    issue(case, now, by=CertificateIssuer.mediator)
    assert case.certificate == CertificateView(
        issued_on=date(2026, 11, 27), reason=CertificateReason.mediation_concluded, issued_by=CertificateIssuer.mediator,
    )
    assert entries(case, mark)[0] == (now, OFFICER, "certificate_issued", "Mediation has taken place; dated 27 November 2026; issued by the mediator")
    assert case.message_facts().certificate_issued_by == "mediator"


def test_a_certificate_issued_before_the_appeal_status_moves_the_clock_which_the_status_then_stops() -> None:
    """Issued Tue 8 Dec: the deadline moves to Fri 8 Jan 2027 (as above); the family's appeal recorded
    as lodged on Thu 10 Dec meets it and stops its warnings."""
    case = certified_after_a_no()
    assert case.appeal_clock_running
    apply(case, RecordAppealStatus(actor=OFFICER, status=AppealStatus.lodged), at(12, 10))
    assert deadlines(case)[APPEAL] == (date(2027, 1, 8), DeadlineState.met)
    assert not case.appeal_clock_running and alarms(case, APPEAL) == []
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.certificate_only)


@pytest.mark.parametrize(("status", "state"), [
    (AppealStatus.lodged, DeadlineState.met), (AppealStatus.not_appealing, DeadlineState.cancelled),
], ids=["lodged", "not-appealing"])
def test_a_certificate_issued_after_the_appeal_status_is_still_the_familys_due_and_leaves_the_stopped_clock(
    status: AppealStatus, state: DeadlineState
) -> None:
    """The status recorded on Fri 4 Dec, the certificate on Tue 8 Dec: it is still owed and still
    issued (the family's due, whatever else happened), and closes the case; the stopped clock stays
    Mon 4 Jan (no reckoning), and no later-certificate warning: this is the first certificate."""
    case = said_no()
    apply(case, RecordAppealStatus(actor=OFFICER, status=status), at(12, 4))
    assert case.stage is CaseStage.certificate_due and case.certificate_owed()
    assert case.certificate_moves_appeal() is False
    now, mark = at(12, 8), len(case.timeline)
    told = issue(case, now)
    assert told == [
        Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20261208"),
        Announcement(Template.case_closed, EVERYONE, None, {"outcome": CaseOutcome.certificate_only}),
    ]
    assert deadlines(case)[APPEAL] == (APPEAL_FROM_DECISION, state)
    assert entries(case, mark) == [
        (now, OFFICER, "certificate_issued", "The family did not want mediation; dated 8 December 2026; issued by the mediation adviser"),
        (now, OFFICER, "case_closed", "Mediation not pursued: certificate only"),
    ]
    assert case.view().warnings == []


def test_a_school_only_certificate_leaves_the_appeal_deadline_alone() -> None:
    """No certificate is needed for an appeal only about the school named (CFA 2014 s.55(3)); DESIGN 8
    leaves it out of the clock, so the workflow reckons none and the deadline stays Mon 4 Jan."""
    case = said_no(school_only=True)
    assert case.certificate_counts is False and said_no().certificate_counts is True
    assert case.certificate_moves_appeal() is False and said_no().certificate_moves_appeal() is True
    now, mark = at(12, 8), len(case.timeline)
    issue(case, now)
    assert case.certificate == CertificateView(issued_on=date(2026, 12, 8), reason=CertificateReason.no_mediation)
    assert deadlines(case)[APPEAL] == (APPEAL_FROM_DECISION, DeadlineState.open)
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.certificate_only)
    assert entries(case, mark) == [
        (now, OFFICER, "certificate_issued", "The family did not want mediation; dated 8 December 2026; issued by the mediation adviser"),
        (now, OFFICER, "case_closed", "Mediation not pursued: certificate only"),
    ]
    assert case.view().warnings == []  # not a later certificate: none fixed the deadline


# --- The LA cannot arrange mediation in time ------------------------------------------------------


def test_cannot_arrange_makes_the_certificate_due_in_3_working_days_and_keeps_the_case_arranging() -> None:
    """Told on Wed 23 Dec: Thu 24 (1), Fri 25 and Mon 28 Dec are bank holidays, Tue 29 (2), Wed 30 (3).
    Mediation may still take place (DESIGN 8): the case stays arranging, the certificate beside it."""
    case = chose_mediation()
    now, mark = at(12, 23), len(case.timeline)
    told = apply(case, ReportCannotArrange(actor=OFFICER, reason="no mediator free before January"), now)
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
    assert duty(case, CERTIFICATE) == NOT_ARRANGED_DUTY
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 12, 31), 0), None)]
    assert entries(case, mark) == [(now, OFFICER, "cannot_arrange", "no mediator free before January")]


@pytest.mark.parametrize("informed", [date(2026, 12, 23), date(2026, 11, 16)], ids=["today", "the-day-the-la-was-told"])
def test_the_adviser_may_have_been_told_today_or_as_early_as_the_la_itself(informed: date) -> None:
    case = chose_mediation()
    case.check_report_cannot_arrange(ReportCannotArrange(actor=OFFICER, reason="x", adviser_informed_on=informed), date(2026, 12, 23))


@pytest.mark.parametrize(("informed", "words"), [
    (date(2026, 12, 24), "the date the adviser was told, 24 December 2026, is in the future"),
    (date(2026, 11, 15), "the adviser cannot have been told on 15 November 2026 that mediation cannot be arranged: the "
                         "Local Authority was told the family wants mediation on 16 November 2026. The earliest date "
                         "is 16 November 2026"),
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
    stopped = chose_mediation()
    apply(stopped, Withdraw(actor=OFFICER, party="applicant", reason="x"), at(11, 20))
    assert refused(stopped, check) == (
        "cannot report that mediation cannot be arranged while the case is waiting for the mediation certificate" + only
    )
    issue(stopped, at(11, 23))
    assert refused(stopped, check) == f"case {REFERENCE} is closed (withdrawn); nothing more can be recorded"


def test_the_certificate_after_cannot_arrange_moves_the_appeal_deadline_and_the_case_stays_open() -> None:
    """Issued Tue 29 Dec: + 1 month = Fri 29 Jan 2027, later than 4 Jan, a working day. Mediation may
    still take place (DESIGN 8): no closure. The family then stops: the certificate is already
    issued, so nothing more is owed, and the case closes as not_arranged."""
    case = cannot_arrange()
    now, mark = at(12, 29), len(case.timeline)
    assert issue(case, now) == [Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20261229")]
    assert case.certificate == CertificateView(issued_on=date(2026, 12, 29), reason=CertificateReason.not_arranged)
    assert (case.stage, case.outcome, case.certificate_reason) == (CaseStage.arranging_session, None, None)
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 30), DeadlineState.met)
    assert deadlines(case)[APPEAL] == (date(2027, 1, 29), DeadlineState.open)
    assert entries(case, mark) == [
        (now, OFFICER, "certificate_issued", "Mediation could not be arranged in time; dated 29 December 2026; issued by the mediation adviser"),
        (now, SYSTEM, "appeal_deadline_computed",
         f"{DECISION_STEP}; certificate issued 29 December 2026 + 1 month = 29 January 2027, later (r.20(1)(c)(ii))"),
    ]
    assert case.plan_certificate_on_withdrawal(at(12, 30)) == []
    now, mark = at(12, 30), len(case.timeline)
    told = apply(case, Withdraw(actor=OFFICER, party="applicant", reason="going straight to appeal"), now)
    assert told == [Announcement(
        Template.case_closed, EVERYONE, None,
        {"outcome": CaseOutcome.not_arranged, "party_name": FAMILY, "resolution_started": True},
    )]
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.not_arranged)
    assert entries(case, mark) == [
        (now, OFFICER, "withdrawn", "the family withdrew: going straight to appeal"),
        (now, OFFICER, "case_closed", "Mediation could not be arranged in time"),
    ]


def test_withdrawing_after_cannot_arrange_shows_certificate_due_as_not_arranged_until_the_certificate_is_issued() -> None:
    """Withdrawn Thu 24 Dec with the not_arranged certificate owed (due Wed 30 Dec): no second one is
    planned; the process is over (the outcome is set, the family told at once) but the case waits in
    certificate_due; issuing it on Tue 29 Dec closes it, and the closure is not announced twice."""
    case = cannot_arrange()
    assert case.plan_certificate_on_withdrawal(at(12, 24)) == []  # already owed, as not_arranged
    now, mark = at(12, 24), len(case.timeline)
    told = apply(case, Withdraw(actor=OFFICER, party="applicant", reason="going straight to appeal"), now)
    assert told == [Announcement(
        Template.case_closed, EVERYONE, None,
        {"outcome": CaseOutcome.not_arranged, "party_name": FAMILY, "resolution_started": True},
    )]
    assert (case.stage, case.outcome, case.certificate_reason) == (
        CaseStage.certificate_due, CaseOutcome.not_arranged, CertificateReason.not_arranged,
    )
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 30), DeadlineState.open)  # still owed, still chased
    assert deadlines(case)[MEDIATION_ARRANGEMENT] == (date(2026, 12, 16), DeadlineState.cancelled)
    assert settled(case, MEDIATION_ARRANGEMENT) == (date(2026, 12, 24), "process_ended")
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 12, 31), 0), None)]
    assert case.next_deadline().name == CERTIFICATE
    assert entries(case, mark) == [
        (now, OFFICER, "withdrawn", "the family withdrew: going straight to appeal"),
        (now, OFFICER, "process_ended", "Mediation could not be arranged in time; still owed: issue the mediation certificate"),
    ]
    now, mark = at(12, 29), len(case.timeline)
    assert issue(case, now) == [Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20261229")]
    assert case.certificate == CertificateView(issued_on=date(2026, 12, 29), reason=CertificateReason.not_arranged)
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.not_arranged)
    assert [entry[2] for entry in entries(case, mark)] == ["certificate_issued", "appeal_deadline_computed", "case_closed"]
    assert entries(case, mark)[-1] == (now, OFFICER, "case_closed", "Mediation could not be arranged in time")


def test_an_advisers_certificate_still_owed_when_mediation_concludes_stands_and_is_not_replaced() -> None:
    """Cannot arrange reported Wed 23 Dec: the adviser's certificate is due Wed 30 Dec (bank holidays
    24-28 Dec but Thu 24 counting 1, Tue 29 2, Wed 30 3). Mediation is booked for Tue 29 Dec at 10:00
    with the family's consent to short notice and held before the certificate is issued: the owed
    certificate keeps its date and its rule (the mediator's 3 working days would end later, Mon 4 Jan),
    and the timeline says so."""
    case = cannot_arrange()
    apply(case, mediator(), at(12, 23))
    apply(case, ScheduleSession(actor=OFFICER, at=at(12, 29), venue="Town Hall", short_notice_agreed=True), at(12, 23))
    apply(case, outcome(SessionResult.no_agreement), at(12, 29, 14))
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 30), DeadlineState.open)
    assert duty(case, CERTIFICATE) == NOT_ARRANGED_DUTY
    assert case.certificate_reason is CertificateReason.not_arranged
    assert case.timeline[-2].event == "certificate_still_owed"
    assert (case.stage, case.outcome) == (CaseStage.certificate_due, CaseOutcome.no_agreement)


def test_a_later_certificate_never_moves_the_appeal_deadline_and_tells_the_officer() -> None:
    """The first certificate, after cannot-arrange, issued Tue 29 Dec: the deadline Fri 29 Jan 2027.
    Mediation then takes place after all: the arrangement duty's end (Wed 16 Dec) has passed, so it
    was missed; booked on Tue 5 Jan for Thu 14 Jan at 14:00 (notice due 5 working days before: Wed 13,
    Tue 12, Mon 11, Fri 8, Thu 7 Jan); no agreement. The mediator's certificate is due Fri 15, Mon 18,
    Tue 19 Jan and is issued Mon 18 Jan: + 1 month would be Thu 18 Feb, later, but the first
    certificate fixed the deadline: it stays 29 Jan, the officer is told, the case shows a warning."""
    case = cannot_arrange()
    issue(case, at(12, 29))
    ring_until(case, at(1, 5, year=2027))
    assert deadlines(case)[MEDIATION_ARRANGEMENT] == (date(2026, 12, 16), DeadlineState.missed)
    apply(case, mediator(), at(1, 5, year=2027))
    apply(case, ScheduleSession(actor=OFFICER, at=at(1, 14, 14, year=2027), venue="Town Hall"), at(1, 5, year=2027))
    ring_until(case, at(1, 14, 17, year=2027))
    apply(case, outcome(SessionResult.no_agreement), at(1, 14, 17, year=2027))
    # Held late: the arrangement duty stays missed, caught up on the session's day.
    assert deadlines(case)[MEDIATION_ARRANGEMENT] == (date(2026, 12, 16), DeadlineState.missed)
    assert settled(case, MEDIATION_ARRANGEMENT) == (date(2027, 1, 14), "outcome_recorded")
    assert (case.stage, case.outcome) == (CaseStage.certificate_due, CaseOutcome.no_agreement)
    assert deadlines(case)[CERTIFICATE] == (date(2027, 1, 19), DeadlineState.open)
    assert duty(case, CERTIFICATE) == MEDIATOR_DUTY
    assert case.certificate_moves_appeal() is False
    now, mark = at(1, 18, year=2027), len(case.timeline)
    told = issue(case, now)
    warning = (
        "A later certificate, dated 18 January 2027, was issued: the appeal deadline stays as the first certificate "
        "(29 December 2026) fixed it. Whether a later certificate restarts the month is unsettled; the family should not "
        "rely on a later date."
    )
    assert told == [
        Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20270118"),
        Announcement(Template.later_certificate, ("case_officer",), "later_certificate-20270118"),
        Announcement(Template.case_closed, EVERYONE, None, {"outcome": CaseOutcome.no_agreement}),
    ]
    assert entries(case, mark) == [
        (now, OFFICER, "certificate_issued", "Mediation has taken place; dated 18 January 2027; issued by the mediator"),
        (now, SYSTEM, "later_certificate", warning),
        (now, OFFICER, "case_closed", "No agreement"),
    ]
    assert case.view().warnings == [warning]
    assert deadlines(case)[APPEAL] == (date(2027, 1, 29), DeadlineState.open)
    assert case.certificate == CertificateView(issued_on=date(2026, 12, 29), reason=CertificateReason.not_arranged)
    assert case.view().certificate == case.certificate  # the one that fixed the deadline
    assert [certificate.issued_on for certificate in case.certificates] == [date(2026, 12, 29), date(2027, 1, 18)]
    facts = case.message_facts()
    assert (facts.certificate_date, facts.first_certificate_date, facts.certificate_issued_by) == (
        date(2027, 1, 18), date(2026, 12, 29), "mediator",
    )
    assert facts.appeal_deadline == date(2027, 1, 29)


# --- After the session: the outcome, the certificate and agreed actions (reg 42) ---------------------


def test_an_agreement_with_actions_waits_in_monitoring_with_the_mediators_certificate_beside_them() -> None:
    """Recorded on Mon 30 Nov, counted from the session on Thu 26 Nov (however late it is recorded):
    certificate Fri 27 (1), Mon 30 (2), Tue 1 Dec (3). Action 1 has a timescale agreed in writing,
    Mon 4 Jan 2027 (reg 42(5)); action 2 is not appealable: two weeks from the agreement, Thu 10 Dec
    (reg 42(3)). The session held on 26 Nov met the arrangement duty (due Wed 16 Dec), on that day,
    by the outcome's entry. The certificate, due first, is the next deadline."""
    case = session_held()
    now, mark = at(11, 30), len(case.timeline)
    told = apply(case, outcome(
        SessionResult.partial_agreement,
        AgreedActionInput(description="Amend section F: speech therapy", owner="org-1", agreed_due=date(2027, 1, 4)),
        AgreedActionInput(description="Send the therapy report", owner="org-2"),
    ), now)
    assert (case.stage, case.outcome, case.result) == (CaseStage.monitoring_agreement, None, SessionResult.partial_agreement)
    assert case.certificate_reason is CertificateReason.mediation_concluded
    assert case.actions == [
        AgreedAction(number=1, description="Amend section F: speech therapy", owner="org-1", due=date(2027, 1, 4),
                     due_source="SEND Regs 2014 reg 42(5): a timescale agreed in writing"),
        AgreedAction(number=2, description="Send the therapy report", owner="org-2", due=date(2026, 12, 10),
                     due_source="SEND Regs 2014 reg 42(3): within 2 weeks of the agreement"),
    ]
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 1), DeadlineState.open)
    assert duty(case, CERTIFICATE) == MEDIATOR_DUTY
    assert duty(case, action_deadline(2)) == ("org-2", "SEND Regs 2014 reg 42(3): within 2 weeks of the agreement")
    assert deadlines(case)[MEDIATION_ARRANGEMENT] == (date(2026, 12, 16), DeadlineState.met)
    assert settled(case, MEDIATION_ARRANGEMENT) == (date(2026, 11, 26), "outcome_recorded")
    assert case.next_deadline().name == CERTIFICATE
    assert entries(case, mark) == [(now, OFFICER, "outcome_recorded", "Partial agreement, 2 agreed actions; the child's views were sought")]
    assert told == [Announcement(Template.written_outcome, EVERYONE, None, {
        "result": SessionResult.partial_agreement, "session_at": at(11, 26, 14),
        "actions": [
            AgreedActionFacts(number=1, description="Amend section F: speech therapy", owner="Rotherham LA", due=date(2027, 1, 4)),
            AgreedActionFacts(number=2, description="Send the therapy report", owner="South Yorkshire ICB", due=date(2026, 12, 10)),
        ],
    })]
    # The certificate issued Tue 1 Dec leaves the actions followed up; the last one done closes the case.
    issue(case, at(12, 1))
    assert (case.stage, case.outcome) == (CaseStage.monitoring_agreement, None)
    apply(case, CompleteAction(actor=OFFICER, number=1), at(12, 2))
    apply(case, CompleteAction(actor=OFFICER, number=2), at(12, 3))
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.partial_agreement)


def test_the_last_action_done_before_the_certificate_leaves_the_case_in_certificate_due() -> None:
    """Action done on Fri 27 Nov, the mediator's certificate (due Tue 1 Dec) not yet issued: the
    process is over as full_agreement, but the case waits for the certificate, which then closes it."""
    case = session_held()
    apply(case, outcome(SessionResult.full_agreement, AgreedActionInput(description="Send the report", owner="org-1")), at(11, 26, 17))
    now, mark = at(11, 27), len(case.timeline)
    assert apply(case, CompleteAction(actor=OFFICER, number=1), now) == []
    assert (case.stage, case.outcome) == (CaseStage.certificate_due, CaseOutcome.full_agreement)
    assert entries(case, mark) == [
        (now, OFFICER, "action_completed", "Agreed action 1 done"),
        (now, OFFICER, "process_ended", "Full agreement; still owed: issue the mediation certificate"),
    ]
    assert issue(case, at(11, 30)) == [
        Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20261130"),
        Announcement(Template.case_closed, EVERYONE, None, {"outcome": CaseOutcome.full_agreement}),
    ]
    assert case.is_closed


REG_42_3 = "SEND Regs 2014 reg 42(3): within 2 weeks of the agreement"


@pytest.mark.parametrize(("kind", "due", "source"), [
    # 14 days from Thu 26 Nov: Thu 10 Dec.
    (OrderKind.assess, date(2026, 12, 10), "SEND Regs 2014 reg 42(2), reg 44(2)(b): tell the family within 2 weeks that it will assess"),
    (OrderKind.reassess, date(2026, 12, 10), "SEND Regs 2014 reg 42(2), reg 44(2)(b): tell the family within 2 weeks that it will reassess"),
    # 35 days: 26 Nov + 30 = Sat 26 Dec, + 5 = Thu 31 Dec (calendar days: the holidays between do not count).
    (OrderKind.issue_plan, date(2026, 12, 31), "SEND Regs 2014 reg 42(2), reg 44(2)(c): a draft plan within 5 weeks (the final plan within 11)"),
    (OrderKind.amend_plan, date(2026, 12, 31), "SEND Regs 2014 reg 42(2), reg 44(2) (check): amend the plan within 5 weeks"),
    (OrderKind.name_school, date(2026, 12, 10), "SEND Regs 2014 reg 42(2), reg 44(2) (check): name the school within 2 weeks"),
    # At once: the day of the agreement, Thu 26 Nov.
    (OrderKind.continue_plan, date(2026, 11, 26), "SEND Regs 2014 reg 42(2), reg 44(2) (check): continue to maintain the plan at once"),
    (OrderKind.cease_plan, date(2026, 11, 26), "SEND Regs 2014 reg 42(2), reg 44(2)(a): cease to maintain the plan at once"),
], ids=["assess", "reassess", "issue_plan", "amend_plan", "name_school", "continue_plan", "cease_plan"])
def test_an_appealable_agreed_action_is_due_in_its_reg_44_period_from_the_session(kind: OrderKind, due: date, source: str) -> None:
    """reg 42(2): as if the Tribunal had ordered it, in the reg 44(2) period, counted in calendar days
    from the agreement (the session, Thu 26 Nov at 14:00), recorded that evening. Beside it, an
    action that is not appealable gets two weeks (reg 42(3)): Thu 10 Dec. Each says its rule."""
    case = session_held()
    apply(case, outcome(
        SessionResult.partial_agreement,
        AgreedActionInput(description="the appealable matter", owner="org-1", appealable=True, order_kind=kind),
        AgreedActionInput(description="send the minutes", owner="org-1"),
    ), at(11, 26, 17))
    assert [(action.due, action.appealable, action.order_kind, action.due_source) for action in case.actions] == [
        (due, True, kind, source), (date(2026, 12, 10), False, None, REG_42_3),
    ]
    assert deadlines(case)[action_deadline(1)] == (due, DeadlineState.open)
    assert duty(case, action_deadline(1)) == ("org-1", source)
    assert case.action_due_source(AgreedActionInput(description="x", owner="org-1", appealable=True, order_kind=kind)) == source
    # Its owner is reminded 2 working days before, unless that is already past; it expires at midnight after.
    expiry = (AlarmPurpose.expiry, england(date.fromordinal(due.toordinal() + 1), 0), None)
    assert alarms(case, action_deadline(1))[-1] == expiry


def test_an_appealable_agreed_action_with_a_timescale_agreed_in_writing_takes_that_date() -> None:
    """reg 42(5): a timescale agreed in writing replaces the reg 44 period (here 35 days, 31 Dec)."""
    case = session_held()
    apply(case, outcome(SessionResult.full_agreement, AgreedActionInput(
        description="issue the plan", owner="org-1", appealable=True, order_kind=OrderKind.issue_plan, agreed_due=date(2027, 1, 15),
    )), at(11, 26, 17))
    assert [(action.due, action.due_source) for action in case.actions] == [
        (date(2027, 1, 15), "SEND Regs 2014 reg 42(5): a timescale agreed in writing"),
    ]


def test_an_appealable_matter_must_say_its_kind_of_order_and_only_it_may() -> None:
    """No silent default (reg 42(2)): the kind of order decides the period."""
    with pytest.raises(ValidationError, match="an appealable matter needs the kind of order it is"):
        AgreedActionInput(description="x", owner="org-1", appealable=True)
    with pytest.raises(ValidationError, match="a kind of order is given only for an appealable matter"):
        AgreedActionInput(description="x", owner="org-1", order_kind=OrderKind.assess)


def test_withdrawing_while_actions_are_followed_up_cancels_them_and_leaves_the_mediators_certificate_owed() -> None:
    """The certificate after mediation is the family's way to the Tribunal (s.55(5)): withdrawn on Fri
    27 Nov, the actions are cancelled, no second certificate is planned, and the case waits in
    certificate_due for the mediator's (due Tue 1 Dec)."""
    case = session_held()
    apply(case, outcome(SessionResult.partial_agreement, AgreedActionInput(description="Send the therapy report", owner="org-2")),
          at(11, 26, 17))
    now = at(11, 27)
    apply(case, Withdraw(actor=OFFICER, party="applicant", reason="moving away"), now)
    assert (case.stage, case.outcome, case.certificate_reason) == (
        CaseStage.certificate_due, CaseOutcome.withdrawn, CertificateReason.mediation_concluded,
    )
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 1), DeadlineState.open)
    assert duty(case, CERTIFICATE) == MEDIATOR_DUTY
    assert deadlines(case)[action_deadline(1)] == (date(2026, 12, 10), DeadlineState.cancelled)
    assert settled(case, action_deadline(1)) == (date(2026, 11, 27), "process_ended")
    assert alarms(case, action_deadline(1)) == []


@pytest.mark.parametrize(("result", "views", "detail"), [
    (SessionResult.no_agreement, False, "No agreement, 0 agreed actions; the child's views were not sought"),
    (SessionResult.full_agreement, None, "Full agreement, 0 agreed actions"),
], ids=["no-agreement", "full-agreement-views-not-recorded"])
def test_an_outcome_with_nothing_to_follow_up_waits_in_certificate_due_until_the_mediator_issues_it(
    result: SessionResult, views: bool | None, detail: str
) -> None:
    """Recorded Thu 26 Nov at 17:00: the process is over with its outcome, but the mediator's
    certificate is owed (Fri 27, Mon 30 Nov, Tue 1 Dec) and is the case's next deadline; the closure
    is announced only when the certificate closes the case."""
    case = session_held()
    now, mark = at(11, 26, 17), len(case.timeline)
    told = apply(case, outcome(result, views=views), now)
    assert (case.stage, case.outcome) == (CaseStage.certificate_due, CaseOutcome(result.value))
    assert case.certificate_reason is CertificateReason.mediation_concluded
    assert deadlines(case)[CERTIFICATE] == (date(2026, 12, 1), DeadlineState.open)
    assert duty(case, CERTIFICATE) == MEDIATOR_DUTY
    assert case.next_deadline().name == CERTIFICATE and case.view().next_deadline.due == date(2026, 12, 1)
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 12, 2), 0), None)]
    assert entries(case, mark) == [
        (now, OFFICER, "outcome_recorded", detail),
        (now, OFFICER, "process_ended", f"{OUTCOME_WORDS[CaseOutcome(result.value)]}; still owed: issue the mediation certificate"),
    ]
    assert told == [Announcement(Template.written_outcome, EVERYONE, None, {"result": result, "session_at": at(11, 26, 14), "actions": []})]
    # The certificate, Tue 1 Dec: + 1 month = Fri 1 Jan 2027, not later than 2 Jan: the deadline stays 4 Jan.
    now, mark = at(12, 1), len(case.timeline)
    assert issue(case, now) == [
        Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20261201"),
        Announcement(Template.case_closed, EVERYONE, None, {"outcome": CaseOutcome(result.value)}),
    ]
    assert case.certificate == CertificateView(
        issued_on=date(2026, 12, 1), reason=CertificateReason.mediation_concluded, issued_by=CertificateIssuer.mediator,
    )
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome(result.value))
    assert entries(case, mark) == [
        (now, OFFICER, "certificate_issued", "Mediation has taken place; dated 1 December 2026; issued by the mediator"),
        (now, SYSTEM, "appeal_deadline_computed",
         f"{DECISION_STEP}; certificate issued 1 December 2026 + 1 month = 1 January 2027, not later: the decision date "
         f"governs; {SATURDAY_STEP}"),
        (now, OFFICER, "case_closed", OUTCOME_WORDS[CaseOutcome(result.value)]),
    ]
    assert deadlines(case)[APPEAL] == (APPEAL_FROM_DECISION, DeadlineState.open)


def test_the_childs_views_are_asked_about_only_where_a_parent_is_the_party() -> None:
    """CFA 2014 s.56(1)(e): with the young person as the party, nobody is asked for the child's views."""
    young = Applicant(role=ApplicantRole.young_person, name="Alex Young", contact=Contact(email="alex@example.org"))
    case = session_held(applicant=young)
    now = at(11, 26, 17)
    for views in (True, False):
        assert refused(case, lambda case: case.check_record_outcome(outcome(SessionResult.no_agreement, views=views), now)) == (
            "the child's views are sought only where a parent is the party (Children and Families Act 2014 s.56(1)(e)); "
            "here the young person is the party: leave it out"
        )
    apply(case, outcome(SessionResult.no_agreement, views=None), now)
    assert case.timeline[-2].detail == "No agreement, 0 agreed actions"


# --- Withdrawal: only the family; a certificate owed whenever they stop -------------------------------


def test_withdrawing_at_advice_owes_a_not_pursued_certificate_and_closes_only_when_it_is_issued() -> None:
    """reg 34 ("does not wish to or fails to pursue mediation"), at any stage, advice included:
    withdrawn on Tue 10 Nov, the adviser's certificate is due Wed 11, Thu 12, Fri 13 Nov. The outcome
    is withdrawn at once and the family told; the case waits in certificate_due. Issued Thu 12 Nov:
    + 1 month = Sat 12 Dec, before 2 Jan, so the decision date governs (Mon 4 Jan)."""
    case = opened()
    now, mark = at(11, 10), len(case.timeline)
    told = apply(case, Withdraw(actor=OFFICER, party="applicant", reason="has decided not to appeal"), now)
    assert told == [Announcement(
        Template.withdrawn, EVERYONE, None, {"outcome": CaseOutcome.withdrawn, "party_name": FAMILY, "resolution_started": False},
    )]
    assert (case.stage, case.outcome, case.certificate_reason) == (
        CaseStage.certificate_due, CaseOutcome.withdrawn, CertificateReason.not_pursued,
    )
    assert deadlines(case) == {
        APPEAL: (APPEAL_FROM_DECISION, DeadlineState.open), CERTIFICATE: (date(2026, 11, 13), DeadlineState.open),
    }
    assert duty(case, CERTIFICATE) == NOT_PURSUED_DUTY
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 11, 14), 0), None)]
    assert case.next_deadline().name == CERTIFICATE
    assert entries(case, mark) == [
        (now, OFFICER, "withdrawn", "the family withdrew: has decided not to appeal"),
        (now, OFFICER, "process_ended", "Withdrawn; still owed: issue the mediation certificate"),
    ]
    # The adviser may issue it now: not refused as "record their choice first".
    now, mark = at(11, 12), len(case.timeline)
    assert issue(case, now) == [Announcement(Template.certificate_issued, EVERYONE, "certificate_issued-20261112")]
    assert case.certificate == CertificateView(issued_on=date(2026, 11, 12), reason=CertificateReason.not_pursued)
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.withdrawn)
    assert entries(case, mark) == [
        (now, OFFICER, "certificate_issued", "The family did not pursue mediation; dated 12 November 2026; issued by the mediation adviser"),
        (now, SYSTEM, "appeal_deadline_computed",
         f"{DECISION_STEP}; certificate issued 12 November 2026 + 1 month = 12 December 2026, not later: the decision date "
         f"governs; {SATURDAY_STEP}"),
        (now, OFFICER, "case_closed", "Withdrawn"),
    ]
    assert settled(case, CERTIFICATE) == (date(2026, 11, 12), "certificate_issued")


def test_withdrawing_after_choosing_mediation_owes_a_not_pursued_certificate() -> None:
    """reg 34 ("fails to pursue mediation"): withdrawn on Fri 20 Nov, the certificate is due Mon 23,
    Tue 24, Wed 25 Nov; the arrangement duty is cancelled, the health notice already met stays met."""
    case = chose_mediation()
    now, mark = at(11, 20), len(case.timeline)
    told = apply(case, Withdraw(actor=OFFICER, party="applicant", reason="no longer wishes to mediate"), now)
    assert told == [Announcement(
        Template.withdrawn, EVERYONE, None, {"outcome": CaseOutcome.withdrawn, "party_name": FAMILY, "resolution_started": True},
    )]
    assert (case.stage, case.outcome, case.certificate_reason) == (
        CaseStage.certificate_due, CaseOutcome.withdrawn, CertificateReason.not_pursued,
    )
    assert deadlines(case) == {
        APPEAL: (APPEAL_FROM_DECISION, DeadlineState.open),
        MEDIATION_ARRANGEMENT: (date(2026, 12, 16), DeadlineState.cancelled),
        HEALTH_NOTICE: (date(2026, 11, 19), DeadlineState.met),
        CERTIFICATE: (date(2026, 11, 25), DeadlineState.open),
    }
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 11, 26), 0), None)]
    assert alarms(case, MEDIATION_ARRANGEMENT) == []
    assert entries(case, mark) == [
        (now, OFFICER, "withdrawn", "the family withdrew: no longer wishes to mediate"),
        (now, OFFICER, "process_ended", "Withdrawn; still owed: issue the mediation certificate"),
    ]


def test_a_family_that_said_no_has_nothing_to_withdraw_from_and_the_certificate_alone_ends_the_case() -> None:
    request = Withdraw(actor=OFFICER, party="applicant", reason="x")
    case = said_no()
    assert refused(case, lambda case: case.check_withdraw(request)) == (
        "cannot withdraw while the case is waiting for the mediation certificate; only while it is with the family "
        "deciding whether to mediate or arranging the session or waiting for its session or following up what was agreed"
    )
    issue(case, at(12, 7))
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.certificate_only)


@pytest.mark.parametrize("party", ["org-1", "org-2", "org-9", "local_authority"])
def test_only_the_family_can_withdraw(party: str) -> None:
    request = Withdraw(actor=OFFICER, party=party, reason="x")
    assert refused(chose_mediation(), lambda case: case.check_withdraw(request)) == (
        "only the family can withdraw from statutory mediation: the Local Authority cannot refuse it "
        "(Children and Families Act 2014 ss.53-54)"
    )


def test_the_family_can_withdraw_at_every_open_stage_but_not_once_closed() -> None:
    request = Withdraw(actor=OFFICER, party="applicant", reason="x")
    monitoring = session_held()
    apply(monitoring, outcome(SessionResult.full_agreement, AgreedActionInput(description="x", owner="org-1")), at(11, 26, 17))
    for case in (opened(), chose_mediation(), cannot_arrange(), session_held(), monitoring):
        case.check_withdraw(request)
    assert refused(certified_after_a_no(), lambda case: case.check_withdraw(request)) == (
        f"case {REFERENCE} is closed (certificate_only); nothing more can be recorded"
    )


# --- The service withdraws the case (cancellation in Temporal) ----------------------------------------


CANCELLED = "cancellation requested in Temporal (Web UI or CLI): the service withdrew the case"


def test_the_service_withdrawing_before_a_choice_still_owes_the_family_a_certificate() -> None:
    """The family did not stop; mediation will not take place: the adviser's certificate is owed.
    Cancelled Tue 10 Nov: due Wed 11, Thu 12, Fri 13 Nov."""
    case = opened()
    now, mark = at(11, 10), len(case.timeline)
    told = withdraw_for_service(case, now)
    assert told == [Announcement(
        Template.withdrawn, EVERYONE, None, {"outcome": CaseOutcome.withdrawn, "by_service": True, "resolution_started": False},
    )]
    assert (case.stage, case.outcome, case.certificate_reason) == (
        CaseStage.certificate_due, CaseOutcome.withdrawn, CertificateReason.not_pursued,
    )
    assert deadlines(case)[CERTIFICATE] == (date(2026, 11, 13), DeadlineState.open)
    assert entries(case, mark) == [
        (now, SYSTEM, "withdrawn_by_service", CANCELLED), (now, SYSTEM, "process_ended", "Withdrawn; still owed: issue the mediation certificate"),
    ]


def test_the_service_withdrawing_after_the_family_chose_mediation_owes_a_not_arranged_certificate() -> None:
    """Mediation will not take place, not by the family's doing: as when the LA cannot arrange it.
    Cancelled on Fri 20 Nov: the certificate is due Mon 23, Tue 24, Wed 25 Nov."""
    case = chose_mediation()
    now, mark = at(11, 20), len(case.timeline)
    told = withdraw_for_service(case, now)
    assert told == [Announcement(
        Template.withdrawn, EVERYONE, None, {"outcome": CaseOutcome.withdrawn, "by_service": True, "resolution_started": True},
    )]
    assert (case.stage, case.outcome, case.certificate_reason) == (
        CaseStage.certificate_due, CaseOutcome.withdrawn, CertificateReason.not_arranged,
    )
    assert deadlines(case)[CERTIFICATE] == (date(2026, 11, 25), DeadlineState.open)
    assert duty(case, CERTIFICATE) == NOT_ARRANGED_DUTY
    assert alarms(case, CERTIFICATE) == [(AlarmPurpose.expiry, england(date(2026, 11, 26), 0), None)]
    assert entries(case, mark) == [
        (now, SYSTEM, "withdrawn_by_service", CANCELLED), (now, SYSTEM, "process_ended", "Withdrawn; still owed: issue the mediation certificate"),
    ]


def test_the_service_withdrawing_a_case_whose_process_is_over_only_records_the_request() -> None:
    """Withdrawn by the family at advice on Tue 10 Nov (certificate due Fri 13 Nov): a cancellation on
    Wed 11 Nov records the request and plans nothing more; so does one after the case has closed."""
    case = opened()
    apply(case, Withdraw(actor=OFFICER, party="applicant", reason="x"), at(11, 10))
    now, mark = at(11, 11), len(case.timeline)
    assert withdraw_for_service(case, now) == []
    assert (case.stage, case.outcome, case.certificate_reason) == (
        CaseStage.certificate_due, CaseOutcome.withdrawn, CertificateReason.not_pursued,
    )
    assert deadlines(case)[CERTIFICATE] == (date(2026, 11, 13), DeadlineState.open)
    assert entries(case, mark) == [(now, SYSTEM, "cancellation_requested",
                                    "cancellation requested in Temporal; the case was already waiting for the mediation "
                                    "certificate; the family's appeal warnings continue")]
    issue(case, at(11, 12))
    apply(case, RecordAppealStatus(actor=OFFICER, status=AppealStatus.not_appealing), at(11, 12))
    mark = len(case.timeline)
    assert withdraw_for_service(case, at(11, 13)) == []
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
    assert (facts.certificate_date, facts.certificate_reason, facts.due, facts.certificate_owed) == (None, None, date(2026, 12, 8), True)
    assert facts.appeal_deadline == APPEAL_FROM_DECISION and facts.reference == REFERENCE
    case = certified_after_a_no()
    facts = case.message_facts()
    assert (facts.certificate_date, facts.certificate_reason, facts.certificate_issued_by, facts.school_only) == (
        date(2026, 12, 8), "no_mediation", "mediation_adviser", False,
    )
    assert (facts.first_certificate_date, facts.certificate_owed) == (date(2026, 12, 8), False)
    assert facts.appeal_deadline == date(2027, 1, 8)


def test_the_case_view_shows_the_route_decision_certificate_issues_and_school_only() -> None:
    view = said_no(school_only=True, mediation_issues=[MediationIssue.health, MediationIssue.social_care]).view()
    assert (view.route, view.certificate, view.school_only) == (Route.mediation, None, True)
    assert view.mediation_issues == [MediationIssue.health, MediationIssue.social_care]
    assert view.decision == DecisionView(kind=DecisionKind.refusal_to_assess, date=DECIDED)
    view = certified_after_a_no().view()
    assert (view.route, view.school_only, view.mediation_issues) == (Route.mediation, False, [MediationIssue.education, MediationIssue.health])
    assert view.certificate == CertificateView(issued_on=date(2026, 12, 8), reason=CertificateReason.no_mediation)
    certificate = next(deadline for deadline in view.deadlines if deadline.name == CERTIFICATE)
    assert (certificate.state, certificate.owed_by, certificate.settled_on, certificate.settled_by) == (
        DeadlineState.met, "mediation_adviser", date(2026, 12, 8), 4,  # opened, appeal computed, declined, issued
    )


# --- Notice of the session: 5 working days unless the family agrees to less -------------------------


@pytest.mark.parametrize(("booked", "session_day", "short_notice", "allowed"), [
    (date(2026, 11, 16), date(2026, 11, 23), False, None),  # Mon 16 to Fri 20: 5 working days before Mon 23
    (date(2026, 11, 16), date(2026, 11, 20), False, "21 November 2026"),  # Fri 20: only Mon 16 to Thu 19, 4 days
    (date(2026, 11, 18), date(2026, 11, 25), False, None),  # Wed 18, Thu 19, Fri 20, Mon 23, Tue 24: 5
    (date(2026, 11, 18), date(2026, 11, 24), False, "25 November 2026"),  # Wed 18 to Mon 23: 4, the weekend not counting
    (date(2026, 11, 18), date(2026, 11, 24), True, None),  # the family consented to shorter notice
], ids=["monday-to-monday", "monday-to-friday", "over-a-weekend", "over-a-weekend-a-day-short", "short-notice-agreed"])
def test_a_session_needs_5_working_days_notice_unless_the_family_agrees(
    booked: date, session_day: date, short_notice: bool, allowed: str | None
) -> None:
    """Code ch. 11 (restating the regulations): notice of the date and place at least 5 working days
    before, unless the family consents to less. The update's own check counts weekdays, today counting
    (bank holidays are the workflow's calendar check)."""
    case = chose_mediation()
    now = england(booked, 10)
    apply(case, mediator(), now)
    request = ScheduleSession(actor=OFFICER, at=england(session_day, 10), short_notice_agreed=short_notice)
    if allowed is None:
        case.check_schedule_session(request, now)
    else:
        # The earliest date allowed, on the session's date field; no command line flag (a page shows it),
        # but the field that lifts the rule, which the CLI words as its flag.
        with pytest.raises(RuleViolation) as raised:
            case.check_schedule_session(request, now)
        assert str(raised.value) == (
            "the family must have at least 5 working days' notice of the date and place of mediation, unless they "
            "consent to shorter notice: book a later date, or record that they consented to shorter notice. The "
            f"earliest date is {allowed}, a working day later for each bank holiday before it"
        )
        assert (raised.value.field, raised.value.unless) == (("at",), "short_notice_agreed")


# --- The appeal clock's reasoning, in words (domain/appeal.py) --------------------------------------


@pytest.mark.parametrize(("decided", "certified", "due", "steps"), [
    ("2026-11-02", None, "2027-01-04", [DECISION_STEP, SATURDAY_STEP]),
    # Sat 2 Jan 2027 either way: equal is not later, so the decision governs.
    ("2026-11-02", "2026-12-02", "2027-01-04", [
        DECISION_STEP, "certificate issued 2 December 2026 + 1 month = 2 January 2027, not later: the decision date governs", SATURDAY_STEP,
    ]),
    ("2026-11-02", "2026-12-03", "2027-01-04", [
        DECISION_STEP, "certificate issued 3 December 2026 + 1 month = 3 January 2027, later (r.20(1)(c)(ii))",
        "3 January 2027 is not a working day: next working day = 4 January 2027 (r.12(2))",
    ]),
    ("2026-10-24", None, "2026-12-24", ["decision notice sent 24 October 2026 + 2 months = 24 December 2026 (r.20(1)(c)(i))"]),
    ("2026-10-25", None, "2027-01-04", [
        "decision notice sent 25 October 2026 + 2 months = 25 December 2026 (r.20(1)(c)(i))",
        "25 December 2026 is in the Christmas or August break: first working day after 1 January 2027 = 4 January 2027 (r.12(3)(a))",
    ]),
    ("2026-11-01", None, "2027-01-04", [
        "decision notice sent 1 November 2026 + 2 months = 1 January 2027 (r.20(1)(c)(i))",
        "1 January 2027 is in the Christmas or August break: first working day after 1 January 2027 = 4 January 2027 (r.12(3)(a))",
    ]),
    ("2026-05-31", None, "2026-07-31", ["decision notice sent 31 May 2026 + 2 months = 31 July 2026 (r.20(1)(c)(i))"]),
    ("2026-06-01", None, "2026-09-01", [  # Sat 1 Aug; Mon 31 Aug is a bank holiday anyway
        "decision notice sent 1 June 2026 + 2 months = 1 August 2026 (r.20(1)(c)(i))",
        "1 August 2026 is in the Christmas or August break: first working day after 31 August 2026 = 1 September 2026 (r.12(3)(a))",
    ]),
    ("2026-07-01", None, "2026-09-01", ["decision notice sent 1 July 2026 + 2 months = 1 September 2026 (r.20(1)(c)(i))"]),
    ("2027-01-26", None, "2027-03-30", [  # Good Friday, then Easter Monday
        "decision notice sent 26 January 2027 + 2 months = 26 March 2027 (r.20(1)(c)(i))",
        "26 March 2027 is not a working day: next working day = 30 March 2027 (r.12(2))",
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
    assert (case.local_authority, case.health_only) == (None, False)
    assert case.decision == DecisionView(kind=DecisionKind.refusal_to_assess, date=DECIDED)
    assert entries(case, 0) == [(at(11, 9), OFFICER, "case_opened", "Statutory mediation about the Local Authority's decision: refusal to carry out an EHC needs assessment; issues: education and health")]


def test_a_decision_dated_in_the_future_is_refused_and_today_is_allowed() -> None:
    case = Mediation.open(REFERENCE, open_mediation(date(2026, 11, 10)), at(11, 9))
    assert refused(case, lambda case: case.check_open(date(2026, 11, 9))) == (
        "the decision date, 10 November 2026, is in the future: give the date the Local Authority's written notice was sent"
    )
    case.check_open(date(2026, 11, 10))


@pytest.mark.parametrize(("field", "told", "words"), [
    ("la_notified_on", date(2026, 11, 10), "the date the Local Authority was told, 10 November 2026, is in the future"),  # today: Mon 9 Nov
    ("la_notified_on", date(2026, 11, 1), "the Local Authority cannot have been told on 1 November 2026, before the decision. The earliest date is 2 November 2026"),
    ("adviser_told_on", date(2026, 11, 10), "the date the mediation adviser was told, 10 November 2026, is in the future"),
    ("adviser_told_on", date(2026, 11, 1), "the mediation adviser cannot have been told on 1 November 2026, before the decision. The earliest date is 2 November 2026"),
], ids=["la-tomorrow", "la-before-the-decision", "adviser-tomorrow", "adviser-before-the-decision"])
def test_a_choice_dated_tomorrow_or_before_the_decision_is_refused(field: str, told: date, words: str) -> None:
    for mediate in (True, False):
        request = choice(mediate, health_provision_sought=PROVISION if mediate else None, **{field: told})
        assert refused(opened(), lambda case: case.check_record_choice(request, date(2026, 11, 9))) == words


@pytest.mark.parametrize("told", [date(2026, 11, 9), DECIDED], ids=["today", "the-decision-day"])
def test_a_choice_dated_today_or_on_the_decision_day_is_allowed(told: date) -> None:
    request = choice(True, la_notified_on=told, adviser_told_on=told, health_provision_sought=PROVISION)
    opened().check_record_choice(request, date(2026, 11, 9))


def test_the_choice_is_recorded_once() -> None:
    request = choice(True, health_provision_sought=PROVISION)
    check = lambda case: case.check_record_choice(request, date(2026, 12, 23))  # noqa: E731
    advice_only = "; only while it is with the family deciding whether to mediate"
    assert refused(said_no(), check) == (
        "cannot record the family's choice while the case is waiting for the mediation certificate" + advice_only
    )
    assert refused(chose_mediation(), check) == "cannot record the family's choice while the case is arranging the session" + advice_only


def test_a_no_is_announced_to_every_party_with_the_certificate_date() -> None:
    case = opened()
    now, mark = at(12, 3), len(case.timeline)
    assert apply(case, choice(False), now) == [Announcement(Template.mediation_declined, PARTIES, None, {"due": date(2026, 12, 8)})]
    assert (case.mediate, case.adviser_told_on, case.la_notified_on, case.stage) == (
        False, date(2026, 12, 3), date(2026, 12, 3), CaseStage.certificate_due,
    )
    assert entries(case, mark) == [
        (now, OFFICER, "mediation_declined", "The family told the mediation adviser on 3 December 2026 that they do not want mediation"),
    ]


HEALTH_WORDS = (
    "health is a mediation issue: give the health care provision the family wants specified in the EHC plan, which the "
    "Local Authority's notice to each health commissioning body must carry (SEND Regulations 2014 reg 32(e))"
)
NO_HEALTH_WORDS = (
    "the health care provision sought is given only when the family wants mediation and health is one of its issues"
)


@pytest.mark.parametrize(("request_", "words"), [
    (choice(True), HEALTH_WORDS),  # health among the issues given at opening
    (choice(True, mediation_issues=[MediationIssue.health]), HEALTH_WORDS),
    (choice(False, health_provision_sought=PROVISION), NO_HEALTH_WORDS),
    (choice(True, mediation_issues=[MediationIssue.education], health_provision_sought=PROVISION), NO_HEALTH_WORDS),
], ids=["yes-about-health-without-it", "yes-about-health-alone-without-it", "a-no-with-it", "yes-without-health-with-it"])
def test_the_health_care_provision_sought_is_required_with_health_in_issue_and_refused_otherwise(
    request_: RecordChoice, words: str
) -> None:
    """reg 32(e): the family tells the LA the mediation issues and, where health is in issue, the
    health care provision they want specified; the LA's notice to each health commissioner carries it."""
    assert refused(opened(), lambda case: case.check_record_choice(request_, date(2026, 11, 16))) == words


def test_a_yes_without_health_needs_no_provision_and_plans_no_health_notice() -> None:
    """The family narrows the issues at the choice to education: no health notice; the 30 days from
    the LA being told on Mon 16 Nov: Wed 16 Dec."""
    case = opened()
    now, mark = at(11, 16), len(case.timeline)
    told = apply(case, choice(True, mediation_issues=[MediationIssue.education]), now)
    assert told == [Announcement(Template.mediation_chosen, PARTIES, None, {"due": date(2026, 12, 16)})]
    assert (case.issues, case.health_provision_sought) == ([MediationIssue.education], None)
    assert deadlines(case) == {
        APPEAL: (APPEAL_FROM_DECISION, DeadlineState.open), MEDIATION_ARRANGEMENT: (date(2026, 12, 16), DeadlineState.open),
    }
    assert entries(case, mark) == [(now, OFFICER, "mediation_chosen", "Local Authority told on 16 November 2026; issues: education")]


def test_a_yes_starts_the_30_days_and_announces_the_health_notice_to_the_commissioner() -> None:
    """The LA told Mon 16 Nov: mediation held by Wed 16 Dec (30 days), the officer reminded 20 days in,
    on Sun 6 Dec at 09:00. Health is an issue: the notice to the ICB, carrying the issues and the
    provision sought, is due Tue 17, Wed 18, Thu 19 Nov, and announced to the ICB alone. It is owed
    until it has been sent: the message that mediation was chosen does not meet it."""
    case = opened()
    now, mark = at(11, 16), len(case.timeline)
    told = apply(case, choice(True, health_provision_sought=PROVISION), now)
    assert told == [
        Announcement(Template.mediation_chosen, PARTIES, None, {"due": date(2026, 12, 16)}),
        Announcement(Template.health_notice, ("org-2",), None, {"due": date(2026, 11, 19)}),
    ]
    assert (case.mediate, case.la_notified_on, case.stage) == (True, date(2026, 11, 16), CaseStage.arranging_session)
    assert case.health_provision_sought == PROVISION
    assert entries(case, mark) == [
        (now, OFFICER, "mediation_chosen", "Local Authority told on 16 November 2026; issues: education and health; health care provision sought recorded"),
    ]
    assert deadlines(case) == {
        APPEAL: (APPEAL_FROM_DECISION, DeadlineState.open),
        MEDIATION_ARRANGEMENT: (date(2026, 12, 16), DeadlineState.open),
        HEALTH_NOTICE: (date(2026, 11, 19), DeadlineState.open),
    }
    assert duty(case, HEALTH_NOTICE) == HEALTH_NOTICE_DUTY
    assert duty(case, MEDIATION_ARRANGEMENT) == (
        "local_authority", "CFA 2014 ss.53-54; SEND Regs 2014 regs 32-42 (check): mediation held within 30 days",
    )
    assert alarms(case, HEALTH_NOTICE) == [(AlarmPurpose.expiry, england(date(2026, 11, 20), 0), None)]
    assert alarms(case, MEDIATION_ARRANGEMENT) == [
        (AlarmPurpose.reminder, england(date(2026, 12, 6), 9), None),
        (AlarmPurpose.expiry, england(date(2026, 12, 17), 0), None),
    ]
    # What the notice says: the mediation issues and the health care provision sought (reg 32(e)).
    facts = case.message_facts(**told[1].facts)
    assert (facts.mediation_issues, facts.health_provision_sought, facts.due) == (["education", "health"], PROVISION, date(2026, 11, 19))
    # The choice's own message delivered: still owed.
    deliver(case, Template.mediation_chosen, at(11, 16, 10, 5))
    assert deadlines(case)[HEALTH_NOTICE] == (date(2026, 11, 19), DeadlineState.open)


def test_the_health_notice_is_met_only_once_sent_to_every_commissioner_on_the_day_it_went() -> None:
    """Two commissioning bodies (org-2 the ICB, org-3 NHS England), the LA told Mon 16 Nov: notice due
    Thu 19 Nov. Sent to the ICB on Tue 17 Nov: still owed. Sent to NHS England on Wed 18 Nov: met,
    settled that day by the `health_notice_sent` entry, its expiry alarm gone."""
    case = opened(health_commissioners=[ICB, NHS])
    told = apply(case, choice(True, health_provision_sought=PROVISION), at(11, 16))
    assert told[1] == Announcement(Template.health_notice, ("org-2", "org-3"), None, {"due": date(2026, 11, 19)})
    mark = len(case.timeline)
    deliver(case, Template.health_notice, at(11, 17), to=["org-2"])
    assert deadlines(case)[HEALTH_NOTICE] == (date(2026, 11, 19), DeadlineState.open) and len(case.timeline) == mark
    now = at(11, 18)
    deliver(case, Template.health_notice, now, to=["org-3"])
    assert deadlines(case)[HEALTH_NOTICE] == (date(2026, 11, 19), DeadlineState.met)
    assert entries(case, mark) == [(now, SYSTEM, "health_notice_sent", "Notice to the health commissioners sent to 2 recipients")]
    assert settled(case, HEALTH_NOTICE) == (date(2026, 11, 18), "health_notice_sent")
    assert case.deadline(HEALTH_NOTICE).settled_by == len(case.timeline)
    assert alarms(case, HEALTH_NOTICE) == []
    # Reported delivered again (a duplicate report): nothing more is recorded.
    case.notice_delivered(Template.health_notice.value, at(11, 19))
    assert len(case.timeline) == mark + 1


def test_a_health_notice_that_could_not_be_delivered_to_one_commissioner_stays_owed() -> None:
    """NHS England's copy failed (the workflow records it failed and tells the officer); the ICB's
    copy sent on Tue 17 Nov does not meet the duty, which then passes its due date, Thu 19 Nov."""
    case = opened(health_commissioners=[ICB, NHS])
    apply(case, choice(True, health_provision_sought=PROVISION), at(11, 16))
    mark = len(case.timeline)
    failed = next(record for record in case.notifications if record.template == "health_notice" and record.to == "org-3")
    failed.status = DeliveryStatus.failed
    deliver(case, Template.health_notice, at(11, 17), to=["org-2"])
    assert deadlines(case)[HEALTH_NOTICE] == (date(2026, 11, 19), DeadlineState.open) and len(case.timeline) == mark
    ring_until(case, at(11, 20))
    assert deadlines(case)[HEALTH_NOTICE] == (date(2026, 11, 19), DeadlineState.missed)
    assert case.deadline(HEALTH_NOTICE).owed and case.next_deadline().name == HEALTH_NOTICE


def test_a_health_notice_sent_after_its_due_date_stays_missed_and_is_caught_up() -> None:
    """Due Thu 19 Nov; its expiry rings at midnight after; sent on Mon 23 Nov: still missed, no longer
    outstanding, settled on 23 Nov."""
    case = opened()
    apply(case, choice(True, health_provision_sought=PROVISION), at(11, 16))
    ring_until(case, at(11, 23))
    assert deadlines(case)[HEALTH_NOTICE] == (date(2026, 11, 19), DeadlineState.missed)
    assert case.deadline(HEALTH_NOTICE).owed
    deliver(case, Template.health_notice, at(11, 23))
    assert deadlines(case)[HEALTH_NOTICE] == (date(2026, 11, 19), DeadlineState.missed)
    assert not case.deadline(HEALTH_NOTICE).owed
    assert settled(case, HEALTH_NOTICE) == (date(2026, 11, 23), "health_notice_sent")


def test_with_health_issues_but_no_commissioner_named_the_health_notice_stays_for_the_la_to_give() -> None:
    case = opened(health_commissioners=[])
    apply(case, choice(True, health_provision_sought=PROVISION), at(11, 16))
    assert deadlines(case)[HEALTH_NOTICE] == (date(2026, 11, 19), DeadlineState.open)
    assert duty(case, HEALTH_NOTICE) == HEALTH_NOTICE_DUTY


# --- Health-only mediation: the commissioning bodies arrange it; the LA is not a party -------------


def health_only() -> Mediation:
    """Mediation about health alone, with the ICB as the commissioning body, opened Mon 9 Nov."""
    return opened(mediation_issues=[MediationIssue.health], health_commissioners=[ICB])


HEALTH_ONLY_PARTIES = ("applicant", "org-1", "local_authority")  # told of progress: the parties, and the LA


def test_health_only_mediation_is_between_the_family_and_the_commissioners_and_the_la_is_told_of_progress() -> None:
    """reg 42(4) speaks of "where the local authority was not a party": org-1 is the ICB; the LA is
    `local_authority`, told of the opening, the choice and the certificate, but not a party."""
    case, told = open_case(DECIDED, at(11, 9), mediation_issues=[MediationIssue.health], health_commissioners=[ICB])
    assert [(party.id, party.name, party.kind) for party in case.parties] == [
        ("applicant", FAMILY, None), ("org-1", "South Yorkshire ICB", OrganisationKind.health_commissioner),
    ]
    assert case.health_only and (case.local_authority.id, case.local_authority.name) == ("local_authority", "Rotherham LA")
    assert told == [Announcement(Template.mediation_opened, HEALTH_ONLY_PARTIES, facts_for=CHOICE_ASKED)]
    assert case.recipient("local_authority").name == "Rotherham LA"
    facts = case.message_facts()
    assert (facts.health_only, facts.local_authority, facts.arranging_body) == (True, "Rotherham LA", ["South Yorkshire ICB"])
    assert facts.other_parties == ["South Yorkshire ICB"]


def test_health_only_mediation_is_arranged_by_the_commissioner_and_its_agreement_notice_is_owed_to_the_la() -> None:
    """The choice on Mon 16 Nov: the LA's notice goes to the ICB now (due Thu 19 Nov), and the ICB must
    hold mediation within 30 days of it: Wed 16 Dec, a duty the commissioner owes. The session on
    Thu 26 Nov at 14:00 reaches an agreement with one action for the ICB (not appealable: Thu 10 Dec).
    The LA, not a party, must be told of the agreement within 1 week (reg 42(4)): Thu 3 Dec, owed by
    the commissioner; the product sends the notice at once and its sending on Fri 27 Nov meets it."""
    case = health_only()
    told = apply(case, choice(True, health_provision_sought=PROVISION), at(11, 16))
    assert told == [
        Announcement(Template.mediation_chosen, HEALTH_ONLY_PARTIES, None, {"due": date(2026, 12, 16)}),
        Announcement(Template.health_notice, ("org-1",), None, {"due": date(2026, 11, 19)}),
    ]
    assert deadlines(case)[MEDIATION_ARRANGEMENT] == (date(2026, 12, 16), DeadlineState.open)
    assert duty(case, MEDIATION_ARRANGEMENT) == (
        "health_commissioner",
        "CFA 2014 s.54; SEND Regs 2014 regs 32-42 (check): health-only mediation held within 30 days of the LA's notice",
    )
    apply(case, mediator(), at(11, 17))
    apply(case, ScheduleSession(actor=OFFICER, at=at(11, 26, 14)), at(11, 17))
    now, mark = at(11, 26, 17), len(case.timeline)
    told = apply(case, outcome(SessionResult.full_agreement, AgreedActionInput(description="Fund the therapy", owner="org-1")), now)
    action = AgreedActionFacts(number=1, description="Fund the therapy", owner="South Yorkshire ICB", due=date(2026, 12, 10))
    assert told == [
        Announcement(Template.written_outcome, ("applicant", "org-1", "mediator"), None, {
            "result": SessionResult.full_agreement, "session_at": at(11, 26, 14), "actions": [action],
        }),
        Announcement(Template.agreement_notice, ("local_authority",), None, {"actions": [action], "result": SessionResult.full_agreement}),
    ]
    assert deadlines(case)[AGREEMENT_NOTICE] == (date(2026, 12, 3), DeadlineState.open)
    assert duty(case, AGREEMENT_NOTICE) == (
        "health_commissioner", "SEND Regs 2014 reg 42(4): the LA told of the agreement within 1 week",
    )
    assert alarms(case, AGREEMENT_NOTICE) == [(AlarmPurpose.expiry, england(date(2026, 12, 4), 0), None)]
    assert entries(case, mark) == [(now, OFFICER, "outcome_recorded", "Full agreement, 1 agreed action; the child's views were sought")]
    now = at(11, 27)
    deliver(case, Template.agreement_notice, now)
    assert deadlines(case)[AGREEMENT_NOTICE] == (date(2026, 12, 3), DeadlineState.met)
    assert settled(case, AGREEMENT_NOTICE) == (date(2026, 11, 27), "agreement_notice_sent")
    assert case.timeline[-1].detail == "Notice of the agreement to the Local Authority sent to 1 recipient"
    # Nobody but the family withdraws; the LA, not a party, least of all.
    assert refused(case, lambda case: case.check_withdraw(Withdraw(actor=OFFICER, party="local_authority", reason="x"))).startswith(
        "only the family can withdraw from statutory mediation"
    )


def test_health_only_mediation_without_agreement_owes_the_la_no_agreement_notice() -> None:
    case = health_only()
    apply(case, choice(True, health_provision_sought=PROVISION), at(11, 16))
    apply(case, mediator(), at(11, 17))
    apply(case, ScheduleSession(actor=OFFICER, at=at(11, 26, 14)), at(11, 17))
    told = apply(case, outcome(SessionResult.no_agreement), at(11, 26, 17))
    assert [announcement.template for announcement in told] == [Template.written_outcome]
    assert AGREEMENT_NOTICE not in deadlines(case)
    assert (case.stage, case.outcome) == (CaseStage.certificate_due, CaseOutcome.no_agreement)
    assert issue(case, at(11, 30))[0] == Announcement(
        Template.certificate_issued, (*HEALTH_ONLY_PARTIES, "mediator"), "certificate_issued-20261130",
    )
    assert case.is_closed
