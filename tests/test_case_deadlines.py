"""The case workflow through time, on the time-skipping test server: months pass in seconds.

Tests sleep to the dates the case itself reports (a deadline's expiry is midnight in England after
its due date) or to a day the test works out by hand, never for a number of days counted in
advance, and compare dates in England. tests/test_start_dates.py runs them from awkward days.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta

import holidays
import pytest
import pytest_asyncio
from temporalio.client import WithStartWorkflowOperation, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment

from domain.calendar import WorkingCalendar, london_date
from domain.models import (
    AddNote,
    AgreedActionInput,
    AssignMediator,
    CaseOutcome,
    CaseStage,
    CaseView,
    CompleteAction,
    Consent,
    DeadlineState,
    DeliveryStatus,
    ExtendDeadline,
    OfferResolution,
    RecordConsent,
    RecordOutcome,
    RecordTalk,
    ScheduleSession,
    SessionResult,
    TalkOutcome,
    Withdraw,
)
from tests.conftest import (
    LONDON,
    MEDIATOR_EMAIL,
    MEDIATOR_NAME,
    RecordedNotifications,
    new_reference,
    open_case,
    opened_view,
    running_worker,
    sleep_until,
    start_case,
)
from workflows.case import DisagreementCase
from workflows.visibility import NEXT_DEADLINE

OFFICER = "jo.smith"
PARTIES = ["applicant", "org-1", "org-2"]
WITH_MEDIATOR = sorted([*PARTIES, "mediator"])
# England's bank holidays straight from the data the product uses, counted by the tests' own code
# (not the calendar under test) where a test's day depends on the day it starts.
ENGLAND_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG")


@pytest_asyncio.fixture(loop_scope="session")
async def env(time_skipping: WorkflowEnvironment) -> WorkflowEnvironment:
    return time_skipping


async def view(handle: WorkflowHandle) -> CaseView:
    return await handle.query(DisagreementCase.case_view)


def deadline(case: CaseView, name: str):
    return next(d for d in case.deadlines if d.name == name)


def london(day: date, at: time) -> datetime:
    return datetime.combine(day, at, LONDON)


async def today(env: WorkflowEnvironment) -> date:
    """The test clock's date in England, where the case keeps its dates."""
    return (await env.get_current_time()).astimezone(LONDON).date()


async def sleep_past_expiry(env: WorkflowEnvironment, case: CaseView, name: str) -> None:
    """Sleep until just after a deadline the case reports expires: midnight in England after its due date."""
    await sleep_until(env, london(deadline(case, name).due + timedelta(days=1), time(0, 5)))


async def sleep_around_reminder(env: WorkflowEnvironment, day: date, at: time) -> None:
    """Reminders ring at 09:00 in England on their day: sleep to a minute either side."""
    await sleep_until(env, london(day, at))


BEFORE_NINE, AFTER_NINE = time(8, 59), time(9, 1)


async def delivered(handle: WorkflowHandle) -> CaseView:
    """The case view once every queued message has been delivered or given up."""
    for _ in range(200):
        case = await view(handle)
        if all(n.status is not DeliveryStatus.pending for n in case.notifications):
            return case
        await asyncio.sleep(0.05)
    raise AssertionError("messages are still pending delivery")


def england_working_days_before(day: date, count: int) -> date:
    while count:
        day -= timedelta(days=1)
        if day.weekday() < 5 and day not in ENGLAND_BANK_HOLIDAYS:
            count -= 1
    return day


def facts_of(notifications: RecordedNotifications, template: str) -> list:
    return [(n.recipient.id, n.facts) for n in notifications.notices if n.template.value == template]


async def offer_and_agree(handle: WorkflowHandle) -> CaseView:
    await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
    case = None
    for party in PARTIES:
        case = await handle.execute_update(
            DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party=party, agree=True)
        )
    return case


async def assign_mediator(handle: WorkflowHandle) -> CaseView:
    return await handle.execute_update(
        DisagreementCase.assign_mediator,
        AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=True),
    )


