"""What the console refuses before any page runs: a `Host` it does not answer to, and a body too large.

- `AllowedHosts`: a request whose `Host` is not one of the console's (settings `web_hosts`) gets a
  400 in words. A page on another site that rebinds its own name to this machine's address (DNS
  rebinding) sends its own name as `Host`, so it can drive nothing here.
- `BodyLimit`: a body over the limit gets a 413 in words, before anything reads or parses it: at
  once when `Content-Length` says so, else as soon as the bytes received pass the limit (a chunked
  body), when reading it raises `BodyTooLarge` (answered by the console's error handler).
"""

from __future__ import annotations

import html

import structlog
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger()

HOST_REFUSED = ("This address is not the case console",
                "The console does not answer to the address in this request. Use the console's own address.")
TOO_LARGE = ("What you sent is too large",
             "What you sent is larger than the console accepts ({limit} bytes). Nothing was changed.")


class BodyTooLarge(Exception):
    """The body passed the limit while it was being read."""


async def answer(send: Send, status: int, title: str, message: str) -> None:
    """A short page in words, for refusals made before the console's pages run."""
    body = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></body></html>\n"
    ).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": body})


class AllowedHosts:
    def __init__(self, app: ASGIApp, hosts: list[str]) -> None:
        self.app = app
        self.hosts = frozenset(host.lower() for host in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and Headers(scope=scope).get("host", "").lower() not in self.hosts:
            log.warning("request refused: unexpected Host", path=scope["path"])
            return await answer(send, 400, *HOST_REFUSED)
        await self.app(scope, receive, send)


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            log.warning("request refused: body too large", path=scope["path"])
            title, message = TOO_LARGE
            return await answer(send, 413, title, message.format(limit=self.limit))
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    log.warning("request refused: body too large", path=scope["path"])
                    raise BodyTooLarge
            return message

        await self.app(scope, counted, send)
