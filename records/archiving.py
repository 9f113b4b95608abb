"""The workflow side of the archive: a closed case's record kept in step with the case.

A case workflow runs `CaseArchive.keep_up()` as a background task for its whole life and awaits
`settle()` before it completes or continues as new. Whenever the case is closed and has changed since the last write
(its closure, then anything after it: an appeal status, a late note, a delivery report), the
archive activity writes the record again under a higher version. The workflow does not complete
until the latest version is written, so a closed case is never in neither place. A write waits a
little for the messages on their way (the closing ones, usually seconds), so that the usual
closure is written once, with its delivery reports, not twice.

Deterministic workflow code: no I/O here; the activity does the writing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from domain.case import CaseFile
    from domain.models import DeadlineState, DeliveryStatus
    from records.models import Archived, archive_of
    from records.names import ARCHIVE_CASE

# One write retries for a few minutes (a database restarting); if it still fails, the workflow
# waits and tries again, for as long as it takes: the case must not finish unarchived.
ARCHIVE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=1), maximum_attempts=10)
ARCHIVE_PAUSE = timedelta(minutes=30)
# Messages usually go in seconds; a mail server that is down must not keep a closed case out of
# the records for the three days its messages may be retried: after this, write, and again later.
MESSAGES_AWAITED = timedelta(minutes=10)


def record_version(case: CaseFile) -> int:
    """Grows with every change to a case: entries are only added, and states only move on."""
    delivered = sum(1 for record in case.notifications if record.status is not DeliveryStatus.pending)
    settled = sum(1 for deadline in case.deadlines if deadline.state is not DeadlineState.open)
    return len(case.timeline) + len(case.notifications) + delivered + settled



class CaseArchive:
    def __init__(self, case: Callable[[], CaseFile]) -> None:
        self._case = case  # the workflow's case as it now stands
        self.written: int | None = None  # the version last written

    def behind(self) -> bool:
        case = self._case()
        return case.is_closed and self.written != record_version(case)

    async def keep_up(self) -> None:
        """Runs for the workflow's life: writes each closed version as it comes."""
        while True:
            await workflow.wait_condition(self.behind)
            if self._messages_on_their_way():
                try:
                    await workflow.wait_condition(
                        lambda: not self._messages_on_their_way(), timeout=MESSAGES_AWAITED,
                        timeout_summary="archive with the messages on their way delivered",
                    )
                except asyncio.TimeoutError:
                    pass
            await self._write()

    def _messages_on_their_way(self) -> bool:
        return any(record.status is DeliveryStatus.pending for record in self._case().notifications)

    async def settle(self, failed: Callable[[], bool]) -> None:
        """Returns once the case as it now stands is archived (or was erased meanwhile), or once
        `failed` says a background task has failed (the caller raises it)."""
        if self._case().is_closed:
            await workflow.wait_condition(lambda: not self.behind() or failed())

    async def _write(self) -> None:
        case = self._case()
        version = record_version(case)
        try:
            archived = await workflow.execute_activity(
                ARCHIVE_CASE,
                archive_of(case, version),
                result_type=Archived,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=ARCHIVE_RETRY,
                summary="archive the closed case",
            )
        except ActivityError:
            workflow.logger.warning("case %s: archiving failed; trying again later", case.reference)
            await workflow.sleep(ARCHIVE_PAUSE, summary="archive again")
            return
        if archived is Archived.deleted:
            workflow.logger.warning("case %s: its record was erased; not archived again", case.reference)
        self.written = version
