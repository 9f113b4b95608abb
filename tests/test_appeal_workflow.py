"""The appeal clock in a running case: computed from the recorded decision, warnings that go on after
the case closes, and how staff stop them. Deadlines on the time-skipping server; misuse, search
attributes and listing on the dev server.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
import pytest_asyncio
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.deadlines import DeadlineActivities
from activities.names import UNPLANNABLE
from cases.client import visibility_query
from domain.appeal import appeal_deadline
from domain.calendar import WorkingCalendar, london_date, london_time
from domain.deadlines import DeadlinePolicy, DeadlineRequest, action_deadline
from domain.models import (
    AppealStatus,
    CaseStage,
    DeadlineState,
    DecisionKind,
    ExtendDeadline,
    RecordAppealStatus,
    RecordDecision,
    Withdraw,
)
from tests.conftest import RecordedNotifications, open_case, opened_view, running_worker, start_case
from tests.test_case_updates import assert_rejected, listed, unique_officer
from workflows.case import DisagreementCase
from workflows.visibility import APPEAL_DEADLINE

OFFICER = "jo.smith"
CALENDAR = WorkingCalendar()


@pytest_asyncio.fixture(loop_scope="session")
async def env(time_skipping: WorkflowEnvironment) -> WorkflowEnvironment:
    return time_skipping


def appeal(case):
    return next(d for d in case.deadlines if d.name == "appeal")


def warning_time(due: date, working_days_before: int) -> datetime:
    """Just after the warning rings: 09:00 in England, that many working days before the last day."""
    return london_time(CALENDAR.add_working_days(due, -working_days_before), time(9, 5))


async def sleep_until(env: WorkflowEnvironment, instant: datetime) -> None:
    await env.sleep(instant - await env.get_current_time())


async def record_decision_days_ago(env: WorkflowEnvironment, handle, days: int):
    decided = london_date(await env.get_current_time()) - timedelta(days=days)
    request = RecordDecision(actor=OFFICER, kind=DecisionKind.refusal_to_assess, date=decided)
    return decided, await handle.execute_update(DisagreementCase.record_decision, request)


async def test_the_deadline_is_computed_and_warnings_go_on_after_closure_until_lodged(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        await opened_view(handle)
        decided, case = await record_decision_days_ago(env, handle, 10)
        due = appeal_deadline(decided, None, CALENDAR)
        assert case.appeal_deadline == appeal(case).due == due
        assert case.decision.date == decided
        assert any(e.event == "appeal_deadline_computed" and "r.20(1)(c)(i)" in e.detail for e in case.timeline)

        case = await handle.execute_update(DisagreementCase.withdraw, Withdraw(actor=OFFICER, party="org-1", reason="x"))
        assert case.stage is CaseStage.closed and appeal(case).state is DeadlineState.open

        await sleep_until(env, warning_time(due, 20))
        assert notifications.sent("appeal_warning") == ["applicant"]
        # Closed, and still counting for the family: the workflow runs on and takes this update.
        case = await handle.execute_update(
            DisagreementCase.record_appeal_status, RecordAppealStatus(actor=OFFICER, status=AppealStatus.lodged)
        )
        assert (case.appeal_status, appeal(case).state) == (AppealStatus.lodged, DeadlineState.met)
        result = await handle.result()
        assert result.stage is CaseStage.closed
        assert notifications.sent("appeal_warning") == ["applicant"]  # the 5-day warning never came
        # The workflow finished before the 5-day warning was due (the test server's own clock may
        # run on while the result is awaited: it skips ahead whenever only an activity is pending).
        finished = (await handle.fetch_history()).events[-1].event_time.ToDatetime(tzinfo=timezone.utc)
        assert finished < warning_time(due, 5)


async def test_warnings_after_closure_run_until_the_deadline_passes(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        await opened_view(handle)
        decided, case = await record_decision_days_ago(env, handle, 3)
        due = appeal(case).due
        await handle.execute_update(DisagreementCase.withdraw, Withdraw(actor=OFFICER, party="applicant", reason="x"))
        result = await handle.result()
        assert appeal(result).state is DeadlineState.missed
        keys = [n.key for n in notifications.notices if n.template.value == "appeal_warning"]
        dated = f"appeal-{due:%Y%m%d}"
        assert [key.rsplit(".", 2)[1] for key in keys] == [f"appeal_warning-20-{dated}", f"appeal_warning-5-{dated}"]
        assert notifications.sent("deadline_missed") == ["case_officer"]
        assert await env.get_current_time() >= london_time(due + timedelta(days=1), time(0, 0))


async def test_a_date_that_cannot_be_planned_is_refused_in_words() -> None:
    """9999-12-31 + 1 day overflows: the activity says so once, never retried (the models bound
    dates, so this is the last line of defence)."""
    activities = DeadlineActivities(DeadlinePolicy())
    request = DeadlineRequest(name="appeal", now=datetime.now(timezone.utc), due=date(9999, 12, 31))
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(activities.plan_deadline, request)
    assert raised.value.type == UNPLANNABLE and raised.value.non_retryable
    assert "cannot be planned" in raised.value.message


async def test_deadlines_planned_together_are_planned_as_one_by_one_and_refused_by_name() -> None:
    """`plan_deadlines` (an action's deadlines in one activity) answers as `plan_deadline` would for
    each, in order; one date that cannot be planned refuses them all, naming it."""
    activities = DeadlineActivities(DeadlinePolicy())
    now = datetime(2026, 12, 18, 10, 0, tzinfo=timezone.utc)  # a Friday, the Christmas holidays ahead
    requests = [
        DeadlineRequest(name="session", now=now, start=now + timedelta(days=10)),
        DeadlineRequest(name="written_outcome", now=now, start=now + timedelta(days=10)),
        DeadlineRequest(name=action_deadline(1), now=now, due=date(2027, 1, 8)),
    ]
    together = await ActivityEnvironment().run(activities.plan_deadlines, requests)
    assert together == [await ActivityEnvironment().run(activities.plan_deadline, request) for request in requests]
    assert [deadline.name for deadline in together] == ["session", "written_outcome", action_deadline(1)]

    beyond = DeadlineRequest(name="appeal", now=now, due=date(9999, 12, 31))
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(activities.plan_deadlines, [requests[0], beyond])
    assert raised.value.type == UNPLANNABLE and raised.value.non_retryable
    assert raised.value.message.startswith("the appeal deadline cannot be planned")


def test_the_models_refuse_dates_out_of_range() -> None:
    with pytest.raises(ValueError):
        ExtendDeadline(actor=OFFICER, deadline="consent_window", until=date(9999, 12, 31), reason="x")
    with pytest.raises(ValueError):
        RecordDecision(actor=OFFICER, kind=DecisionKind.plan_contents, date=date(2010, 1, 1))
    with pytest.raises(ValueError):
        open_case(appeal_deadline=date(9999, 12, 31))


# --- Dev server: misuse leaves no trace; managers find families near their deadline -------------


async def test_appeal_misuse_is_refused_and_leaves_no_trace(dev_server, settings) -> None:
    async with running_worker(dev_server.client, settings):
        handle = await start_case(dev_server.client, settings)
        await opened_view(handle)
        await assert_rejected(
            handle, DisagreementCase.record_appeal_status,
            RecordAppealStatus(actor=OFFICER, status=AppealStatus.lodged), ("no appeal deadline", "decision"),
            "RuleViolation",
        )
        tomorrow = london_date(datetime.now(timezone.utc)) + timedelta(days=1)
        await assert_rejected(
            handle, DisagreementCase.record_decision,
            RecordDecision(actor=OFFICER, kind=DecisionKind.refusal_to_assess, date=tomorrow), ("in the future",),
            "RuleViolation",
        )
        await handle.execute_update(
            DisagreementCase.record_decision,
            RecordDecision(actor=OFFICER, kind=DecisionKind.refusal_to_assess, date=tomorrow - timedelta(days=5)),
        )
        await handle.execute_update(
            DisagreementCase.record_appeal_status, RecordAppealStatus(actor=OFFICER, status=AppealStatus.not_appealing)
        )
        await assert_rejected(
            handle, DisagreementCase.record_appeal_status,
            RecordAppealStatus(actor=OFFICER, status=AppealStatus.lodged), ("already recorded", "not appealing"),
            "RuleViolation",
        )
        await assert_rejected(
            handle, DisagreementCase.extend_deadline,
            ExtendDeadline(actor=OFFICER, deadline="appeal", days=3, reason="x"), ("set by law",), "RuleViolation",
        )


async def test_families_near_their_appeal_deadline_are_found(dev_server, settings) -> None:
    officer = unique_officer()
    client = dev_server.client
    async with running_worker(client, settings):
        handle = await start_case(client, settings, open_case(case_officer=officer, opened_by=officer))
        await opened_view(handle)
        decided = london_date(datetime.now(timezone.utc)) - timedelta(days=7)
        case = await handle.execute_update(
            DisagreementCase.record_decision, RecordDecision(actor=officer, kind=DecisionKind.plan_contents, date=decided)
        )
        due = case.appeal_deadline
        described = await handle.describe()
        assert described.typed_search_attributes.get(APPEAL_DEADLINE) == london_time(due + timedelta(days=1), time(0, 0))

        def before(day: date) -> str:  # the query `disagreement list --officer O --appeal-before DAY` runs
            return visibility_query(None, officer, False, datetime.now(timezone.utc), appeal_before=day)

        await listed(client, before(due), handle.id)
        await listed(client, before(due - timedelta(days=1)), handle.id, present=False)

        await handle.execute_update(
            DisagreementCase.record_appeal_status, RecordAppealStatus(actor=officer, status=AppealStatus.lodged)
        )
        await listed(client, before(due), handle.id, present=False)
