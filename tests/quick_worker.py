"""A worker process like `worker.py`, except that the talks review expires seconds after it is
planned (`QUICK_TALKS_REVIEW_SECONDS`, default 10), so that fault tests can have a timer fall due
in real time while a worker, or the server, is down. Run as `python -m tests.quick_worker`."""

from __future__ import annotations

import asyncio
import os
from contextlib import suppress
from datetime import timedelta

from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker

from activities.deadlines import DeadlineActivities
from activities.names import PLAN_DEADLINE
from activities.notifications import NotificationActivities
from domain.deadlines import AlarmPurpose, DeadlineRequest, PlannedDeadline
from infra.client import connect
from infra.logs import configure_logging
from infra.settings import Settings, load_settings
from worker import build_worker

TALKS_REVIEW = "talks_review"


class QuickTalksReview(DeadlineActivities):
    """Plans every deadline as usual, then brings the talks review's expiry to `seconds` from now."""

    def __init__(self, settings: Settings, seconds: float) -> None:
        super().__init__(settings.deadline_policy)
        self.seconds = seconds

    @activity.defn(name=PLAN_DEADLINE)
    async def plan_deadline(self, request: DeadlineRequest) -> PlannedDeadline:
        planned = await super().plan_deadline(request)
        if planned.name != TALKS_REVIEW:
            return planned
        expires = request.now + timedelta(seconds=self.seconds)
        alarms = [alarm.model_copy(update={"at": expires}) for alarm in planned.alarms if alarm.purpose is AlarmPurpose.expiry]
        return planned.model_copy(update={"expires_at": expires, "alarms": alarms})


def quick_worker(client: Client, settings: Settings, notifications: object, seconds: float) -> Worker:
    return build_worker(client, settings, notifications, deadlines=QuickTalksReview(settings, seconds))


async def run(settings: Settings, seconds: float) -> None:
    client = await connect(settings)
    await quick_worker(client, settings, NotificationActivities(settings), seconds).run()


if __name__ == "__main__":
    configure_logging()
    with suppress(KeyboardInterrupt):
        asyncio.run(run(load_settings(), float(os.environ.get("QUICK_TALKS_REVIEW_SECONDS", "10"))))
