"""The Web UI queries that docs/contract.md and the README give agree with the product: a case due
on day D is found by `NextDeadline < "<D+1>T01:00:00Z"` in winter and in summer time, is not found
by the same query for the day before, and `list --overdue`'s query finds it only once D has ended."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from cases.client import visibility_query
from domain.models import ExtendDeadline
from tests.cli_helpers import until
from tests.conftest import RecordedNotifications, opened_view, running_worker, start_case
from workflows.case import DisagreementCase
from workflows.visibility import NEXT_DEADLINE


def due_by(day: date) -> str:
    """The documented query: due on or before `day`."""
    return f'{NEXT_DEADLINE.name} < "{day + timedelta(days=1):%Y-%m-%d}T01:00:00Z"'


async def found(client, reference: str, query: str) -> bool:
    return [w.id async for w in client.list_workflows(f'WorkflowId = "{reference}" AND {query}')] == [reference]


@pytest.mark.parametrize("due", [date(2027, 1, 15), date(2027, 7, 15)], ids=["winter", "summer"])
async def test_documented_queries_find_a_case_due_that_day(dev_server: WorkflowEnvironment, settings, due: date) -> None:
    client = dev_server.client
    async with running_worker(client, settings, RecordedNotifications()):
        handle = await start_case(client, settings)
        await opened_view(handle)
        case = await handle.execute_update(
            DisagreementCase.extend_deadline,
            ExtendDeadline(actor="jo.smith", deadline="talks_review", until=due, reason="family on holiday"),
        )
        assert case.next_deadline.due == due

        async def indexed():
            described = await handle.describe()
            expiry = described.typed_search_attributes.get(NEXT_DEADLINE)
            return expiry if expiry and expiry.date() >= due - timedelta(days=1) else None

        expiry = await until(indexed)
        assert expiry, "NextDeadline was not updated"
        assert await until(lambda: found(client, handle.id, due_by(due)))
        assert not await found(client, handle.id, due_by(due - timedelta(days=1)))
        # Overdue exactly as `list --overdue` asks: not during the due day, yes once it has ended.
        last_moment_of_due_day = expiry - timedelta(seconds=1)
        assert not await found(client, handle.id, visibility_query(None, None, True, last_moment_of_due_day).split(" AND ", 1)[1])
        assert await found(client, handle.id, visibility_query(None, None, True, expiry + timedelta(seconds=1)).split(" AND ", 1)[1])
