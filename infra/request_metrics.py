"""Request metrics of the staff console, the public site and the codec server, with `prometheus_client`.

Labelled by the route's template (`/cases/{reference}`, `/{token}`), the method and the status code,
never by the path itself: a path holds a case reference or a link's token. Each process serves them
on a port of its own (DISAGREEMENT_WEB_METRICS_PORT, DISAGREEMENT_PUBLIC_METRICS_PORT,
DISAGREEMENT_CODEC_METRICS_PORT on DISAGREEMENT_METRICS_IP). The status is the exact code, not its
class: the codec server's refusals (401, 403) are an alert of their own, as are the public site's
503s and other 5xx (ops/prometheus/alerts.yml); a class is `code=~"4.."` in a query.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, start_http_server

from infra.settings import ENV_PREFIX, Settings, SettingsError
from infra.telemetry import bind_address

UNMATCHED = "unmatched"  # a path no route answers: its text is not a label
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})  # anything else: "other"
# Seconds: a console page waits on Temporal (a query, an update), the codec server on the records store.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class RequestMetrics:
    """`<prefix>_requests_total{route,method,code}` and `<prefix>_request_duration_seconds{route,method}`,
    in a registry of their own (a test builds many apps in one process)."""

    def __init__(self, prefix: str, what: str) -> None:
        self.registry = CollectorRegistry()
        self._requests = Counter(
            f"{prefix}_requests", f"Requests to the {what}, by route template, method and status code",
            ["route", "method", "code"], registry=self.registry,
        )
        self._latency = Histogram(
            f"{prefix}_request_duration_seconds", f"Time the {what} took to answer, by route template and method",
            ["route", "method"], registry=self.registry, buckets=LATENCY_BUCKETS,
        )

    def observe(self, route: str, method: str, code: int, seconds: float) -> None:
        method = method if method in METHODS else "other"  # a client's made-up method is no new series
        self._requests.labels(route, method, str(code)).inc()
        self._latency.labels(route, method).observe(seconds)

    def expect(self, route: str, method: str, code: int) -> None:
        """Count this answer from 0 before it first happens: an alert's `increase` sees the first one."""
        self._requests.labels(route, method, str(code))

    def exposition(self) -> str:
        """What a scrape reads."""
        return generate_latest(self.registry).decode()

    def serve(self, settings: Settings, setting: str) -> int | None:
        """Serve them at http://<DISAGREEMENT_METRICS_IP>:<port>/metrics when the process's port
        `setting` is on; returns the port. A port already taken stops the start, naming the setting."""
        port = settings.metrics_port_of(setting)
        if port is None:
            return None
        try:
            start_http_server(port, addr=settings.metrics_ip, registry=self.registry)
        except OSError as error:
            raise SettingsError(
                f"{ENV_PREFIX}{setting.upper()}: cannot serve metrics on {bind_address(settings.metrics_ip, port)}: "
                f"{error.strerror or error}"
            ) from None
        return port
