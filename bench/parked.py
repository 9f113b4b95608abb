"""Parked cases: many open cases waiting on their deadlines, and the worker's memory meanwhile.

For each sticky-cache size (the SDK's default, then a stated bound) a fresh worker process runs on
its own task queue; N cases are opened on it (each plans its talks review and tells three parties),
and once the worker is idle its resident memory (VmRSS) is read, after N/2 cases and after N: the
cache, not N, must bound it. Then every parked case is brought to its next stage at once (staff
offer disagreement resolution: a consent window planned, three messages), timed until the last
message is in the outbox. The baseline is the minimal workflow parked on a timer the same way (four
no-op activities at the start, four in its one update), in its own worker process with the same
cache size, on the same dev server.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client, WorkflowHandle
from temporalio.exceptions import WorkflowAlreadyStartedError

from bench.figures import dev_server, note, report
from bench.minimal import MinimalCase
from domain.models import OfferResolution
from tests.conftest import TEST_KEYS, new_reference, open_case
from workflows.case import DisagreementCase

ROOT = Path(__file__).resolve().parent.parent
SDK_DEFAULT_CACHE = 1000  # the SDK's default, and DISAGREEMENT_WORKFLOW_CACHE_SIZE's
BOUNDED_CACHE = 100
IN_FLIGHT = 50  # starts or updates sent at once
PARKED_PLAN = [4, 4]  # baseline: no-ops at the start and in its one update
IDLE_CPU = 0.03  # the worker is idle once it uses less than this share of a core
MESSAGES_AT_OPENING = MESSAGES_AT_OFFER = 3  # one per party (applicant, org-1, org-2)
STALLED_AFTER = 90  # seconds without a new message: the worker has stopped taking work


@dataclass
class Parked:
    rss_early: float  # MiB, after N/2 cases
    rss_full: float  # MiB, after N cases
    next_stage: float  # seconds to bring all N to their next stage
    peak: float  # MiB, the worker's high-water mark


def _status(pid: int, field: str) -> float:
    """A /proc/<pid>/status size in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _running(worker: subprocess.Popen) -> int:
    """The worker's pid; a worker that stopped stops the benchmark, saying so."""
    if worker.poll() is not None:
        raise RuntimeError(f"the benchmark worker stopped (exit {worker.returncode}); its stderr says why")
    return worker.pid


async def _idle(worker: subprocess.Popen) -> None:
    """Wait until the worker has next to nothing left to do (a second at under IDLE_CPU of a core)."""
    while True:
        before = _cpu_seconds(_running(worker))
        await asyncio.sleep(1.0)
        if _cpu_seconds(_running(worker)) - before < IDLE_CPU:
            return


async def _outbox_holds(outbox: Path, count: int, worker: subprocess.Popen) -> None:
    """Wait for `count` messages in the outbox; a worker that makes no progress for a while fails it."""
    seen, progressed = -1, time.monotonic()
    while (now := sum(1 for _ in outbox.glob("*.txt"))) < count:
        _running(worker)
        if now != seen:
            seen, progressed = now, time.monotonic()
        elif time.monotonic() - progressed > STALLED_AFTER:
            raise RuntimeError(f"stalled: {now} of {count} messages after {STALLED_AFTER} s without progress")
        await asyncio.sleep(0.1)


async def _at_most_in_flight(count: int, work: Callable[[int], Awaitable[object]]) -> list:
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(number: int) -> object:
        async with gate:
            return await work(number)

    return await asyncio.gather(*(one(number) for number in range(count)))


@contextmanager
def worker_process(address: str, data_dir: Path, task_queue: str, cache: int, minimal: bool, records_file: Path | None = None):
    """`records_file`: the records (and case keys) of the process that starts the cases, when not the run's."""
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": address,
        "DISAGREEMENT_TASK_QUEUE": task_queue,
        "DISAGREEMENT_DATA_DIR": str(data_dir),
        "DISAGREEMENT_ENCRYPTION_KEYS": TEST_KEYS,
        "DISAGREEMENT_WORKFLOW_CACHE_SIZE": str(cache),
        **({"DISAGREEMENT_RECORDS_FILE": str(records_file)} if records_file else {}),
    }
    command = [sys.executable, "-m", "bench.parked_worker", *(["--minimal"] if minimal else [])]
    said = data_dir / "worker.out"
    with said.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output)
    try:
        while "ready" not in said.read_text():
            _running(process)
            time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait()


async def park(client: Client, address: str, cases: int, cache: int, minimal: bool) -> Parked:
    task_queue = f"bench-parked-{uuid.uuid4()}"
    with tempfile.TemporaryDirectory() as data_dir, worker_process(address, Path(data_dir), task_queue, cache, minimal) as worker:
        outbox = Path(data_dir) / "outbox"

        async def start(number: int) -> WorkflowHandle:
            if minimal:
                return await client.start_workflow(MinimalCase.run, PARKED_PLAN, id=f"bench-{uuid.uuid4()}", task_queue=task_queue)
            while True:
                try:
                    return await client.start_workflow(DisagreementCase.run, open_case(), id=new_reference(), task_queue=task_queue)
                except WorkflowAlreadyStartedError:
                    continue  # thousands of cases on one server: a drawn reference may repeat; draw again

        early = cases // 2
        handles = await _at_most_in_flight(early, start)
        await _idle(worker)
        rss_early = _status(worker.pid, "VmRSS")
        handles += await _at_most_in_flight(cases - early, start)
        if not minimal:
            await _outbox_holds(outbox, cases * MESSAGES_AT_OPENING, worker)
        await _idle(worker)
        rss_full = _status(worker.pid, "VmRSS")

        async def next_stage(number: int) -> None:
            if minimal:
                await handles[number].execute_update(MinimalCase.step, PARKED_PLAN[1])
            else:
                await handles[number].execute_update(DisagreementCase.offer_resolution, OfferResolution(actor="jo.smith"))

        started = time.perf_counter()
        await _at_most_in_flight(cases, next_stage)
        if not minimal:
            await _outbox_holds(outbox, cases * (MESSAGES_AT_OPENING + MESSAGES_AT_OFFER), worker)
        moved_on = time.perf_counter() - started
        return Parked(rss_early, rss_full, moved_on, _status(worker.pid, "VmHWM"))


async def parked_cases(cases: int = 5000) -> None:
    async with dev_server() as env:
        address = env.client.service_client.config.target_host
        results = {}
        for cache in (SDK_DEFAULT_CACHE, BOUNDED_CACHE):
            for minimal in (True, False):
                results[cache, minimal] = await park(env.client, address, cases, cache, minimal)
    print(f"-- parked cases: {cases} open cases waiting on deadlines, worker process memory (VmRSS)", flush=True)
    for cache in (SDK_DEFAULT_CACHE, BOUNDED_CACHE):
        ours, baseline = results[cache, False], results[cache, True]
        label = f"cache {cache}"
        report(f"RSS, {cases // 2} parked, {label}", ours.rss_early, baseline.rss_early, "MiB")
        report(f"RSS, {cases} parked, {label}", ours.rss_full, baseline.rss_full, "MiB")
        report(f"all to next stage, {label}", ours.next_stage, baseline.next_stage, "s")
        note(f"growth from {cases // 2} to {cases} cases: product {ours.rss_full - ours.rss_early:+.0f} MiB, "
             f"baseline {baseline.rss_full - baseline.rss_early:+.0f} MiB; peak product {ours.peak:.0f} MiB, "
             f"baseline {baseline.peak:.0f} MiB")
