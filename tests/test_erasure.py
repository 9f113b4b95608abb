"""An erasure leaves nothing of the case that can be read (issue 18, "Erasure that erases", item 4).

- The records file: SQLite keeps a deleted row's bytes in free pages and in the write-ahead log
  until they are reused (FIELD-NOTES, "Operations"). Every SQLite file of ours is opened with
  `secure_delete`, and a deletion (erase or purge) is followed by a checkpoint that empties the log:
  the sealed record's bytes are then found in no file under the data folder.
- The development outbox: an approved erasure (`approve-erase`) deletes the case's message files, and only its own.
- Everything else, Temporal's own database first (whose deleted pages keep their bytes): the case's
  data key is destroyed, so on the real `make run` stack, nothing found in any file of the data
  folder decrypts to anything of the erased case, with the key ring and every data key left in hand,
  while another case in the same files still does.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.client import Client

from domain.models import Applicant, ApplicantRole, Contact, Supporter, Withdraw
from infra.codec import CASE_METADATA, associated_data, case_associated_data
from infra.converter import data_converter
from infra.keys import KeyRing
from infra.settings import Settings
from infra.sqlite import open_database
from records.case_keys import NONCE_BYTES, wrapping_bound
from records.models import archive_of
from records.store import RecordsStore, records_store_for
from tests.cli_helpers import Staff
from tests.conftest import isolated_settings, new_reference, open_case
from tests.records_fixtures import closed_case
from tests.test_devstack import ROOT, free_port, running_stack, wait_for_worker
from tests.test_records_cli import KIM, SAM, refused, staff  # noqa: F401 (the staff fixture: a worker and the CLI)
from workflows.case import DisagreementCase

ERASED_AT = datetime(2026, 12, 3, 12, tzinfo=UTC)


def sealed_bytes(path: Path, reference: str) -> bytes:
    with sqlite3.connect(path) as connection:
        [(sealed,)] = connection.execute("SELECT sealed FROM case_records WHERE reference = ?", (reference,)).fetchall()
    return bytes(sealed)


def files_holding(folder: Path, needle: bytes) -> list[str]:
    return [path.name for path in folder.rglob("*") if path.is_file() and needle in path.read_bytes()]


async def erase_or_purge(store: RecordsStore, reference: str, how: str) -> None:
    if how == "erase":
        assert await store.erase(reference, "erasure request", "jo.smith", ERASED_AT)
    else:
        assert [entry.reference for entry in await store.delete_due(date(2099, 1, 1), ERASED_AT)] == [reference]


def test_every_sqlite_file_of_ours_overwrites_what_it_deletes_whatever_the_builds_default(tmp_path: Path, monkeypatch) -> None:
    """This machine's SQLite is built with secure_delete on; a build without it is stood in for."""
    connect = sqlite3.connect

    def build_without_secure_delete(*args, **kwargs) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)
        connection.execute("PRAGMA secure_delete=OFF")
        return connection

    monkeypatch.setattr("infra.sqlite.sqlite3.connect", build_without_secure_delete)
    connection = open_database(tmp_path / "any.sqlite3")
    assert connection.execute("PRAGMA secure_delete").fetchone() == (1,)


async def test_an_erased_or_purged_record_is_in_no_file_of_the_data_folder(tmp_path: Path) -> None:
    for how in ("erase", "purge"):
        settings = isolated_settings(tmp_path / how)
        store = records_store_for(settings)
        kept, gone = closed_case(), closed_case()
        await store.archive(archive_of(kept, version=1))
        await store.archive(archive_of(gone, version=1))
        path = settings.data_dir / "records.sqlite3"
        needle = sealed_bytes(path, gone.reference)[-64:]  # the end of its ciphertext: its own bytes alone
        assert files_holding(settings.data_dir, needle), "the sealed record is written before it is erased"
        if how == "purge":
            await store.hold(kept.reference, "a complaint", "jo.smith", ERASED_AT)  # only the other one is due
        await erase_or_purge(store, gone.reference, how)
        assert files_holding(settings.data_dir, needle) == [], how
        assert sealed_bytes(path, kept.reference)  # the other case is untouched
        await store.close()


