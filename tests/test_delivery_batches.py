"""The messages of one event go out in one activity; each is still sent once per recipient, and
one that cannot be sent (for good, or for now) never takes the others down with it, nor holds back
their reports."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.notification_batches import NotificationBatches
from domain.models import CaseView, DeliveryStatus
from domain.notifications import Delivery, Notice, RecipientKind, Template
from tests.conftest import RecordedNotifications, opened_view, running_worker, sleep_until, start_case
from tests.notices import notice
from workflows.case import DisagreementCase


@dataclass
class BrokenFor(RecordedNotifications):
    """Delivery that breaks outright (a non-retryable error, not a refusal) for some recipients."""

    broken_for: set[str] = field(default_factory=set)

    @activity.defn(name="send_notification")
    async def send_notification(self, notice: Notice) -> Delivery:
        if notice.recipient.id in self.broken_for:
            self.requested.append(notice.key)
            raise ApplicationError("no template for this message", type="MessageError", non_retryable=True)
        return await super().send_notification(notice)


async def test_a_retried_batch_sends_each_message_once_and_answers_for_each() -> None:
    notifications = RecordedNotifications(fail_for={"org-1"})
    batch = NotificationBatches(notifications.send_notification)
    notices = [notice(Template.case_opened, kind) for kind in (RecipientKind.applicant, RecipientKind.organisation)]
    for _ in range(2):  # the second time as Temporal would retry it
        deliveries = await batch.send_notifications(notices)
        assert [d.status for d in deliveries] == [DeliveryStatus.sent, DeliveryStatus.failed]
    assert notifications.sent("case_opened") == ["applicant"]


async def test_a_message_that_fails_for_now_comes_back_pending_and_the_others_as_they_went() -> None:
    notifications = RecordedNotifications(down_for={"org-1"}, fail_for={"org-2"})
    batch = NotificationBatches(notifications.send_notification)
    kinds = (RecipientKind.applicant, RecipientKind.organisation)
    notices = [notice(Template.case_opened, kind) for kind in kinds] + [
        notice(Template.case_opened, RecipientKind.organisation).model_copy(update={"key": "ref.case_opened.org-2"})
    ]
    notices[2].recipient.id = "org-2"
    deliveries = await batch.send_notifications(notices)
    assert [d.status for d in deliveries] == [DeliveryStatus.sent, DeliveryStatus.pending, DeliveryStatus.failed]
    assert deliveries[1].reason == "the mail server did not answer"


async def test_a_message_retried_for_days_does_not_hold_back_the_others(time_skipping: WorkflowEnvironment, settings) -> None:
    notifications = RecordedNotifications(down_for={"org-2"})
    async with running_worker(time_skipping.client, settings, notifications):
        handle = await start_case(time_skipping.client, settings)
        opened = await time_skipping.get_current_time()
        for _ in range(200):  # the others are reported sent while org-2's is still being retried
            status = {n.to: n.status for n in (await handle.query(DisagreementCase.case_view)).notifications}
            if status.get("applicant") is DeliveryStatus.sent:
                break
            await asyncio.sleep(0.05)
        assert status == {"applicant": DeliveryStatus.sent, "org-1": DeliveryStatus.sent, "org-2": DeliveryStatus.pending}
        assert await time_skipping.get_current_time() < opened + timedelta(hours=1)
        await sleep_until(time_skipping, opened + timedelta(days=3, hours=1))
        case = await _settled(handle)  # three days on, org-2's is given up and the officer told
    assert {n.to: n.status for n in case.notifications if n.template == "case_opened"}["org-2"] is DeliveryStatus.failed
    assert notifications.sent("notification_failed") == ["case_officer"]
    assert sorted(notifications.sent("case_opened")) == ["applicant", "org-1"]


async def test_a_message_that_breaks_is_failed_alone_and_the_officer_told(time_skipping: WorkflowEnvironment, settings) -> None:
    notifications = BrokenFor(broken_for={"org-2"})
    async with running_worker(time_skipping.client, settings, notifications):
        handle = await start_case(time_skipping.client, settings)
        await opened_view(handle)
        case = await _settled(handle)
    status = {n.to: n.status for n in case.notifications if n.template == "case_opened"}
    assert status == {"applicant": DeliveryStatus.sent, "org-1": DeliveryStatus.sent, "org-2": DeliveryStatus.failed}
    # The batch gave up at once; each message then went alone: sent once each, the officer told.
    assert sorted(notifications.sent("case_opened")) == ["applicant", "org-1"]
    assert notifications.sent("notification_failed") == ["case_officer"]
    assert any(entry.event == "notification_failed" for entry in case.timeline)


async def _settled(handle) -> CaseView:
    for _ in range(200):
        case = await handle.query(DisagreementCase.case_view)
        if case.notifications and all(n.status is not DeliveryStatus.pending for n in case.notifications):
            return case
        await asyncio.sleep(0.05)
    raise AssertionError("messages still pending")
