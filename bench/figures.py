"""What every benchmark shares: the printed line, percentiles, and a dev server to measure on."""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from temporalio.testing import WorkflowEnvironment

from infra.binaries import installed_binary
from infra.converter import data_converter
from infra.logs import configure_logging
from infra.settings import Settings
from tests.conftest import TEST_KEYS
from workflows.visibility import SEARCH_ATTRIBUTES


def report(name: str, figure: float, baseline: float, unit: str) -> None:
    """One line: our figure, the same-run baseline, and their ratio (figure / baseline)."""
    print(f"{name:<44} {figure:10.3f} {unit:<9} baseline {baseline:10.3f} {unit:<9} ratio {figure / baseline:6.2f}", flush=True)


def note(text: str) -> None:
    """A line of context under a figure (what was measured, counts)."""
    print(f"    {text}", flush=True)


def logs_rendered_and_dropped() -> None:
    """Log as a deployed worker does (INFO, rendered), but into /dev/null: the cost stays, the noise
    goes. Warnings and errors still reach stderr, so a benchmark that stalls says why."""
    configure_logging()
    root = logging.getLogger()
    rendered = root.handlers[0]
    alarms = logging.StreamHandler()
    alarms.setFormatter(rendered.formatter)
    alarms.setLevel(logging.WARNING)
    rendered.setStream(open(os.devnull, "w"))  # noqa: SIM115 - open for the life of the process
    root.addHandler(alarms)


async def in_rounds(runs: int, contenders: dict[str, Callable[[], Awaitable[object]]]) -> dict[str, float]:
    """Each contender once a round (after one untimed round), `runs` rounds; the median of each, in ms."""
    for action in contenders.values():
        await action()
    timings: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, action in contenders.items():
            started = time.perf_counter()
            await action()
            timings[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) * 1000 for name, values in timings.items()}


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def median(values: list[float]) -> float:
    return statistics.median(values)


@asynccontextmanager
async def dev_server(*extra_args: str) -> AsyncIterator[WorkflowEnvironment]:
    """A fresh in-memory `temporal server start-dev` on a free port, our attributes and converter."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=installed_binary("temporal"),
        search_attributes=list(SEARCH_ATTRIBUTES),
        dev_server_extra_args=["--headless", "--log-level", "error", *extra_args],
        data_converter=data_converter(Settings(encryption_keys=TEST_KEYS)),
    )
    try:
        yield env
    finally:
        await env.shutdown()
