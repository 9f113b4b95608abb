"""The worker's metrics and every process's traces (DESIGN section 15).

Metrics: the worker's Temporal runtime serves Prometheus metrics (the SDK's own, `temporal_*`, and
the product's, `disagreement_*`: workflows/metrics.py, activities, cases/overdue.py) on
DISAGREEMENT_METRICS_IP:DISAGREEMENT_METRICS_PORT. Counters end in `_total`, durations are seconds.

Traces: OpenTelemetry spans through the SDK's `TracingInterceptor` (client and worker) and a span
per console request (web/telemetry.py), exported over OTLP/HTTP only when
OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads it, and OTEL_EXPORTER_OTLP_HEADERS etc.,
itself); without it nothing is traced and nothing is sent anywhere.
"""

from __future__ import annotations

import ipaddress
import os
from typing import TYPE_CHECKING

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from infra.settings import ENV_PREFIX, Settings, SettingsError

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
WORKER_METRICS = "metrics_port"


def worker_runtime(settings: Settings) -> Runtime | None:
    """A Temporal runtime serving Prometheus metrics when the worker's port is on (else the SDK's
    default runtime, without metrics). A port already taken stops the start, naming the setting."""
    port = settings.metrics_port_of(WORKER_METRICS)
    if port is None:
        return None
    address = bind_address(settings.metrics_ip, port)
    prometheus = PrometheusConfig(bind_address=address, counters_total_suffix=True, durations_as_seconds=True)
    try:
        return Runtime(telemetry=TelemetryConfig(metrics=prometheus))
    except ValueError as error:  # how the SDK's core reports a port it cannot bind
        raise SettingsError(f"{ENV_PREFIX}METRICS_PORT: cannot serve metrics on {address}: {error}") from None


def bind_address(ip: str, port: int) -> str:
    """host:port, an IPv6 address in brackets."""
    return f"[{ip}]:{port}" if ipaddress.ip_address(ip).version == 6 else f"{ip}:{port}"


def tracer_for(service: str) -> Tracer | None:
    """A tracer exporting this process's spans over OTLP/HTTP, when OTEL_EXPORTER_OTLP_ENDPOINT is set."""
    if not os.environ.get(OTLP_ENDPOINT):
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # The provider flushes its batch when the process exits (shutdown_on_exit).
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider.get_tracer("send-disagreement-resolution")


def tracing_interceptors(tracer: Tracer | None) -> list:
    """The SDK's tracing interceptor for a client (and so for a worker built on it), when tracing."""
    if tracer is None:
        return []
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor(tracer)]
