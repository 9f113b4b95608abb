"""The sites' telemetry (DESIGN section 15): the console's request metrics by route template, served
on their own port (the public site's: tests/test_public_site.py), and one connected trace for one
staff action, or one family's answer through its link: the site's request, the workflow update, and
the activities it starts."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from temporalio.testing import WorkflowEnvironment

from domain.calendar import london_date
from domain.models import CaseView, DeliveryStatus, OfferResolution
from domain.notifications import AnswerPurpose
from infra.client import connect
from infra.settings import Settings
from infra.vouching import write_key_pair
from public_site.app import create_app as public_app
from public_site.settings import PublicSettings
from records.answer_links import AnswerLinks, CheckKind, IdentityCheck, expiry_of
from records.database import records_database_for
from tests.conftest import TEST_KEYS, RecordedNotifications, open_case, personal_data, running_worker, start_case
from tests.delivery_servers import free_port
from tests.telemetry_helpers import samples, scrape
from tests.web_console import console_over, web_settings
from web.app import create_app
from web.__main__ import WEB_METRICS
from workflows import names
from workflows.case import DisagreementCase
from worker import build_worker

pytestmark = pytest.mark.timeout(180)


async def test_console_requests_are_counted_by_route_template_never_by_path(dev_server: WorkflowEnvironment, settings: Settings) -> None:
    port = free_port()
    web = web_settings(settings.data_dir, settings.task_queue, web_metrics_port=port)
    app = create_app(web, dev_server.client)
    assert app.metrics.serve(web, WEB_METRICS) == port
    opened = open_case()
    async with running_worker(dev_server.client, settings), console_over(app) as console:
        await console.sign_in()
        reference = await console.open_case(opened)
        assert (await console.get(f"/cases/{reference}")).status_code == 200
        assert (await console.act(reference, "note", {"text": "Called the school"})).status_code == 303
        assert (await console.get(f"/cases/{reference}/no-such-page/at-all")).status_code == 404
    text = scrape(f"http://127.0.0.1:{port}/metrics")

    counted = {(labels["route"], labels["method"], labels["code"]) for labels, _ in samples(text, "disagreement_web_requests_total")}
    assert ("/cases/{reference}", "GET", "200") in counted
    assert ("/cases/{reference}/{slug}", "POST", "303") in counted
    assert ("/sign-in/dev", "POST", "303") in counted
    assert ("unmatched", "GET", "404") in counted
    assert samples(text, "disagreement_web_request_duration_seconds_count")
    for secret in [reference, *personal_data(opened)]:
        assert secret not in text


@pytest.fixture
def spans() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


@pytest.fixture
async def traced_worker_client(dev_server: WorkflowEnvironment, settings: Settings, spans, monkeypatch: pytest.MonkeyPatch):
    """The site's tracer, and the worker's client connected as in production (infra/client.py) with
    it; the sites connect through the same environment."""
    tracer = spans[0].get_tracer("test")
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_server.client.service_client.config.target_host)
    monkeypatch.setenv("TEMPORAL_NAMESPACE", dev_server.client.namespace)
    return tracer, await connect(settings, tracer=tracer)


def attribute_values(span: ReadableSpan) -> list[str]:
    return [str(value) for value in (span.attributes or {}).values()]


async def test_one_staff_action_makes_one_connected_trace_without_personal_data(
    dev_server: WorkflowEnvironment, settings: Settings, spans, traced_worker_client,
) -> None:
    exporter = spans[1]
    tracer, worker_client = traced_worker_client
    app = create_app(web_settings(settings.data_dir, settings.task_queue), tracer=tracer)
    opened = open_case()
    async with build_worker(worker_client, settings, RecordedNotifications()), console_over(app) as console:
        await console.sign_in()
        reference = await console.open_case(opened)
        await console.get(f"/cases/{reference}/offer")
        exporter.clear()
        assert (await console.post(f"/cases/{reference}/offer", {})).status_code == 303
        handle = dev_server.client.get_workflow_handle(reference)
        for _ in range(200):  # the offer's messages go out in the background
            case = await handle.query(DisagreementCase.case_view)
            if case.notifications and all(n.status is not DeliveryStatus.pending for n in case.notifications):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the last activity's span ends as its result is reported

    finished = exporter.get_finished_spans()
    [request] = [s for s in finished if s.kind is SpanKind.SERVER and s.name == "POST /cases/{reference}/{slug}"]
    # One trace: every span of the action hangs from the console's request.
    names_seen = {s.name for s in one_trace(finished, request)}
    assert "StartWorkflowUpdate:offer_resolution" in names_seen, names_seen
    assert "HandleUpdate:offer_resolution" in names_seen, names_seen
    assert {"StartActivity:send_notifications", "RunActivity:send_notifications"} <= names_seen, names_seen
    assert any(name.startswith("RunActivity:plan_deadline") for name in names_seen), names_seen
    assert request.attributes["http.route"] == "/cases/{reference}/{slug}"
    # No personal data in any span, and no path with the reference in it.
    for span in finished:
        for value in attribute_values(span) + [span.name]:
            assert f"/cases/{reference}" not in value
            for secret in personal_data(opened):
                assert secret not in value, (span.name, value)


def one_trace(finished: list[ReadableSpan], request: ReadableSpan) -> list[ReadableSpan]:
    """The spans of `request`'s trace, each hanging from it."""
    trace = [s for s in finished if s.context.trace_id == request.context.trace_id]
    by_id = {s.context.span_id: s for s in trace}
    for span in trace:
        root = span
        while root.parent is not None and root.parent.span_id in by_id:
            root = by_id[root.parent.span_id]
        assert root is request, (span.name, root.name)
    return trace


