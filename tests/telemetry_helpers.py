"""Scraping metrics in tests: a Temporal runtime serving Prometheus on a free loopback port, and the
exposition read as samples."""

from __future__ import annotations

import re
import urllib.request

from temporalio.runtime import Runtime

from infra.settings import Settings
from infra.telemetry import worker_runtime
from tests.delivery_servers import free_port

# A label's value may hold braces (the codec server's route template `/{prefix}decode`).
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?\s+(\S+)', re.M)
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def prometheus_runtime(settings: Settings) -> tuple[Runtime, str]:
    """The runtime the worker makes (infra/telemetry.py) on a free port, and the URL to scrape it."""
    port = free_port()
    runtime = worker_runtime(settings.model_copy(update={"metrics_port": port}))
    assert runtime is not None
    return runtime, f"http://127.0.0.1:{port}/metrics"


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    """Every sample of the metric `name`: its labels and value."""
    return [
        (dict(LABEL.findall(labels or "")), float(value))
        for metric, labels, value in SAMPLE.findall(text) if metric == name
    ]


def value(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include these."""
    return sum(v for found, v in samples(text, name) if labels.items() <= found.items())


def metric_names(text: str) -> set[str]:
    return {metric for metric, _, _ in SAMPLE.findall(text)}
