"""Proof under faults: workers killed mid-work, the server stopped and started again, the mail
server down for a while. Every case goes on, and every message arrives exactly once, counted at
the receiving SMTP server (by Message-ID, which is the message's idempotency key).

The workers here are real `python worker.py` processes, killed with SIGKILL: they get no chance to
tidy anything up. Activity time-outs and timers are skipped on the time-skipping server.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.notifications import NotificationActivities
from domain.models import AddNote, CaseStage, CaseView, DeliveryStatus, OfferResolution, RecordConsent
from infra.converter import data_converter
from infra.devstack import dev_server_command, wait_for_port
from infra.settings import Settings
from tests.conftest import TEST_KEYS, RecordedNotifications, isolated_settings, new_reference, opened_view, start_case
from tests.delivery_servers import MAIL_FROM, Mailbox, free_port, smtp_settings
from tests.processes import worker_env, worker_process
from tests.quick_worker import quick_worker
from workflows.case import DisagreementCase
from worker import build_worker

OFFICER = "jo.smith"
# The worker's send time limit here: short, so that a killed attempt's claim runs out in seconds.
TIME_LIMIT_SECONDS = 8
QUICK_WORKER = "tests.quick_worker"  # a worker whose talks review expires in seconds
TALKS_REVIEW_SECONDS = 10


@dataclass
class GatedMailbox(Mailbox):
    """Holds every session at RCPT while the gate is closed, so a worker can be killed mid-send."""

    open: threading.Event = field(default_factory=threading.Event)
    held: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        while not self.open.is_set():
            self.held.set()
            await asyncio.sleep(0.05)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    def message_ids(self) -> Counter:
        return Counter(email["Message-ID"].strip("<> ").partition("@")[0] for email in self.received)


@pytest.fixture
def gated_mailbox(smtp_port: int) -> Iterator[GatedMailbox]:
    box = GatedMailbox()
    box.open.set()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield box
    box.open.set()
    controller.stop()


def smtp_worker_env(server: WorkflowEnvironment, settings: Settings, smtp_port: int) -> dict[str, str]:
    return worker_env(
        server, settings, notification_backend="smtp", smtp_host="127.0.0.1", smtp_port=str(smtp_port),
        smtp_security="none", mail_from=MAIL_FROM, delivery_time_limit_seconds=str(TIME_LIMIT_SECONDS),
    )


async def until(check, what: str, attempts: int = 600):
    for _ in range(attempts):
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"never: {what}")


async def settled(handle: WorkflowHandle) -> CaseView | None:
    """The case view once every message it asked for has an answer, else None."""
    case = await handle.query(DisagreementCase.case_view)
    done = case.notifications and all(n.status is not DeliveryStatus.pending for n in case.notifications)
    return case if done else None


def assert_each_message_once(mailbox: GatedMailbox, case: CaseView) -> None:
    """Every message the case sent arrived, and none twice (its Message-ID is its key)."""
    counts = mailbox.message_ids()
    assert all(n.status is DeliveryStatus.sent for n in case.notifications), case.notifications
    assert set(counts.values()) == {1}, counts
    assert len(counts) == len(case.notifications)
    assert all(key.startswith(case.reference + ".") for key in counts)


@pytest.mark.timeout(400)
async def test_a_worker_killed_mid_send_leaves_each_message_to_arrive_once(
    tmp_path: Path, smtp_port: int, gated_mailbox: GatedMailbox, dev_server: WorkflowEnvironment
) -> None:
    """Slow (about 2 minutes): Temporal gives a killed worker's activity up only when its
    start-to-close timeout (2 minutes) passes; the time-skipping server does not skip time while an
    activity is out, so this runs in real time."""
    settings = isolated_settings(tmp_path)
    env = smtp_worker_env(dev_server, settings, smtp_port)
    gated_mailbox.open.clear()

    with worker_process(env, tmp_path / "first.log") as first:
        handle = await start_case(dev_server.client, settings)
        await until(lambda: asyncio.to_thread(gated_mailbox.held.wait, 0.1), "a message reached the mail server")
        first.kill()  # in the middle of the SMTP conversation
    gated_mailbox.open.set()
    assert gated_mailbox.received == []

    with worker_process(env, tmp_path / "second.log"):
        case = await until(lambda: settled(handle), "every message settled", attempts=3000)

    assert case.stage is CaseStage.informal_talks
    assert_each_message_once(gated_mailbox, case)


async def test_a_worker_killed_during_a_timer_wait_is_replaced_and_the_timer_fires_once(
    tmp_path: Path, smtp_port: int, gated_mailbox: GatedMailbox, dev_server: WorkflowEnvironment
) -> None:
    settings = isolated_settings(tmp_path)
    env = smtp_worker_env(dev_server, settings, smtp_port) | {"QUICK_TALKS_REVIEW_SECONDS": str(TALKS_REVIEW_SECONDS)}

    with worker_process(env, tmp_path / "first.log", QUICK_WORKER) as first:
        handle = await start_case(dev_server.client, settings)
        opened = await until(lambda: settled(handle), "the opening messages settled")
        first.kill()  # waiting for the talks review to expire
    await until(lambda: timer_fired(handle), "the review timer fired with no worker running", attempts=600)

    with worker_process(env, tmp_path / "second.log", QUICK_WORKER):
        case = await until(
            lambda: settled_with(handle, lambda c: len(c.notifications) > len(opened.notifications)),
            "the missed deadline was reported",
        )

    assert [d.state.value for d in case.deadlines if d.name == "talks_review"] == ["missed"]
    assert [n.template for n in case.notifications if n.to == "case_officer"] == ["deadline_missed"]
    assert_each_message_once(gated_mailbox, case)


async def timer_fired(handle: WorkflowHandle) -> bool:
    events = [event.event_type async for event in handle.fetch_history_events()]
    return EventType.EVENT_TYPE_TIMER_FIRED in events


async def settled_with(handle: WorkflowHandle, condition) -> CaseView | None:
    case = await settled(handle)
    return case if case is not None and condition(case) else None


async def test_mail_server_down_then_back_loses_nothing(
    tmp_path: Path, smtp_port: int, dev_server: WorkflowEnvironment
) -> None:
    settings = smtp_settings(tmp_path, smtp_port, task_queue=f"cases-{uuid.uuid4()}", encryption_keys=TEST_KEYS)
    async with build_worker(dev_server.client, settings, NotificationActivities(settings)):
        handle = await start_case(dev_server.client, settings)

        async def retried() -> bool:
            described = await handle.describe()
            return any(activity.attempt >= 2 for activity in described.raw_description.pending_activities)

        await until(retried, "a delivery was retried", attempts=1200)  # the server is down
        box = Mailbox()
        controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
        controller.start()  # and back
        try:
            case = await until(lambda: settled(handle), "every message settled", attempts=1200)
        finally:
            controller.stop()

    assert all(n.status is DeliveryStatus.sent for n in case.notifications)
    counts = Counter(email["Message-ID"] for email in box.received)
    assert len(counts) == len(case.notifications) and set(counts.values()) == {1}


# --- The server stopped and started again on its SQLite file --------------------------------------

@dataclass
class DevServer:
    settings: Settings
    process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.settings.dev_server_port}"

    def start(self) -> None:
        self.process = subprocess.Popen(dev_server_command(self.settings), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port("127.0.0.1", self.settings.dev_server_port, self.process)

    def stop(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)


async def test_the_server_restarted_on_its_file_continues_every_case_and_fires_timers_due_meanwhile(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, task_queue=f"cases-{uuid.uuid4()}", encryption_keys=TEST_KEYS,
        dev_server_port=free_port(), ui_port=free_port(), codec_server_port=free_port(),
    )
    server = DevServer(settings)
    server.start()
    try:
        references = await open_cases_in_several_stages(server, settings)
        server.stop()  # the talks review of the first case falls due while it is down
        await asyncio.sleep(TALKS_REVIEW_SECONDS + 2)
        server.start()
        await every_case_continues(server, settings, references)
    finally:
        if server.process is not None and server.process.poll() is None:
            server.stop()


async def open_cases_in_several_stages(server: DevServer, settings: Settings) -> dict[CaseStage, str]:
    client = await Client.connect(server.address, data_converter=data_converter(settings))
    references = {stage: new_reference() for stage in (CaseStage.informal_talks, CaseStage.awaiting_consent, CaseStage.arranging_session)}
    async with quick_worker(client, settings, RecordedNotifications(), TALKS_REVIEW_SECONDS):
        for stage, reference in references.items():
            handle = await start_case(client, settings, reference=reference)
            await opened_view(handle)
            if stage is not CaseStage.informal_talks:
                await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
            if stage is CaseStage.arranging_session:
                for party in ("applicant", "org-1", "org-2"):
                    await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party=party, agree=True))
            assert (await handle.query(DisagreementCase.case_view)).stage is stage
    return references


async def every_case_continues(server: DevServer, settings: Settings, references: dict[CaseStage, str]) -> None:
    client = await Client.connect(server.address, data_converter=data_converter(settings))
    notifications = RecordedNotifications()
    async with quick_worker(client, settings, notifications, TALKS_REVIEW_SECONDS):
        talks = client.get_workflow_handle_for(DisagreementCase.run, references[CaseStage.informal_talks])

        async def review_missed() -> bool:
            case = await talks.query(DisagreementCase.case_view)
            return any(d.name == "talks_review" and d.state.value == "missed" for d in case.deadlines)

        await until(review_missed, "the talks review that fell due while the server was down was missed")
        for stage, reference in references.items():
            handle = client.get_workflow_handle_for(DisagreementCase.run, reference)
            case = await handle.execute_update(DisagreementCase.add_note, AddNote(actor=OFFICER, text="after the restart"))
            assert case.stage is stage and (case.timeline[-1].event, case.timeline[-1].detail) == ("note", "after the restart")
    assert notifications.sent("deadline_missed") == ["case_officer"]
