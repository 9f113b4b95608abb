"""Opening a statutory mediation case and recording the family's choice (domain/mediation.py,
DESIGN section 8), in exact words and hand-worked dates. No server.

Written for the mutants `make mutate` found surviving (docs/mutation.md). The Local Authority's
decision notice was sent on Monday 2 November 2026; November 2026 has no bank holiday in England.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from domain.case import RuleViolation
from domain.deadlines import CERTIFICATE, HEALTH_NOTICE, MEDIATION_ARRANGEMENT
from domain.mediation import Mediation
from domain.models import (
    ApplicantRole,
    AssignMediator,
    CertificateReason,
    CaseStage,
    DecisionKind,
    DecisionView,
    DeadlineState,
    MediationIssue,
    OrganisationKind,
    RecordChoice,
    ScheduleSession,
)
from domain.notifications import Announcement, Template
from tests.conftest import MEDIATOR_EMAIL, MEDIATOR_NAME
from tests.journeys import open_mediation
from tests.test_stage_rules import OFFICER, plan

UTC = timezone.utc
DECIDED = date(2026, 11, 2)
OPENED = datetime(2026, 11, 9, 10, 0, tzinfo=UTC)  # Monday, a week after the decision
REFERENCE = "MD-2026-7KQ3XZ"
PARTIES = ("applicant", "org-1", "org-2")  # the family, the Local Authority, the health commissioner


def opened(decided: date = DECIDED, **overrides) -> Mediation:
    return Mediation.open(REFERENCE, open_mediation(decided, **overrides), OPENED)


def last_entry(case: Mediation) -> tuple[str, str, str]:
    entry = case.timeline[-1]
    return entry.actor, entry.event, entry.detail


# --- Opening ---------------------------------------------------------------------------------------


def test_opening_names_the_family_the_authority_and_the_commissioners_and_the_decision() -> None:
    case = opened()

    assert [(p.id, p.name, p.role, p.kind) for p in case.parties] == [
        ("applicant", "Sam Parent", ApplicantRole.parent, None),
        ("org-1", "Rotherham LA", None, OrganisationKind.local_authority),
        ("org-2", "South Yorkshire ICB", None, OrganisationKind.health_commissioner),
    ]
    assert [p.id for p in case.commissioners()] == ["org-2"]
    assert case.view().decision == DecisionView(kind=DecisionKind.refusal_to_assess, date=DECIDED)
    assert last_entry(case) == (OFFICER, "case_opened", "statutory mediation about refusal_to_assess; issues: education, health")


def test_a_decision_dated_in_the_future_is_refused_and_today_is_accepted() -> None:
    opened(DECIDED).check_open(DECIDED)

    with pytest.raises(RuleViolation) as refused:
        opened(date(2026, 11, 10)).check_open(date(2026, 11, 9))

    assert str(refused.value) == (
        "the decision date 2026-11-10 is in the future: give the date the Local Authority's written notice was sent"
    )


@pytest.mark.parametrize(
    "today, late",
    [
        (date(2026, 11, 2), False),  # decision 2 Sep + 2 months = 2 Nov: still within reg 33's 2 months
        (date(2026, 11, 3), True),  # the day after: the Tribunal's permission is needed
    ],
)
def test_opening_after_reg_33s_two_months_tells_the_officer_the_tribunals_permission_is_needed(today: date, late: bool) -> None:
    # SEND Regulations 2014 reg 33: the family contacts the adviser within 2 months of the decision notice.
    case = opened(date(2026, 9, 2))

    announced = case.announce_opening(OPENED, today)

    everyone = Announcement(Template.mediation_opened, PARTIES)
    if late:
        assert announced == [everyone, Announcement(Template.late_opening, ("case_officer",))]
        assert last_entry(case) == (
            "system", "late_opening",
            "opened more than 2 months after the decision (reg 33): an appeal needs the Tribunal's permission",
        )
    else:
        assert announced == [everyone]
        assert last_entry(case)[1] == "case_opened"


# --- The family's choice ---------------------------------------------------------------------------


def choose(case: Mediation, mediate: bool, told: date) -> list[Announcement]:
    request = RecordChoice(actor=OFFICER, mediate=mediate, la_notified_on=told)
    case.check_record_choice(request, told)
    names = [MEDIATION_ARRANGEMENT, HEALTH_NOTICE] if mediate else [CERTIFICATE]
    planned = [plan(name, OPENED, start_day=told) for name in names if name != HEALTH_NOTICE or case.includes_health]
    return case.record_choice(request, planned, OPENED, told)


def test_saying_no_to_mediation_tells_everyone_the_certificate_is_due_in_3_working_days() -> None:
    # reg 34: told Monday 9 November, the certificate is due Thursday 12th.
    case = opened()

    announced = choose(case, mediate=False, told=date(2026, 11, 9))

    assert announced == [Announcement(Template.mediation_declined, PARTIES, None, {"due": date(2026, 11, 12)})]
    assert case.certificate_reason is CertificateReason.no_mediation
    assert last_entry(case) == (OFFICER, "mediation_declined", "the family does not want mediation")


def test_choosing_mediation_tells_everyone_it_must_happen_within_30_days_and_the_commissioners_hear_at_once() -> None:
    # regs 35-37 as the Code restates them: the LA told on 9 November, mediation by 9 December; the
    # commissioners get the issues with this very message, so their notice is given in time.
    case = opened()

    announced = choose(case, mediate=True, told=date(2026, 11, 9))

    assert announced == [Announcement(Template.mediation_chosen, PARTIES, None, {"due": date(2026, 12, 9)})]
    assert case.stage is CaseStage.arranging_session
    assert last_entry(case) == (OFFICER, "mediation_chosen", "Local Authority told on 2026-11-09")
    assert case.deadline(HEALTH_NOTICE).state is DeadlineState.met
    assert case.deadline(MEDIATION_ARRANGEMENT).state is DeadlineState.open


@pytest.mark.parametrize(
    "told, today, words",
    [
        (date(2026, 11, 10), date(2026, 11, 9), "the date the Local Authority was told, 2026-11-10, is in the future"),
        (date(2026, 11, 1), date(2026, 11, 9), "the Local Authority cannot have been told on 2026-11-01, before its decision (2026-11-02)"),
    ],
)
def test_the_day_the_authority_was_told_lies_between_the_decision_and_today(told: date, today: date, words: str) -> None:
    case = opened()
    case.check_record_choice(RecordChoice(actor=OFFICER, mediate=True, la_notified_on=DECIDED), today)  # the decision day itself

    with pytest.raises(RuleViolation) as refused:
        case.check_record_choice(RecordChoice(actor=OFFICER, mediate=True, la_notified_on=told), today)

    assert str(refused.value) == words


def test_the_choice_is_recorded_once() -> None:
    declined, chosen = opened(), opened()
    choose(declined, mediate=False, told=date(2026, 11, 9))
    choose(chosen, mediate=True, told=date(2026, 11, 9))

    with pytest.raises(RuleViolation) as again:
        declined.check_record_choice(RecordChoice(actor=OFFICER, mediate=True), date(2026, 11, 10))
    with pytest.raises(RuleViolation) as moved_on:
        chosen.check_record_choice(RecordChoice(actor=OFFICER, mediate=False), date(2026, 11, 10))

    assert str(again.value) == "the family's choice is already recorded"
    assert str(moved_on.value) == (
        "cannot record the family's choice while the case is arranging the session; "
        "only while it is with the family deciding whether to mediate"
    )


# --- Notice of the session -------------------------------------------------------------------------


SHORT_NOTICE = (
    "the family must have at least 5 working days' notice of the date and place of mediation; "
    "book a later date, or record that they consented to shorter notice (--short-notice-agreed)"
)


def ready_to_book() -> Mediation:
    case = opened()
    choose(case, mediate=True, told=date(2026, 11, 9))
    mediator = AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=True)
    case.check_assign_mediator(mediator)
    case.assign_mediator(mediator, OPENED)
    return case


@pytest.mark.parametrize(
    "session_day, enough",
    [
        # Booked on Wednesday 11 November: Wed, Thu, Fri and Mon are 4 working days before Tuesday 17th
        # (the weekend does not count); Wednesday 18th has 5 (Code of Practice ch.11).
        (date(2026, 11, 17), False),
        (date(2026, 11, 18), True),
    ],
)
def test_a_session_needs_5_working_days_notice_unless_the_family_agreed_to_less(session_day: date, enough: bool) -> None:
    case = ready_to_book()
    now = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
    at = datetime.combine(session_day, datetime.min.time(), tzinfo=UTC).replace(hour=10)

    case.check_schedule_session(ScheduleSession(actor=OFFICER, at=at, short_notice_agreed=True), now)
    if enough:
        case.check_schedule_session(ScheduleSession(actor=OFFICER, at=at), now)
        return
    with pytest.raises(RuleViolation) as refused:
        case.check_schedule_session(ScheduleSession(actor=OFFICER, at=at), now)
    assert str(refused.value) == SHORT_NOTICE


def test_mediation_about_education_alone_sends_no_health_notice() -> None:
    case = opened(mediation_issues=[MediationIssue.education])

    choose(case, mediate=True, told=date(2026, 11, 9))

    assert [deadline.name for deadline in case.deadlines] == [MEDIATION_ARRANGEMENT]
