"""The daily purge: a small workflow, started by a Temporal Schedule, that deletes records past
their `delete_after` date (records/retention.py) unless a legal hold stops it.

The Schedule (`records-purge`) runs at 02:00 in England and never overlaps itself. Pause it with
`temporal schedule toggle --schedule-id records-purge --pause --reason "..."` (and `--unpause`);
the worker creates it at start-up if it is missing, and leaves an existing one (paused or not) as it is.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from records.models import DeletionEntry
    from records.names import PURGE_RECORDS, PURGE_WORKFLOW

# A database that is down for a while is retried; after a day the run fails visibly, and the next
# day's run tries again (nothing is lost: due records stay due).
PURGE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=10), maximum_interval=timedelta(minutes=30), maximum_attempts=20)


@workflow.defn(name=PURGE_WORKFLOW)
class PurgeRecords:
    @workflow.run
    async def run(self) -> list[DeletionEntry]:
        deleted = await workflow.execute_activity(
            PURGE_RECORDS,
            workflow.now(),
            result_type=list[DeletionEntry],
            start_to_close_timeout=timedelta(minutes=10),
            schedule_to_close_timeout=timedelta(days=1),
            retry_policy=PURGE_RETRY,
            summary="delete records past their date",
        )
        workflow.logger.info("records purge: %d deleted", len(deleted))
        return deleted
