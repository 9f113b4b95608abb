"""The sent-log's promise, the same for SQLite (one host) and PostgreSQL (several hosts): at any
moment at most one attempt may send a message, decided by one atomic statement.

Then the whole path: two workers, each with its own sent-log connection, race through Temporal for
the same messages, and the SMTP server receives each one once.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio import workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from activities.notifications import NotificationActivities
from activities.sent_log import ClaimState, SentLog, SqliteSentLog
from activities.sent_log_postgres import PostgresSentLog
from domain.models import Channel, DeliveryStatus
from domain.notifications import Delivery, Notice, RecipientKind, Template
from tests.delivery_servers import Mailbox, smtp_settings
from tests.notices import notice

KEY, TEMPLATE, EMAIL = "DR-2026-7KQ3XZ.case_opened.applicant", Template.case_opened, Channel.email
LEASE = 60.0
SENT = Delivery(status=DeliveryStatus.sent, channel=EMAIL)

SentLogs = Callable[[], SentLog]  # a new connection to the same log each call


@pytest_asyncio.fixture(params=["sqlite", "postgresql"], loop_scope="session")
async def sent_logs(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SentLogs]:
    opened: list[SentLog] = []
    if request.param == "sqlite":
        path = tmp_path / "sent-log.sqlite3"
        make = lambda: SqliteSentLog(path)  # noqa: E731
    else:
        url = request.getfixturevalue("postgres_server").new_database()
        make = lambda: PostgresSentLog(url)  # noqa: E731

    def connect() -> SentLog:
        opened.append(make())
        return opened[-1]

    yield connect
    for log in opened:
        await log.close()


def attempt() -> str:
    return uuid.uuid4().hex


async def test_the_first_claim_wins_and_a_second_attempt_is_told_to_wait(sent_logs: SentLogs) -> None:
    first, second = sent_logs(), sent_logs()

    assert (await first.claim(KEY, TEMPLATE, EMAIL, attempt(), LEASE)).state is ClaimState.new
    busy = await second.claim(KEY, TEMPLATE, EMAIL, attempt(), LEASE)

    assert busy.state is ClaimState.busy and not busy.may_send


async def test_a_recorded_answer_is_final_and_returned_to_every_later_attempt(sent_logs: SentLogs) -> None:
    log, mine = sent_logs(), attempt()
    await log.claim(KEY, TEMPLATE, EMAIL, mine, LEASE)
    await log.record(KEY, TEMPLATE, SENT, mine)
    await log.record(KEY, TEMPLATE, Delivery(status=DeliveryStatus.failed, channel=EMAIL, reason="late"), attempt())

    later = await sent_logs().claim(KEY, TEMPLATE, Channel.sms, attempt(), 0)

    assert later.state is ClaimState.done and later.delivery == SENT


@pytest.mark.parametrize(
    "answer",
    [SENT, Delivery(status=DeliveryStatus.failed, channel=EMAIL, reason="refused for good")],
    ids=["sent", "failed"],
)
async def test_a_final_answer_whose_lease_has_run_out_is_never_claimed_again(sent_logs: SentLogs, answer: Delivery) -> None:
    # The lease of the attempt that sent it is over at once: only the answer keeps it from a resend.
    log, mine = sent_logs(), attempt()
    await log.claim(KEY, TEMPLATE, EMAIL, mine, 0)
    await log.record(KEY, TEMPLATE, answer, mine)

    later = [await sent_logs().claim(KEY, TEMPLATE, EMAIL, attempt(), LEASE) for _ in range(3)]

    assert [claim.state for claim in later] == [ClaimState.done] * 3
    assert [claim.delivery for claim in later] == [answer] * 3 and not any(claim.may_send for claim in later)


async def test_an_expired_lease_is_taken_over_once_on_the_channel_first_chosen(sent_logs: SentLogs) -> None:
    await sent_logs().claim(KEY, TEMPLATE, EMAIL, attempt(), 0)  # it died; its lease is over

    claims = await asyncio.gather(*(sent_logs().claim(KEY, TEMPLATE, Channel.sms, attempt(), LEASE) for _ in range(8)))

    states = sorted(claim.state for claim in claims)
    assert states == [ClaimState.busy] * 7 + [ClaimState.taken_over]
    assert {claim.channel for claim in claims} == {EMAIL}


async def test_a_released_claim_can_be_taken_over_at_once(sent_logs: SentLogs) -> None:
    log, mine = sent_logs(), attempt()
    await log.claim(KEY, TEMPLATE, EMAIL, mine, LEASE)
    await log.release(KEY, "someone-else")  # only the holder can release
    assert (await log.claim(KEY, TEMPLATE, EMAIL, attempt(), LEASE)).state is ClaimState.busy

    await log.release(KEY, mine)

    assert (await sent_logs().claim(KEY, TEMPLATE, EMAIL, attempt(), LEASE)).state is ClaimState.taken_over


async def test_many_simultaneous_first_claims_let_exactly_one_send(sent_logs: SentLogs) -> None:
    logs = [sent_logs(), sent_logs()]

    claims = await asyncio.gather(*(logs[n % 2].claim(KEY, TEMPLATE, EMAIL, attempt(), LEASE) for n in range(20)))

    assert [claim.state for claim in claims].count(ClaimState.new) == 1
    assert sum(claim.may_send for claim in claims) == 1


# --- Two workers, two connections, the same messages ----------------------------------------------


@workflow.defn(sandboxed=False)
class SendEachManyTimes:
    """Asks for every notice several times at once, as overlapping retries would."""

    @workflow.run
    async def run(self, notices: list[Notice]) -> list[Delivery]:
        return await asyncio.gather(*(
            workflow.execute_activity(
                "send_notification", sent, result_type=Delivery,
                start_to_close_timeout=timedelta(minutes=2),
                retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200), backoff_coefficient=1.5),
            )
            for sent in notices for _ in range(3)
        ))


class SlowMailbox(Mailbox):
    """Takes a moment over each message, so that attempts overlap."""

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(0.3)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_mailbox(smtp_port: int):
    from aiosmtpd.controller import Controller

    box = SlowMailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield box
    controller.stop()


async def test_two_workers_racing_for_the_same_messages_deliver_each_once(
    tmp_path: Path, smtp_port: int, slow_mailbox: Mailbox, sent_logs: SentLogs, dev_server: WorkflowEnvironment
) -> None:
    settings = smtp_settings(tmp_path, smtp_port)
    notices = [notice(template, RecipientKind.organisation) for template in (Template.case_opened, Template.resolution_offered, Template.consent_reminder)]
    task_queue = f"race-{uuid.uuid4()}"
    # Two worker processes' worth: each its own client connection and its own sent-log connection.
    clients = [dev_server.client, await Client.connect(
        dev_server.client.service_client.config.target_host, data_converter=dev_server.client.data_converter,
    )]
    workers = [
        Worker(
            client, task_queue=task_queue, workflows=[SendEachManyTimes], workflow_runner=UnsandboxedWorkflowRunner(),
            activities=[NotificationActivities(settings, sent_log=sent_logs()).send_notification],
        )
        for client in clients
    ]
    async with workers[0], workers[1]:
        deliveries = await dev_server.client.execute_workflow(
            SendEachManyTimes.run, notices, id=f"race-{uuid.uuid4()}", task_queue=task_queue,
            execution_timeout=timedelta(minutes=2),
        )

    assert {delivery.status for delivery in deliveries} == {DeliveryStatus.sent}
    received = sorted(email["Message-ID"] for email in slow_mailbox.received)
    assert len(received) == len(set(received)) == len(notices)


@pytest.mark.parametrize("round_", range(5))
async def test_workers_opening_an_empty_log_together_all_find_it_made(round_: int, sent_logs: SentLogs) -> None:
    # `CREATE TABLE IF NOT EXISTS` alone races in PostgreSQL's catalogue (a CI run failed on it once):
    # each round is a fresh database and eight workers opening it at once.
    logs = [sent_logs() for _ in range(8)]

    claims = await asyncio.gather(
        *(log.claim(f"{KEY}.{n}", TEMPLATE, EMAIL, attempt(), LEASE) for n, log in enumerate(logs))
    )

    assert [claim.state for claim in claims] == [ClaimState.new] * 8
