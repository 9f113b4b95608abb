"""A worker process for the parked-cases benchmark, so that its resident memory can be read alone.

`python -m bench.parked_worker [--minimal]`: the product's worker (or the baseline's) on
DISAGREEMENT_TASK_QUEUE, keeping at most DISAGREEMENT_WORKFLOW_CACHE_SIZE cases in its sticky
cache. Connects like worker.py (TEMPORAL_ADDRESS, DISAGREEMENT_* settings). Prints "ready" once
connected.
"""

from __future__ import annotations

import asyncio
import sys

from temporalio.worker import Worker

from bench.figures import logs_rendered_and_dropped
from bench.minimal import MinimalCase, noop
from infra.client import connect
from infra.settings import load_settings
from worker import build_worker


async def main(minimal: bool) -> None:
    settings = load_settings()
    client = await connect(settings)
    if minimal:
        runner = Worker(
            client, task_queue=settings.task_queue, workflows=[MinimalCase], activities=[noop],
            max_cached_workflows=settings.workflow_cache_size,
        )
    else:
        runner = build_worker(client, settings)
    print("ready", flush=True)
    await runner.run()  # a worker that fails ends the process, and the benchmark with it


if __name__ == "__main__":
    logs_rendered_and_dropped()
    asyncio.run(main("--minimal" in sys.argv[1:]))
