"""`send_notifications`: the messages of one event, one per recipient, in one activity.

Each message goes through `send_notification` exactly as it would alone, so each is still sent at
most once per recipient (the sent-log is keyed by the message's own key) and a retried batch skips
the messages already done. Every message of the batch gets its attempt. One that fails for now (a
mail server down) comes back `pending`, for the workflow to retry alone, so that it does not hold
back the others' reports for the days it may take; any other error is raised for Temporal to
retry the batch (or not, by the same error types as a single message). One activity per event
instead of one per recipient: fewer tasks, history events and round trips for the same messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from temporalio import activity

from activities.delivery import TemporaryFailure
from activities.names import SEND_NOTIFICATIONS
from domain.models import DeliveryStatus
from domain.notifications import Delivery, Notice


class NotificationBatches:
    def __init__(self, send_one: Callable[[Notice], Awaitable[Delivery]]) -> None:
        self._send_one = send_one

    @activity.defn(name=SEND_NOTIFICATIONS)
    async def send_notifications(self, notices: list[Notice]) -> list[Delivery]:
        outcomes = await asyncio.gather(*(self._send_one(notice) for notice in notices), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, TemporaryFailure):
                raise outcome
        return [
            Delivery(status=DeliveryStatus.pending, reason=outcome.message) if isinstance(outcome, TemporaryFailure) else outcome
            for outcome in outcomes
        ]
