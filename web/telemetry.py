"""Each console request counted, timed and (when tracing) given a server span, by its route's template.

The template (`/cases/{reference}/{slug}`), never the path: a path holds a case reference, and a
query string can hold a name typed into a search. Starlette's router records the route it matched in
the request's scope; a path no route matches is `unmatched`. The span carries the method, the
template and the status only: not the URL, the client's address or its headers, which is why this is
written here rather than taken from opentelemetry-instrumentation-asgi (it records all three). The
Temporal client's tracing interceptor (infra/telemetry.py) makes the update a child of this span, so
one staff action is one trace: the request, the update, and the activities it starts.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.request_metrics import UNMATCHED, RequestMetrics

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or UNMATCHED


class RequestTelemetry:
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
