"""Moving a session is honest: an earlier extension stands where it still gives the time it gave,
else the timeline says it was replaced and why; everyone hears from when to when it moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from domain.deadlines import OUTCOME_RECORD
from domain.messages import long_datetime, render
from domain.models import CaseStage, Channel, ExtendDeadline, ScheduleSession
from domain.notifications import Template
from domain.words import date_and_time, long_date
from tests.cli_helpers import until
from tests.conftest import RecordedNotifications, running_worker
from tests.journeys import OFFICER, Journey
from tests.notices import SERVICE
from workflows.case import DisagreementCase


def due(case, name: str):
    return next(deadline.due for deadline in case.deadlines if deadline.name == name)


async def test_a_new_session_time_keeps_or_replaces_an_extension_in_words(dev_server: WorkflowEnvironment, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(dev_server.client, settings, notifications):
        async def now() -> datetime:
            return datetime.now(UTC)

        journey = Journey(dev_server.client, settings, now, wait_until=None)  # type: ignore[arg-type]
        handle = await journey.start_disagreement()
        first = await journey.bring_to(handle, CaseStage.session_scheduled)
        first_at = first.session.at
        extended = await handle.execute_update(
            DisagreementCase.extend_deadline,
            ExtendDeadline(actor=OFFICER, deadline=OUTCOME_RECORD, days=3, reason="mediator on leave"),
        )
        given = due(extended, OUTCOME_RECORD)

        # A day later: the usual 2 working days after it still end before the extended date.
        a_day_later = first_at + timedelta(days=1)
        kept = await handle.execute_update(
            DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=a_day_later, venue="Town Hall")
        )
        assert due(kept, OUTCOME_RECORD) == given
        assert kept.timeline[-1].event == "extension_kept"
        assert kept.timeline[-2].detail == f"Session moved from {date_and_time(first_at)} to {date_and_time(a_day_later)}"

        # A month later: the extension no longer gives more time; the timeline says so and why.
        a_month_later = first_at + timedelta(days=30)
        replaced = await handle.execute_update(
            DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=a_month_later, venue="Town Hall")
        )
        assert due(replaced, OUTCOME_RECORD) > given
        entry = replaced.timeline[-1]
        assert entry.event == "extension_replaced" and entry.actor == OFFICER
        assert long_date(given) in entry.detail and "session moved to" in entry.detail

        def told_applicant():
            return [n for n in notifications.notices if n.template is Template.session_scheduled and n.recipient.id == "applicant"]

        async def all_three():
            return len(told_applicant()) == 3

        await until(all_three)  # messages go out in the background
    moved = told_applicant()
    assert [n.facts.previous_session_at for n in moved] == [None, first_at, a_day_later]
    text = render(moved[1], Channel.email, SERVICE)
    assert "has moved" in text.subject
    assert f"It was going to be on {long_datetime(first_at)}; it is now on {long_datetime(a_day_later)}" in text.body
    assert "has moved" not in render(moved[0], Channel.email, SERVICE).body