async def hold_session(env: WorkflowEnvironment, handle: WorkflowHandle) -> CaseView:
    """A session a week ahead, then the clock moved to two hours after the time the case holds."""
    await assign_mediator(handle)
    session_at = await env.get_current_time() + timedelta(days=7)
    case = await handle.execute_update(
        DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=session_at, venue="Town Hall")
    )
    assert case.session is not None
    await sleep_until(env, case.session.at + timedelta(hours=2))
    return case


async def drive_to(env: WorkflowEnvironment, handle: WorkflowHandle, stage: CaseStage) -> None:
    if stage is CaseStage.informal_talks:
        return
    if stage is CaseStage.awaiting_consent:
        await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
        return
    await offer_and_agree(handle)
    if stage is CaseStage.arranging_session:
        return
    if stage is CaseStage.session_scheduled:
        await assign_mediator(handle)
        at = await env.get_current_time() + timedelta(days=7)
        await handle.execute_update(DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=at))
        return
    await hold_session(env, handle)
    await agree_one_action(handle)


async def agree_one_action(handle: WorkflowHandle) -> CaseView:
    """A partial agreement with one action for org-1, due on the default date."""
    return await handle.execute_update(
        DisagreementCase.record_outcome,
        RecordOutcome(
            actor=OFFICER,
            result=SessionResult.partial_agreement,
            actions=[AgreedActionInput(description="Provide a therapy plan", owner="org-1")],
        ),
    )


async def test_happy_path_from_opening_to_full_agreement(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        case = await handle.execute_update(
            DisagreementCase.record_talk, RecordTalk(actor=OFFICER, outcome=TalkOutcome.unresolved, notes="call with SENCO")
        )
        assert case.stage is CaseStage.informal_talks
        case = await offer_and_agree(handle)
        assert case.stage is CaseStage.arranging_session
        assert [p.consent for p in case.parties] == [Consent.agreed] * 3
        assert deadline(case, "consent_window").state is DeadlineState.met
        assert deadline(case, "session_arrangement").state is DeadlineState.open

        await hold_session(env, handle)
        case = await view(handle)
        assert case.stage is CaseStage.session_scheduled
        assert deadline(case, "session_arrangement").state is DeadlineState.open  # booked, not yet held
        assert set(notifications.sent("session_reminder")) == {*PARTIES, "mediator"}
        held_on = london_date(case.session.at)

        action_due = await today(env) + timedelta(days=10)
        case = await handle.execute_update(
            DisagreementCase.record_outcome,
            RecordOutcome(
                actor=OFFICER,
                result=SessionResult.full_agreement,
                actions=[
                    AgreedActionInput(description="Provide a therapy plan", owner="org-1", agreed_due=action_due),
                    AgreedActionInput(description="Review the EHC plan", owner="org-2"),
                ],
            ),
        )
        assert case.stage is CaseStage.monitoring_agreement
        assert [a.due for a in case.actions][0] == action_due
        assert deadline(case, "action-2").due == await today(env) + timedelta(days=14)  # 14 days by default
        assert deadline(case, "written_outcome").state is DeadlineState.met
        assert deadline(case, "outcome_record").state is DeadlineState.met
        # The session held meets the arrangement duty, on its day, by the outcome's timeline entry.
        arrangement = deadline(case, "session_arrangement")
        assert (arrangement.state, arrangement.settled_on) == (DeadlineState.met, held_on)
        assert case.timeline[arrangement.settled_by - 1].event == "outcome_recorded"
        assert (arrangement.owed_by, deadline(case, "action-2").owed_by) == ("case_officer", "org-2")

        await handle.execute_update(DisagreementCase.complete_action, CompleteAction(actor=OFFICER, number=1))
        case = await handle.execute_update(DisagreementCase.complete_action, CompleteAction(actor=OFFICER, number=2))
        assert case.stage is CaseStage.closed
        assert case.outcome is CaseOutcome.full_agreement

        result = await handle.result()
        assert result.outcome is CaseOutcome.full_agreement
        assert all(n.status is DeliveryStatus.sent for n in result.notifications)
        assert set(notifications.sent("written_outcome")) == {*PARTIES, "mediator"}
        assert set(notifications.sent("case_closed")) == {*PARTIES, "mediator"}
        assert set(notifications.sent("case_opened")) == set(PARTIES)
        assert [entry.event for entry in result.timeline][:3] == ["case_opened", "talk_recorded", "resolution_offered"]
        assert {entry.actor for entry in result.timeline} == {OFFICER}


async def test_a_decline_closes_the_case(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
        await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party="applicant", agree=True))
        case = await handle.execute_update(
            DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party="org-2", agree=False, notes="prefers tribunal")
        )
        assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.declined)
        assert deadline(case, "consent_window").state is DeadlineState.cancelled
        await handle.result()
        assert set(notifications.sent("case_declined")) == set(PARTIES)


