"""The records store: closed cases, encrypted, with plain columns to list them and a deletion log.

Chosen by settings (`records_store_for`): SQLite under the data folder by default, PostgreSQL when
`DISAGREEMENT_RECORDS_URL` (or the sent-log's URL) is set. Every write is one transaction.

- `archive` is idempotent by reference and version: writing a version again, or an older one after
  a newer, changes nothing. A reference in the deletion log is never written again.
- `delete_due` (the purge) and `erase` delete a record with its contact index, hold history and any
  erasure request, destroy the case's data key (records/case_keys.py) and log the deletion, in one
  transaction that re-checks the legal hold, so a hold placed while the purge runs always wins.
- An erasure is asked for (`ask_erasure`) by one records officer and carried out by another; the
  deletion log names both. Each subject access export is logged (`log_export`) by a keyed digest.
- `copy_held` keeps an open case on legal hold (records/holding.py): idempotent by version like
  `archive`, written only while the hold is in place and until the case's closed record replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property

from temporalio.converter import DataConverter

from domain.calendar import london_date
from domain.models import CaseOutcome, CaseStage, DisagreementKind, Route
from infra.codec import CaseErased, DecryptionError, warm_keys
from infra.converter import data_converter
from infra.settings import Settings
from records.case_keys import WARM_BATCH, destroy
from records.contacts import ContactIndex
from records.database import Database, Transaction, instant, records_database_for
from records.models import (
    Archived,
    ArchiveCase,
    ArchivedCaseView,
    CaseRecord,
    ClosedCaseSummary,
    CopyHeldCase,
    DeletionEntry,
    ErasureRequest,
    ExportEntry,
    HeldCopied,
    LegalHold,
)
from records.retention import RetentionRule, held_copy_retention, retention
from records.sealing import seal, unseal

PURGE = "purge"  # `deleted_by` of the scheduled purge


@dataclass(frozen=True)
class StoredCase:
    view: ArchivedCaseView
    record: CaseRecord
    on_hold: bool


@dataclass(frozen=True)
class HeldCopy:
    """An open case's view as last copied while it was on legal hold."""

    record: CaseRecord
    copied_at: datetime
    delete_after: date
    on_hold: bool


@dataclass(frozen=True)
class Unclosed:
    """A reference on hold, or with a held copy, that has no closed record: the purge asks Temporal."""

    reference: str
    on_hold: bool
    held_copy_from: datetime | None


