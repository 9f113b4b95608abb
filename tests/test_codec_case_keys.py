"""A data key per case (issue 18, item 4; records/case_keys.py): a case's payloads and its sealed
record are encrypted with a key of its own, kept wrapped by the key ring in the records database
(SQLite and PostgreSQL alike), and destroyed when the case is erased or purged, so that no copy of
them can be read again. Payloads of no case keep the key ring (encryption version 2)."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import WorkflowSerializationContext

from infra.codec import (
    CASE_METADATA,
    ENCODING,
    KEY_ID_METADATA,
    VERSION_METADATA,
    CaseErased,
    DecryptionError,
    EncryptionCodec,
    associated_data,
    case_associated_data,
)
from infra.converter import data_converter
from infra.keys import new_key_entry
from infra.settings import Settings
from records.case_keys import WARM_BATCH, CaseKeys, KeyCache, case_keys_for, destroy
from records.database import Database, SqliteDatabase, Transaction, records_database_for
from records.models import Archived, archive_of
from records.schema import MIGRATIONS
from records.sealing import unseal
from records.store import RecordsStore
from tests.conftest import isolated_settings, new_reference
from tests.records_fixtures import closed_case
from tests.test_codec_server import JSON, codec_client, make_settings

SECRET = "Robin Example-Child"  # stands in for personal data that must never show
PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps({"child": SECRET}).encode())
NO_CASE = "records-purge-2026-12-01T02:00:00Z"  # the purge's workflow: no case, the key ring's
ERASED_AT = datetime(2026, 12, 3, 12, tzinfo=UTC)
DESTROYED = "its data key was destroyed when it was erased"


def codec(settings: Settings, workflow: str | None = None, cache: KeyCache | None = None) -> EncryptionCodec:
    """One process's codec (with its own memory of keys), for one workflow or, as the codec server, none."""
    ring = settings.encryption_key_ring()
    plain = EncryptionCodec(ring, case_keys_for(settings, ring, cache))
    return plain.with_context(WorkflowSerializationContext("default", workflow)) if workflow else plain


def database_of(settings: Settings) -> Database:
    return records_database_for(settings, per_transaction=True)


async def key_rows(settings: Settings) -> dict[str, tuple]:
    """The key table as an operator sees it: reference → (wrapped, wrapped_with, destroyed_at)."""
    async with database_of(settings).transaction() as tx:
        rows = await tx.fetchall("SELECT reference, wrapped, wrapped_with, destroyed_at FROM case_keys")
    return {reference: rest for reference, *rest in rows}


async def sealed_of(settings: Settings, reference: str) -> bytes:
    async with database_of(settings).transaction() as tx:
        [(sealed,)] = await tx.fetchall("SELECT sealed FROM case_records WHERE reference = ?", (reference,))
    return bytes(sealed)


async def test_a_cases_payloads_are_encrypted_with_a_key_of_its_own(records_settings: Settings) -> None:
    reference = new_reference()
    [payload] = await codec(records_settings, reference).encode([PLAIN])

    assert payload.metadata["encoding"] == ENCODING and payload.metadata[VERSION_METADATA] == b"3"
    assert payload.metadata[CASE_METADATA] == reference.encode() and KEY_ID_METADATA not in payload.metadata
    nonce, ciphertext = payload.data[:12], payload.data[12:]
    for ring_key in records_settings.encryption_key_ring().keys.values():  # not the ring's key, in any format
        for bound in (None, case_associated_data(reference.encode()), associated_data(b"test-1", reference.encode())):
            with pytest.raises(InvalidTag):
                AESGCM(ring_key).decrypt(nonce, ciphertext, bound)
    # Another process (here the codec server, which knows no workflow) finds the key by the case.
    assert await codec(records_settings).decode([payload]) == [PLAIN]
    assert await codec(records_settings, reference).decode([payload]) == [PLAIN]
    [(wrapped, wrapped_with, destroyed_at)] = (await key_rows(records_settings)).values()
    assert wrapped_with == "test-1" and destroyed_at is None and len(bytes(wrapped)) == 12 + 32 + 16


