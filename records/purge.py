"""The daily purge: a small workflow, started by a Temporal Schedule, that deletes records past
their `delete_after` date (records/retention.py) unless a legal hold stops it, then reports the held
cases gone from Temporal without a closed record (records/activities.py, `check_held_cases`).

The Schedule (`records-purge`) runs at 02:00 in England and never overlaps itself. Pause it with
`temporal schedule toggle --schedule-id records-purge --pause --reason "..."` (and `--unpause`);
the worker creates it at start-up if it is missing, and leaves an existing one (paused or not) as it is.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from records.models import DeletionEntry, PurgeReport
    from records.names import CHECK_HELD_CASES, PURGE_RECORDS, PURGE_WORKFLOW

# A database that is down for a while is retried; after a day the run fails visibly, and the next
# day's run tries again (nothing is lost: due records stay due).
PURGE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=10), maximum_interval=timedelta(minutes=30), maximum_attempts=20)


@workflow.defn(name=PURGE_WORKFLOW)
class PurgeRecords:
    @workflow.run
    async def run(self) -> PurgeReport:
        deleted = await workflow.execute_activity(
            PURGE_RECORDS,
            workflow.now(),
            result_type=list[DeletionEntry],
            start_to_close_timeout=timedelta(minutes=10),
            schedule_to_close_timeout=timedelta(days=1),
            retry_policy=PURGE_RETRY,
            summary="delete records past their date",
        )
        checked = await workflow.execute_activity(
            CHECK_HELD_CASES,
            workflow.now(),
            result_type=PurgeReport,
            start_to_close_timeout=timedelta(minutes=10),
            schedule_to_close_timeout=timedelta(days=1),
            retry_policy=PURGE_RETRY,
            summary="look for held cases missing from Temporal",
        )
        report = PurgeReport(deleted=deleted + checked.deleted, missing=checked.missing)
        workflow.logger.info(
            "records purge: %d deleted, %d held case(s) missing from Temporal", len(report.deleted), len(report.missing)
        )
        return report
