"""Opening the product's SQLite files (the sent-log, the records of closed cases): owner-only,
write-ahead logged, every acknowledged write durable, deleted rows overwritten (secure_delete)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from infra.files import PRIVATE_FILE, private_folder

BUSY_SECONDS = 30  # how long a statement waits for another connection's write lock
SWITCH_ATTEMPTS = 50  # the switch to WAL, tried again this many times (about 2.5 s in all)


def open_database(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (callers begin their transactions themselves), to be used
    on the thread that opened it."""
    private_folder(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))  # owner-only from the start
    connection = sqlite3.connect(path, isolation_level=None, timeout=BUSY_SECONDS)
    _write_ahead_log(connection)
    connection.execute("PRAGMA synchronous=FULL")  # a write acknowledged survives a power cut
    # A deleted row's bytes are overwritten, not left in free pages (set, never left to the build).
    connection.execute("PRAGMA secure_delete=ON")
    return connection


def checkpoint(connection: sqlite3.Connection) -> None:
    """Copy the write-ahead log into the file and empty it: after a deletion, the log's copies of
    the deleted pages go too."""
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _write_ahead_log(connection: sqlite3.Connection) -> None:
    """WAL is kept in the file, so this switches a new file once. The switch needs the file to
    itself, and SQLite answers one it cannot make at once with "database is locked" instead of
    waiting (several workers or stores opening a new file together): so it is tried again, briefly."""
    for attempt in range(SWITCH_ATTEMPTS):
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == SWITCH_ATTEMPTS - 1:
                raise
            time.sleep(0.05)
