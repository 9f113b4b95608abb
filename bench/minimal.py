"""The baseline: a minimal workflow with the same shape as a case and no logic.

It starts, runs a number of no-op activities at its start and in each of its updates, waits on a
timer like a case waiting on a deadline, and finishes after its last update. Each benchmark runs it
beside the product in the same run, on the same server, with the same data converter.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import activity, workflow

PARKED_FOR = timedelta(days=21)  # about as long as a case waits on its first deadline


@activity.defn(name="bench_noop")
async def noop() -> None:
    """An activity that does nothing: the round trip alone."""


@workflow.defn(name="BenchMinimalCase")
class MinimalCase:
    """`plan[0]` no-op activities at the start, `plan[n]` in update n; done after `len(plan) - 1` updates."""

    def __init__(self) -> None:
        self.steps_done = 0
        self.last_step = 0

    @workflow.run
    async def run(self, plan: list[int]) -> int:
        self.last_step = len(plan) - 1
        await self._activities(plan[0])
        while self.steps_done < self.last_step:
            # Like a case, it re-arms its timer whenever an update changes it.
            seen = self.steps_done
            try:
                await workflow.wait_condition(lambda: self.steps_done != seen, timeout=PARKED_FOR)
            except asyncio.TimeoutError:
                pass
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.steps_done

    @workflow.update
    async def step(self, activities: int) -> int:
        await self._activities(activities)
        self.steps_done += 1
        return self.steps_done

    @workflow.query
    def steps(self) -> int:
        return self.steps_done

    async def _activities(self, count: int) -> None:
        await asyncio.gather(
            *(workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=30)) for _ in range(count))
        )
