"""The Temporal Schedule that runs the purge daily (records/purge.py)."""

from __future__ import annotations

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
)

from records.names import PURGE_SCHEDULE_ID
from records.purge import PurgeRecords

PURGE_HOUR = 2  # 02:00 in England, when nobody is working cases


def purge_schedule(task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(PurgeRecords.run, id=PURGE_SCHEDULE_ID, task_queue=task_queue),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(PURGE_HOUR)], minute=[ScheduleRange(0)], second=[ScheduleRange(0)])],
            time_zone_name="Europe/London",
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def ensure_purge_schedule(client: Client, task_queue: str) -> bool:
    """Creates the Schedule if it is missing; True if it did. An existing one keeps its state."""
    try:
        await client.create_schedule(PURGE_SCHEDULE_ID, purge_schedule(task_queue))
    except ScheduleAlreadyRunningError:
        return False
    return True
