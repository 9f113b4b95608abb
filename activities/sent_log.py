"""The sent-log: what became of each message, keyed by its idempotency key (`Notice.key`).

Each attempt to send a message has an attempt id and goes through two writes:

1. `claim`: one atomic statement (`INSERT ... ON CONFLICT DO NOTHING`) makes this attempt the only
   one that may send the message, for a lease a little longer than its send time limit. Whoever
   loses finds the message `sent` or `failed` (done: nothing to send), or `pending` under another
   attempt's lease (busy: try again later), or `pending` with the lease run out: the attempt that
   held it died or gave up, and may have handed the message over first. Taking over is one
   conditional `UPDATE`, so only one attempt wins it, and it sends with `maybe_sent`: GOV.UK Notify
   is searched by reference, the outbox file is rewritten, and SMTP, which cannot be asked, sends
   again (see `activities.delivery.smtp`).
2. `record`: handed over (`sent`) or refused for good (`failed`, with the reason). An attempt that
   failed for now without sending `release`s its lease, so the next one need not wait it out.

The log holds keys, templates, channels, attempt ids and reasons: no personal data.

Where to keep it. One worker host: the SQLite file under `data_dir` (the default). SQLite locks
within one machine only, and a network file system is not a safe home for it, so as soon as two
worker hosts poll the same task queue, set `DISAGREEMENT_SENT_LOG_URL` to a PostgreSQL database
they all share (`activities.sent_log_postgres`); the statements are the same.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol, TypeVar

from domain.models import Channel, DeliveryStatus
from domain.notifications import Delivery, Template
from infra.sqlite import open_database


class ClaimState(StrEnum):
    new = "new"  # this attempt is the first: send
    taken_over = "taken_over"  # an earlier attempt's lease ran out: send, it may already be there
    busy = "busy"  # another attempt holds the lease: do not send now
    done = "done"  # sent or refused for good: do not send


@dataclass(frozen=True)
class Claim:
    state: ClaimState
    channel: Channel | None = None  # the channel the message goes (or went) by
    delivery: Delivery | None = None  # for `done`: what became of it

    @property
    def may_send(self) -> bool:
        return self.state in (ClaimState.new, ClaimState.taken_over)


class SentLog(Protocol):
    async def claim(self, key: str, template: Template, channel: Channel, attempt: str, lease_seconds: float) -> Claim:
        """Make `attempt` the one attempt allowed to send this message, if no other may be sending it."""

    async def record(self, key: str, template: Template, delivery: Delivery, attempt: str) -> None:
        """The message was handed over, or refused for good: the first final answer stays."""

    async def release(self, key: str, attempt: str) -> None:
        """This attempt stopped without an answer: the next one may take over at once."""

    async def close(self) -> None: ...


def claim_from_row(state_if_pending: ClaimState, channel: str, status: str, reason: str | None) -> Claim:
    """What a row that this attempt could not claim says (shared by both databases)."""
    if status == DeliveryStatus.pending:
        return Claim(state_if_pending, Channel(channel))
    delivery = Delivery(status=DeliveryStatus(status), channel=Channel(channel), reason=reason)
    return Claim(ClaimState.done, Channel(channel), delivery)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent_log (
    key         TEXT PRIMARY KEY,
    template    TEXT NOT NULL,
    channel     TEXT NOT NULL,
    status      TEXT NOT NULL,
    reason      TEXT,
    updated_at  TEXT NOT NULL,
    attempt     TEXT,
    lease_until REAL
)
"""
# Logs written before attempts had ids: their pending rows have no lease, so they may be taken over.
_ADDED_COLUMNS = {"attempt": "TEXT", "lease_until": "REAL"}


T = TypeVar("T")


class SqliteSentLog:
    """One worker host. Times are this host's clock (seconds since the epoch).

    One connection, opened on first use and kept, on a thread of its own (an sqlite3 connection
    stays on the thread that opened it): opening one per statement, with its pragmas and schema
    check, cost ten times the statement itself, for every message."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sent-log")
        self._db: sqlite3.Connection | None = None

    async def claim(self, key: str, template: Template, channel: Channel, attempt: str, lease_seconds: float) -> Claim:
        return await self._on_thread(self._claim, key, template, channel, attempt, lease_seconds)

    async def record(self, key: str, template: Template, delivery: Delivery, attempt: str) -> None:
        await self._on_thread(self._record, key, template, delivery)

    async def release(self, key: str, attempt: str) -> None:
        await self._on_thread(self._release, key, attempt)

    async def close(self) -> None:
        await self._on_thread(self._close)
        self._thread.shutdown()

    async def _on_thread(self, work: Callable[..., T], *args) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, work, *args)

    def _claim(self, key: str, template: Template, channel: Channel, attempt: str, lease_seconds: float) -> Claim:
        now = time.time()
        db = self._connection()
        inserted = db.execute(
            "INSERT INTO sent_log (key, template, channel, status, updated_at, attempt, lease_until)"
            " VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (key, template.value, channel.value, _stamp(), attempt, now + lease_seconds),
        ).rowcount
        if inserted:
            return Claim(ClaimState.new, channel)
        taken = db.execute(
            "UPDATE sent_log SET attempt = ?, lease_until = ?, updated_at = ?"
            " WHERE key = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until <= ?)"
            " RETURNING channel",
            (attempt, now + lease_seconds, _stamp(), key, now),
        ).fetchone()
        if taken:
            return Claim(ClaimState.taken_over, Channel(taken[0]))
        row = db.execute("SELECT channel, status, reason FROM sent_log WHERE key = ?", (key,)).fetchone()
        return claim_from_row(ClaimState.busy, *row)

    def _record(self, key: str, template: Template, delivery: Delivery) -> None:
        self._connection().execute(
            "UPDATE sent_log SET status = ?, channel = COALESCE(?, channel), reason = ?, updated_at = ?"
            " WHERE key = ? AND status = 'pending'",
            (delivery.status.value, delivery.channel, delivery.reason, _stamp(), key),
        )

    def _release(self, key: str, attempt: str) -> None:
        self._connection().execute(
            "UPDATE sent_log SET lease_until = ? WHERE key = ? AND attempt = ? AND status = 'pending'",
            (time.time(), key, attempt),
        )

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = self._connect()
        return self._db

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _connect(self) -> sqlite3.Connection:
        db = open_database(self.path)  # autocommit: every statement is its own transaction
        db.execute(_SCHEMA)
        present = {row[1] for row in db.execute("PRAGMA table_info(sent_log)")}
        for column, kind in _ADDED_COLUMNS.items():
            if column not in present:
                with suppress(sqlite3.OperationalError):  # another connection added it first
                    db.execute(f"ALTER TABLE sent_log ADD COLUMN {column} {kind}")
        return db


def _stamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
