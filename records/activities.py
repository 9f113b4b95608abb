"""The records activities: archive a case, copy an open case on legal hold, purge records past their
date and check the held cases (records/store.py).

All are safe to retry: archive and held copy writes are idempotent by reference and version, the
purge re-checks each record (date and legal hold) in the transaction that deletes it, and the check
only notes what it finds and deletes what is due.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from temporalio import activity
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.calendar import london_date
from infra.settings import SettingsError
from records.models import Archived, ArchiveCase, CopyHeldCase, DeletionEntry, HeldCopied, MissingCase, PurgeReport
from records.names import ARCHIVE_CASE, CHECK_HELD_CASES, COPY_HELD_CASE, MISCONFIGURED, PURGE_RECORDS
from records.store import RecordsStore, Unclosed
from workflows.names import HOLD_CHANGED

log = structlog.get_logger()


class RecordsActivities:
    def __init__(self, store: RecordsStore, client: Client) -> None:
        self._store = store
        self._client = client  # the held cases are looked for in Temporal

    @activity.defn(name=ARCHIVE_CASE)
    async def archive_case(self, case: ArchiveCase) -> Archived:
        try:
            archived = await self._store.archive(case)
        except SettingsError as error:  # no usable key: retrying cannot help until someone fixes it
            raise _misconfigured(error) from None
        return archived  # recorded in the case's history: no log line needed

    @activity.defn(name=COPY_HELD_CASE)
    async def copy_held_case(self, copy: CopyHeldCase) -> HeldCopied:
        try:
            return await self._store.copy_held(copy)  # recorded in the case's history, as for the archive
        except SettingsError as error:
            raise _misconfigured(error) from None

    @activity.defn(name=PURGE_RECORDS)
    async def purge_records(self, at: datetime) -> list[DeletionEntry]:
        """Deletes records whose `delete_after` is before `at`'s day in England."""
        deleted = await self._store.delete_due(london_date(at), at)
        for entry in deleted:
            _log_deleted(entry)
        return deleted

    @activity.defn(name=CHECK_HELD_CASES)
    async def check_held_cases(self, at: datetime) -> PurgeReport:
        """The purge's second step, for the cases the records hold without a closed record.

        A held case whose workflow is gone from Temporal (`temporal workflow delete`) is reported:
        its hold keeps only its held copy, and someone must find out what happened. A held copy no
        longer held, of a case gone, is deleted once past its date, as a record would be. A held
        open case never copied (held before copying existed, or its signal lost) is told again.
        """
        report = PurgeReport(deleted=[])
        for unclosed in await self._store.unclosed():
            status = await self._status(unclosed.reference)
            if status is None:
                await self._gone(unclosed, at, report)
            elif status is WorkflowExecutionStatus.RUNNING and unclosed.on_hold and unclosed.held_copy_from is None:
                await self._client.get_workflow_handle(unclosed.reference).signal(HOLD_CHANGED)
        return report

    async def _gone(self, unclosed: Unclosed, at: datetime, report: PurgeReport) -> None:
        if unclosed.on_hold:
            since = await self._store.note_missing(unclosed.reference, london_date(at))
            if since is not None:  # None: released meanwhile
                log.warning("held case missing from Temporal", reference=unclosed.reference)
                report.missing.append(
                    MissingCase(reference=unclosed.reference, missing_since=since, held_copy_from=unclosed.held_copy_from)
                )
            return
        entry = await self._store.delete_held_copy(unclosed.reference, london_date(at), at)
        if entry is not None:
            _log_deleted(entry)
            report.deleted.append(entry)

    async def _status(self, reference: str) -> WorkflowExecutionStatus | None:
        """The case's workflow status in Temporal; None if Temporal has no workflow by that id."""
        try:
            described = await self._client.get_workflow_handle(reference).describe()
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return None
            raise  # the server unreachable: retried by the purge's policy
        return described.status


def _misconfigured(error: SettingsError) -> ApplicationError:
    return ApplicationError(str(error), type=MISCONFIGURED, non_retryable=True)


def _log_deleted(entry: DeletionEntry) -> None:
    log.info("record deleted", reference=entry.reference, delete_after=str(entry.delete_after), rule=entry.rule)
