"""The web console's sessions, kept in the records database (SQLite by default, PostgreSQL when
`DISAGREEMENT_RECORDS_URL` is set), so a session ends when the server says so.

The browser holds only a random id (256 bits); the table holds its SHA-256 digest, the session's
data (JSON: who is signed in, the CSRF token, the page to return to) and two instants. A session
is over after `idle` without a request or `lifetime` after it began, whichever comes first; signing
out deletes it. Expired rows are swept whenever a session is created.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.settings import Settings
from records.database import Database, records_database_for

TOUCH_EVERY = timedelta(seconds=30)  # how stale `seen_at` may get before a request writes it again


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class Session(dict[str, Any]):
    """A live session's data, with its id and when it was last written as seen."""

    def __init__(self, session_id: str, data: dict[str, Any], seen_at: datetime) -> None:
        super().__init__(data)
        self.id = session_id
        self.seen_at = seen_at


class SessionStore:
    def __init__(
        self, database: Database, idle: timedelta, lifetime: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._db = database
        self.idle = idle
        self.lifetime = lifetime
        self._clock = clock

    async def close(self) -> None:
        await self._db.close()

    async def load(self, session_id: str) -> Session | None:
        """The session with this id, unless it is unknown, signed out, idle too long or too old."""
        now = self._clock()
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT data, seen_at FROM staff_sessions WHERE id_digest = ? AND seen_at > ? AND created_at > ?",
                (_digest(session_id), _instant(now - self.idle), _instant(now - self.lifetime)),
            )
        if not rows:
            return None
        data, seen_at = rows[0]
        return Session(session_id, json.loads(data), datetime.fromisoformat(seen_at))

    async def create(self, data: dict[str, Any]) -> str:
        """A new session holding `data`; returns its id, for the cookie."""
        session_id = secrets.token_urlsafe(32)
        now = _instant(self._clock())
        async with self._db.transaction() as tx:
            await self._sweep(tx)
            await tx.execute(
                "INSERT INTO staff_sessions (id_digest, data, created_at, seen_at) VALUES (?, ?, ?, ?)",
                (_digest(session_id), json.dumps(data), now, now),
            )
        return session_id

    async def save(self, session_id: str, data: dict[str, Any]) -> None:
        """Writes the session's data and marks it seen now (a signed-out one stays signed out)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE staff_sessions SET data = ?, seen_at = ? WHERE id_digest = ?",
                (json.dumps(data), _instant(self._clock()), _digest(session_id)),
            )

    async def touch(self, session: Session) -> None:
        """Marks the session seen now, at most every TOUCH_EVERY (reading a page is not a write)."""
        now = self._clock()
        if now - session.seen_at >= TOUCH_EVERY:
            async with self._db.transaction() as tx:
                await tx.execute(
                    "UPDATE staff_sessions SET seen_at = ? WHERE id_digest = ?", (_instant(now), _digest(session.id)),
                )

    async def revoke(self, session_id: str) -> None:
        """Ends the session: its cookie, replayed, signs nobody in and its CSRF token is refused."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM staff_sessions WHERE id_digest = ?", (_digest(session_id),))

    async def _sweep(self, tx) -> None:
        now = self._clock()
        await tx.execute(
            "DELETE FROM staff_sessions WHERE seen_at <= ? OR created_at <= ?",
            (_instant(now - self.idle), _instant(now - self.lifetime)),
        )


def session_store_for(settings: Settings, idle: timedelta, lifetime: timedelta) -> SessionStore:
    """In the records database, chosen as `records.store.records_store_for` chooses it."""
    return SessionStore(records_database_for(settings), idle, lifetime)