def christmas_closures(year: int) -> set[date]:
    """England's bank holidays from 21 December `year` to mid-January, worked out by hand, not by
    the calendar under test: Christmas Day, Boxing Day and New Year's Day, each one that falls on a
    weekend moved to the next weekday not already a holiday (Banking and Financial Dealings Act
    1971, Schedule 1, and the substitute days proclaimed each year; gov.uk/bank-holidays).
    """
    closed: set[date] = set()
    for day in (date(year, 12, 25), date(year, 12, 26), date(year + 1, 1, 1)):
        while day.weekday() >= 5 or day in closed:
            day += timedelta(days=1)
        closed.add(day)
    return closed


def working_days_after(start: date, count: int, closed: set[date]) -> date:
    """Count `count` weekdays after `start`, skipping the closed days: the test's own counting."""
    day = start
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            count -= 1
    return day


def test_christmas_closures_match_hand_worked_years() -> None:
    # 2026: Boxing Day is a Saturday, its substitute Monday 28 December.
    assert christmas_closures(2026) == {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)}
    # 2027: Christmas on Saturday, Boxing Day on Sunday: Monday 27 and Tuesday 28; 1 January 2028
    # is a Saturday: Monday 3 January.
    assert christmas_closures(2027) == {date(2027, 12, 27), date(2027, 12, 28), date(2028, 1, 3)}
    # The offer of Monday 21 December 2026: 10 working days skip 25 and 28 December and 1 January.
    assert working_days_after(date(2026, 12, 21), 10, christmas_closures(2026)) == date(2027, 1, 7)
    assert working_days_after(date(2026, 12, 21), 5, christmas_closures(2026)) == date(2026, 12, 30)


async def test_consent_window_counts_working_days_past_christmas_then_closes_as_no_response(env, settings) -> None:
    # The offer is made at 10:00 in England on the next 21 December still ahead of the test clock.
    now = await env.get_current_time()
    offer_day = date(now.astimezone(LONDON).year, 12, 21)
    if datetime.combine(offer_day, time(10), LONDON) <= now:
        offer_day = offer_day.replace(year=offer_day.year + 1)
    # The window is 10 working days (DOMAIN.md); Christmas, Boxing Day and New Year's Day (or their
    # substitutes) all fall in it, so it ends in January. Silent parties are reminded after 5.
    closed = christmas_closures(offer_day.year)
    window_ends = working_days_after(offer_day, 10, closed)
    reminder_day = working_days_after(offer_day, 5, closed)
    assert window_ends.month == 1 and window_ends.year == offer_day.year + 1

    await sleep_until(env, datetime.combine(offer_day, time(10), LONDON))
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        case = await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
        assert deadline(case, "consent_window").due == window_ends
        await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party="applicant", agree=True))

        # The reminder rings at 09:00 on the reminder day, only for the silent.
        await sleep_until(env, datetime.combine(reminder_day, time(12), LONDON))
        assert sorted(notifications.sent("consent_reminder")) == ["org-1", "org-2"]
        assert (await view(handle)).stage is CaseStage.awaiting_consent

        await sleep_until(env, datetime.combine(window_ends, time(20), LONDON))
        assert (await view(handle)).stage is CaseStage.awaiting_consent  # the whole of the last day counts

        result = await handle.result()
        assert (result.stage, result.outcome) == (CaseStage.closed, CaseOutcome.no_response)
        assert deadline(result, "consent_window").state is DeadlineState.missed
        assert set(notifications.sent("no_response")) == set(PARTIES)
        assert await env.get_current_time() >= datetime.combine(window_ends + timedelta(days=1), time(0), LONDON)


