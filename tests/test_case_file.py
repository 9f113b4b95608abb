"""The case file both routes share (domain/case.py `CaseFile`): what its actions announce, record
and refuse, in exact words and dates. No server: driven as the workflow drives it.

Written for the mutants `make mutate` found surviving (docs/mutation.md). The case is the one of
tests/test_stage_rules.py: opened Monday 2 November 2026, every party agreed on the 4th at 10:00
UTC, so the session must be arranged within 30 calendar days: by Friday 4 December (expiring at
midnight after it, 00:00 GMT on the 5th).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.case import RuleViolation
from domain.resolution import Resolution
from domain.deadlines import APPEAL, SESSION_ARRANGEMENT, AppealPlan
from domain.models import (
    AddNote,
    AssignMediator,
    CaseOutcome,
    CaseStage,
    DeadlineState,
    ExtendDeadline,
    RecordOutcome,
    ScheduleSession,
    SessionResult,
)
from domain.deadlines import AlarmPurpose
from domain.notifications import CASE_OFFICER, Announcement, Template
from tests.conftest import MEDIATOR_EMAIL, MEDIATOR_NAME
from tests.test_stage_rules import AGREED, OFFICER, OPENED, SCHEDULED, SESSION_AT, case_in, plan

UTC = timezone.utc
EVERYONE = ("applicant", "org-1", "org-2", "mediator")  # every party, then the mediator
ARRANGE_BY = date(2026, 12, 4)
ARRANGEMENT_EXPIRES = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)  # midnight after 4 December, GMT


def arranging() -> Resolution:
    case = case_in(CaseStage.arranging_session)
    assert case.deadline(SESSION_ARRANGEMENT).due == ARRANGE_BY  # the hand-worked date above
    return case


def assign(case: Resolution, name: str = MEDIATOR_NAME) -> list[Announcement]:
    request = AssignMediator(actor=OFFICER, name=name, email=MEDIATOR_EMAIL, independent=True)
    case.check_assign_mediator(request)
    return case.assign_mediator(request, SCHEDULED)


def last_entry(case: Resolution) -> tuple[str, str, str]:
    entry = case.timeline[-1]
    return entry.actor, entry.event, entry.detail


# --- The mediator ----------------------------------------------------------------------------------


def test_assigning_a_mediator_tells_everyone_who_it_is_and_when_the_session_is_due() -> None:
    case = arranging()

    announced = assign(case)

    assert announced == [Announcement(
        Template.mediator_assigned, EVERYONE, "mediator_assigned-1", {"mediator_name": MEDIATOR_NAME, "due": ARRANGE_BY},
    )]
    assert last_entry(case) == (OFFICER, "mediator_assigned", "mediator assigned")


def test_a_replacement_mediator_is_a_second_message_naming_the_new_mediator() -> None:
    case = arranging()
    assign(case)

    announced = assign(case, name="Robin Replacement")

    assert [(a.event, a.facts["mediator_name"]) for a in announced] == [("mediator_assigned-2", "Robin Replacement")]
    assert last_entry(case) == (OFFICER, "mediator_assigned", "mediator replaced")
    assert case.mediator.name == "Robin Replacement"


# --- The session -----------------------------------------------------------------------------------


def book(case: Resolution, at: datetime) -> list[Announcement]:
    request = ScheduleSession(actor=OFFICER, at=at, venue="Town Hall", la_attendee="Lee Officer")
    case.check_schedule_session(request, SCHEDULED)
    return case.schedule_session(request, SCHEDULED)


def test_booking_the_session_tells_everyone_when_where_and_with_whom() -> None:
    case = arranging()
    assign(case)

    announced = book(case, SESSION_AT)

    assert announced == [Announcement(
        Template.session_scheduled, EVERYONE, "session_scheduled-1",
        {"session_at": SESSION_AT, "venue": "Town Hall", "previous_session_at": None, "mediator_name": MEDIATOR_NAME},
    )]
    assert (case.session.number, case.session.la_attendee) == (1, "Lee Officer")
    assert last_entry(case) == (OFFICER, "session_scheduled", "Session booked for 16 November 2026 at 10am")
    assert case.deadline(SESSION_ARRANGEMENT).state is DeadlineState.open  # a booking is not a session held


@pytest.mark.parametrize(
    "session_at, state",
    [
        (datetime(2026, 12, 4, 23, 59, tzinfo=UTC), DeadlineState.met),  # the last minute of the due date
        (ARRANGEMENT_EXPIRES, DeadlineState.missed),  # held after the due date: met late
    ],
)
def test_the_session_held_meets_the_arrangement_duty_on_its_day_only_if_held_by_its_due_date(
    session_at: datetime, state: DeadlineState,
) -> None:
    case = arranging()
    assign(case)
    book(case, session_at)
    expiry = next(alarm for alarm in case.alarms if alarm.deadline == SESSION_ARRANGEMENT and alarm.purpose is AlarmPurpose.expiry)
    missed = Announcement(
        Template.deadline_missed, (CASE_OFFICER,), "deadline_missed-session_arrangement-20261204",
        {"deadline": SESSION_ARRANGEMENT, "due": date(2026, 12, 4)},
    )
    # The end of the duty passes quietly for a session booked in time: it is held unless the outcome says otherwise.
    assert case.alarm_rang(expiry, expiry.at) == ([] if state is DeadlineState.met else [missed])
    recorded_at = session_at + timedelta(days=3)

    case.record_outcome(RecordOutcome(actor=OFFICER, result=SessionResult.no_agreement), recorded_at, [])

    arrangement = case.deadline(SESSION_ARRANGEMENT)
    assert (arrangement.state, arrangement.settled_on, arrangement.outstanding) == (state, session_at.date(), False)
    assert case.timeline[arrangement.settled_by - 1].event == "outcome_recorded"


def test_moving_the_session_says_from_when_to_when() -> None:
    case = arranging()
    assign(case)
    book(case, SESSION_AT)
    moved_to = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)

    announced = book(case, moved_to)

    assert [(a.event, a.facts["session_at"], a.facts["previous_session_at"]) for a in announced] == [
        ("session_scheduled-2", moved_to, SESSION_AT)
    ]
    assert last_entry(case) == (
        OFFICER, "session_rescheduled", "Session moved from 16 November 2026 at 10am to 18 November 2026 at 2pm"
    )


def test_an_outcome_before_the_session_time_says_to_wait_or_rebook_first() -> None:
    case = case_in(CaseStage.session_scheduled)
    request = RecordOutcome(actor=OFFICER, result=SessionResult.no_agreement)

    with pytest.raises(RuleViolation) as refused:
        case.check_record_outcome(request, datetime(2026, 11, 16, 9, 59, tzinfo=UTC))

    assert str(refused.value) == (
        "the session is at 16 November 2026 at 10am and has not been held yet: record its outcome once it "
        "has been held, after that time (if it has moved, book the new time first)"
    )


# --- Closing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outcome, template",
    [
        (CaseOutcome.declined, Template.case_declined),
        (CaseOutcome.no_response, Template.no_response),
        (CaseOutcome.withdrawn, Template.withdrawn),
        (CaseOutcome.resolved_informally, Template.case_closed),
        (CaseOutcome.full_agreement, Template.case_closed),
    ],
)
def test_the_closing_message_goes_to_everyone_in_the_words_of_its_outcome(outcome: CaseOutcome, template: Template) -> None:
    case = arranging()
    assign(case)
    case.close(outcome, SCHEDULED, OFFICER)

    assert case.closure(by_service=True) == Announcement(
        template, EVERYONE, None, {"outcome": outcome, "by_service": True}
    )


# --- The appeal clock on the timeline -----------------------------------------------------------------


def test_the_appeal_deadline_and_how_it_was_worked_out_go_on_the_timeline() -> None:
    case = arranging()
    steps = ["decision notice sent 30 November 2026 + 2 months = 30 January 2027 (r.20(1)(c)(i))", "30 January 2027 is not a working day"]

    case.set_appeal(AppealPlan(deadline=plan(APPEAL, OPENED, due=date(2027, 2, 1)), steps=steps), AGREED)

    assert case.deadline(APPEAL).due == date(2027, 2, 1)
    assert last_entry(case) == (
        "system", "appeal_deadline_computed",
        "decision notice sent 30 November 2026 + 2 months = 30 January 2027 (r.20(1)(c)(i)); 30 January 2027 is not a working day",
    )


# --- What staff may add, and what they may not extend ----------------------------------------------


FULL = (
    "the case timeline already holds 399 KB of text, the most a case can carry; "
    "keep the detail in the service's records system and note only where to find it"
)


def nearly_full() -> Resolution:
    """399,000 bytes of staff text on the timeline: room for 1,000 more (400 KB in all)."""
    case = arranging()
    case.timeline = []  # only the text below
    for _ in range(399):
        case.record(AGREED, OFFICER, "note_added", "x" * 1000)
    return case


def test_a_note_that_just_fits_the_timeline_is_taken_and_one_byte_more_is_refused() -> None:
    case = nearly_full()
    case.check_add_note(AddNote(actor=OFFICER, text="y" * 1000))

    with pytest.raises(RuleViolation) as refused:
        case.check_add_note(AddNote(actor=OFFICER, text="y" * 1001))

    assert str(refused.value) == FULL


def test_an_extension_whose_reason_would_overfill_the_timeline_is_refused() -> None:
    case = nearly_full()
    request = ExtendDeadline(actor=OFFICER, deadline=SESSION_ARRANGEMENT, reason="z" * 1001, days=5)

    with pytest.raises(RuleViolation) as refused:
        case.check_extend_deadline(request, AGREED.date())

    assert str(refused.value) == FULL


@pytest.mark.parametrize("name", ["certificate", "health_notice", "mediation_arrangement"])
def test_the_regulations_deadlines_cannot_be_extended(name: str) -> None:
    # SEND Regulations 2014 regs 34-37 (domain/mediation.py): the law's periods, not the service's.
    case = arranging()

    with pytest.raises(RuleViolation) as refused:
        case.check_extend_deadline(ExtendDeadline(actor=OFFICER, deadline=name, reason="busy", days=5), AGREED.date())

    assert str(refused.value) == f"the {name} deadline is set by the SEND Regulations 2014 and cannot be extended here"