async def test_two_cases_get_different_keys_and_one_cases_payload_does_not_pass_as_anothers(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    first, second = new_reference(), new_reference()
    ring = settings.encryption_key_ring()
    keys = case_keys_for(settings, ring)
    [payload] = await codec(settings, first).encode([PLAIN])
    await codec(settings, second).encode([PLAIN])

    assert await keys.to_encrypt(first) != await keys.to_encrypt(second)
    relabelled = Payload(metadata={**payload.metadata, CASE_METADATA: second.encode()}, data=payload.data)
    with pytest.raises(DecryptionError, match=f"payload of case {second} does not authenticate with its data key") as raised:
        await codec(settings).decode([relabelled])
    assert SECRET not in str(raised.value)
    not_a_case = Payload(metadata={**payload.metadata, CASE_METADATA: b"'; DROP TABLE case_keys"}, data=payload.data)
    with pytest.raises(DecryptionError, match="is not a case reference"):
        await codec(settings).decode([not_a_case])


class OneKeyForEveryCase:
    """Data keys that are all the same key: only the associated data tells the cases apart."""

    async def to_encrypt(self, reference: str) -> bytes:
        return b"k" * 32

    to_decrypt = to_encrypt


async def test_a_payload_is_bound_to_its_case_and_format_whatever_its_key(tmp_path: Path) -> None:
    ring = isolated_settings(tmp_path).encryption_key_ring()
    first, second = new_reference(), new_reference()
    codec_with_one_key = EncryptionCodec(ring, OneKeyForEveryCase())
    [payload] = await codec_with_one_key.with_context(WorkflowSerializationContext("default", first)).encode([PLAIN])

    relabelled = Payload(metadata={**payload.metadata, CASE_METADATA: second.encode()}, data=payload.data)
    with pytest.raises(DecryptionError, match=f"payload of case {second} does not authenticate"):
        await codec_with_one_key.decode([relabelled])
    nonce, ciphertext = payload.data[:12], payload.data[12:]
    with pytest.raises(InvalidTag):  # another format's associated data for the same case
        AESGCM(b"k" * 32).decrypt(nonce, ciphertext, associated_data(b"test-1", first.encode()))


async def test_a_wrapped_key_moved_to_another_case_does_not_unwrap(tmp_path: Path) -> None:
    """Whoever can write the key table cannot make one case's payloads open with another's key."""
    settings = isolated_settings(tmp_path)
    first, second = new_reference(), new_reference()
    await codec(settings, first).encode([PLAIN])
    [payload] = await codec(settings, second).encode([PLAIN])
    with sqlite3.connect(settings.records_path) as connection:
        connection.execute(
            "UPDATE case_keys SET wrapped = (SELECT wrapped FROM case_keys WHERE reference = ?) WHERE reference = ?",
            (first, second),
        )

    with pytest.raises(DecryptionError, match=f"the data key of case {second} does not unwrap with key id 'test-1'"):
        await codec(settings).decode([payload])


async def test_payloads_of_no_case_keep_the_key_ring_and_make_no_data_key(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    [purge] = await codec(settings, NO_CASE).encode([PLAIN])
    [anonymous] = await codec(settings).encode([PLAIN])

    for payload in (purge, anonymous):
        assert payload.metadata[VERSION_METADATA] == b"2" and payload.metadata[KEY_ID_METADATA] == b"test-1"
    assert await codec(settings).decode([purge, anonymous]) == [PLAIN, PLAIN]
    assert await key_rows(settings) == {}


async def test_a_cases_payloads_written_before_data_keys_still_decrypt(tmp_path: Path) -> None:
    """Version 2 (the ring, the case bound) and release 1.0.0 (the ring, nothing bound), as they were written."""
    settings = isolated_settings(tmp_path)
    reference = new_reference()
    ring_key = settings.encryption_key_ring().keys["test-1"]
    version_2, release_1_0_0 = os.urandom(12), os.urandom(12)
    payloads = [
        Payload(
            metadata={"encoding": ENCODING, VERSION_METADATA: b"2", KEY_ID_METADATA: b"test-1", CASE_METADATA: reference.encode()},
            data=version_2 + AESGCM(ring_key).encrypt(version_2, PLAIN.SerializeToString(), associated_data(b"test-1", reference.encode())),
        ),
        Payload(
            metadata={"encoding": ENCODING, KEY_ID_METADATA: b"test-1", CASE_METADATA: reference.encode()},
            data=release_1_0_0 + AESGCM(ring_key).encrypt(release_1_0_0, PLAIN.SerializeToString(), None),
        ),
    ]

    assert await codec(settings, reference).decode(payloads) == [PLAIN, PLAIN]
    assert await codec(settings).decode(payloads) == [PLAIN, PLAIN]
    assert await key_rows(settings) == {}  # reading old payloads makes no key


async def erase_or_purge(store: RecordsStore, reference: str, how: str) -> None:
    if how == "erase":
        assert await store.erase(reference, "erasure request", "jo.smith", ERASED_AT)
    else:
        assert [entry.reference for entry in await store.delete_due(date(2099, 1, 1), ERASED_AT)] == [reference]


@pytest.mark.parametrize("how", ["erase", "purge"])
async def test_an_erased_cases_payloads_and_a_backup_of_its_record_no_longer_decrypt(
    records_settings: Settings, records: RecordsStore, how: str
) -> None:
    case = closed_case()
    [payload] = await codec(records_settings, case.reference).encode([PLAIN])  # as its worker wrote its history
    await records.archive(archive_of(case, version=1))
    backup = await sealed_of(records_settings, case.reference)  # a copy of the records database, taken before

    await erase_or_purge(records, case.reference, how)

    for reader in (codec(records_settings), codec(records_settings, case.reference)):
        with pytest.raises(DecryptionError, match=f"payload of case {case.reference} cannot be decrypted: {DESTROYED}") as raised:
            await reader.decode([payload])
        assert SECRET not in str(raised.value)
    with pytest.raises(DecryptionError, match=DESTROYED):
        await unseal(data_converter(records_settings), case.reference, backup)
    # The reference is never given another key: nothing more is encrypted for it.
    with pytest.raises(CaseErased, match=f"case {case.reference} was erased: its data key was destroyed"):
        await codec(records_settings, case.reference).encode([PLAIN])
    assert await records.archive(archive_of(case, version=2)) is Archived.deleted
    [(wrapped, wrapped_with, destroyed_at)] = (await key_rows(records_settings)).values()
    assert (wrapped, wrapped_with) == (None, None) and destroyed_at == "2026-12-03T12:00:00.000000Z"


async def test_a_process_that_had_the_key_stops_reading_the_case_when_its_memory_of_it_expires(
    records_settings: Settings, records: RecordsStore
) -> None:
    now = [0.0]
    reader = codec(records_settings, cache=KeyCache(seconds=30, clock=lambda: now[0]))
    case = closed_case()
    [payload] = await codec(records_settings, case.reference).encode([PLAIN])
    await records.archive(archive_of(case, version=1))
    assert await reader.decode([payload]) == [PLAIN]

    await records.erase(case.reference, "erasure request", "jo.smith", ERASED_AT)

    now[0] = 29
    assert await reader.decode([payload]) == [PLAIN]  # still in memory: at most this long after erasure
    now[0] = 30
    with pytest.raises(DecryptionError, match=DESTROYED):
        await reader.decode([payload])


def test_the_memory_of_keys_keeps_the_latest_used() -> None:
    cache = KeyCache(size=2, seconds=60, clock=lambda: 0.0)
    cache.put("DR-2026-AAAAAA", b"a")
    cache.put("DR-2026-BBBBBB", b"b")
    assert cache.get("DR-2026-AAAAAA") == b"a"  # used: the other is now the oldest
    cache.put("DR-2026-CCCCCC", b"c")
    assert [cache.get(f"DR-2026-{letter * 6}") for letter in "ABC"] == [b"a", None, b"c"]


class CountedDatabase:
    """The records database, counting the transactions it is asked for."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self.transactions = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        self.transactions += 1
        async with self._database.transaction() as tx:
            yield tx

    async def forget(self) -> None: ...

    async def close(self) -> None: ...


async def test_an_encode_reaches_the_database_once_a_while_not_every_time(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    database = CountedDatabase(SqliteDatabase(settings.records_path))
    ring = settings.encryption_key_ring()
    worker = EncryptionCodec(ring, CaseKeys(database, ring)).with_context(WorkflowSerializationContext("default", new_reference()))

    for _ in range(20):
        assert await worker.decode(await worker.encode([PLAIN])) == [PLAIN]

    assert database.transactions == 1


async def test_a_reader_of_many_cases_reads_their_keys_together_and_still_refuses_each_in_words(
    records_settings: Settings, records: RecordsStore
) -> None:
    """A report decrypts every case: `warm` reads their keys in one transaction, not one each. A case
    erased is still refused in words when it is read; one with no key is passed over."""
    kept, erased, keyless = [new_reference() for _ in range(3)], new_reference(), new_reference()
    payloads = {reference: (await codec(records_settings, reference).encode([PLAIN]))[0] for reference in [*kept, erased]}
    async with database_of(records_settings).transaction() as tx:
        await destroy(tx, erased, ERASED_AT)
    database = CountedDatabase(database_of(records_settings))
    ring = records_settings.encryption_key_ring()
    reader = EncryptionCodec(ring, CaseKeys(database, ring))

    await reader.warm([*kept, erased, keyless, kept[0]])
    assert database.transactions == 1
    for reference in kept:
        assert await reader.decode([payloads[reference]]) == [PLAIN]
    assert database.transactions == 1  # every kept case's key was already at hand
    with pytest.raises(DecryptionError, match=DESTROYED):
        await reader.decode([payloads[erased]])
    with pytest.raises(ValueError, match=f"at most {WARM_BATCH}"):
        await reader.warm([new_reference() for _ in range(WARM_BATCH + 1)])


async def test_concurrent_first_uses_converge_on_one_key(records_settings: Settings) -> None:
    """Each process makes a key of its own before any is stored; the first stored is everyone's."""
    reference = new_reference()
    ring = records_settings.encryption_key_ring()
    processes = [case_keys_for(records_settings, ring) for _ in range(8)]  # each its own connections and memory

    keys = await asyncio.gather(*(process.to_encrypt(reference) for process in processes))

    assert len(set(keys)) == 1
    [payload] = await codec(records_settings, reference).encode([PLAIN])
    assert await codec(records_settings).decode([payload]) == [PLAIN]


async def test_a_rotated_ring_still_unwraps_and_a_dropped_wrapping_key_is_named(tmp_path: Path) -> None:
    old, new = new_key_entry("2025-a"), new_key_entry("2026-a")
    before, after = new_reference(), new_reference()
    [payload] = await codec(isolated_settings(tmp_path, encryption_keys=old), before).encode([PLAIN])

    rotated = isolated_settings(tmp_path, encryption_keys=f"{new},{old}")
    assert await codec(rotated).decode([payload]) == [PLAIN]
    await codec(rotated, after).encode([PLAIN])
    assert {reference: row[1] for reference, row in (await key_rows(rotated)).items()} == {before: "2025-a", after: "2026-a"}

    dropped = isolated_settings(tmp_path, encryption_keys=new)
    not_in_ring = f"data key of case {before} is wrapped with key id '2025-a', which is not in the key ring"
    with pytest.raises(DecryptionError, match=not_in_ring) as raised:
        await codec(dropped).decode([payload])
    assert SECRET not in str(raised.value) and old.partition(":")[2] not in str(raised.value)


async def test_a_case_erased_before_there_were_data_keys_never_gets_one(tmp_path: Path) -> None:
    """Migration 3 leaves a tombstone for every reference already in the deletion log."""
    settings = isolated_settings(tmp_path)
    erased_earlier, other = new_reference(), new_reference()
    with sqlite3.connect(settings.records_path) as older:  # a records file of release 1.1: migrations 1 and 2
        for _, statements in MIGRATIONS[:2]:
            for statement in statements:
                older.execute(statement.format(blob="BLOB"))
        older.execute("CREATE TABLE records_schema (version INTEGER NOT NULL)")
        older.execute("INSERT INTO records_schema (version) VALUES (2)")
        older.execute(
            "INSERT INTO deletion_log VALUES (?, '2026-06-01T00:00:00.000000Z', '2026-05-31', 'erased: request', 'jo.smith')",
            (erased_earlier,),
        )

    with pytest.raises(CaseErased, match=erased_earlier):
        await codec(settings, erased_earlier).encode([PLAIN])
    [payload] = await codec(settings, other).encode([PLAIN])
    assert payload.metadata[VERSION_METADATA] == b"3"


async def test_the_codec_server_says_in_words_that_an_erased_case_cannot_be_read(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    reference = new_reference()
    [payload] = await data_converter(settings).with_context(WorkflowSerializationContext("default", reference)).encode(
        [{"child": SECRET}]
    )
    async with SqliteDatabase(settings.records_path).transaction() as tx:
        await destroy(tx, reference, ERASED_AT)

    async with codec_client(settings) as client:
        answer = await client.post("/decode", data=json_format.MessageToJson(Payloads(payloads=[payload])), headers=JSON)
        text = await answer.text()

    assert answer.status == 400 and f"payload of case {reference} cannot be decrypted: {DESTROYED}" in text
    assert "Robin" not in text