async def test_extend_deadline_moves_the_consent_window_and_tells_the_silent(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        offered = await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
        await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party="org-1", agree=True))
        first_due = deadline(offered, "consent_window").due
        case = await handle.execute_update(
            DisagreementCase.extend_deadline,
            ExtendDeadline(actor=OFFICER, deadline="consent_window", until=first_due + timedelta(days=14), reason="family on holiday"),
        )
        assert deadline(case, "consent_window").due == first_due + timedelta(days=14)
        assert case.timeline[-1].event == "deadline_extended"
        assert "family on holiday" in case.timeline[-1].detail
        await delivered(handle)
        extended = [n for n in notifications.notices if "consent_extended" in n.key]
        assert sorted(n.recipient.id for n in extended) == ["applicant", "org-2"]
        assert all(n.facts.due == first_due + timedelta(days=14) for n in extended)

        await sleep_past_expiry(env, offered, "consent_window")
        assert (await view(handle)).stage is CaseStage.awaiting_consent  # the old date has passed
        assert (await handle.result()).outcome is CaseOutcome.no_response
        assert await env.get_current_time() >= london(first_due + timedelta(days=15), time(0))


def next_february_monday(after: date) -> date:
    """The first Monday of the next February: England has no bank holiday in February."""
    year = after.year + (1 if after >= date(after.year, 2, 1) else 0)
    day = date(year, 2, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


async def test_extend_by_working_days(env, settings) -> None:
    # Opened on the first Monday of February at 10:00: 15 working days (talks_review) are exactly
    # three weeks of weekdays, ending on the Monday three weeks on; 5 more end a week later.
    opened_on = next_february_monday(await today(env))
    await sleep_until(env, london(opened_on, time(10)))
    async with running_worker(env.client, settings):
        handle = await start_case(env.client, settings)
        assert deadline(await opened_view(handle), "talks_review").due == opened_on + timedelta(weeks=3)
        case = await handle.execute_update(
            DisagreementCase.extend_deadline,
            ExtendDeadline(actor=OFFICER, deadline="talks_review", days=5, reason="school closed for training"),
        )
        assert deadline(case, "talks_review").due == opened_on + timedelta(weeks=4)
        await handle.terminate("test over")


@pytest.mark.parametrize(
    "stage",
    [
        CaseStage.informal_talks,
        CaseStage.awaiting_consent,
        CaseStage.arranging_session,
        CaseStage.session_scheduled,
        CaseStage.monitoring_agreement,
    ],
)
async def test_withdrawal_in_every_open_stage(env, settings, stage: CaseStage) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        await drive_to(env, handle, stage)
        assert (await view(handle)).stage is stage
        case = await handle.execute_update(
            DisagreementCase.withdraw, Withdraw(actor=OFFICER, party="applicant", reason="moved out of the area")
        )
        assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.withdrawn)
        assert case.parties[0].consent is Consent.withdrawn
        assert all(d.state is not DeadlineState.open for d in case.deadlines)
        await handle.result()
        # The mediator is told too once one is assigned (from session_scheduled on, in drive_to).
        has_mediator = stage in (CaseStage.session_scheduled, CaseStage.monitoring_agreement)
        assert sorted(notifications.sent("withdrawn")) == (WITH_MEDIATOR if has_mediator else PARTIES)