async def test_erase_deletes_the_cases_messages_from_the_outbox_and_no_others(
    staff: Staff, records: RecordsStore, records_settings: Settings,  # noqa: F811
) -> None:
    case, other = closed_case(), closed_case()
    await records.archive(archive_of(case, version=1))
    outbox = records_settings.outbox_path
    outbox.mkdir(parents=True, exist_ok=True)
    for reference in (case.reference, other.reference):
        for event in ("case_opened", "withdrawn"):
            (outbox / f"{reference}.{event}.applicant.txt").write_text("To: Sam Parent <sam.parent@example.org>\n")

    assert (await staff.run("erase", *SAM, case.reference, "--reason", "erasure request")).code == 0
    erased = await staff.run("approve-erase", *KIM, case.reference)

    assert erased.code == 0, erased.stderr
    assert "with its 2 message files in the outbox" in erased.stdout
    assert sorted(path.name for path in outbox.iterdir()) == [
        f"{other.reference}.case_opened.applicant.txt", f"{other.reference}.withdrawn.applicant.txt",
    ]
    refused(await staff.run("erase", *SAM, case.reference, "--reason", "again"), f"no closed case {case.reference}")


# --- Crypto-shredding, on the real stack ---------------------------------------------------------

ERASED = open_case(
    applicant=Applicant(
        role=ApplicantRole.parent, name="Wren Erasable", contact=Contact(email="wren.erasable@example.org", phone="07700 900461")
    ),
    supporter=Supporter(name="Ash Erasable-Adviser", email="ash.erasable@sendiass.example.org"),
    summary="Wren's son needs a Braille-trained teaching assistant",
)
KEPT = open_case(
    applicant=Applicant(role=ApplicantRole.parent, name="Kit Keepsake", contact=Contact(email="kit.keepsake@example.org")),
    summary="Kit's daughter needs a quiet room at lunchtime",
)
ERASED_STRINGS = ["Wren Erasable", "wren.erasable@example.org", "900461", "Ash Erasable-Adviser", "Braille-trained", "Erasable family"]
KEPT_STRINGS = ["Kit Keepsake", "kit.keepsake@example.org", "quiet room at lunchtime"]
LONGEST_PAYLOAD = 1 << 20  # a protobuf field longer than this in our files is no payload of ours


async def test_nothing_of_an_erased_case_can_be_read_from_any_file_of_the_data_folder(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("DEV_SERVER_PORT", "UI_PORT", "CODEC_SERVER_PORT", "WEB_PORT")}
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("DISAGREEMENT_", "TEMPORAL_"))},
        "DISAGREEMENT_DATA_DIR": str(tmp_path),
        **{f"DISAGREEMENT_{name}": str(port) for name, port in ports.items()},
    }
    address = f"127.0.0.1:{ports['DEV_SERVER_PORT']}"
    erased, kept = new_reference(), new_reference()

    with running_stack(env):
        settings = Settings(data_dir=tmp_path)  # the stack's own development key ring
        client = await Client.connect(address, data_converter=data_converter(settings))
        for reference, opened in ((erased, ERASED), (kept, KEPT)):
            handle = await client.start_workflow(DisagreementCase.run, opened, id=reference, task_queue=settings.task_queue)
            await wait_for_worker(client, reference)
            reason = "the Erasable family moved away" if reference == erased else "resolved between them"
            await handle.execute_update(DisagreementCase.withdraw, Withdraw(actor="jo.smith", party="applicant", reason=reason))
            await handle.result()
            await archived(settings, reference)
        for command in (["erase", *SAM, erased, "--reason", "erasure request 2026-114"], ["approve-erase", *KIM, erased]):
            done = await asyncio.to_thread(
                subprocess.run, [sys.executable, "starter.py", *command],
                cwd=ROOT, env={**env, "TEMPORAL_ADDRESS": address}, capture_output=True, text=True, timeout=120,
            )
            assert done.returncode == 0, done.stderr

    ring = settings.encryption_key_ring()
    files = {path: path.read_bytes() for path in sorted(tmp_path.rglob("*")) if path.is_file()}
    data_keys = remaining_data_keys(tmp_path / "records.sqlite3", ring)
    assert erased not in data_keys and kept in data_keys
    recovered = [plain for path, content in files.items() for plain in decryptable(content, ring, data_keys, [erased, kept])]
    recovered += [plain for blob in sqlite_blobs(files) for plain in decryptable(blob, ring, data_keys, [erased, kept])]

    # Temporal's own file keeps the erased case's payloads (it overwrites nothing it deletes): only
    # the destroyed key keeps them unread. Without them here, this test would prove nothing.
    assert payloads_of(erased, files[tmp_path / "temporal.sqlite"]) > 0
    assert any(all(text.encode() in plain for text in KEPT_STRINGS[:2]) for plain in recovered), "the other case still decrypts"
    for text in ERASED_STRINGS:
        assert not [plain for plain in recovered if text.encode() in plain], f"{text!r} decrypted from the data folder"
        assert not [path.name for path, content in files.items() if text.encode() in content], f"{text!r} in plain text"
    assert wrapped_keys_in(files, ring, kept) and not wrapped_keys_in(files, ring, erased)


