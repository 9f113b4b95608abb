"""What both of the product's sites share (the staff console, web/, and the public site, public_site/):
GOV.UK Frontend's files and page templates, the headers on every response, an access log that
holds no personal data, each request counted, timed and traced by its route's template
(`RequestTelemetry`), and an outer layer that stops a failure's text from reaching the server's log.
"""

from __future__ import annotations

import secrets
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.request_metrics import UNMATCHED, RequestMetrics

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

log = structlog.get_logger()

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GOVUK_FRONTEND = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
STATIC = Path(__file__).parent / "static"  # the sites' own CSS and the script that starts GOV.UK Frontend
NO_STORE = [(b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin")]
# Only the site's own files, and the one inline script of the GOV.UK page template, which carries
# this request's nonce: an injected script or style, or a form posting elsewhere, is refused.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
CSP_NONCE = "csp_nonce"  # where a request's nonce is kept (the ASGI scope's state)


def govuk_installed() -> None:
    if not (GOVUK_FRONTEND / "govuk-frontend.min.css").exists():
        raise RuntimeError(f"GOV.UK Frontend is not installed in {GOVUK_FRONTEND.parent}: run `npm ci` (make run does)")


def govuk_environment(package: str) -> Environment:
    """Jinja for a site's pages: its own templates, GOV.UK Frontend's as `govuk_frontend_jinja/...`,
    and the console's macros as `web/...` (the error summary, shared with the public site)."""
    return Environment(
        loader=ChoiceLoader([
            PackageLoader(package),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"), "web": PackageLoader("web")}),
        ]),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


class Contained:
    """The outermost layer. A failure has already been answered with the error page and logged by its
    type; it goes no further, so the server never logs its text or traceback, which could hold what
    a family told us. `metrics`: its requests', served on a port of their own (infra/request_metrics.py)."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics | None = None) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception:  # noqa: BLE001 (answered and logged by the site)
            return


class AccessLog:
    """`Cache-Control: no-store`, a Content-Security-Policy with a fresh nonce and the usual hardening
    headers (and any `headers` of the site's own) on every response, and one log line per request:
    method, path (never the query string) and status. `by_route`: the route's template instead of
    the path (`/{token}`), for a site whose paths hold secrets."""

    def __init__(self, app: ASGIApp, headers: list[tuple[bytes, bytes]] = (), by_route: bool = False) -> None:
        self.app = app
        self.headers = [*NO_STORE, *headers]
        self.by_route = by_route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500
        nonce = scope.setdefault("state", {})[CSP_NONCE] = secrets.token_urlsafe(16)
        policy = (b"content-security-policy", CONTENT_SECURITY_POLICY.format(nonce=nonce).encode())

        async def sending(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *self.headers, policy]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if self.by_route:
                route = scope.get("route")
                path = getattr(route, "path", None) or "(no route)"
            else:
                path = scope["path"]
            # Debug: a line per page and asset buries the rest; actions have lines of their own.
            log.debug("request", method=scope["method"], path=path, status=status,
                      ms=round((time.perf_counter() - started) * 1000, 1))


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or UNMATCHED


class RequestTelemetry:
    """Each request counted, timed and (when tracing) given a server span, by its route's template.

    The template (`/cases/{reference}/{slug}`, `/{token}/{slug}`), never the path: a console path
    holds a case reference, a public one the link's token, and a query string can hold a name typed
    into a search. Starlette's router records the route it matched in the request's scope; a path no
    route matches is `unmatched`. The span carries the method, the template and the status only: not
    the URL, the client's address or its headers, which is why this is written here rather than taken
    from opentelemetry-instrumentation-asgi (it records all three). The Temporal client's tracing
    interceptor (infra/tracing.py) makes the update a child of this span, so one staff action, or one
    family's answer, is one trace: the request, the update, and the activities it starts. First among
    a site's middleware, so that it sees every answer's status (a failure not yet answered is a 500:
    Starlette answers it outside the middleware)."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics, tracer: Tracer | None = None) -> None:
        self.app, self.metrics, self.tracer = app, metrics, tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        method = scope["method"]
        started, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with self._span(method) as span:
            try:
                await self.app(scope, receive, sending)
            finally:
                route = route_template(scope)
                self.metrics.observe(route, method, status, time.perf_counter() - started)
                if span is not None:
                    self._describe(span, method, route, status)

    def _span(self, method: str):
        if self.tracer is None:
            return nullcontext()
        from opentelemetry.trace import SpanKind

        # Named once the route is known; the route's template is the only part of the path it holds.
        return self.tracer.start_as_current_span(method, kind=SpanKind.SERVER)

    @staticmethod
    def _describe(span, method: str, route: str, status: int) -> None:
        from opentelemetry.trace import Status, StatusCode

        span.update_name(f"{method} {route}")
        span.set_attributes({"http.request.method": method, "http.route": route, "http.response.status_code": status})
        if status >= 500:
            span.set_status(Status(StatusCode.ERROR))