async def test_appeal_deadline_warns_the_applicant_only(env, settings) -> None:
    notifications = RecordedNotifications()
    appeal = await today(env) + timedelta(days=60)
    # Warnings ring at 09:00 on the 20th and the 5th working day before the appeal deadline.
    first, second = england_working_days_before(appeal, 20), england_working_days_before(appeal, 5)
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings, open_case(appeal_deadline=appeal))
        case = await opened_view(handle)
        assert deadline(case, "appeal").due == appeal
        await sleep_around_reminder(env, first, BEFORE_NINE)
        assert notifications.sent("appeal_warning") == []
        await sleep_around_reminder(env, first, AFTER_NINE)
        assert notifications.sent("appeal_warning") == ["applicant"]
        await sleep_around_reminder(env, second, BEFORE_NINE)
        assert notifications.sent("appeal_warning") == ["applicant"]
        await sleep_around_reminder(env, second, AFTER_NINE)
        assert notifications.sent("appeal_warning") == ["applicant", "applicant"]
        keys = [n.key for n in notifications.notices if n.template.value == "appeal_warning"]
        dated = f"appeal-{appeal:%Y%m%d}"
        assert keys[0].endswith(f"appeal_warning-20-{dated}.applicant") and keys[1].endswith(f"appeal_warning-5-{dated}.applicant")
        assert all(n.facts.due == appeal for n in notifications.notices if n.template.value == "appeal_warning")
        await handle.terminate("test over")


