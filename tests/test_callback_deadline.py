"""A call-back asked for online is the case officer's duty for 2 working days ([policy], a service
standard): on the time-skipping server, the officer is told when it passes unmet, it stays owed,
and recording the call made settles it late."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.models import DeadlineState, RecordCallback, RequestCallback, party_actor
from domain.words import deadline_state_words
from tests.conftest import RecordedNotifications, running_worker, start_case
from tests.test_case_deadlines import ENGLAND_BANK_HOLIDAYS, deadline, delivered, london, sleep_until, today
from workflows.case import DisagreementCase

OFFICER = "jo.smith"


@pytest_asyncio.fixture(loop_scope="session")
async def env(time_skipping: WorkflowEnvironment) -> WorkflowEnvironment:
    return time_skipping


def two_working_days_after(day: date) -> date:
    """Counted by the test's own hand, not the calendar under test."""
    for _ in range(2):
        day += timedelta(days=1)
        while day.weekday() >= 5 or day in ENGLAND_BANK_HOLIDAYS:
            day += timedelta(days=1)
    return day


async def test_a_call_back_not_made_in_2_working_days_is_chased_and_met_late_when_made(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        handle = await start_case(env.client, settings)
        asked_on = await today(env)
        case = await handle.execute_update(
            DisagreementCase.request_callback, RequestCallback(actor=party_actor("applicant"), party="applicant"),
        )
        due = two_working_days_after(asked_on)
        assert (deadline(case, "callback-1").due, deadline(case, "callback-1").owed_by) == (due, "case_officer")

        await sleep_until(env, london(due + timedelta(days=1), time(0, 5)))
        case = await delivered(handle)
        assert (deadline(case, "callback-1").state, deadline(case, "callback-1").owed) == (DeadlineState.missed, True)
        missed = [n for n in notifications.notices if n.template.value == "deadline_missed"]
        assert [(n.recipient.id, n.facts.deadline) for n in missed] == [("case_officer", "callback-1")]

        case = await handle.execute_update(DisagreementCase.record_callback, RecordCallback(actor=OFFICER, number=1))
        assert deadline_state_words(deadline(case, "callback-1")) == "Met late"