def payloads_of(reference: str, content: bytes) -> int:
    """How many encrypted payloads in these bytes name the case (their metadata's map entry)."""
    return content.count(CASE_METADATA.encode() + b"\x12" + bytes([len(reference)]) + reference.encode())


async def archived(settings: Settings, reference: str) -> None:
    store = records_store_for(settings)
    try:
        for _ in range(100):
            if await store.get(reference) is not None:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{reference} was not archived")
    finally:
        await store.close()


def remaining_data_keys(records: Path, ring: KeyRing) -> dict[str, AESGCM]:
    """Every data key the records database still holds, unwrapped as anyone with the ring can."""
    with sqlite3.connect(records) as connection:
        rows = connection.execute("SELECT reference, wrapped, wrapped_with FROM case_keys WHERE wrapped IS NOT NULL").fetchall()
    unwrapped = {
        reference: AESGCM(ring.keys[key_id]).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], wrapping_bound(reference, key_id))
        for reference, wrapped, key_id in rows
    }
    return {reference: AESGCM(key) for reference, key in unwrapped.items()}


def decryptable(content: bytes, ring: KeyRing, data_keys: dict[str, AESGCM], cases: list[str]) -> Iterator[bytes]:
    """What every candidate payload in these bytes decrypts to, with any key we hold, in any format
    (release 1.0.0, version 2 bound to either case or to none, version 3 of either case)."""
    attempts = [(AESGCM(key), None) for key in ring.keys.values()]
    attempts += [
        (AESGCM(key), associated_data(key_id.encode(), case.encode() if case else None))
        for key_id, key in ring.keys.items() for case in [*cases, None]
    ]
    attempts += [(key, case_associated_data(case.encode())) for key in data_keys.values() for case in cases]
    for candidate in protobuf_bytes_fields(content):
        for cipher, bound in attempts:
            try:
                yield cipher.decrypt(candidate[:NONCE_BYTES], candidate[NONCE_BYTES:], bound)
            except InvalidTag:
                continue


def protobuf_bytes_fields(content: bytes) -> Iterator[bytes]:
    """Every run of bytes that a payload's `data` field (field 2, length-delimited: tag 0x12) could
    be, wherever it starts: in a live row, a deleted one left in a free page, or a log."""
    at = content.find(b"\x12")
    while at != -1:
        length, start = varint(content, at + 1)
        if NONCE_BYTES + 16 <= length <= LONGEST_PAYLOAD and start + length <= len(content):
            yield content[start:start + length]
        at = content.find(b"\x12", at + 1)


def varint(content: bytes, at: int) -> tuple[int, int]:
    value, shift = 0, 0
    while at < len(content) and shift < 35:
        byte = content[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if not byte & 0x80:
            return value, at
    return -1, at


def sqlite_blobs(files: dict[Path, bytes]) -> Iterator[bytes]:
    """Every blob in every live row of the SQLite files: whole, where a file's pages split it."""
    for path, content in files.items():
        if not content.startswith(b"SQLite format 3\x00"):
            continue
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                for row in connection.execute(f'SELECT * FROM "{table}"'):
                    yield from (value for value in row if isinstance(value, bytes))


def wrapped_keys_in(files: dict[Path, bytes], ring: KeyRing, reference: str) -> list[str]:
    """The files in which a case's wrapped data key is found, at any offset (a free page, a log)."""
    found = []
    size = NONCE_BYTES + 32 + 16
    for path, content in files.items():
        for key_id, key in ring.keys.items():
            cipher, bound = AESGCM(key), wrapping_bound(reference, key_id)
            for at in range(len(content) - size + 1):
                try:
                    cipher.decrypt(content[at:at + NONCE_BYTES], content[at + NONCE_BYTES:at + size], bound)
                except InvalidTag:
                    continue
                found.append(path.name)
    return found