async def test_overdue_agreed_action_is_chased(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        await offer_and_agree(handle)
        await hold_session(env, handle)
        due = await today(env) + timedelta(days=7)
        case = await handle.execute_update(
            DisagreementCase.record_outcome,
            RecordOutcome(
                actor=OFFICER,
                result=SessionResult.partial_agreement,
                actions=[AgreedActionInput(description="Send the therapy report", owner="org-1", agreed_due=due)],
            ),
        )
        await sleep_past_expiry(env, case, "action-1")
        case = await view(handle)
        assert case.stage is CaseStage.monitoring_agreement
        assert deadline(case, "action-1").state is DeadlineState.missed
        assert notifications.sent("action_due") == ["org-1"]
        assert sorted(notifications.sent("action_overdue")) == ["case_officer", "org-1"]
        assert case.next_deadline is not None and case.next_deadline.name == "action-1"

        case = await handle.execute_update(DisagreementCase.complete_action, CompleteAction(actor=OFFICER, number=1))
        assert (case.outcome, deadline(case, "action-1").state) == (CaseOutcome.partial_agreement, DeadlineState.missed)


async def test_quiet_informal_talks_are_escalated_to_the_case_officer(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        await sleep_past_expiry(env, await opened_view(handle), "talks_review")
        case = await view(handle)
        assert deadline(case, "talks_review").state is DeadlineState.missed
        assert notifications.sent("deadline_missed") == ["case_officer"]
        case = await handle.execute_update(
            DisagreementCase.record_talk, RecordTalk(actor=OFFICER, outcome=TalkOutcome.resolved)
        )
        assert case.outcome is CaseOutcome.resolved_informally
        await handle.result()
        assert sorted(notifications.sent("case_closed")) == PARTIES
        assert all(facts.outcome is CaseOutcome.resolved_informally for _, facts in facts_of(notifications, "case_closed"))


async def test_a_rejected_address_is_recorded_and_the_officer_told(env, settings) -> None:
    notifications = RecordedNotifications(fail_for={"org-1"})
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
        case = await delivered(handle)
        failed = [n for n in case.notifications if n.status is DeliveryStatus.failed]
        assert {(n.to, n.template) for n in failed} == {("org-1", "case_opened"), ("org-1", "resolution_offered")}
        assert failed[0].reason == "address rejected"
        assert notifications.sent("notification_failed") == ["case_officer", "case_officer"]
        assert case.stage is CaseStage.awaiting_consent
        await handle.terminate("test over")


async def test_a_delivery_that_keeps_failing_is_given_up_after_three_days_and_the_officer_told(env, settings) -> None:
    notifications = RecordedNotifications(down_for={"org-1"})
    async with running_worker(env.client, settings, notifications):
        opened_at = await env.get_current_time()
        handle = await start_case(env.client, settings)
        await sleep_until(env, opened_at + timedelta(days=3) - timedelta(hours=1))
        opening_to_org_1 = lambda case: next(n for n in case.notifications if n.to == "org-1")  # noqa: E731
        assert opening_to_org_1(await view(handle)).status is DeliveryStatus.pending  # still retrying
        assert notifications.sent("notification_failed") == []
        await sleep_until(env, opened_at + timedelta(days=3, hours=1))
        case = await delivered(handle)
        assert opening_to_org_1(case).status is DeliveryStatus.failed
        assert "three days" in opening_to_org_1(case).reason
        assert notifications.requested.count(opening_to_org_1_key := f"{handle.id}.case_opened.org-1") > 10
        assert notifications.sent("notification_failed") == ["case_officer"]
        assert [entry.event for entry in case.timeline].count("notification_failed") == 1
        assert opening_to_org_1_key not in [n.key for n in notifications.notices]
        await handle.terminate("test over")


async def test_the_officer_is_reminded_of_the_session_then_told_when_it_or_its_outcome_is_late(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        case = await offer_and_agree(handle)
        # 30 days to arrange the session from the last consent, the officer reminded on the 20th.
        agreed_on = await today(env)
        assert deadline(case, "session_arrangement").due == agreed_on + timedelta(days=30)
        await sleep_around_reminder(env, agreed_on + timedelta(days=20), BEFORE_NINE)
        assert notifications.sent("deadline_reminder") == []
        await sleep_around_reminder(env, agreed_on + timedelta(days=20), AFTER_NINE)
        assert [(to, f.deadline) for to, f in facts_of(notifications, "deadline_reminder")] == [("case_officer", "session_arrangement")]
        await sleep_past_expiry(env, case, "session_arrangement")
        assert [(to, f.deadline) for to, f in facts_of(notifications, "deadline_missed")] == [("case_officer", "session_arrangement")]

        case = await hold_session(env, handle)  # held, but nobody records its outcome
        await sleep_past_expiry(env, case, "outcome_record")
        missed = [(to, f.deadline) for to, f in facts_of(notifications, "deadline_missed")]
        assert missed[:2] == [("case_officer", "session_arrangement"), ("case_officer", "outcome_record")]
        await handle.terminate("test over")


async def test_a_rescheduled_session_is_reminded_once_for_its_new_time(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        await offer_and_agree(handle)
        await assign_mediator(handle)
        now = await env.get_current_time()
        await handle.execute_update(DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=now + timedelta(days=7)))
        case = await handle.execute_update(
            DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=now + timedelta(days=14), venue="Library")
        )
        assert case.session is not None and case.session.at == now + timedelta(days=14)
        await sleep_until(env, now + timedelta(days=7, hours=1))
        assert notifications.sent("session_reminder") == []  # nothing for the time given up
        await sleep_until(env, case.session.at + timedelta(hours=1))
        reminders = facts_of(notifications, "session_reminder")
        assert sorted(to for to, _ in reminders) == WITH_MEDIATOR
        assert all(".session_reminder-2." in n.key for n in notifications.notices if n.template.value == "session_reminder")
        assert {(f.session_at, f.venue) for _, f in reminders} == {(now + timedelta(days=14), "Library")}
        assert len([key for key in notifications.requested if ".session_reminder" in key]) == len(WITH_MEDIATOR)
        await handle.terminate("test over")


async def test_each_step_is_told_to_exactly_those_it_concerns(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
        await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party="org-2", agree=True))
        await delivered(handle)
        assert notifications.sent("consent_recorded") == ["org-2"]  # a party hears of their own answer
        await offer_and_agree_rest(handle)
        await delivered(handle)
        assert sorted(notifications.sent("consent_recorded")) == PARTIES
        await assign_mediator(handle)
        await delivered(handle)
        assert sorted(notifications.sent("mediator_assigned")) == WITH_MEDIATOR  # the mediator is told too
        at = await env.get_current_time() + timedelta(days=7)
        await handle.execute_update(DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=at))
        await delivered(handle)
        assert sorted(notifications.sent("session_scheduled")) == WITH_MEDIATOR
        await handle.terminate("test over")


