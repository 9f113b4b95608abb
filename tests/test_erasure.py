"""An erasure leaves nothing of the case in the files we keep (issue 18, "Erasure that erases", in part).

- The records file: SQLite keeps a deleted row's bytes in free pages and in the write-ahead log
  until they are reused (FIELD-NOTES, "Operations"). Every SQLite file of ours is opened with
  `secure_delete`, and a deletion (erase or purge) is followed by a checkpoint that empties the log:
  the sealed record's bytes are then found in no file under the data folder.
- The development outbox: an approved erasure (`approve-erase`) deletes the case's message files, and only its own.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from infra.settings import Settings
from infra.sqlite import open_database
from records.models import archive_of
from records.store import RecordsStore, records_store_for
from tests.cli_helpers import Staff
from tests.conftest import isolated_settings
from tests.records_fixtures import closed_case
from tests.test_records_cli import KIM, SAM, refused, staff  # noqa: F401 (the staff fixture: a worker and the CLI)

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
    assert "with its 2 message file(s) in the outbox" in erased.stdout
    assert sorted(path.name for path in outbox.iterdir()) == [
        f"{other.reference}.case_opened.applicant.txt", f"{other.reference}.withdrawn.applicant.txt",
    ]
    refused(await staff.run("erase", *SAM, case.reference, "--reason", "again"), f"no closed case {case.reference}")
