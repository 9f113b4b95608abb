"""The records store on SQLite and PostgreSQL alike: idempotent archive, listing without decryption,
legal holds, the deletion log, the contact index and erasure."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

import pytest

from domain.models import AddNote, CaseOutcome
from records.models import Archived, archive_of
from records.store import PURGE, RecordsStore, records_store_for
from tests.conftest import isolated_settings, open_case, personal_data
from tests.records_fixtures import DEFAULT_MEDIATOR, closed_case

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


async def test_an_archived_case_reads_back_as_it_closed(records: RecordsStore) -> None:
    case = closed_case(mediator=DEFAULT_MEDIATOR)
    assert await records.archive(archive_of(case, version=1)) is Archived.written

    stored = await records.get(case.reference)
    assert stored is not None
    assert stored.view.model_dump(exclude={"closed_at", "delete_after"}) == case.view().model_dump()
    assert stored.view.closed_at == datetime(2026, 11, 30, 15, tzinfo=UTC)
    assert stored.view.delete_after == date(2032, 11, 30)  # 6 years after closure, by default
    assert {person.email for person in stored.record.people} >= {"sam.parent@example.org", DEFAULT_MEDIATOR[1]}


async def test_the_archive_write_is_idempotent_by_reference_and_version(records: RecordsStore) -> None:
    case = closed_case()
    first = archive_of(case, version=1)
    assert await records.archive(first) is Archived.written
    assert await records.archive(first) is Archived.unchanged  # a retried activity

    case.add_note(AddNote(actor="jo.smith", text="appeal lodged"), NOW)
    assert await records.archive(archive_of(case, version=2)) is Archived.written
    assert await records.archive(first) is Archived.unchanged  # an older version arriving late
    stored = await records.get(case.reference)
    assert stored.view.timeline[-1].detail == "appeal lodged"
    assert len(await records.closed()) == 1


async def test_the_record_is_encrypted_and_its_columns_name_nobody(records_settings, records: RecordsStore) -> None:
    case = closed_case(mediator=DEFAULT_MEDIATOR)
    await records.archive(archive_of(case, version=1))
    if records_settings.records_database_url is None:  # read the SQLite file as an attacker would
        raw = records_settings.records_path.read_bytes()
        for value in personal_data(case.opened):
            assert value.encode() not in raw, value
    [summary] = await records.closed()
    assert summary.reference == case.reference
    assert not any(value in summary.model_dump_json() for value in personal_data(case.opened))


async def test_closed_cases_are_listed_by_outcome_and_closure_date(records: RecordsStore) -> None:
    early = closed_case(closed=datetime(2026, 10, 5, 10, tzinfo=UTC), outcome=CaseOutcome.declined)
    late = closed_case(closed=datetime(2026, 11, 20, 10, tzinfo=UTC), outcome=CaseOutcome.withdrawn)
    for case in (early, late):
        await records.archive(archive_of(case, version=1))

    assert [s.reference for s in await records.closed()] == [late.reference, early.reference]
    assert [s.reference for s in await records.closed(outcome=CaseOutcome.declined)] == [early.reference]
    assert [s.reference for s in await records.closed(closed_after=date(2026, 10, 5))] == [late.reference]
    assert [s.reference for s in await records.closed(closed_before=date(2026, 11, 20))] == [early.reference]
    assert await records.closed(closed_after=date(2026, 10, 5), closed_before=date(2026, 11, 20)) == []


async def test_a_closure_late_in_the_evening_is_listed_by_its_day_in_england(records: RecordsStore) -> None:
    # 23:30 UTC on 31 May is 00:30 on 1 June in England (BST).
    case = closed_case(closed=datetime(2026, 5, 31, 23, 30, tzinfo=UTC))
    await records.archive(archive_of(case, version=1))
    assert [s.reference for s in await records.closed(closed_after=date(2026, 5, 31))] == [case.reference]


async def test_the_purge_deletes_only_records_past_their_date_and_skips_held_ones(records: RecordsStore) -> None:
    due = closed_case(closed=datetime(2020, 1, 10, 10, tzinfo=UTC))  # delete_after 2026-01-10
    held = closed_case(closed=datetime(2020, 1, 10, 10, tzinfo=UTC))
    on_the_day = closed_case(closed=datetime(2020, 12, 1, 10, tzinfo=UTC))  # delete_after 2026-12-01: not yet
    recent = closed_case(closed=datetime(2026, 1, 10, 10, tzinfo=UTC))
    for case in (due, held, on_the_day, recent):
        await records.archive(archive_of(case, version=1))
    assert await records.hold(held.reference, "complaint to the Ombudsman", "jo.smith", NOW)

    deleted = await records.delete_due(date(2026, 12, 1), NOW)

    assert [entry.reference for entry in deleted] == [due.reference]
    assert await records.get(due.reference) is None
    for kept in (held, on_the_day, recent):
        assert await records.get(kept.reference) is not None
    [entry] = await records.deletion_log()
    assert (entry.reference, entry.delete_after, entry.rule, entry.deleted_by) == (
        due.reference, date(2026, 1, 10), "6 years after closure", PURGE,
    )
    assert not any(value in entry.model_dump_json() for value in personal_data(due.opened))


async def test_a_released_hold_lets_the_purge_delete(records: RecordsStore) -> None:
    case = closed_case(closed=datetime(2019, 6, 1, 10, tzinfo=UTC))
    await records.archive(archive_of(case, version=1))
    assert await records.hold(case.reference, "Tribunal appeal", "jo.smith", NOW)
    assert not await records.hold(case.reference, "again", "jo.smith", NOW)  # one hold at a time
    assert [hold.reason for hold in await records.holds()] == ["Tribunal appeal"]
    assert await records.delete_due(date(2026, 12, 1), NOW) == []

    assert await records.release(case.reference, "appeal decided", "jo.smith", NOW)
    assert not await records.release(case.reference, "again", "jo.smith", NOW)
    assert [entry.reference for entry in await records.delete_due(date(2026, 12, 1), NOW)] == [case.reference]


async def test_a_person_is_found_by_email_or_phone_through_the_index(records: RecordsStore) -> None:
    theirs = closed_case(mediator=DEFAULT_MEDIATOR)
    others = closed_case(open_case(applicant=open_case().applicant.model_copy(update={
        "name": "Other Parent", "contact": open_case().applicant.contact.model_copy(
            update={"email": "other@example.org", "phone": "07700 900999"})})), mediator=None)
    for case in (theirs, others):
        await records.archive(archive_of(case, version=1))

    assert await records.references_for(email="  Sam.Parent@EXAMPLE.org ") == [theirs.reference]
    assert await records.references_for(phone="+44 7700 900123") == [theirs.reference]
    assert await records.references_for(email=DEFAULT_MEDIATOR[1]) == [theirs.reference]
    assert await records.references_for(email="nobody@example.org") == []


async def test_erasure_removes_every_trace_but_the_deletion_log(records: RecordsStore) -> None:
    case = closed_case(mediator=DEFAULT_MEDIATOR)
    await records.archive(archive_of(case, version=1))
    assert (await records.traces_of(case.reference))["case_keys"] == 1  # sealed with the case's own key
    await records.hold(case.reference, "check", "jo.smith", NOW)
    assert await records.erase(case.reference, "erasure request", "jo.smith", NOW) is None  # held: refused

    await records.release(case.reference, "checked", "jo.smith", NOW)
    assert await records.ask_erasure(case.reference, "erasure request", "sam.jones", NOW)
    entry = await records.erase(case.reference, "erasure request", "kim.patel", NOW, requested_by="sam.jones")

    assert entry is not None and entry.rule == "erased: erasure request"
    assert (entry.requested_by, entry.deleted_by) == ("sam.jones", "kim.patel")
    assert await records.deletion_log() == [entry]
    assert await records.traces_of(case.reference) == {
        "case_records": 0, "held_copies": 0, "contact_index": 0, "legal_holds": 0, "hold_log": 0,
        "erasure_requests": 0, "answer_links": 0, "case_keys": 0,
    }
    assert await records.references_for(email="sam.parent@example.org") == []
    # A late archive write (a retried activity) never brings an erased case back.
    assert await records.archive(archive_of(case, version=2)) is Archived.deleted
    assert await records.get(case.reference) is None


async def test_an_erasure_is_asked_for_once_and_a_purge_takes_a_pending_request_with_the_record(
    records: RecordsStore,
) -> None:
    case = closed_case()
    await records.archive(archive_of(case, version=1))
    assert await records.erasure_request(case.reference) is None

    assert await records.ask_erasure(case.reference, "erasure request 2026-114", "sam.jones", NOW)
    assert not await records.ask_erasure(case.reference, "again", "kim.patel", NOW)  # the first one stands
    asked = await records.erasure_request(case.reference)
    assert (asked.reason, asked.requested_by, asked.requested_at) == ("erasure request 2026-114", "sam.jones", NOW)

    [purged] = await records.delete_due(date(2099, 1, 1), NOW)
    assert (purged.deleted_by, purged.requested_by) == (PURGE, None)
    assert await records.erasure_request(case.reference) is None


async def test_a_database_from_before_the_roles_gets_their_tables_on_first_use(tmp_path, monkeypatch) -> None:
    """Migration 5 is applied to a database that has reached an earlier version, whatever lies between."""
    from records import database

    settings = isolated_settings(tmp_path)
    monkeypatch.setattr(database, "MIGRATIONS", [m for m in database.MIGRATIONS if m[0] <= 2])
    earlier = records_store_for(settings)
    await earlier.closed()  # migrated to version 2
    monkeypatch.undo()

    store = records_store_for(settings)
    assert await store.ask_erasure("DR-2026-AAAAAA", "erasure request", "sam.jones", NOW)
    assert await store.log_export("sam.parent@example.org", None, "sam.jones", NOW, 1)
    assert [entry.requested_by for entry in await store.deletion_log()] == []


async def test_records_indexed_before_a_key_rotation_are_still_found_and_read(tmp_path, settings) -> None:
    from tests.conftest import TEST_KEYS

    case = closed_case()
    old = records_store_for(settings)
    await old.archive(archive_of(case, version=1))
    rotated = isolated_settings(tmp_path, encryption_keys=f"test-2:{base64.b64encode(b'k' * 32).decode()},{TEST_KEYS}")
    new = records_store_for(rotated)
    assert await new.references_for(email="sam.parent@example.org") == [case.reference]
    assert (await new.get(case.reference)).view.reference == case.reference


async def test_two_stores_starting_together_migrate_the_schema_once(records_settings) -> None:
    import asyncio

    stores = [records_store_for(records_settings) for _ in range(3)]
    try:
        await asyncio.gather(*(store.closed() for store in stores))
    finally:
        for store in stores:
            await store.close()



async def test_an_archive_or_held_copy_without_a_usable_key_fails_at_once_and_says_why(tmp_path) -> None:
    from temporalio.exceptions import ApplicationError
    from temporalio.testing import ActivityEnvironment

    from domain.resolution import Resolution
    from records.activities import RecordsActivities
    from records.models import held_copy_of
    from records.names import MISCONFIGURED

    keyless = isolated_settings(tmp_path, encryption_keys=None)  # and no key file in the data folder
    activities = RecordsActivities(records_store_for(keyless), client=None)  # neither write asks Temporal
    held = Resolution.open("DR-2026-HELD01", open_case(), NOW)
    for write, argument in (
        (activities.archive_case, archive_of(closed_case(), version=1)),
        (activities.copy_held_case, held_copy_of(held, 1, NOW)),
    ):
        with pytest.raises(ApplicationError, match="no encryption key") as raised:
            await ActivityEnvironment().run(write, argument)
        assert (raised.value.type, raised.value.non_retryable) == (MISCONFIGURED, True)