async def offer_and_agree_rest(handle: WorkflowHandle) -> None:
    for party in ("applicant", "org-1"):
        await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party=party, agree=True))


async def test_next_deadline_search_attribute_follows_an_extension(env, settings) -> None:
    async with running_worker(env.client, settings):
        handle = await start_case(env.client, settings)
        case = await opened_view(handle)
        due = deadline(case, "talks_review").due
        assert (await handle.describe()).typed_search_attributes.get(NEXT_DEADLINE) == london(due + timedelta(days=1), time(0))
        case = await handle.execute_update(
            DisagreementCase.extend_deadline,
            ExtendDeadline(actor=OFFICER, deadline="talks_review", until=due + timedelta(days=7), reason="half term"),
        )
        assert case.stage is CaseStage.informal_talks  # the stage did not change, the deadline did
        assert (await handle.describe()).typed_search_attributes.get(NEXT_DEADLINE) == london(due + timedelta(days=8), time(0))
        await handle.terminate("test over")


async def test_two_organisations_agreeing_do_not_outvote_a_silent_applicant(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        offered = await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
        for party in ("org-1", "org-2"):
            case = await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party=party, agree=True))
        assert case.stage is CaseStage.awaiting_consent
        assert all(d.name != "session_arrangement" for d in case.deadlines)
        await sleep_until(env, london(deadline(offered, "consent_window").due, time(23, 0)))
        assert (await view(handle)).stage is CaseStage.awaiting_consent
        result = await handle.result()
        assert (result.stage, result.outcome) == (CaseStage.closed, CaseOutcome.no_response)
        assert sorted(notifications.sent("no_response")) == PARTIES


class LaterHolidayRelease(WorkingCalendar):
    """The holiday data of a running worker, updated by a later release that declares new bank holidays."""

    def __init__(self) -> None:
        super().__init__()
        self.new_bank_holidays: set[date] = set()

    def is_working_day(self, day: date) -> bool:
        return day not in self.new_bank_holidays and super().is_working_day(day)


async def test_a_later_holiday_release_never_moves_a_date_already_given(env, settings) -> None:
    notifications = RecordedNotifications()
    calendar = LaterHolidayRelease()
    async with running_worker(env.client, settings, notifications, calendar=calendar):
        handle = await start_case(env.client, settings)
        given = deadline(await opened_view(handle), "talks_review").due
        opened_on = await today(env)
        calendar.new_bank_holidays = {opened_on + timedelta(days=n) for n in range(1, 60)}

        case = await handle.execute_update(DisagreementCase.add_note, AddNote(actor=OFFICER, text="called the school"))
        assert deadline(case, "talks_review").due == given
        await sleep_past_expiry(env, case, "talks_review")
        assert [(to, f.due) for to, f in facts_of(notifications, "deadline_missed")] == [("case_officer", given)]
        # The new release is in force for dates planned from now on.
        case = await handle.execute_update(DisagreementCase.record_talk, RecordTalk(actor=OFFICER, outcome=TalkOutcome.unresolved))
        assert deadline(case, "talks_review").due >= opened_on + timedelta(days=60)
        await handle.terminate("test over")


async def test_a_staff_action_in_the_first_workflow_task_waits_for_the_opening(env, settings) -> None:
    async with running_worker(env.client, settings):
        start = WithStartWorkflowOperation(
            DisagreementCase.run, open_case(), id=new_reference(), task_queue=settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        )
        await env.client.execute_update_with_start_workflow(
            DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER), start_workflow_operation=start
        )
        handle = await start.workflow_handle()
        case = await delivered(handle)
        await handle.terminate("test over")
        assert [entry.event for entry in case.timeline] == ["case_opened", "resolution_offered"]
        assert [d.state for d in case.deadlines if d.name == "talks_review"] in ([], [DeadlineState.met])
