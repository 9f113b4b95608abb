"""The worker's metrics (DESIGN section 15): the product's counts from the case workflows and the
overdue-duty gauges, read from a real Prometheus scrape of the worker's runtime."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from structlog.testing import capture_logs
from temporalio import activity
from temporalio.common import MetricMeter
from temporalio.testing import WorkflowEnvironment

from activities.deadlines import DeadlineActivities
from activities.names import PLAN_DEADLINE
from cases.client import Cases
from cases.overdue import LONG_OVERDUE, OVERDUE, OverdueGauges, count_once, keep_counting
from domain.deadlines import DeadlineRequest, PlannedDeadline
from domain.models import Withdraw
from infra.binaries import installed_binary
from infra.converter import data_converter
from tests.conftest import (
    RecordedNotifications, isolated_settings, new_reference, open_case, personal_data, register_search_attributes,
    running_worker, start_case,
)
from tests.telemetry_helpers import prometheus_runtime, samples, scrape, value
from workflows.case import DisagreementCase
from worker import build_worker

DR = "disagreement_resolution"


async def test_a_case_counts_its_opening_messages_missed_duty_and_closing_once_however_often_it_replays(tmp_path: Path) -> None:
    # No workflow kept in memory: every task replays the case from its start. Counted on replay,
    # the opening would count once per task.
    settings = isolated_settings(tmp_path, workflow_cache_size=0)
    runtime, url = prometheus_runtime(settings)
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=installed_binary("temporal-test-server"), data_converter=data_converter(settings),
        runtime=runtime,
    )
    try:
        await register_search_attributes(env.client)
        opened = open_case()
        notifications = RecordedNotifications(fail_for={"org-2"})
        async with running_worker(env.client, settings, notifications):
            handle = await start_case(env.client, settings, opened, new_reference())
            await env.sleep(timedelta(days=30))  # the talks review (15 working days) passes
            await handle.execute_update(DisagreementCase.withdraw, Withdraw(actor="jo.smith", party="applicant", reason="resolved"))
            await handle.result()
            text = scrape(url)
    finally:
        await env.shutdown()

    assert value(text, "disagreement_cases_opened_total", route=DR) == 1
    assert value(text, "disagreement_cases_closed_total", route=DR, outcome="withdrawn") == 1
    assert value(text, "disagreement_duties_missed_total", route=DR, duty="talks_review") == 1
    assert value(text, "disagreement_duties_met_on_time_total") == 0
    assert value(text, "disagreement_messages_sent_total", route=DR, channel="email", template="case_opened") == 2
    assert value(text, "disagreement_messages_failed_total", route=DR, channel="none", template="case_opened") == 1
    # org-2's withdrawal notice fails too; the case officer is told of each failure.
    assert value(text, "disagreement_messages_failed_total", template="withdrawn") == 1
    assert value(text, "disagreement_messages_sent_total", template="notification_failed") == 2
    product = [labels for name in ("disagreement_cases_opened_total", "disagreement_messages_sent_total",
                                   "disagreement_messages_failed_total", "disagreement_duties_missed_total",
                                   "disagreement_cases_closed_total") for labels, _ in samples(text, name)]
    allowed = {"route", "outcome", "duty", "channel", "template", "namespace", "task_queue", "workflow_type", "service_name"}
    assert all(set(labels) <= allowed for labels in product), product
    for secret in [handle.id, *personal_data(opened)]:
        assert secret not in text


class OverdueDeadlines(DeadlineActivities):
    """Plans the talks review as due 10 days ago (6 or more working days overdue) and the rest as usual."""

    @activity.defn(name=PLAN_DEADLINE)
    async def plan_deadline(self, request: DeadlineRequest) -> PlannedDeadline:
        planned = await super().plan_deadline(request)
        if planned.name != "talks_review":
            return planned
        due = planned.due - timedelta(days=(planned.due - request.now.date()).days + 10)
        return await super().plan_deadline(request.model_copy(update={"due": due}))


async def test_the_worker_counts_overdue_duties_from_visibility_by_route_and_kind(dev_server, tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    runtime, url = prometheus_runtime(settings)
    client = dev_server.client
    worker = build_worker(client, settings, RecordedNotifications(), deadlines=OverdueDeadlines(settings.deadline_policy))
    async with worker:
        handle = await start_case(client, settings)
        gauges = OverdueGauges(runtime.metric_meter)
        # Visibility catches up with the case's OpenDuties a moment after it changes.
        for _ in range(100):
            await count_once(Cases(client, settings), gauges)
            if value(scrape(url), OVERDUE, route=DR, duty="talks_review"):
                break
            await asyncio.sleep(0.2)
        text = scrape(url)
        assert value(text, OVERDUE, route=DR, duty="talks_review") >= 1
        assert value(text, LONG_OVERDUE, route=DR, duty="talks_review") >= 1
        assert value(text, "disagreement_duties_overdue_counted_at") > 0
        assert handle.id not in text


async def test_the_overdue_count_goes_on_after_a_fault_of_ours_and_says_so_by_its_type_only(monkeypatch, settings) -> None:
    """A fault that is not Temporal's (here a ValueError) is logged at once, its text left out, and the
    next round counts again: the background task never ends silently."""
    rounds: list[int] = []

    async def due(self, *args) -> list:
        rounds.append(len(rounds) + 1)
        if len(rounds) == 1:
            raise ValueError("Sam Parent's case")
        return []

    monkeypatch.setattr(Cases, "due", due)
    quick = settings.model_copy(update={"overdue_count_seconds": 0.01})
    with capture_logs() as logged:
        counting = asyncio.create_task(keep_counting(None, quick, MetricMeter.noop))
        for _ in range(500):
            if len(rounds) >= 3:
                break
            await asyncio.sleep(0.01)
        still_counting = not counting.done()
        counting.cancel()
    assert len(rounds) >= 3 and still_counting
    [error] = [entry for entry in logged if entry["log_level"] == "error"]
    assert (error["event"], error["error"]) == ("could not count the overdue duties", "ValueError")
    assert "Sam Parent" not in repr(logged)
