"""Nothing hangs silently: a delivery that breaks in an unexpected way fails the workflow task where
operators see it (and Temporal retries it once fixed), rather than leaving a case quietly stuck."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from temporalio import activity
from temporalio.api.enums.v1 import EventType

from activities.names import SEND_NOTIFICATION
from domain.notifications import Notice
from tests.conftest import running_worker, start_case


@dataclass
class GarbledDelivery:
    """A delivery backend with a bug: it answers something that is not a delivery."""

    @activity.defn(name=SEND_NOTIFICATION)
    async def send_notification(self, notice: Notice) -> dict:
        return {"status": "lost in the post"}


async def test_an_unexpected_delivery_error_fails_the_workflow_task_visibly(dev_server, settings) -> None:
    async with running_worker(dev_server.client, settings, GarbledDelivery()):
        handle = await start_case(dev_server.client, settings, wait_for_opening=False)  # it never finishes
        for _ in range(100):
            events = [event.event_type for event in (await handle.fetch_history()).events]
            if EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED in events:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"no workflow task failure in {events}")
        assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED not in events
