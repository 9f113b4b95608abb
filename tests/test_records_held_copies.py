"""Held copies in the records store (SQLite and PostgreSQL) and in the purge on the time-skipping server:
written only while held, by version; replaced by the closed record; kept while the case runs or is
held; deleted like a record once it is off hold, past its date, and its case is gone from Temporal."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.resolution import Resolution
from domain.models import AddNote
from infra.settings import Settings
from records import database
from records.models import HeldCopied, archive_of, held_copy_of
from records.purge import PurgeRecords
from records.store import PURGE, RecordsStore, records_store_for
from tests.conftest import isolated_settings, new_reference, open_case, start_case
from tests.records_fixtures import closed_case
from worker import build_worker

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def open_file(at: datetime = NOW, reference: str | None = None) -> Resolution:
    return Resolution.open(reference or new_reference(), open_case(), at)


async def test_a_copy_is_written_only_while_held_and_by_version(records: RecordsStore) -> None:
    case = open_file()
    assert await records.copy_held(held_copy_of(case, 1, NOW)) is HeldCopied.not_held
    assert await records.held_copy(case.reference) is None

    await records.hold(case.reference, "Tribunal appeal", "jo.smith", NOW)
    assert await records.copy_held(held_copy_of(case, 1, NOW)) is HeldCopied.written
    case.add_note(AddNote(actor="jo.smith", text="the school's letter arrived"), NOW)
    assert await records.copy_held(held_copy_of(case, 2, NOW + timedelta(hours=1))) is HeldCopied.written
    assert await records.copy_held(held_copy_of(case, 1, NOW)) is HeldCopied.unchanged  # a retry arriving late
    held = await records.held_copy(case.reference)
    assert held.record.view == case.view() and held.copied_at == NOW + timedelta(hours=1) and held.on_hold
    assert held.delete_after == date(2032, 12, 1)  # 6 years after the last copy
    assert await records.references_for(email="sam.parent@example.org") == [case.reference]
    [listed] = await records.holds()
    assert (listed.held_copy_from, listed.missing_since) == (NOW + timedelta(hours=1), None)

    await records.release(case.reference, "appeal decided", "jo.smith", NOW)
    assert await records.copy_held(held_copy_of(case, 3, NOW)) is HeldCopied.not_held
    assert (await records.held_copy(case.reference)).record.view == case.view()  # the copy stays


async def test_the_closed_record_replaces_the_copy(records: RecordsStore) -> None:
    case = open_file()
    await records.hold(case.reference, "complaint", "jo.smith", NOW)
    await records.copy_held(held_copy_of(case, 1, NOW))
    closed = closed_case(reference=case.reference)
    await records.archive(archive_of(closed, version=3))
    assert await records.held_copy(case.reference) is None
    assert await records.copy_held(held_copy_of(case, 4, NOW)) is HeldCopied.closed  # a late copy changes nothing
    assert await records.held_copy(case.reference) is None
    assert await records.unclosed() == []  # its record: nothing for the purge to ask Temporal
    assert (await records.holds())[0].held_copy_from is None


async def test_a_migration_numbered_below_one_applied_is_still_applied(tmp_path: Path, monkeypatch) -> None:
    """Migration 3 (per-case keys) landed after 4 (held copies) and 5: a database that has them gets 3 too."""
    settings = isolated_settings(tmp_path)
    every = database.MIGRATIONS
    monkeypatch.setattr(database, "MIGRATIONS", [migration for migration in every if migration[0] != 3])
    await records_store_for(settings).holds()  # migrated: 1, 2, 4 and 5
    monkeypatch.setattr(database, "MIGRATIONS", every)
    await records_store_for(settings).holds()
    with sqlite3.connect(settings.records_path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM case_keys").fetchone() == (0,)
        versions = [version for (version,) in connection.execute("SELECT version FROM records_schema ORDER BY version")]
    assert versions == [version for version, _ in every]  # every one, 3 among them


@pytest.mark.parametrize("reached", [2, 5], ids=["release-1.0.0", "main-with-5-before-4"])
async def test_a_database_that_kept_the_version_reached_gets_the_migrations_it_lacks(tmp_path: Path, reached: int) -> None:
    """One row was the version reached: 1.0.0 reached 2; main reached 5 with neither 3 nor 4."""
    settings = isolated_settings(tmp_path)
    settings.records_path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(settings.records_path) as connection:  # as that code left it
        connection.execute("CREATE TABLE records_schema (version INTEGER NOT NULL)")
        for version, statements in database.MIGRATIONS:
            if version <= 2 or version == reached:
                for statement in statements:
                    connection.execute(statement.format(blob="BLOB"))
        connection.execute("INSERT INTO records_schema (version) VALUES (?)", (reached,))
    store = records_store_for(settings)
    case = open_file()
    await store.hold(case.reference, "complaint", "jo.smith", NOW)
    assert await store.copy_held(held_copy_of(case, 1, NOW)) is HeldCopied.written
    with sqlite3.connect(settings.records_path) as connection:
        applied = [v for (v,) in connection.execute("SELECT version FROM records_schema ORDER BY version")]
    assert applied == [version for version, _ in database.MIGRATIONS]  # every one, 3 and 4 among them


async def test_the_purge_reports_held_cases_gone_and_deletes_their_copies_only_when_off_hold_and_due(
    time_skipping: WorkflowEnvironment, records_settings: Settings, records: RecordsStore
) -> None:
    env = time_skipping
    now = await env.get_current_time()
    long_ago = now.replace(year=now.year - 6) - timedelta(days=10)  # a copy's date 10 days past
    recently = now - timedelta(days=3)
    gone_held, gone_released, gone_recent = open_file(long_ago), open_file(long_ago), open_file(recently)
    running = await start_case(env.client, records_settings, wait_for_opening=False, reference=new_reference())
    still_running = open_file(long_ago, reference=running.id)  # an old copy of a case still in Temporal
    for case, copied in ((gone_held, long_ago), (gone_released, long_ago), (gone_recent, recently), (still_running, long_ago)):
        await records.hold(case.reference, "complaint", "jo.smith", copied)
        assert await records.copy_held(held_copy_of(case, 1, copied)) is HeldCopied.written
    for case in (gone_released, gone_recent, still_running):
        await records.release(case.reference, "complaint answered", "jo.smith", now)

    async with build_worker(env.client, records_settings, records=records):
        report = await env.client.execute_workflow(
            PurgeRecords.run, id=f"purge-{uuid.uuid4()}", task_queue=records_settings.task_queue
        )
    assert [(case.reference, case.held_copy_from) for case in report.missing] == [(gone_held.reference, long_ago)]
    [deleted] = report.deleted
    assert (deleted.reference, deleted.deleted_by, deleted.rule) == (gone_released.reference, PURGE, "6 years after its last copy (never closed)")
    assert await records.traces_of(gone_released.reference) == {
        "case_records": 0, "held_copies": 0, "contact_index": 0, "legal_holds": 0, "hold_log": 0, "erasure_requests": 0,
        "answer_links": 0, "case_keys": 0,  # a copy purged for good takes its case's data key with it
    }
    for kept in (gone_held, gone_recent, still_running):
        assert await records.held_copy(kept.reference) is not None, kept.reference
    assert [entry.reference for entry in await records.deletion_log()] == [gone_released.reference]


@pytest.mark.parametrize("missing", [True, False])
def test_the_holds_listing_says_what_a_hold_keeps(missing: bool) -> None:
    from cli.records import _kept
    from records.models import LegalHold

    copied = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in England
    held = LegalHold(
        reference="DR-2026-AAAAAA", reason="complaint", placed_by="jo.smith", placed_at=NOW, held_copy_from=copied,
        missing_since=date(2026, 7, 2) if missing else None,
    )
    expected = "case missing from Temporal: held copy from 1 July 2026" if missing else "open case, held copy from 1 July 2026"
    assert _kept(held) == expected
    never_copied = held.model_copy(update={"held_copy_from": None})
    assert _kept(never_copied) == ("case missing from Temporal: no held copy" if missing else "")