class RecordsStore:
    def __init__(self, database: Database, settings: Settings) -> None:
        self._db = database
        self._settings = settings
        self._rule = RetentionRule(settings.records_years_after_closure, settings.records_years_after_birth)

    # The keys are read at first use, so a worker that never archives needs none.
    @cached_property
    def _converter(self) -> DataConverter:
        return data_converter(self._settings)

    @cached_property
    def _index(self) -> ContactIndex:
        return ContactIndex(self._settings.encryption_key_ring())

    async def close(self) -> None:
        await self._db.close()

    # --- Writing -------------------------------------------------------------------------------

    async def archive(self, case: ArchiveCase) -> Archived:
        view = case.record.view
        kept = retention(self._rule, london_date(case.closed_at), case.child_date_of_birth)
        try:
            sealed = await seal(self._converter, case.reference, case.record)
        except CaseErased:  # its data key went with its record
            return Archived.deleted
        digests = self._index.digests_of(case.record.people)
        async with self._db.transaction() as tx:
            if await _was_deleted(tx, case.reference):
                return Archived.deleted
            changed = await tx.execute(
                "INSERT INTO case_records (reference, version, route, stage, outcome, kinds, case_officer, closed_at,"
                " closed_on, delete_after, retention_rule, archived_at, sealed)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (reference) DO UPDATE SET version = excluded.version, route = excluded.route,"
                " stage = excluded.stage,"
                " outcome = excluded.outcome, kinds = excluded.kinds, case_officer = excluded.case_officer,"
                " closed_at = excluded.closed_at, closed_on = excluded.closed_on,"
                " delete_after = excluded.delete_after, retention_rule = excluded.retention_rule,"
                " archived_at = excluded.archived_at, sealed = excluded.sealed"
                " WHERE case_records.version < excluded.version",
                (
                    case.reference, case.version, view.route.value, view.stage.value, view.outcome.value if view.outcome else None,
                    ",".join(kind.value for kind in view.kinds), view.case_officer, instant(case.closed_at),
                    london_date(case.closed_at).isoformat(), kept.delete_after.isoformat(), kept.rule,
                    instant(datetime.now(UTC)), sealed,
                ),
            )
            if not changed:
                return Archived.unchanged
            await tx.execute("DELETE FROM held_copies WHERE reference = ?", (case.reference,))  # the record keeps it now
            await tx.execute("DELETE FROM contact_index WHERE reference = ?", (case.reference,))
            for digest in sorted(digests):
                await tx.execute("INSERT INTO contact_index (digest, reference) VALUES (?, ?)", (digest, case.reference))
        return Archived.written

    async def copy_held(self, copy: CopyHeldCase) -> HeldCopied:
        """Writes an open case's view while it is on legal hold; the hold is checked here, in the
        transaction, so the workflow copies exactly while the records say it is held."""
        kept = held_copy_retention(self._rule, london_date(copy.at))
        sealed = await seal(self._converter, copy.reference, copy.record)
        digests = self._index.digests_of(copy.record.people)
        async with self._db.transaction() as tx:
            if not await tx.fetchall("SELECT 1 FROM legal_holds WHERE reference = ?", (copy.reference,)):
                return HeldCopied.not_held
            if await tx.fetchall("SELECT 1 FROM case_records WHERE reference = ?", (copy.reference,)):
                return HeldCopied.closed
            changed = await tx.execute(
                "INSERT INTO held_copies (reference, version, copied_at, delete_after, retention_rule, sealed)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (reference) DO UPDATE SET version = excluded.version, copied_at = excluded.copied_at,"
                " delete_after = excluded.delete_after, retention_rule = excluded.retention_rule, sealed = excluded.sealed"
                " WHERE held_copies.version < excluded.version",
                (copy.reference, copy.version, instant(copy.at), kept.delete_after.isoformat(), kept.rule, sealed),
            )
            if not changed:
                return HeldCopied.unchanged
            # Subject access finds the case by its people even once its workflow has gone.
            await tx.execute("DELETE FROM contact_index WHERE reference = ?", (copy.reference,))
            for digest in sorted(digests):
                await tx.execute("INSERT INTO contact_index (digest, reference) VALUES (?, ?)", (digest, copy.reference))
        return HeldCopied.written

    async def hold(self, reference: str, reason: str, by: str, at: datetime) -> bool:
        """Places a legal hold; False if one is already in place (the first one's reason stays)."""
        async with self._db.transaction() as tx:
            placed = await tx.execute(
                "INSERT INTO legal_holds (reference, reason, placed_by, placed_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (reference) DO NOTHING",
                (reference, reason, by, instant(at)),
            )
            if placed:
                await _log_hold(tx, reference, "hold", reason, by, at)
        return bool(placed)

    async def release(self, reference: str, reason: str, by: str, at: datetime) -> bool:
        """Lifts the legal hold; False if there was none."""
        async with self._db.transaction() as tx:
            released = await tx.execute("DELETE FROM legal_holds WHERE reference = ?", (reference,))
            if released:
                await _log_hold(tx, reference, "release", reason, by, at)
        return bool(released)

    async def delete_due(self, today: date, at: datetime) -> list[DeletionEntry]:
        """The purge: deletes every record whose `delete_after` is before today and not on hold."""
        async with self._db.transaction() as tx:
            due = await tx.fetchall(
                "SELECT reference FROM case_records WHERE delete_after < ?"
                " AND reference NOT IN (SELECT reference FROM legal_holds) ORDER BY reference",
                (today.isoformat(),),
            )
        deleted = []
        for (reference,) in due:
            entry = await self._delete(reference, at, PURGE, None, before=today)
            if entry:
                deleted.append(entry)
        if deleted:
            await self._db.forget()
        return deleted

    async def erase(
        self, reference: str, reason: str, by: str, at: datetime, requested_by: str | None = None
    ) -> DeletionEntry | None:
        """Deletes one record before its date; None if it is not archived or is on hold. `by` approved
        the erasure that `requested_by` asked for."""
        entry = await self._delete(reference, at, by, f"erased: {reason}", before=None, requested_by=requested_by)
        if entry:
            await self._db.forget()
        return entry

    async def note_missing(self, reference: str, on: date) -> date | None:
        """A held case found gone from Temporal: the first day it was found stays. None if not held."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE legal_holds SET missing_since = ? WHERE reference = ? AND missing_since IS NULL",
                (on.isoformat(), reference),
            )
            rows = await tx.fetchall("SELECT missing_since FROM legal_holds WHERE reference = ?", (reference,))
        return date.fromisoformat(rows[0][0]) if rows else None

    async def delete_held_copy(self, reference: str, today: date, at: datetime) -> DeletionEntry | None:
        """The purge, for the held copy of a case gone from Temporal (the caller asked it) that never
        closed: deleted like a record once off hold and past its date, which its last copy set."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT delete_after, retention_rule FROM held_copies WHERE reference = ? AND delete_after < ?"
                " AND reference NOT IN (SELECT reference FROM legal_holds)"
                " AND reference NOT IN (SELECT reference FROM case_records)",
                (reference, today.isoformat()),
            )
            if not rows:
                return None
            entry = DeletionEntry(
                reference=reference, deleted_at=at, delete_after=date.fromisoformat(rows[0][0]), rule=rows[0][1],
                deleted_by=PURGE,
            )
            await _forget_case(tx, entry)
        await self._db.forget()
        return entry

    async def _delete(
        self, reference: str, at: datetime, by: str, rule: str | None, before: date | None,
        requested_by: str | None = None,
    ) -> DeletionEntry | None:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT delete_after, retention_rule FROM case_records WHERE reference = ?"
                " AND reference NOT IN (SELECT reference FROM legal_holds)",
                (reference,),
            )
            if not rows or (before is not None and date.fromisoformat(rows[0][0]) >= before):
                return None
            entry = DeletionEntry(
                reference=reference, deleted_at=at, delete_after=date.fromisoformat(rows[0][0]),
                rule=rule or rows[0][1], deleted_by=by, requested_by=requested_by,
            )
            await _forget_case(tx, entry)
        return entry

    # --- Two records officers to erase, and the export log ----------------------------------------

    async def ask_erasure(self, reference: str, reason: str, by: str, at: datetime) -> bool:
        """Asks for an erasure, for a second records officer to approve; False if one is already asked."""
        async with self._db.transaction() as tx:
            asked = await tx.execute(
                "INSERT INTO erasure_requests (reference, reason, requested_by, requested_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (reference) DO NOTHING",
                (reference, reason, by, instant(at)),
            )
        return bool(asked)

    async def erasure_request(self, reference: str) -> ErasureRequest | None:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT reason, requested_by, requested_at FROM erasure_requests WHERE reference = ?", (reference,)
            )
        if not rows:
            return None
        reason, by, at = rows[0]
        return ErasureRequest(reference=reference, reason=reason, requested_by=by, requested_at=datetime.fromisoformat(at))

    async def log_export(self, email: str | None, phone: str | None, by: str, at: datetime, cases: int) -> str:
        """Logs a subject access export; returns whom it was about as the log keeps it (a keyed digest)."""
        subject = self._index.subject_of(email=email, phone=phone)
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO export_log (exported_by, exported_at, subject, cases) VALUES (?, ?, ?, ?)",
                (by, instant(at), subject, cases),
            )
        return subject

    async def export_log(self) -> list[ExportEntry]:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall("SELECT exported_by, exported_at, subject, cases FROM export_log ORDER BY exported_at")
        return [
            ExportEntry(exported_by=by, exported_at=datetime.fromisoformat(at), subject=subject, cases=cases)
            for by, at, subject, cases in rows
        ]

    # --- Reading -------------------------------------------------------------------------------

    async def get(self, reference: str) -> StoredCase | None:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT closed_at, delete_after, sealed, reference IN (SELECT reference FROM legal_holds)"
                " FROM case_records WHERE reference = ?",
                (reference,),
            )
        if not rows:
            return None
        closed_at, delete_after, sealed, on_hold = rows[0]
        record = await unseal(self._converter, reference, bytes(sealed))
        return StoredCase(view=_archived(record, closed_at, delete_after), record=record, on_hold=bool(on_hold))

    async def closed_views(self, route: Route | None = None) -> tuple[list[ArchivedCaseView], list[str]]:
        """Every closed case's view (on one route, or both), read in one transaction, and the references
        of any that cannot be decrypted (a key missing from the key ring): for the reports
        (cases/reports.py), which need what only the sealed view says (when duties fell due)."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT reference, closed_at, delete_after, sealed FROM case_records"
                + (" WHERE route = ?" if route else "") + " ORDER BY reference",
                (route.value,) if route else (),
            )
        views, unreadable = [], []
        for first in range(0, len(rows), WARM_BATCH):
            batch = rows[first:first + WARM_BATCH]
            await warm_keys(self._converter, [row[0] for row in batch])  # their keys in one read, not one each
            for reference, closed_at, delete_after, sealed in batch:
                try:
                    record = await unseal(self._converter, reference, bytes(sealed))
                except (DecryptionError, CaseErased):
                    unreadable.append(reference)
                    continue
                views.append(_archived(record, closed_at, delete_after))
        return views, unreadable

    async def held_copy(self, reference: str) -> HeldCopy | None:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT copied_at, delete_after, sealed, reference IN (SELECT reference FROM legal_holds)"
                " FROM held_copies WHERE reference = ?",
                (reference,),
            )
        if not rows:
            return None
        copied_at, delete_after, sealed, on_hold = rows[0]
        return HeldCopy(
            record=await unseal(self._converter, reference, bytes(sealed)), copied_at=datetime.fromisoformat(copied_at),
            delete_after=date.fromisoformat(delete_after), on_hold=bool(on_hold),
        )

    async def unclosed(self) -> list[Unclosed]:
        """Every reference on hold or with a held copy, and no closed record, for the purge to check."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT reference, reference IN (SELECT reference FROM legal_holds),"
                " (SELECT copied_at FROM held_copies c WHERE c.reference = r.reference)"
                " FROM (SELECT reference FROM legal_holds UNION SELECT reference FROM held_copies) r"
                " WHERE reference NOT IN (SELECT reference FROM case_records) ORDER BY reference"
            )
        return [
            Unclosed(reference=reference, on_hold=bool(on_hold), held_copy_from=datetime.fromisoformat(at) if at else None)
            for reference, on_hold, at in rows
        ]

    async def closed(
        self,
        outcome: CaseOutcome | None = None,
        closed_after: date | None = None,
        closed_before: date | None = None,
        route: Route | None = None,
        officer: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ClosedCaseSummary]:
        """Closed cases from the plain columns, newest closure first; dates are days in England.

        `limit` and `offset` give one page of them (the web console's list pages).
        """
        terms, params = ["1 = 1"], []
        if route is not None:
            terms.append("route = ?")
            params.append(route.value)
        if officer is not None:
            terms.append("case_officer = ?")
            params.append(officer)
        if outcome is not None:
            terms.append("outcome = ?")
            params.append(outcome.value)
        if closed_after is not None:
            terms.append("closed_on > ?")
            params.append(closed_after.isoformat())
        if closed_before is not None:
            terms.append("closed_on < ?")
            params.append(closed_before.isoformat())
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT reference, route, stage, outcome, kinds, case_officer, closed_at, delete_after,"
                " reference IN (SELECT reference FROM legal_holds)"
                f" FROM case_records WHERE {' AND '.join(terms)} ORDER BY closed_at DESC, reference"
                + (" LIMIT ? OFFSET ?" if limit is not None else ""),
                [*params, limit, offset] if limit is not None else params,
            )
        return [
            ClosedCaseSummary(
                reference=reference, route=Route(route), stage=CaseStage(stage), outcome=CaseOutcome(outcome) if outcome else None,
                kinds=[DisagreementKind(kind) for kind in kinds.split(",") if kind], case_officer=officer,
                next_deadline=None, closed_at=datetime.fromisoformat(closed_at),
                delete_after=date.fromisoformat(delete_after), on_hold=bool(on_hold),
            )
            for reference, route, stage, outcome, kinds, officer, closed_at, delete_after, on_hold in rows
        ]

    async def references_for(self, email: str | None = None, phone: str | None = None) -> list[str]:
        """Cases whose people include this email or phone, by the contact index alone."""
        lookups = self._index.lookups(email=email, phone=phone)
        if not lookups:
            return []
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                f"SELECT DISTINCT reference FROM contact_index WHERE digest IN ({', '.join('?' for _ in lookups)})"
                " ORDER BY reference",
                lookups,
            )
        return [reference for (reference,) in rows]

    async def holds(self) -> list[LegalHold]:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT h.reference, h.reason, h.placed_by, h.placed_at, c.copied_at, h.missing_since"
                " FROM legal_holds h LEFT JOIN held_copies c ON c.reference = h.reference ORDER BY h.reference"
            )
        return [
            LegalHold(
                reference=reference, reason=reason, placed_by=by, placed_at=datetime.fromisoformat(at),
                held_copy_from=datetime.fromisoformat(copied) if copied else None,
                missing_since=date.fromisoformat(missing) if missing else None,
            )
            for reference, reason, by, at, copied, missing in rows
        ]

    async def deletion_log(self) -> list[DeletionEntry]:
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT reference, deleted_at, delete_after, rule, deleted_by, requested_by FROM deletion_log"
                " ORDER BY deleted_at, reference"
            )
        return [
            DeletionEntry(
                reference=reference, deleted_at=datetime.fromisoformat(at), delete_after=date.fromisoformat(after),
                rule=rule, deleted_by=by, requested_by=asked_by,
            )
            for reference, at, after, rule, by, asked_by in rows
        ]

    async def traces_of(self, reference: str) -> dict[str, int]:
        """How many rows of each table still name this reference (the deletion log and the data
        key's tombstone aside)."""
        counts = {}
        async with self._db.transaction() as tx:
            for table in (
                "case_records", "held_copies", "contact_index", "legal_holds", "hold_log", "erasure_requests", "answer_links",
            ):
                [(count,)] = await tx.fetchall(f"SELECT COUNT(*) FROM {table} WHERE reference = ?", (reference,))
                counts[table] = count
            [(keys,)] = await tx.fetchall(
                "SELECT COUNT(*) FROM case_keys WHERE reference = ? AND wrapped IS NOT NULL", (reference,)
            )
            counts["case_keys"] = keys
        return counts


