"""The sent-log in PostgreSQL, for deployments with several worker hosts (see `activities.sent_log`).

The same claim, record and release as the SQLite log, each one statement; leases are timed by the
database server's clock, so worker hosts need not agree on the time. Connections come from a psycopg
3 async pool, opened on first use (the worker builds its activities before its event loop runs
them). Set `DISAGREEMENT_SENT_LOG_URL=postgresql://user@host/db`; the table is created if missing.
"""

from __future__ import annotations

import asyncio

from psycopg_pool import AsyncConnectionPool

from activities.sent_log import Claim, ClaimState, claim_from_row
from domain.models import Channel
from domain.notifications import Delivery, Template

POOL_SIZE = 4  # a worker runs a handful of deliveries at once; each holds a connection briefly

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent_log (
    key         TEXT PRIMARY KEY,
    template    TEXT NOT NULL,
    channel     TEXT NOT NULL,
    status      TEXT NOT NULL,
    reason      TEXT,
    attempt     TEXT NOT NULL,
    lease_until TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""
_LEASE = "now() + make_interval(secs => %(lease)s)"


class PostgresSentLog:
    def __init__(self, url: str) -> None:
        self._pool = AsyncConnectionPool(url, min_size=1, max_size=POOL_SIZE, open=False, kwargs={"autocommit": True})
        self._opened = False
        self._opening = asyncio.Lock()

    async def claim(self, key: str, template: Template, channel: Channel, attempt: str, lease_seconds: float) -> Claim:
        values = dict(key=key, template=template.value, channel=channel.value, attempt=attempt, lease=lease_seconds)
        async with (await self._connection()) as db:
            inserted = await db.execute(
                "INSERT INTO sent_log (key, template, channel, status, attempt, lease_until)"
                f" VALUES (%(key)s, %(template)s, %(channel)s, 'pending', %(attempt)s, {_LEASE})"
                " ON CONFLICT (key) DO NOTHING",
                values,
            )
            if inserted.rowcount:
                return Claim(ClaimState.new, channel)
            taken = await (
                await db.execute(
                    f"UPDATE sent_log SET attempt = %(attempt)s, lease_until = {_LEASE}, updated_at = now()"
                    " WHERE key = %(key)s AND status = 'pending' AND lease_until <= now() RETURNING channel",
                    values,
                )
            ).fetchone()
            if taken:
                return Claim(ClaimState.taken_over, Channel(taken[0]))
            row = await (
                await db.execute("SELECT channel, status, reason FROM sent_log WHERE key = %s", (key,))
            ).fetchone()
        return claim_from_row(ClaimState.busy, *row)

    async def record(self, key: str, template: Template, delivery: Delivery, attempt: str) -> None:
        async with (await self._connection()) as db:
            await db.execute(
                "UPDATE sent_log SET status = %s, channel = COALESCE(%s, channel), reason = %s, updated_at = now()"
                " WHERE key = %s AND status = 'pending'",
                (delivery.status.value, delivery.channel, delivery.reason, key),
            )

    async def release(self, key: str, attempt: str) -> None:
        async with (await self._connection()) as db:
            await db.execute(
                "UPDATE sent_log SET lease_until = now() WHERE key = %s AND attempt = %s AND status = 'pending'",
                (key, attempt),
            )

    async def close(self) -> None:
        if self._opened:
            await self._pool.close()

    async def _connection(self):
        async with self._opening:
            if not self._opened:
                await self._pool.open(wait=True, timeout=30)
                async with self._pool.connection() as db, db.transaction():
                    # Two workers starting together would race `IF NOT EXISTS` in the catalogue (one
                    # fails on the table's row type): one creates the table at a time, the other waits.
                    await db.execute("SELECT pg_advisory_xact_lock(hashtext('sent_log_schema'))")
                    await db.execute(_SCHEMA)
                self._opened = True
        return self._pool.connection()
