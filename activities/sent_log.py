"""The sent-log: what became of each message, keyed by its idempotency key (`Notice.key`).

A message moves through two writes, each committed before the next step:

1. `claim`: about to hand the message over. Recorded as `pending` with the chosen channel.
2. `record`: handed over (`sent`) or refused for good (`failed`, with the reason).

An attempt that finds `sent` or `failed` returns it without sending. An attempt that finds
`pending` knows an earlier one may have handed the message over before it died (a worker killed
between the send and the second write), and asks the backend to send only if the message is not
already there: GOV.UK Notify is searched by reference, the outbox file is simply rewritten, and
SMTP, which cannot be asked, sends again (see `activities.delivery.smtp`).

The log holds keys, templates, channels and reasons: no personal data.

One worker host: the SQLite file under `data_dir` is enough. SQLite locks within one machine only,
so several worker hosts on the same task queue need one log they all share, with the same two
writes: a table in a server database (PostgreSQL `INSERT ... ON CONFLICT`), or a conditional write
in a key-value store. A shared network file system is not a safe home for the SQLite file. Keep
the activity's start-to-close timeout longer than the backends' own timeouts, so that Temporal does
not start a retry while an attempt that timed out is still sending.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from domain.models import Channel, DeliveryStatus
from domain.notifications import Delivery, Template

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sent_log (
    key        TEXT PRIMARY KEY,
    template   TEXT NOT NULL,
    channel    TEXT NOT NULL,
    status     TEXT NOT NULL,
    reason     TEXT,
    updated_at TEXT NOT NULL
)
"""


class SentLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    async def find(self, key: str) -> Delivery | None:
        """What an earlier attempt did: `pending` means it may have handed the message over."""
        row = await asyncio.to_thread(self._read, key)
        if row is None:
            return None
        channel, status, reason = row
        return Delivery(status=DeliveryStatus(status), channel=Channel(channel), reason=reason)

    async def claim(self, key: str, template: Template, channel: Channel) -> None:
        """About to hand the message over."""
        await asyncio.to_thread(self._write, key, template, Delivery(status=DeliveryStatus.pending, channel=channel))

    async def record(self, key: str, template: Template, delivery: Delivery) -> None:
        """The message was handed over, or refused for good."""
        await asyncio.to_thread(self._write, key, template, delivery)

    def _read(self, key: str) -> tuple[str, str, str | None] | None:
        with closing(self._connect()) as connection:
            return connection.execute(
                "SELECT channel, status, reason FROM sent_log WHERE key = ?", (key,)
            ).fetchone()

    def _write(self, key: str, template: Template, delivery: Delivery) -> None:
        with closing(self._connect()) as connection, connection:  # commits on leaving
            connection.execute(
                "INSERT OR REPLACE INTO sent_log (key, template, channel, status, reason, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key, template.value, delivery.channel, delivery.status.value, delivery.reason,
                 datetime.now(UTC).isoformat()),
            )

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path)
        # FULL: a write acknowledged here survives a power cut, which is the point of the log.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(_SCHEMA)
        return connection
