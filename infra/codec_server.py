"""Codec server: lets the Temporal Web UI and CLI show decrypted payloads to authorised staff.

Temporal's remote codec protocol: `POST .../encode` and `POST .../decode` take and return a
`Payloads` message in protobuf JSON. Only the last path segment counts, so `/{namespace}/decode`
works as well as `/decode`.

Safe to expose, in layers:
- It refuses to start on an address other machines can reach unless callers must authenticate.
- Callers authenticate with the static token (development) or with the access token a self-hosted
  Web UI forwards (its codec settings pass-access-token and include-credentials): a JWT signed by
  a key of the configured issuer's JWKS, for that issuer and this server's audience (required: a
  token for another API is refused), not expired, living no longer than the cap (12 hours by
  default: a token made to last for years is refused even while valid), and naming in its roles
  claim a role that may read payloads (DESIGN section 12's roles by default). A token that does not
  establish who is asking is a 401, a caller without such a role a 403; each says why in words,
  never quoting the token or naming the caller.
- The Host header must name this server (a DNS-rebinding page cannot borrow it), a request from a
  browser page must come from the Web UI's origin, and the body must be `application/json` (which
  a page cannot send elsewhere without a CORS preflight), and small.
- `/encode` answers authenticated callers only: it encrypts under the production key.
- Errors say what was wrong, never what the payloads hold nor which key ids the ring has. The log
  says who decoded what for which case (by reference), never the content. A case reference is
  bound to its payload's ciphertext (infra/codec.py, encryption versions 2 and 3), so the log's
  `cases` are the payloads' own; release 1.0.0's payloads bound nothing, and the log lists theirs
  apart, as `unbound_cases`.
- A case's payloads (version 3) are decrypted with its data key, read from the records database
  (DISAGREEMENT_RECORDS_URL, or the records file) and kept in memory for ERASED_READABLE_SECONDS at
  most: an erased case's payloads stop showing that soon after, and then say it was erased.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial

import jwt
import structlog
from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from infra.identity import Role, roles_from_claims
from infra.codec import CASE_METADATA, VERSION_METADATA, CaseErased, DecryptionError, EncryptionCodec
from infra.logs import configure_logging
from infra.request_metrics import UNMATCHED, RequestMetrics
from infra.settings import ENV_PREFIX, Settings, SettingsError, load_settings
from records.case_keys import KeyCache, case_keys_for
from records.database import RecordsUnavailable

Transform = Callable[[Sequence[Payload]], Awaitable[list[Payload]]]

# The Web UI sends these; `authorization` when it passes a token.
ALLOWED_HEADERS = "content-type,x-namespace,authorization"
PREFLIGHT_MAX_AGE_SECONDS = 600  # the UI decodes every event: spare it a preflight for each
# Temporal refuses a payload over 2 MB; in JSON (base64) that is under 3 MB. Anything larger is not
# a real request, and parsing it would hold the server up.
MAX_REQUEST_BYTES = 3 * 1024 * 1024
JWT_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
JWKS_CACHE_SECONDS = 300  # the issuer's keys are fetched again after this (or for an unknown kid)
CLOCK_SKEW_SECONDS = 30  # between the identity provider's clock and ours
USER = web.RequestKey("codec_user", str)  # who the caller is, for the log
METRICS = web.AppKey("metrics", RequestMetrics)
CODEC_METRICS = "codec_metrics_port"
# Staff read cases through this server: once a case is erased, it shows its payloads no longer
# than this (the case's data key, unwrapped, is kept in memory that long at most).
ERASED_READABLE_SECONDS = 30.0

log = structlog.get_logger(__name__)


class TokenRefused(Exception):
    """An access token not accepted: 401 when it does not say who is asking, 403 when it does but
    they may not read payloads here. The reason is in words and quotes neither token nor person."""

    def __init__(self, status: int, reason: str, subject: str | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.subject = status, reason, subject


@dataclass(frozen=True)
class JwtIssuer:
    """Access tokens from a self-hosted Web UI's identity provider, checked against its JWKS."""

    issuer: str
    jwks_url: str
    audience: str
    max_lifetime_seconds: float = 12 * 3600
    roles_claim: str = "roles"
    # The roles claim's values that give each of our roles, and which of our roles may decode (by
    # default any: DESIGN section 12's staff read the payloads of the cases they work on).
    role_mapping: Mapping[Role, Sequence[str]] = field(default_factory=lambda: {role: [role.value] for role in Role})
    roles: frozenset[Role] = frozenset(Role)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_keys", jwt.PyJWKClient(self.jwks_url, cache_keys=True, lifespan=JWKS_CACHE_SECONDS))

    def subject(self, token: str) -> str:
        """The verified token's subject; raises TokenRefused for anything else (blocking I/O)."""
        try:
            key = self._keys.get_signing_key_from_jwt(token)  # type: ignore[attr-defined]
            claims = jwt.decode(
                token, key, algorithms=JWT_ALGORITHMS, issuer=self.issuer, audience=self.audience,
                leeway=CLOCK_SKEW_SECONDS, options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWKClientConnectionError:
            raise TokenRefused(503, "the identity provider's keys could not be fetched to check the access token") from None
        except jwt.PyJWTError as problem:
            raise TokenRefused(401, _refusal(problem)) from None
        self._check_lifetime(claims)
        subject = str(claims["sub"])
        if not roles_from_claims(claims, self.roles_claim, self.role_mapping) & self.roles:
            accepted = sorted(value for role in self.roles for value in self.role_mapping[role])
            raise TokenRefused(
                403,
                f"the access token's {self.roles_claim!r} claim names no role that may read payloads here "
                f"(one of: {', '.join(accepted)})",
                subject,
            )
        return subject

    def _check_lifetime(self, claims: dict) -> None:
        """A stolen token is good until it expires: one made to last for years is refused outright."""
        expires = int(claims["exp"])
        if "iat" in claims:
            lifetime = expires - int(claims["iat"])  # both by the provider's clock
        else:
            lifetime = expires - time.time() - CLOCK_SKEW_SECONDS  # what is left of it, at least
        if lifetime > self.max_lifetime_seconds:
            raise TokenRefused(
                401,
                f"the access token lives longer than this server accepts ({_hours(self.max_lifetime_seconds)} at most, "
                f"{ENV_PREFIX}CODEC_JWT_MAX_LIFETIME_HOURS): the identity provider must issue shorter-lived tokens",
            )


def _hours(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def _refusal(problem: jwt.PyJWTError) -> str:
    """Why PyJWT refused a token, in words that quote nothing from it."""
    if isinstance(problem, jwt.ExpiredSignatureError):
        return "the access token has expired: sign in again"
    if isinstance(problem, jwt.ImmatureSignatureError):
        return "the access token is not valid yet"
    if isinstance(problem, jwt.MissingRequiredClaimError):
        return f"the access token has no {problem.claim!r} claim"
    if isinstance(problem, jwt.InvalidAudienceError):
        return "the access token is for another audience (another API), not for this codec server"
    if isinstance(problem, jwt.InvalidIssuerError):
        return "the access token is from another issuer"
    if isinstance(problem, jwt.InvalidAlgorithmError):
        return "the access token is signed with an algorithm this server does not accept"
    if isinstance(problem, (jwt.InvalidSignatureError, jwt.PyJWKClientError)):
        return "the access token is not signed by a key of the issuer"
    if isinstance(problem, jwt.DecodeError):
        return "the access token is not a well-formed JWT"
    return "the access token was not accepted"


def create_app(
    codec: EncryptionCodec,
    *,
    allowed_origins: Sequence[str],
    allowed_hosts: Sequence[str],
    token: str | None = None,
    issuer: JwtIssuer | None = None,
) -> web.Application:
    metrics = RequestMetrics("disagreement_codec", "codec server")
    middlewares = [
        _measured(metrics),  # first: it sees every refusal the others raise
        _cors(allowed_origins), _checked_request(allowed_origins, allowed_hosts), _authenticated(token, issuer),
    ]
    app = web.Application(middlewares=middlewares, client_max_size=MAX_REQUEST_BYTES)
    app[METRICS] = metrics
    for operation, transform in (("encode", codec.encode), ("decode", codec.decode)):
        path = "/{prefix:(?:.*/)?}" + operation
        app.router.add_post(path, partial(_apply, operation, transform))
        app.router.add_route(hdrs.METH_OPTIONS, path, _preflight)
    for resource in app.router.resources():
        for refusal in (401, 403):  # the alert on refusals counts them from 0
            metrics.expect(resource.canonical, hdrs.METH_POST, refusal)
    return app


def build_app(settings: Settings) -> web.Application:
    """Raises SettingsError when no usable encryption key is configured, or when the server would be
    reachable from other machines without authentication."""
    token = settings.codec_token.get_secret_value() if settings.codec_token else None
    issuer = None
    if settings.codec_jwt_issuer:
        if not settings.codec_jwt_audience:
            raise SettingsError(
                f"{ENV_PREFIX}CODEC_JWT_ISSUER is set, so {ENV_PREFIX}CODEC_JWT_AUDIENCE must be set too: the "
                "audience the identity provider puts in the Web UI's access tokens (without it, a token "
                "the provider issued for any other application would be accepted)"
            )
        issuer = JwtIssuer(
            settings.codec_jwt_issuer,
            settings.codec_jwks_endpoint,
            settings.codec_jwt_audience,
            max_lifetime_seconds=settings.codec_jwt_max_lifetime_hours * 3600,
            roles_claim=settings.oidc_roles_claim,
            role_mapping=settings.role_mapping,
            roles=frozenset(settings.codec_roles),
        )
    if not (token or issuer) and not _loopback(settings.codec_server_ip):
        raise SettingsError(
            f"{ENV_PREFIX}CODEC_SERVER_IP={settings.codec_server_ip} can be reached from other machines, and "
            f"anyone reaching it could read every case: set {ENV_PREFIX}CODEC_JWT_ISSUER (the Web UI's "
            f"identity provider) or {ENV_PREFIX}CODEC_TOKEN, or listen on 127.0.0.1"
        )
    ring = settings.encryption_key_ring()
    return create_app(
        EncryptionCodec(ring, case_keys_for(settings, ring, KeyCache(seconds=ERASED_READABLE_SECONDS))),
        allowed_origins=settings.codec_allowed_origins,
        allowed_hosts=settings.codec_hosts,
        token=token,
        issuer=issuer,
    )


def endpoint(settings: Settings) -> str:
    """The URL to give the Web UI (`--ui-codec-endpoint`) and the CLI (`--codec-endpoint`)."""
    return f"http://{settings.codec_server_ip}:{settings.codec_server_port}"


async def serve(settings: Settings) -> None:
    """Runs the codec server until cancelled."""
    app = build_app(settings)
    metrics_port = app[METRICS].serve(settings, CODEC_METRICS)
    runner = web.AppRunner(app, access_log=None)  # we log requests ourselves
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.codec_server_ip, settings.codec_server_port).start()
        log.info(
            "codec server listening",
            endpoint=endpoint(settings),
            allowed_origins=settings.codec_allowed_origins,
            token_required=settings.codec_token is not None,
            jwt_issuer=settings.codec_jwt_issuer,
            metrics_port=metrics_port,
        )
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    try:
        settings = load_settings()
        configure_logging(settings.log_format)
        with suppress(KeyboardInterrupt):
            asyncio.run(serve(settings))
    except SettingsError as error:
        raise SystemExit(f"codec server: {error}") from None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


async def _apply(operation: str, transform: Transform, request: web.Request) -> web.Response:
    try:
        payloads = json_format.Parse(await request.text(), Payloads())
    except (json_format.ParseError, UnicodeDecodeError):
        # The parser's message may quote the body: say only what was expected.
        raise web.HTTPBadRequest(text="expected a Payloads message in protobuf JSON") from None
    namespace = request.headers.get("X-Namespace")
    who = request.get(USER)
    try:
        result = Payloads(payloads=await transform(payloads.payloads))
    except (DecryptionError, CaseErased) as error:
        log.warning("codec request failed", operation=operation, namespace=namespace, user=who, reason=str(error))
        raise web.HTTPBadRequest(text=str(error)) from None
    except RecordsUnavailable as error:  # the cases' data keys are there
        log.error("codec request failed", operation=operation, namespace=namespace, user=who, reason=str(error))
        raise web.HTTPServiceUnavailable(text=str(error)) from None
    except Exception as error:  # noqa: BLE001 - the text could quote a payload: log only its type
        log.error("codec request failed", operation=operation, namespace=namespace, user=who, error=type(error).__name__)
        raise web.HTTPInternalServerError(text="the payloads could not be processed") from None
    log.info(
        "codec request", operation=operation, namespace=namespace, user=who, payloads=len(result.payloads),
        **_cases(payloads.payloads if operation == "decode" else result.payloads),
    )
    return web.json_response(text=json_format.MessageToJson(result))


def _cases(payloads: Sequence[Payload]) -> dict[str, list[str]]:
    """The cases of these (encrypted, now authenticated) payloads, by reference: `cases` when the
    reference is bound to the ciphertext, `unbound_cases` for release 1.0.0's, where it was not."""
    bound: set[str] = set()
    unbound: set[str] = set()
    for payload in payloads:
        if CASE_METADATA in payload.metadata:
            reference = payload.metadata[CASE_METADATA].decode(errors="replace")
            (bound if VERSION_METADATA in payload.metadata else unbound).add(reference)
    return {"cases": sorted(bound)} | ({"unbound_cases": sorted(unbound)} if unbound else {})


async def _preflight(request: web.Request) -> web.Response:
    return web.Response(status=204)  # the CORS middleware decides what the browser may do


def _measured(metrics: RequestMetrics) -> Middleware:
    """Counts and times each request by its route's template (`/{prefix}decode`), never its path
    (which may name the namespace); a refusal (401, 403) by its status, for the alert on refusals."""

    @web.middleware
    async def measured(request: web.Request, handler: Handler) -> web.StreamResponse:
        started, status = time.perf_counter(), 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            resource = request.match_info.route.resource
            route = resource.canonical if resource is not None else UNMATCHED
            metrics.observe(route, request.method, status, time.perf_counter() - started)

    return measured


def _cors(allowed_origins: Sequence[str]) -> Middleware:
    """Lets a browser read the answers only when the page comes from the Web UI's origin."""
    allowed = {
        hdrs.ACCESS_CONTROL_ALLOW_METHODS: "POST",
        hdrs.ACCESS_CONTROL_ALLOW_HEADERS: ALLOWED_HEADERS,
        hdrs.ACCESS_CONTROL_ALLOW_CREDENTIALS: "true",  # the UI's include-credentials setting
        hdrs.ACCESS_CONTROL_MAX_AGE: str(PREFLIGHT_MAX_AGE_SECONDS),
        hdrs.VARY: hdrs.ORIGIN,
    }

    @web.middleware
    async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get(hdrs.ORIGIN)
        # One origin per answer (CORS allows no list): the page's own, when it is the Web UI's.
        headers = {**allowed, hdrs.ACCESS_CONTROL_ALLOW_ORIGIN: origin} if origin in allowed_origins else {hdrs.VARY: hdrs.ORIGIN}
        try:
            response = await handler(request)
        except web.HTTPException as error:
            # Errors too, so that the UI can show "unauthorised" rather than a CORS failure.
            error.headers.update(headers)
            raise
        response.headers.update(headers)
        return response

    return cors


def _checked_request(allowed_origins: Sequence[str], allowed_hosts: Sequence[str]) -> Middleware:
    """Host names this server, a browser page is the Web UI, and the body is JSON."""
    hosts = {host.lower() for host in allowed_hosts}

    @web.middleware
    async def checked(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.host.lower() not in hosts:
            log.warning("codec request refused: unexpected Host", path=request.path)
            raise web.HTTPMisdirectedRequest(text="this codec server does not answer to that host name")
        origin = request.headers.get(hdrs.ORIGIN)
        if origin is not None and origin not in allowed_origins:
            # An origin is a scheme and host, never personal data: naming both shows the mismatch.
            log.warning("codec request refused: foreign origin", path=request.path, origin=origin, expected=list(allowed_origins))
            raise web.HTTPForbidden(
                text=f"requests from the origin {origin} are not allowed: this codec server expects the Web UI at "
                f"{' or '.join(allowed_origins)} ({ENV_PREFIX}CODEC_CORS_ORIGIN sets it)"
            )
        if request.method == hdrs.METH_POST and request.content_type != "application/json":
            raise web.HTTPUnsupportedMediaType(text="send the payloads as application/json")
        return await handler(request)

    return checked


def _authenticated(token: str | None, issuer: JwtIssuer | None) -> Middleware:
    """Who is asking: the static token's holder, or the subject of an access token from the issuer.
    With neither configured (loopback only), decoding is open and encoding refused."""
    expected = f"Bearer {token}".encode() if token else None

    async def caller(request: web.Request) -> str | None:
        given = request.headers.get(hdrs.AUTHORIZATION, "")
        if expected is not None and hmac.compare_digest(given.encode(), expected):
            return "static-token"
        scheme, _, credential = given.partition(" ")
        if issuer is not None and scheme.lower() == "bearer" and credential:
            try:
                return await asyncio.to_thread(issuer.subject, credential)
            except TokenRefused as refused:
                log.warning(
                    "codec request refused: access token not accepted",
                    path=request.path, status=refused.status, reason=refused.reason, user=refused.subject,
                )
                raise _refusal_response(refused) from None
        return None

    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        # A browser's preflight never carries credentials; the request that follows must.
        if request.method == hdrs.METH_OPTIONS:
            return await handler(request)
        who = await caller(request)
        open_to_all = expected is None and issuer is None
        if who is None and not (open_to_all and request.path.endswith("/decode")):
            log.warning("codec request refused: not authenticated", path=request.path)
            raise web.HTTPUnauthorized(
                headers={hdrs.WWW_AUTHENTICATE: "Bearer"},
                text="encoding needs an authenticated caller" if open_to_all else "a valid bearer token is required",
            )
        request[USER] = who or "anonymous (loopback)"
        return await handler(request)

    return authenticate


def _refusal_response(refused: TokenRefused) -> web.HTTPException:
    if refused.status == 403:
        return web.HTTPForbidden(headers={hdrs.WWW_AUTHENTICATE: 'Bearer error="insufficient_scope"'}, text=refused.reason)
    if refused.status == 401:
        return web.HTTPUnauthorized(headers={hdrs.WWW_AUTHENTICATE: 'Bearer error="invalid_token"'}, text=refused.reason)
    return web.HTTPServiceUnavailable(text=refused.reason)