def _archived(record: CaseRecord, closed_at: str, delete_after: str) -> ArchivedCaseView:
    """A record's case view with its record dates, as its columns hold them. The view was validated as
    it was unsealed: built from its fields as they are, not validated again (a report builds thousands)."""
    return ArchivedCaseView.model_construct(
        **dict(record.view), closed_at=datetime.fromisoformat(closed_at), delete_after=date.fromisoformat(delete_after),
    )


async def _was_deleted(tx: Transaction, reference: str) -> bool:
    return bool(await tx.fetchall("SELECT 1 FROM deletion_log WHERE reference = ?", (reference,)))


async def _forget_case(tx: Transaction, entry: DeletionEntry) -> None:
    """Deletes what a record or a held copy leaves (its hold history and any erasure request too) and
    logs the deletion."""
    for table in ("case_records", "held_copies", "contact_index", "hold_log", "erasure_requests", "answer_links"):
        await tx.execute(f"DELETE FROM {table} WHERE reference = ?", (entry.reference,))
    await destroy(tx, entry.reference, entry.deleted_at)  # every copy of its payloads, wherever kept, unreadable
    await tx.execute(
        "INSERT INTO deletion_log (reference, deleted_at, delete_after, rule, deleted_by, requested_by)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            entry.reference, instant(entry.deleted_at), entry.delete_after.isoformat(), entry.rule, entry.deleted_by,
            entry.requested_by,
        ),
    )


async def _log_hold(tx: Transaction, reference: str, action: str, reason: str, by: str, at: datetime) -> None:
    await tx.execute(
        "INSERT INTO hold_log (reference, action, reason, acted_by, acted_at) VALUES (?, ?, ?, ?, ?)",
        (reference, action, reason, by, instant(at)),
    )


def records_store_for(settings: Settings) -> RecordsStore:
    return RecordsStore(records_database_for(settings), settings)
