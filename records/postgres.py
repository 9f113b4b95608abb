"""The records store's PostgreSQL database: one shared by every worker host and the staff tools.

A psycopg 3 async pool, opened on first use. Set `DISAGREEMENT_RECORDS_URL` (or share the sent-log's
`DISAGREEMENT_SENT_LOG_URL`); the tables are created by the migrations in `records.schema`.
`PostgresPerTransaction` connects for each transaction instead, for what reads rarely and is
never closed (the data converter's case keys, records/case_keys.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from psycopg import AsyncConnection, OperationalError
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from records.database import RecordsUnavailable, Transaction, migrate
from records.schema import SCHEMA_TABLE

POOL_SIZE = 4
OPEN_TIMEOUT_SECONDS = 10


class _PostgresTransaction:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self._connection.execute(_placeholders(sql), params)
        return cursor.rowcount

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        cursor = await self._connection.execute(_placeholders(sql), params)
        return await cursor.fetchall()


def _placeholders(sql: str) -> str:
    # The statements are written once with `?`; psycopg's placeholder is `%s`.
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresDatabase:
    def __init__(self, url: str) -> None:
        self._pool = AsyncConnectionPool(url, min_size=1, max_size=POOL_SIZE, open=False)
        self._opened = False
        self._opening = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        await self._open()
        try:
            async with self._pool.connection() as connection, connection.transaction():
                yield _PostgresTransaction(connection)
        except (OperationalError, PoolTimeout) as error:
            raise RecordsUnavailable(f"lost the records database: {type(error).__name__}") from None

    async def forget(self) -> None:
        """PostgreSQL reuses a deleted row's space at its next vacuum; until then the sealed record
        is there, unreadable: its case's data key was destroyed with it (docs/records-retention.md)."""

    async def close(self) -> None:
        if self._opened:
            await self._pool.close()

    async def _open(self) -> None:
        async with self._opening:
            if self._opened:
                return
            try:
                await self._pool.open(wait=True, timeout=OPEN_TIMEOUT_SECONDS)
            except PoolTimeout:
                # The URL holds a password: say where the settings are, never the URL.
                raise RecordsUnavailable(
                    f"cannot reach the records database within {OPEN_TIMEOUT_SECONDS} s "
                    "(DISAGREEMENT_RECORDS_URL, or DISAGREEMENT_SENT_LOG_URL)"
                ) from None
            async with self._pool.connection() as connection, connection.transaction():
                await _migrate(connection)
            self._opened = True


class PostgresPerTransaction:
    """A connection of its own for each transaction, closed at its end: nothing to close after."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._migrated = False

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        try:
            connection = await AsyncConnection.connect(self._url, connect_timeout=OPEN_TIMEOUT_SECONDS)
        except OperationalError:
            raise RecordsUnavailable(
                "cannot reach the records database (DISAGREEMENT_RECORDS_URL, or DISAGREEMENT_SENT_LOG_URL)"
            ) from None
        try:
            async with connection, connection.transaction():
                if not self._migrated:
                    await _migrate(connection)
                yield _PostgresTransaction(connection)
            self._migrated = True
        except OperationalError as error:
            raise RecordsUnavailable(f"lost the records database: {type(error).__name__}") from None

    async def forget(self) -> None:
        """As PostgresDatabase: the space is reused at the next vacuum."""

    async def close(self) -> None:
        """Nothing is held between transactions."""


async def _migrate(connection: AsyncConnection) -> None:
    # One process migrates at a time; the others wait, then find nothing left to do.
    await connection.execute("SELECT pg_advisory_xact_lock(hashtext('records_schema'))")
    await connection.execute(SCHEMA_TABLE)
    await migrate(_PostgresTransaction(connection), blob="BYTEA")
