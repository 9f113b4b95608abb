"""Lifecycle throughput: N cases at once through the whole happy path of each route, beside a
minimal workflow.

A disagreement resolution case runs: open, talk, offer, three consents, assign a mediator, schedule
the session, (the session is held), an outcome with two agreed actions, both actions done; the case
then closes. A statutory mediation case runs: open, the family chooses mediation, assign, schedule
(short notice agreed), (held), an outcome with two actions, the certificate, both actions done, and
the family lodges its appeal (which stops the appeal clock, so the workflow finishes).
The product runs on its real worker with outbox delivery and the sent-log, as configured by
default (workflows in Temporal's sandbox), and again with DISAGREEMENT_WORKFLOW_SANDBOX=false (outside it).
The baseline is
`bench.minimal.MinimalCase` with the same number of updates and of activities (no-ops), driven the
same way, on the same dev server, in the same run.

A session's outcome can only be recorded once the session time has passed, in real time here. So
both are driven in two timed phases with an untimed wait between them: phase 1 runs every case up
to scheduling the session and lasts until every message queued so far is delivered; phase 2 runs
every case from the outcome to its close (the workflow's result, after its last delivery).
Throughput = N / (phase 1 + phase 2). Update latency is each `execute_update` call, client side.
The baseline, the product and the product outside the sandbox take turns, three rounds of each, and
the median round of each is reported: load from elsewhere comes and goes, and so falls on all alike.
CPU per case is this process's CPU time (worker and client, not the server) over the phases: it
moves less than wall time when other work shares the machine.

It also reports what one happy-path case costs in history: events and bytes, beside the baseline's.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from bench.figures import dev_server, note, percentile, report
from bench.minimal import MinimalCase, noop
from domain.models import (
    AgreedActionInput,
    AppealStatus,
    AssignMediator,
    CompleteAction,
    DeliveryStatus,
    IssueCertificate,
    OfferResolution,
    RecordAppealStatus,
    RecordChoice,
    RecordConsent,
    RecordOutcome,
    RecordTalk,
    ScheduleSession,
    SessionResult,
    TalkOutcome,
)
from infra.settings import Settings
from tests.conftest import MEDIATOR_EMAIL, MEDIATOR_NAME, TEST_KEYS, new_reference, open_case
from tests.journeys import HEALTH_PROVISION, mediation_reference, open_mediation
from worker import build_worker
from workflows.case import DisagreementCase
from workflows.mediation import MediationCase

OFFICER = "jo.smith"
# Activities the product ran at the start and in each update on each happy path when this
# benchmark was written (plans awaited, messages delivered in the background): the baseline runs as
# many no-ops at the same points. The product's own count is printed beside it in every run.
DR_ACTIVITY_PLAN = [4, 1, 4, 1, 1, 2, 4, 7, 6, 0, 4]
MD_ACTIVITY_PLAN = [4, 5, 4, 6, 7, 5, 0, 4, 0]  # the same for statutory mediation (measured likewise)
ROUNDS = 3  # each contender runs this many times, in turn with the others


@dataclass
class Clock:
    """When the last session scheduled so far is held: phase 2 waits for it."""

    lead: timedelta
    last_session: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def session_time(self) -> datetime:
        at = datetime.now(timezone.utc) + self.lead
        self.last_session = max(self.last_session, at)
        return at


Step = tuple[Callable, Callable[[], object]]  # an update and a function making its request


@dataclass(frozen=True)
class Route:
    name: str
    run: Callable  # the workflow's run method
    opening: Callable[[], object]
    before_session: list[Step]
    after_session: list[Step]
    new_id: Callable[[], str]
    delivered: Callable[[WorkflowHandle], Awaitable[bool]] | None = None  # every queued message sent?

    @property
    def updates(self) -> int:
        return len(self.before_session) + len(self.after_session)


async def _all_delivered(handle: WorkflowHandle) -> bool:
    case = await handle.query(DisagreementCase.case_view)
    return all(notice.status is not DeliveryStatus.pending for notice in case.notifications)


def disagreement_resolution(clock: Clock) -> Route:
    actions = [
        AgreedActionInput(description="Send the therapy report", owner="org-1"),
        AgreedActionInput(description="Review the EHC plan", owner="org-2"),
    ]
    return Route(
        name="disagreement resolution",
        run=DisagreementCase.run,
        opening=open_case,
        before_session=[
            (DisagreementCase.record_talk, lambda: RecordTalk(actor=OFFICER, outcome=TalkOutcome.unresolved)),
            (DisagreementCase.offer_resolution, lambda: OfferResolution(actor=OFFICER)),
            *(
                (DisagreementCase.record_consent, lambda party=party: RecordConsent(actor=OFFICER, party=party, agree=True))
                for party in ("applicant", "org-1", "org-2")
            ),
            (
                DisagreementCase.assign_mediator,
                lambda: AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=True),
            ),
            (DisagreementCase.schedule_session, lambda: ScheduleSession(actor=OFFICER, at=clock.session_time())),
        ],
        after_session=[
            (
                DisagreementCase.record_outcome,
                lambda: RecordOutcome(actor=OFFICER, result=SessionResult.full_agreement, actions=actions),
            ),
            (DisagreementCase.complete_action, lambda: CompleteAction(actor=OFFICER, number=1)),
            (DisagreementCase.complete_action, lambda: CompleteAction(actor=OFFICER, number=2)),
        ],
        new_id=new_reference,
        delivered=_all_delivered,
    )


def statutory_mediation(clock: Clock) -> Route:
    actions = [
        AgreedActionInput(description="Send the therapy report", owner="org-1"),
        AgreedActionInput(description="Review the EHC plan", owner="org-1"),
    ]
    return Route(
        name="statutory mediation",
        run=MediationCase.run,
        opening=lambda: open_mediation(datetime.now(timezone.utc).date()),
        before_session=[
            (MediationCase.record_choice, lambda: RecordChoice(actor=OFFICER, mediate=True, health_provision_sought=HEALTH_PROVISION)),
            (
                MediationCase.assign_mediator,
                lambda: AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=True),
            ),
            (
                MediationCase.schedule_session,
                lambda: ScheduleSession(
                    actor=OFFICER, at=clock.session_time(), short_notice_agreed=True, la_attendee="Head of SEN"
                ),
            ),
        ],
        after_session=[
            (
                MediationCase.record_outcome,
                lambda: RecordOutcome(
                    actor=OFFICER, result=SessionResult.full_agreement, actions=actions, child_views_sought=True
                ),
            ),
            (MediationCase.issue_certificate, lambda: IssueCertificate(actor=OFFICER)),
            (MediationCase.complete_action, lambda: CompleteAction(actor=OFFICER, number=1)),
            (MediationCase.complete_action, lambda: CompleteAction(actor=OFFICER, number=2)),
            # The family lodges its appeal: the appeal clock stops and the workflow finishes.
            (MediationCase.record_appeal_status, lambda: RecordAppealStatus(actor=OFFICER, status=AppealStatus.lodged)),
        ],
        new_id=mediation_reference,
        delivered=_all_delivered,
    )


def minimal_like(route: Route, plan: list[int]) -> Route:
    """The baseline for a route: as many updates, `plan` no-op activities at each point."""
    assert len(plan) == route.updates + 1, "one activity count for the start and one per update"
    steps = [(MinimalCase.step, lambda count=count: count) for count in plan[1:]]
    split = len(route.before_session)
    return Route(
        name=f"minimal ({route.name})",
        run=MinimalCase.run,
        opening=lambda: plan,
        before_session=steps[:split],
        after_session=steps[split:],
        new_id=lambda: f"bench-{uuid.uuid4()}",
    )


@dataclass
class Run:
    cases: int
    seconds: float
    cpu_seconds: float  # this process (worker and client) while the phases ran: steadier under load
    latencies: list[float]
    handles: list[WorkflowHandle]

    @property
    def per_second(self) -> float:
        return self.cases / self.seconds


async def drive(client: Client, task_queue: str, route: Route, cases: int, clock: Clock) -> Run:
    latencies: list[float] = []

    async def steps(handle: WorkflowHandle, which: list[Step]) -> None:
        for update, request in which:
            started = time.perf_counter()
            await handle.execute_update(update, request())
            latencies.append(time.perf_counter() - started)

    async def up_to_the_session() -> WorkflowHandle:
        handle = await client.start_workflow(route.run, route.opening(), id=route.new_id(), task_queue=task_queue)
        await steps(handle, route.before_session)
        return handle

    async def to_the_close(handle: WorkflowHandle) -> None:
        await steps(handle, route.after_session)
        await handle.result()

    started, cpu_started = time.perf_counter(), time.process_time()
    handles = await asyncio.gather(*(up_to_the_session() for _ in range(cases)))
    waiting = list(handles) if route.delivered else []
    while waiting:  # asking only the cases still delivering: the asking costs the worker too
        delivered = await asyncio.gather(*(route.delivered(handle) for handle in waiting))
        waiting = [handle for handle, done in zip(waiting, delivered, strict=True) if not done]
        if waiting:
            await asyncio.sleep(0.1)
    phase_one, cpu_one = time.perf_counter() - started, time.process_time() - cpu_started

    await asyncio.sleep(max(0.0, (clock.last_session - datetime.now(timezone.utc)).total_seconds() + 0.2))

    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.gather(*(to_the_close(handle) for handle in handles))
    phase_two, cpu_two = time.perf_counter() - started, time.process_time() - cpu_started
    return Run(cases, phase_one + phase_two, cpu_one + cpu_two, latencies, handles)


async def history_cost(handles: list[WorkflowHandle]) -> tuple[float, float, float]:
    """Mean events, bytes and scheduled activities per case, over (up to) the first five cases."""
    sample = handles[:5]
    events = bytes_ = activities = 0
    for handle in sample:
        history = await handle.fetch_history()
        events += len(history.events)
        bytes_ += sum(event.ByteSize() for event in history.events)
        activities += sum(e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED for e in history.events)
    return events / len(sample), bytes_ / len(sample), activities / len(sample)


async def lifecycle_throughput(cases: int = 20, rounds: int = ROUNDS) -> None:
    # A session is scheduled this far ahead: far enough that the update, however late under load,
    # still finds it in the future; the wait for it is not timed.
    clock = Clock(lead=timedelta(seconds=5 + 0.1 * cases))
    routes = [(disagreement_resolution(clock), DR_ACTIVITY_PLAN), (statutory_mediation(clock), MD_ACTIVITY_PLAN)]
    async with dev_server() as env:
        for product_route, plan in routes:
            await _compare(env.client, product_route, minimal_like(product_route, plan), cases, clock, rounds)


def _median_run(runs: list[Run]) -> Run:
    """The run of median throughput, all its figures with it (cases, CPU, latencies)."""
    return sorted(runs, key=lambda run: run.per_second)[len(runs) // 2]


async def _compare(
    client: Client, product_route: Route, baseline_route: Route, cases: int, clock: Clock, rounds: int
) -> None:
    """The baseline, the product and the product outside the sandbox, in turn, `rounds` times: load
    from elsewhere that comes and goes falls on all three alike, and the median run of each is shown."""
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), task_queue=f"bench-{uuid.uuid4()}", encryption_keys=TEST_KEYS)
        # The same worker with workflow code outside Temporal's sandbox (DISAGREEMENT_WORKFLOW_SANDBOX=false).
        unsandboxed = settings.model_copy(update={"workflow_sandbox": False, "task_queue": f"{settings.task_queue}-unsandboxed"})
        contenders = [
            (f"{settings.task_queue}-minimal", baseline_route),
            (settings.task_queue, product_route),
            (unsandboxed.task_queue, product_route),
        ]
        async with (
            Worker(client, task_queue=contenders[0][0], workflows=[MinimalCase], activities=[noop]),
            build_worker(client, settings),
            build_worker(client, unsandboxed),
        ):
            for task_queue, route in contenders:
                await drive(client, task_queue, route, 2, clock)  # warm-up
            runs: list[list[Run]] = [[], [], []]
            for _ in range(rounds):
                for (task_queue, route), done in zip(contenders, runs, strict=True):
                    done.append(await drive(client, task_queue, route, cases, clock))
        baseline, product, outside = (_median_run(done) for done in runs)
        product_history = await history_cost(product.handles)
        baseline_history = await history_cost(baseline.handles)

    print(f"-- lifecycle: {cases} concurrent cases, {product_route.name} happy path, "
          f"{product_route.updates} updates a case; median of {rounds} rounds, each in turn", flush=True)
    report("throughput (cases/s)", product.per_second, baseline.per_second, "cases/s")
    report("throughput, workflows outside the sandbox", outside.per_second, baseline.per_second, "cases/s")
    report("worker+client CPU per case", product.cpu_seconds / cases * 1000, baseline.cpu_seconds / cases * 1000, "ms")
    report("CPU per case, workflows outside the sandbox", outside.cpu_seconds / cases * 1000, baseline.cpu_seconds / cases * 1000, "ms")
    report("update latency p50", percentile(product.latencies, 0.5) * 1000, percentile(baseline.latencies, 0.5) * 1000, "ms")
    report("update latency p95", percentile(product.latencies, 0.95) * 1000, percentile(baseline.latencies, 0.95) * 1000, "ms")
    report("history events per case", product_history[0], baseline_history[0], "events")
    report("history bytes per case", product_history[1], baseline_history[1], "bytes")
    note(f"activities per case: product {product_history[2]:.0f}, baseline {baseline_history[2]:.0f} no-ops")
    note("throughput of each round, product / baseline: " + ", ".join(
        f"{p.per_second:.2f}/{b.per_second:.2f}" for p, b in zip(runs[1], runs[0], strict=True)
    ))
