"""The daily purge: on the time-skipping server it deletes exactly the records past `delete_after`,
skips held cases and logs each deletion; its Schedule is created once, runs it, and can be paused."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta

from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from domain.calendar import london_date
from infra.settings import Settings
from records.models import archive_of
from records.names import PURGE_SCHEDULE_ID
from records.purge import PurgeRecords
from records.schedule import PURGE_HOUR, ensure_purge_schedule
from records.store import PURGE, RecordsStore
from tests.records_fixtures import closed_case
from worker import build_worker


def years_ago(now, years: int, days: int):
    return now.replace(year=now.year - years) - timedelta(days=days)


async def test_the_purge_deletes_what_is_due_as_time_passes_and_skips_held_cases(
    time_skipping: WorkflowEnvironment, records_settings: Settings, records: RecordsStore
) -> None:
    env = time_skipping
    now = await env.get_current_time()
    overdue = closed_case(closed=years_ago(now, 6, 10))  # delete_after was 10 days ago
    held = closed_case(closed=years_ago(now, 6, 10))
    soon = closed_case(closed=years_ago(now, 6, -30))  # delete_after in 30 days
    recent = closed_case(closed=now - timedelta(days=3))
    for case in (overdue, held, soon, recent):
        await records.archive(archive_of(case, version=1))
    await records.hold(held.reference, "subject of a complaint", "jo.smith", now)

    async with build_worker(env.client, records_settings, records=records):
        first = await env.client.execute_workflow(
            PurgeRecords.run, id=f"purge-{uuid.uuid4()}", task_queue=records_settings.task_queue
        )
        assert [entry.reference for entry in first.deleted] == [overdue.reference] and first.missing == []

        await env.sleep(timedelta(days=45))
        second = await env.client.execute_workflow(
            PurgeRecords.run, id=f"purge-{uuid.uuid4()}", task_queue=records_settings.task_queue
        )
        assert [entry.reference for entry in second.deleted] == [soon.reference]

    assert {s.reference for s in await records.closed()} == {held.reference, recent.reference}
    log = await records.deletion_log()
    assert [(entry.reference, entry.deleted_by, entry.rule) for entry in log] == [
        (overdue.reference, PURGE, "6 years after closure"), (soon.reference, PURGE, "6 years after closure"),
    ]
    # Each deletion is dated by the workflow's clock: the second one 45 days on.
    assert london_date(log[1].deleted_at) - london_date(log[0].deleted_at) >= timedelta(days=45)


async def test_the_schedule_is_created_once_runs_the_purge_and_can_be_paused(
    dev_server: WorkflowEnvironment, settings: Settings
) -> None:
    client = dev_server.client
    records_store = None
    # The shared dev server may already hold one: any worker started against it creates it.
    with contextlib.suppress(RPCError):
        await client.get_schedule_handle(PURGE_SCHEDULE_ID).delete()
    try:
        assert await ensure_purge_schedule(client, settings.task_queue)
        assert not await ensure_purge_schedule(client, settings.task_queue)  # a second worker starting
        handle = client.get_schedule_handle(PURGE_SCHEDULE_ID)
        described = await handle.describe()
        [calendar] = described.schedule.spec.calendars
        assert [r.start for r in calendar.hour] == [PURGE_HOUR]
        assert described.schedule.spec.time_zone_name == "Europe/London"

        await handle.pause(note="records audit in progress")
        assert not await ensure_purge_schedule(client, settings.task_queue)  # restarting keeps it paused
        described = await handle.describe()
        assert described.schedule.state.paused and described.schedule.state.note == "records audit in progress"

        await handle.unpause()
        from records.store import records_store_for

        records_store = records_store_for(settings)
        now = await dev_server.get_current_time()
        due = closed_case(closed=years_ago(now, 7, 0))
        await records_store.archive(archive_of(due, version=1))
        async with build_worker(client, settings, records=records_store):
            await handle.trigger()
            for _ in range(200):
                if await records_store.get(due.reference) is None:
                    break
                await asyncio.sleep(0.05)
        assert [entry.reference for entry in await records_store.deletion_log()] == [due.reference]
    finally:
        await client.get_schedule_handle(PURGE_SCHEDULE_ID).delete()
        if records_store:
            await records_store.close()
