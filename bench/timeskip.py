"""Cases through simulated time, on the time-skipping test server: months pass in seconds.

1. History per month of a parked case: a case opened with an appeal deadline 80 days away,
   left alone for two months (its talks review passes, the first appeal warning goes out): events
   and bytes added per month, beside the minimal workflow parked as long.
2. Six months of deadlines: the wall time to take one case from opening, through a session a month
   later and two agreed actions due one and three months after it (reminded, then chased as
   overdue), to its close six months on; beside the minimal workflow given the same updates and
   activities at the same simulated times.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bench.figures import note, report
from bench.lifecycle import DR_ACTIVITY_PLAN, OFFICER
from bench.minimal import MinimalCase, noop
from domain.models import (
    AgreedActionInput,
    AssignMediator,
    CompleteAction,
    OfferResolution,
    RecordConsent,
    RecordOutcome,
    RecordTalk,
    ScheduleSession,
    SessionResult,
    TalkOutcome,
)
from infra.binaries import installed_binary
from infra.converter import data_converter
from infra.settings import Settings
from tests.conftest import MEDIATOR_EMAIL, MEDIATOR_NAME, TEST_KEYS, new_reference, open_case, register_search_attributes
from worker import build_worker
from workflows.case import DisagreementCase

MONTH = timedelta(days=30)


@asynccontextmanager
async def time_skipping() -> AsyncIterator[tuple[WorkflowEnvironment, Settings]]:
    """A fresh time-skipping server with the product's worker and the baseline's on their queues."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=installed_binary("temporal-test-server"),
        data_converter=data_converter(Settings(encryption_keys=TEST_KEYS)),
    )
    try:
        await register_search_attributes(env.client)
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(data_dir=Path(data_dir), task_queue=f"bench-{uuid.uuid4()}", encryption_keys=TEST_KEYS)
            async with (
                build_worker(env.client, settings),
                Worker(env.client, task_queue=settings.task_queue + "-minimal", workflows=[MinimalCase], activities=[noop]),
            ):
                yield env, settings
    finally:
        await env.shutdown()


async def _size(handle: WorkflowHandle) -> tuple[int, int]:
    history = await handle.fetch_history()
    return len(history.events), sum(event.ByteSize() for event in history.events)


async def _timers(handle: WorkflowHandle) -> int:
    history = await handle.fetch_history()
    return sum(event.event_type == EventType.EVENT_TYPE_TIMER_STARTED for event in history.events)


async def parked_history_per_month(months: int = 2) -> None:
    async with time_skipping() as (env, settings):
        today = (await env.get_current_time()).date()
        case = await env.client.start_workflow(
            DisagreementCase.run, open_case(appeal_deadline=today + timedelta(days=80)),
            id=new_reference(), task_queue=settings.task_queue,
        )
        minimal = await env.client.start_workflow(
            MinimalCase.run, DR_ACTIVITY_PLAN, id=f"bench-{uuid.uuid4()}", task_queue=settings.task_queue + "-minimal"
        )
        await env.sleep(timedelta(hours=1))  # opening done, its messages delivered
        before = await _size(case), await _size(minimal)
        await env.sleep(MONTH * months)
        after = await _size(case), await _size(minimal)
        await case.terminate("benchmark over")
        await minimal.terminate("benchmark over")
    (case_before, minimal_before), (case_after, minimal_after) = before, after
    print(f"-- history of a parked case: opened with an appeal deadline in 80 days, left for {months} months", flush=True)
    report("events per parked month", (case_after[0] - case_before[0]) / months, (minimal_after[0] - minimal_before[0]) / months, "events")
    report("bytes per parked month", (case_after[1] - case_before[1]) / months, (minimal_after[1] - minimal_before[1]) / months, "bytes")


# Simulated days that pass before update number n (0 = the talk), the same for the case and the
# baseline; before update 8 (the first action done) the rest of the six months passes.
PAUSES = {0: timedelta(days=10), 2: timedelta(days=8), 7: MONTH + timedelta(hours=2)}
SIX_MONTHS = timedelta(days=182)


async def six_months_of_deadlines() -> None:
    async with time_skipping() as (env, settings):
        started = time.perf_counter()
        case = await _through_six_months(env, *_case_steps(env, settings))
        ours = time.perf_counter() - started
        started = time.perf_counter()
        minimal = await _through_six_months(env, *_minimal_steps(env, settings))
        baseline = time.perf_counter() - started
        timers = await _timers(case), await _timers(minimal)
    print("-- simulated time: one case through six months of deadlines (time-skipping server)", flush=True)
    report("six months of deadlines (wall)", ours, baseline, "s")
    note(f"timers set: case {timers[0]}, baseline {timers[1]}; same updates at the same simulated times")


Requests = list[tuple[object, Callable[[datetime], object]]]  # an update and its request, made at a time


async def _through_six_months(env: WorkflowEnvironment, start: Callable[[datetime], Awaitable[WorkflowHandle]], steps: Requests) -> WorkflowHandle:
    began = await env.get_current_time()
    handle = await start(began)
    for number, (update, request) in enumerate(steps):
        if number in PAUSES:
            await env.sleep(PAUSES[number])
        elif number == 8:
            await env.sleep(began + SIX_MONTHS - await env.get_current_time())
        await handle.execute_update(update, request(await env.get_current_time()))
    await handle.result()
    return handle


def _case_steps(env: WorkflowEnvironment, settings: Settings) -> tuple[Callable, Requests]:
    async def start(now: datetime) -> WorkflowHandle:
        return await env.client.start_workflow(
            DisagreementCase.run, open_case(appeal_deadline=now.date() + timedelta(days=200)),
            id=new_reference(), task_queue=settings.task_queue,
        )

    def outcome(now: datetime) -> RecordOutcome:
        # Reminded and then chased as overdue before they are done at six months.
        return RecordOutcome(
            actor=OFFICER, result=SessionResult.full_agreement,
            actions=[
                AgreedActionInput(description="Send the therapy report", owner="org-1", agreed_due=now.date() + timedelta(days=30)),
                AgreedActionInput(description="Review the EHC plan", owner="org-2", agreed_due=now.date() + timedelta(days=90)),
            ],
        )

    steps: Requests = [
        (DisagreementCase.record_talk, lambda now: RecordTalk(actor=OFFICER, outcome=TalkOutcome.unresolved)),
        (DisagreementCase.offer_resolution, lambda now: OfferResolution(actor=OFFICER)),
        *(
            (DisagreementCase.record_consent, lambda now, party=party: RecordConsent(actor=OFFICER, party=party, agree=True))
            for party in ("applicant", "org-1", "org-2")
        ),
        (
            DisagreementCase.assign_mediator,
            lambda now: AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=True),
        ),
        (DisagreementCase.schedule_session, lambda now: ScheduleSession(actor=OFFICER, at=now + MONTH)),
        (DisagreementCase.record_outcome, outcome),
        (DisagreementCase.complete_action, lambda now: CompleteAction(actor=OFFICER, number=1)),
        (DisagreementCase.complete_action, lambda now: CompleteAction(actor=OFFICER, number=2)),
    ]
    return start, steps


def _minimal_steps(env: WorkflowEnvironment, settings: Settings) -> tuple[Callable, Requests]:
    async def start(now: datetime) -> WorkflowHandle:
        return await env.client.start_workflow(
            MinimalCase.run, DR_ACTIVITY_PLAN, id=f"bench-{uuid.uuid4()}", task_queue=settings.task_queue + "-minimal"
        )

    return start, [(MinimalCase.step, lambda now, count=count: count) for count in DR_ACTIVITY_PLAN[1:]]
