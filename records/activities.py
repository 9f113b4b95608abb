"""The records activities: archive a case, purge records past their date (records/store.py).

Both are safe to retry: an archive write is idempotent by reference and version, and the purge
re-checks each record (date and legal hold) in the transaction that deletes it.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.calendar import london_date
from infra.settings import SettingsError
from records.models import Archived, ArchiveCase, DeletionEntry
from records.names import ARCHIVE_CASE, MISCONFIGURED, PURGE_RECORDS
from records.store import RecordsStore

log = structlog.get_logger()


class RecordsActivities:
    def __init__(self, store: RecordsStore) -> None:
        self._store = store

    @activity.defn(name=ARCHIVE_CASE)
    async def archive_case(self, case: ArchiveCase) -> Archived:
        try:
            archived = await self._store.archive(case)
        except SettingsError as error:  # no usable key: retrying cannot help until someone fixes it
            raise ApplicationError(str(error), type=MISCONFIGURED, non_retryable=True) from None
        return archived  # recorded in the case's history: no log line needed

    @activity.defn(name=PURGE_RECORDS)
    async def purge_records(self, at: datetime) -> list[DeletionEntry]:
        """Deletes records whose `delete_after` is before `at`'s day in England."""
        deleted = await self._store.delete_due(london_date(at), at)
        for entry in deleted:
            log.info("record deleted", reference=entry.reference, delete_after=str(entry.delete_after), rule=entry.rule)
        return deleted
