"""Codec server: lets the Temporal Web UI and CLI show decrypted payloads to authorised staff.

Temporal's remote codec protocol: `POST .../encode` and `POST .../decode` take and return a
`Payloads` message in protobuf JSON. Only the last path segment counts, so `/{namespace}/decode`
works as well as `/decode`. Browsers may read answers only from the Web UI's origin; when a token
is configured, every call needs it. Logs say what was asked, never what the payloads hold.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from functools import partial

import structlog
from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import PayloadCodec

from infra.codec import DecryptionError, EncryptionCodec
from infra.logs import configure_logging
from infra.settings import Settings, SettingsError, load_settings

Transform = Callable[[Sequence[Payload]], Awaitable[list[Payload]]]

# The Web UI sends these; `authorization` when it passes a token.
ALLOWED_HEADERS = "content-type,x-namespace,authorization"
PREFLIGHT_MAX_AGE_SECONDS = 600  # the UI decodes every event: spare it a preflight for each
# A request may carry a batch of payloads, and Temporal allows 2 MB for one payload.
MAX_REQUEST_BYTES = 16 * 1024 * 1024

log = structlog.get_logger(__name__)


def create_app(
    codec: PayloadCodec, *, allowed_origin: str, token: str | None = None
) -> web.Application:
    middlewares = [_cors(allowed_origin)] + ([_bearer_token(token)] if token else [])
    app = web.Application(middlewares=middlewares, client_max_size=MAX_REQUEST_BYTES)
    for operation, transform in (("encode", codec.encode), ("decode", codec.decode)):
        path = "/{prefix:(?:.*/)?}" + operation
        app.router.add_post(path, partial(_apply, operation, transform))
        app.router.add_route(hdrs.METH_OPTIONS, path, _preflight)
    return app


def build_app(settings: Settings) -> web.Application:
    """Raises SettingsError when no usable encryption key is configured."""
    token = settings.codec_token.get_secret_value() if settings.codec_token else None
    return create_app(
        EncryptionCodec(settings.encryption_key_ring()),
        allowed_origin=settings.codec_allowed_origin,
        token=token,
    )


def endpoint(settings: Settings) -> str:
    """The URL to give the Web UI (`--ui-codec-endpoint`) and the CLI (`--codec-endpoint`)."""
    return f"http://{settings.codec_server_ip}:{settings.codec_server_port}"


async def serve(settings: Settings) -> None:
    """Runs the codec server until cancelled."""
    runner = web.AppRunner(build_app(settings), access_log=None)  # we log requests ourselves
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.codec_server_ip, settings.codec_server_port).start()
        log.info(
            "codec server listening",
            endpoint=endpoint(settings),
            allowed_origin=settings.codec_allowed_origin,
            token_required=settings.codec_token is not None,
        )
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    configure_logging()
    try:
        with suppress(KeyboardInterrupt):
            asyncio.run(serve(load_settings()))
    except SettingsError as error:
        raise SystemExit(f"codec server: {error}") from None


async def _apply(operation: str, transform: Transform, request: web.Request) -> web.Response:
    try:
        payloads = json_format.Parse(await request.text(), Payloads())
    except json_format.ParseError:
        # The parser's message may quote the body: say only what was expected.
        raise web.HTTPBadRequest(text="expected a Payloads message in protobuf JSON") from None
    namespace = request.headers.get("X-Namespace")
    try:
        result = Payloads(payloads=await transform(payloads.payloads))
    except DecryptionError as error:
        log.warning(
            "codec request failed", operation=operation, namespace=namespace, reason=str(error)
        )
        raise web.HTTPBadRequest(text=str(error)) from None
    log.debug(
        "codec request", operation=operation, namespace=namespace, payloads=len(result.payloads)
    )
    return web.json_response(text=json_format.MessageToJson(result))


async def _preflight(request: web.Request) -> web.Response:
    return web.Response(status=204)  # the CORS middleware decides what the browser may do


def _cors(allowed_origin: str) -> Middleware:
    """Lets a browser read the answers only when the page comes from the Web UI's origin."""
    allowed = {
        hdrs.ACCESS_CONTROL_ALLOW_ORIGIN: allowed_origin,
        hdrs.ACCESS_CONTROL_ALLOW_METHODS: "POST",
        hdrs.ACCESS_CONTROL_ALLOW_HEADERS: ALLOWED_HEADERS,
        hdrs.ACCESS_CONTROL_MAX_AGE: str(PREFLIGHT_MAX_AGE_SECONDS),
        hdrs.VARY: hdrs.ORIGIN,
    }

    @web.middleware
    async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
        from_ui = request.headers.get(hdrs.ORIGIN) == allowed_origin
        headers = allowed if from_ui else {hdrs.VARY: hdrs.ORIGIN}
        try:
            response = await handler(request)
        except web.HTTPException as error:
            # Errors too, so that the UI can show "unauthorised" rather than a CORS failure.
            error.headers.update(headers)
            raise
        response.headers.update(headers)
        return response

    return cors


def _bearer_token(token: str) -> Middleware:
    expected = f"Bearer {token}".encode()

    @web.middleware
    async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        # A browser's preflight never carries credentials; the request that follows must.
        if request.method != hdrs.METH_OPTIONS:
            given = request.headers.get(hdrs.AUTHORIZATION, "").encode()
            if not hmac.compare_digest(given, expected):
                log.warning("codec request refused: no valid bearer token", path=request.path)
                raise web.HTTPUnauthorized(headers={hdrs.WWW_AUTHENTICATE: "Bearer"})
        return await handler(request)

    return require_token
