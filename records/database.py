"""The two databases behind the records store, seen through one small interface.

`Database.transaction()` yields a `Transaction` whose statements use `?` placeholders and run all
or nothing. SQLite (one worker host, the default) runs each statement on a thread; PostgreSQL
(several hosts; `records.postgres`) uses a psycopg 3 async pool. The migrations in `records.schema`
are applied once, at first use, under a lock, so two processes starting together apply them once.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from infra.sqlite import checkpoint, open_database
from records.schema import MIGRATIONS, SCHEMA_TABLE

if TYPE_CHECKING:
    from infra.settings import CommandSettings

RELEASED = 2  # the last migration of release 1.0.0

T = TypeVar("T")


class RecordsUnavailable(Exception):
    """The records database cannot be reached or opened; the message names no secret."""


class Transaction(Protocol):
    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Runs one statement; returns the number of rows it changed."""

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]: ...


class Database(Protocol):
    def transaction(self) -> AsyncIterator[Transaction]: ...

    async def forget(self) -> None:
        """After a deletion: leave no copy of the deleted rows in files this database keeps."""

    async def close(self) -> None: ...


def instant(moment: datetime) -> str:
    """A moment as stored: UTC, one fixed format, so that text order is time order in both databases."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def migrate(transaction: Transaction, blob: str) -> None:
    """Applies, in order, each migration this database has not had yet (the caller holds the schema
    lock), whatever its number: migrations written on two branches at once may land in either order.

    `records_schema` keeps one row per migration applied. A database from before that kept one row,
    the version it had reached, and is given one row per migration: release 1.0.0's (applied in
    order) and the one it reached. Those after 1.0.0 were written on branches at once, and a
    database reached one of them without the others (migration 5, on main, skipped 3 and 4).
    """
    rows = await transaction.fetchall("SELECT version FROM records_schema")
    applied = {version for (version,) in rows}
    if len(rows) == 1:
        reached = rows[0][0]
        applied = {version for version, _ in MIGRATIONS if version <= RELEASED or version == reached}
        await transaction.execute("DELETE FROM records_schema")
        for version in sorted(applied):
            await transaction.execute("INSERT INTO records_schema (version) VALUES (?)", (version,))
    for version, statements in MIGRATIONS:
        if version not in applied:
            for statement in statements:
                await transaction.execute(statement.format(blob=blob))
            await transaction.execute("INSERT INTO records_schema (version) VALUES (?)", (version,))


class _SqliteTransaction:
    def __init__(self, connection: sqlite3.Connection, thread: ThreadPoolExecutor) -> None:
        self._connection = connection
        self._thread = thread

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return await _on(self._thread, lambda: self._connection.execute(sql, params).rowcount)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return await _on(self._thread, lambda: self._connection.execute(sql, params).fetchall())


def _on(thread: ThreadPoolExecutor, work: Callable[[], T]) -> Awaitable[T]:
    return asyncio.get_running_loop().run_in_executor(thread, work)


class SqliteDatabase:
    """A file under the data folder, owner-only; one connection per transaction.

    Each transaction's statements run on one thread of its own, in order. A cancelled caller (a
    worker shutting down) stops waiting, but the statement it started still runs to its end on
    that thread, and the rollback and close are queued behind it: a connection is never closed
    under a running statement.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._migrated = False

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="records-sqlite")
        try:
            connection = await _on(thread, self._connect)
        except (OSError, sqlite3.OperationalError) as error:
            thread.shutdown(wait=False)
            raise RecordsUnavailable(f"cannot open the records file {self.path}: {error}") from None
        try:
            # IMMEDIATE: take the write lock at the start, so two writers queue instead of failing.
            await _on(thread, lambda: connection.execute("BEGIN IMMEDIATE"))
            transaction = _SqliteTransaction(connection, thread)
            if not self._migrated:
                await migrate(transaction, blob="BLOB")
            yield transaction
            await _on(thread, lambda: connection.execute("COMMIT"))
            self._migrated = True
        except BaseException:
            thread.submit(_roll_back, connection)  # not awaited: a cancelled caller cannot skip it
            raise
        finally:
            thread.submit(connection.close)
            thread.shutdown(wait=False)

    async def forget(self) -> None:
        """secure_delete has overwritten the rows in the pages written; the checkpoint moves those
        pages into the file and empties the log, which still held the rows' earlier pages."""
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="records-sqlite")
        try:
            connection = await _on(thread, lambda: open_database(self.path))
            try:
                await _on(thread, lambda: checkpoint(connection))
            finally:
                await _on(thread, connection.close)
        finally:
            thread.shutdown(wait=False)

    async def close(self) -> None:
        """Nothing to close: nothing is held between transactions."""

    def _connect(self) -> sqlite3.Connection:
        connection = open_database(self.path)  # used on its own thread only
        # Inside a write transaction from its start: a read lock upgraded to a write lock while
        # another store migrates would be refused at once ("database is locked"), not queued.
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(SCHEMA_TABLE)
        connection.execute("COMMIT")
        return connection


def _roll_back(connection: sqlite3.Connection) -> None:
    if connection.in_transaction:
        connection.execute("ROLLBACK")


def records_database_for(settings: CommandSettings, *, per_transaction: bool = False) -> Database:
    """The records database settings choose: PostgreSQL at DISAGREEMENT_RECORDS_URL (or the
    sent-log's), else the SQLite records file. `per_transaction`: a connection for each transaction,
    for a holder that is never closed (a data converter), instead of a pool."""
    url = settings.records_database_url
    if url is None:
        return SqliteDatabase(settings.records_path)
    from records.postgres import PostgresDatabase, PostgresPerTransaction  # psycopg only where it is used

    return PostgresPerTransaction(url) if per_transaction else PostgresDatabase(url)
