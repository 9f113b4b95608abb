"""Sessions kept on the server (records/sessions.py): the cookie carries only a random session id.

`ServerSessions` is an ASGI middleware giving each request `request.session` (a dict, as
Starlette's SessionMiddleware does, so authlib keeps its sign-in state there too), loaded from the
records database by the cookie's id. When the response starts, the session is written back:

- emptied (signing out): the row is deleted, so the old cookie, replayed, signs nobody in and its
  CSRF token matches nothing; the browser is told to forget the cookie;
- renewed (`renew(request)`, at sign-in): the old row is deleted and a new id issued, so an id
  planted before sign-in (session fixation) is worth nothing after it;
- changed: written; unchanged: marked as seen (the idle timeout counts from the last request).

A request with no session and nothing to keep creates no row.
"""

from __future__ import annotations

import json

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from records.sessions import SessionStore

RENEW = "session.renew"  # a flag in the ASGI scope: issue a new id for this session


def renew(request: Request) -> None:
    request.scope[RENEW] = True


class ServerSessions:
    def __init__(self, app: ASGIApp, store: SessionStore, cookie: str, secure: bool) -> None:
        self.app = app
        self.store = store
        self.cookie = cookie
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope["session"] = {}  # before loading: an error page can still be rendered if the database fails
        sent_id = Request(scope).cookies.get(self.cookie) or None
        loaded = await self.store.load(sent_id) if sent_id else None
        scope["session"] = dict(loaded) if loaded is not None else {}
        before = json.dumps(scope["session"], sort_keys=True)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                await self._write_back(scope, message, sent_id, loaded, before)
            await send(message)

        await self.app(scope, receive, sending)

    async def _write_back(self, scope: Scope, message: Message, sent_id, loaded, before: str) -> None:
        data = scope["session"]
        headers = MutableHeaders(scope=message)
        if loaded is not None and (not data or scope.get(RENEW)):
            await self.store.revoke(loaded.id)
            loaded = None
        if not data:
            if sent_id:  # signed out, expired or unknown: the browser forgets it
                headers.append("set-cookie", self._cookie("", 0))
        elif loaded is None:
            session_id = await self.store.create(data)
            headers.append("set-cookie", self._cookie(session_id, int(self.store.lifetime.total_seconds())))
        elif json.dumps(data, sort_keys=True) != before:
            await self.store.save(loaded.id, data)
        else:
            await self.store.touch(loaded)

    def _cookie(self, value: str, max_age: int) -> str:
        return f"{self.cookie}={value}; path=/; Max-Age={max_age}; httponly; samesite=lax" + (
            "; secure" if self.secure else ""
        )
