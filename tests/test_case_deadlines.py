"""The case workflow through time, on the time-skipping test server: months pass in seconds."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.models import (
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
from tests.conftest import RecordedNotifications, open_case, opened_view, running_worker, sleep_until, start_case
from workflows.case import DisagreementCase

OFFICER = "jo.smith"
PARTIES = ["applicant", "org-1", "org-2"]
LONDON = ZoneInfo("Europe/London")  # dates are compared in England, as the case keeps them


@pytest_asyncio.fixture(loop_scope="session")
async def env(time_skipping: WorkflowEnvironment) -> WorkflowEnvironment:
    return time_skipping


async def view(handle: WorkflowHandle) -> CaseView:
    return await handle.query(DisagreementCase.case_view)


def deadline(case: CaseView, name: str):
    return next(d for d in case.deadlines if d.name == name)


async def offer_and_agree(handle: WorkflowHandle) -> CaseView:
    await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
    case = None
    for party in PARTIES:
        case = await handle.execute_update(
            DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party=party, agree=True)
        )
    return case


async def hold_session(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    await handle.execute_update(
        DisagreementCase.assign_mediator,
        AssignMediator(actor=OFFICER, name="Pat Mediator", email="pat@accord.example.org", independent=True),
    )
    session_at = await env.get_current_time() + timedelta(days=7)
    await handle.execute_update(
        DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=session_at, venue="Town Hall")
    )
    await env.sleep(timedelta(days=7, hours=2))


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
        await handle.execute_update(
            DisagreementCase.assign_mediator,
            AssignMediator(actor=OFFICER, name="Pat Mediator", email="pat@accord.example.org", independent=True),
        )
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
        assert deadline(case, "session_arrangement").state is DeadlineState.met
        assert set(notifications.sent("session_reminder")) == {*PARTIES, "mediator"}

        action_due = (await env.get_current_time()).date() + timedelta(days=10)
        case = await handle.execute_update(
            DisagreementCase.record_outcome,
            RecordOutcome(
                actor=OFFICER,
                result=SessionResult.full_agreement,
                actions=[
                    AgreedActionInput(description="Provide a therapy plan", owner="org-1", due=action_due),
                    AgreedActionInput(description="Review the EHC plan", owner="org-2"),
                ],
            ),
        )
        assert case.stage is CaseStage.monitoring_agreement
        assert [a.due for a in case.actions][0] == action_due
        assert deadline(case, "action-2").due == (await env.get_current_time()).date() + timedelta(days=14)
        assert deadline(case, "written_outcome").state is DeadlineState.met
        assert deadline(case, "outcome_record").state is DeadlineState.met

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
        case = await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
        await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party="org-1", agree=True))
        first_due = deadline(case, "consent_window").due
        case = await handle.execute_update(
            DisagreementCase.extend_deadline,
            ExtendDeadline(actor=OFFICER, deadline="consent_window", until=first_due + timedelta(days=14), reason="family on holiday"),
        )
        assert deadline(case, "consent_window").due == first_due + timedelta(days=14)
        assert case.timeline[-1].event == "deadline_extended"
        assert "family on holiday" in case.timeline[-1].detail
        await env.sleep(timedelta(minutes=1))
        extended = [n for n in notifications.notices if "consent_extended" in n.key]
        assert sorted(n.recipient.id for n in extended) == ["applicant", "org-2"]
        assert all(n.facts.due == first_due + timedelta(days=14) for n in extended)

        await env.sleep(timedelta(days=20))
        assert (await view(handle)).stage is CaseStage.awaiting_consent  # the old date has passed
        await env.sleep(timedelta(days=14))
        assert (await handle.result()).outcome is CaseOutcome.no_response


async def test_extend_by_working_days(env, settings) -> None:
    async with running_worker(env.client, settings):
        handle = await start_case(env.client, settings)
        before = deadline(await opened_view(handle), "talks_review").due
        case = await handle.execute_update(
            DisagreementCase.extend_deadline,
            ExtendDeadline(actor=OFFICER, deadline="talks_review", days=5, reason="school closed for training"),
        )
        after = deadline(case, "talks_review").due
        assert after > before + timedelta(days=5)  # five working days span a weekend
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
        assert set(PARTIES) <= set(notifications.sent("withdrawn"))


async def test_appeal_deadline_warns_the_applicant_only(env, settings) -> None:
    notifications = RecordedNotifications()
    today = (await env.get_current_time()).date()
    appeal = today + timedelta(days=60)
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings, open_case(appeal_deadline=appeal))
        case = await opened_view(handle)
        assert deadline(case, "appeal").due == appeal
        await env.sleep(timedelta(days=50))
        assert notifications.sent("appeal_warning") == ["applicant"]
        await env.sleep(timedelta(days=9))
        assert notifications.sent("appeal_warning") == ["applicant", "applicant"]
        keys = [n.key for n in notifications.notices if n.template.value == "appeal_warning"]
        assert keys[0].endswith("appeal_warning-20.applicant") and keys[1].endswith("appeal_warning-5.applicant")
        assert all(n.facts.due == appeal for n in notifications.notices if n.template.value == "appeal_warning")
        await handle.terminate("test over")


async def test_overdue_agreed_action_is_chased(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        await offer_and_agree(handle)
        await hold_session(env, handle)
        due = (await env.get_current_time()).date() + timedelta(days=7)
        await handle.execute_update(
            DisagreementCase.record_outcome,
            RecordOutcome(
                actor=OFFICER,
                result=SessionResult.partial_agreement,
                actions=[AgreedActionInput(description="Send the therapy report", owner="org-1", due=due)],
            ),
        )
        await env.sleep(timedelta(days=9))
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
        await env.sleep(timedelta(days=25))
        case = await view(handle)
        assert deadline(case, "talks_review").state is DeadlineState.missed
        assert notifications.sent("deadline_missed") == ["case_officer"]
        case = await handle.execute_update(
            DisagreementCase.record_talk, RecordTalk(actor=OFFICER, outcome=TalkOutcome.resolved)
        )
        assert case.outcome is CaseOutcome.resolved_informally
        assert set(notifications.sent("case_closed")) <= set(PARTIES)


async def test_a_rejected_address_is_recorded_and_the_officer_told(env, settings) -> None:
    notifications = RecordedNotifications(fail_for={"org-1"})
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        case = await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
        await env.sleep(timedelta(minutes=1))
        case = await view(handle)
        failed = [n for n in case.notifications if n.status is DeliveryStatus.failed]
        assert {(n.to, n.template) for n in failed} == {("org-1", "case_opened"), ("org-1", "resolution_offered")}
        assert failed[0].reason == "address rejected"
        assert notifications.sent("notification_failed") == ["case_officer", "case_officer"]
        assert case.stage is CaseStage.awaiting_consent
        await handle.terminate("test over")
