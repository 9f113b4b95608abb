"""What both of the product's sites share (the staff console, web/, and the public site, public_site/):
GOV.UK Frontend's files and page templates, the headers on every response, an access log that
holds no personal data, and an outer layer that stops a failure's text from reaching the server's log.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import structlog
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from starlette.types import ASGIApp, Receive, Scope, Send

from infra.request_metrics import RequestMetrics

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
