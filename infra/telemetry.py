"""The worker's metrics (DESIGN section 15; traces are infra/tracing.py).

The worker's Temporal runtime serves Prometheus metrics (the SDK's own, `temporal_*`, and the
product's, `disagreement_*`: workflows/metrics.py, activities/notifications.py, cases/overdue.py)
on DISAGREEMENT_METRICS_IP:DISAGREEMENT_METRICS_PORT. Counters end in `_total`, durations are seconds.
"""

from __future__ import annotations

import ipaddress

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from infra.settings import ENV_PREFIX, Settings, SettingsError

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