async def test_a_familys_answer_through_its_link_makes_one_connected_trace_without_the_token(
    dev_server: WorkflowEnvironment, settings: Settings, spans, traced_worker_client,
) -> None:
    exporter = spans[1]
    tracer, worker_client = traced_worker_client
    site = PublicSettings(data_dir=settings.data_dir, task_queue=settings.task_queue, encryption_keys=TEST_KEYS)
    write_key_pair(site.public_site_key_path, settings.data_dir / "public-site-key.pub")  # as `make run` writes it
    links = AnswerLinks(records_database_for(site), site.public_site_secret())
    opened = open_case()
    async with build_worker(worker_client, settings, RecordedNotifications()):
        handle = await start_case(dev_server.client, settings, opened)
        await handle.execute_update(names.OFFER_RESOLUTION, OfferResolution(actor="jo.smith"), result_type=CaseView)
        token = await links.mint(
            handle.id, "applicant", AnswerPurpose.consent, f"{handle.id}.resolution_offered.applicant",
            IdentityCheck(CheckKind.phone_last4, "0123"), expiry_of(london_date(datetime.now(UTC)) + timedelta(days=10)),
        )
        app = public_app(site, links=links, tracer=tracer)  # no client given: it connects itself, traced
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8081") as http:
            assert (await http.post(f"/{token}", data={"answer": "0123"})).status_code == 303
            question = await http.get(f"/{token}/answer")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', question.text).group(1)
            exporter.clear()
            sent = await http.post(f"/{token}/answer/send", data={"csrf_token": csrf, "agree": "yes"})
            assert sent.status_code == 303, sent.text
            for _ in range(200):  # the officer is told in the background
                case = await handle.query(DisagreementCase.case_view)
                if case.notifications and all(n.status is not DeliveryStatus.pending for n in case.notifications):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # the last activity's span ends as its result is reported
        await links.close()

    finished = exporter.get_finished_spans()
    [request] = [s for s in finished if s.kind is SpanKind.SERVER and s.name == "POST /{token}/{slug}/send"]
    names_seen = {s.name for s in one_trace(finished, request)}
    # The site's request, its update, and the message telling the officer, under one root.
    assert {"StartWorkflowUpdate:record_consent", "HandleUpdate:record_consent", "RunActivity:send_notifications"} <= names_seen, names_seen
    assert request.attributes["http.route"] == "/{token}/{slug}/send"
    assert request.attributes["http.response.status_code"] == 303
    # No token, no path and no personal data in any span.
    for span in finished:
        for value in attribute_values(span) + [span.name]:
            assert token not in value and token[:12] not in value, (span.name, value)
            for secret in personal_data(opened):
                assert secret not in value, (span.name, value)
