"""Exactly once: a retried activity, or a worker killed just after handing a message over, neither
sends it twice nor loses it (see activities/sent_log.py).

What each backend can promise when the worker dies between the hand-over and the sent-log record:
- GOV.UK Notify: exactly once. The retry finds the message by its reference and does not resend.
- The dev outbox: exactly once. The retry rewrites the same file.
- SMTP: at least once. A server cannot be asked whether it has a message, so the retry sends it
  again, under the same Message-ID. Outside that window (the server was down, or the record was
  written) SMTP too sends exactly once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.names import SEND_NOTIFICATION
from activities.delivery import TemporaryFailure
from activities.delivery.outbox import OutboxBackend
from activities.notifications import NotificationActivities
from activities.sent_log import Claim, SqliteSentLog
from domain.models import Channel, DeliveryStatus
from domain.notifications import Delivery, Notice, Template
from infra.settings import Settings
from tests.delivery_servers import FakeNotify, Mailbox, notify_settings, smtp_settings
from tests.notices import notice


class WorkerDied(Exception):
    """Stands for the worker process being killed."""


class DiesOnceAfterHandover(SqliteSentLog):
    """The first attempt dies after the backend took the message, before the log heard of it.

    A dead worker's retry comes only after the activity's start-to-close timeout, by when the dead
    attempt's lease (shorter) has run out: its claim is made already expired, to skip that wait.
    """

    died = False

    async def claim(self, key: str, template: Template, channel: Channel, attempt: str, lease_seconds: float) -> Claim:
        return await super().claim(key, template, channel, attempt, lease_seconds if self.died else 0)

    async def record(self, key: str, template: Template, delivery: Delivery, attempt: str) -> None:
        if not self.died:
            self.died = True
            raise WorkerDied("killed after handing the message over")
        await super().record(key, template, delivery, attempt)


def dying_once(settings: Settings) -> NotificationActivities:
    return NotificationActivities(settings, sent_log=DiesOnceAfterHandover(settings.sent_log_path))


# --- GOV.UK Notify ---------------------------------------------------------------------------------


async def test_notify_a_crash_between_send_and_log_is_recovered_by_reference_lookup(tmp_path: Path, notify: FakeNotify) -> None:
    settings = notify_settings(tmp_path, notify)

    with pytest.raises(WorkerDied):
        await dying_once(settings).send_notification(notice())
    # Another worker picks up the retry: it has only the sent-log file to go on.
    delivery = await NotificationActivities(settings).send_notification(notice())

    assert delivery.status is DeliveryStatus.sent
    assert notify.posts == 2 and len(notify.sent) == 2  # the family's email and the adviser's copy, once each
    assert notify.lookups == 2  # both were looked up by reference before deciding not to resend


async def test_notify_a_crash_before_the_handover_is_sent_once_on_retry(tmp_path: Path, notify: FakeNotify) -> None:
    activities = NotificationActivities(notify_settings(tmp_path, notify))
    notify.fail_next.append((500, "Exception"))

    with pytest.raises(TemporaryFailure):
        await activities.send_notification(notice())
    delivery = await activities.send_notification(notice())

    assert delivery.status is DeliveryStatus.sent
    assert [n["reference"] for n in notify.sent] == [notice().key, f"{notice().key}.copy"]


async def test_a_recorded_message_is_not_sent_again_by_any_later_attempt(tmp_path: Path, notify: FakeNotify) -> None:
    settings = notify_settings(tmp_path, notify)
    for _ in range(3):
        await NotificationActivities(settings).send_notification(notice())

    assert len(notify.sent) == 2 and notify.lookups == 0  # the log answers; Notify is not even asked


@workflow.defn(sandboxed=False)
class SendOnce:
    """The shape of the case workflow's call: one activity, retried by Temporal with backoff."""

    @workflow.run
    async def run(self, sent: Notice) -> Delivery:
        return await workflow.execute_activity(
            SEND_NOTIFICATION, sent, result_type=Delivery,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=100)),
        )


async def test_temporal_retries_a_dead_attempt_without_a_second_message(
    tmp_path: Path, notify: FakeNotify, time_skipping: WorkflowEnvironment
) -> None:
    activities = dying_once(notify_settings(tmp_path, notify))
    task_queue = f"exactly-once-{uuid.uuid4()}"
    async with Worker(
        time_skipping.client, task_queue=task_queue, workflows=[SendOnce],
        activities=[activities.send_notification], workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        delivery = await time_skipping.client.execute_workflow(
            SendOnce.run, notice(), id=f"send-once-{uuid.uuid4()}", task_queue=task_queue
        )

    assert delivery.status is DeliveryStatus.sent
    assert activities.sent_log.died and len(notify.sent) == 2


# --- The dev outbox --------------------------------------------------------------------------------


async def test_outbox_a_crash_between_send_and_log_leaves_one_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)

    with pytest.raises(WorkerDied):
        await dying_once(settings).send_notification(notice())
    delivery = await NotificationActivities(settings).send_notification(notice())

    assert delivery.status is DeliveryStatus.sent
    [written] = settings.outbox_path.iterdir()
    assert written == OutboxBackend(settings.outbox_path).path_of(notice().key)
    text = written.read_text()
    assert text.startswith("Channel: email\nTo: Sam Parent <sam.parent@example.org>\n") and "Dear Sam Parent," in text


# --- SMTP: what it can and cannot guarantee --------------------------------------------------------


async def test_smtp_a_recorded_message_is_sent_once_however_often_it_is_retried(tmp_path: Path, smtp_port: int, mailbox: Mailbox) -> None:
    settings = smtp_settings(tmp_path, smtp_port)
    for _ in range(3):
        await NotificationActivities(settings).send_notification(notice())

    assert len(mailbox.received) == 1


async def test_smtp_cannot_tell_whether_a_server_has_a_message_so_a_crash_after_the_handover_sends_it_again(
    tmp_path: Path, smtp_port: int, mailbox: Mailbox
) -> None:
    settings = smtp_settings(tmp_path, smtp_port)

    with pytest.raises(WorkerDied):
        await dying_once(settings).send_notification(notice())
    await NotificationActivities(settings).send_notification(notice())

    # Never lost, possibly twice; the copies share one Message-ID, so mail clients may show one.
    first, second = mailbox.received
    assert first["Message-ID"] == second["Message-ID"]
