"""The disagreement report at scale (DESIGN section 15): what a team manager waits for, with N real
running cases on both routes (default 500) on the dev server and a worker process of its own (as
deployed: the worker's answers to the report's queries do not share the console's interpreter; the
machine's cores are shared all the same), and M closed cases in the
records store (default 2,000), for a year's period.

The running cases are real: opened on the worker's task queue (and a third of each route moved on a
stage: disagreement resolution offered, mediation chosen), since the report asks each of them the
`case` query. The closed ones are built with the domain's own rules, as the workflow would, opened
over the last 13 months and closed within weeks (resolved in informal talks, declined, certificate
only), with their planned duties and messages, and archived with `RecordsStore.archive`.

The console and the report read with a client of their own, as the console does in its own process:
its converter's case keys (records/case_keys.py) are not the worker's. Keys are cached for 5 minutes
(`CACHE_SECONDS`), so a report is measured twice: "keys cached" (the median of runs in a row) and
"keys not cached" (each run with a new converter and records store: every case's key read from the
records database again, as for a manager's first report in 5 minutes).

Measured, each the median of `runs`, in rounds (each contender once a round, so load from elsewhere
falls on all alike):
- `cases.reports.case_report` (what `disagreement report` and the Reports page call), both routes;
- `GET /reports` for the year and `GET /reports.csv`, from a console served by uvicorn, signed in
  as a team manager, over loopback;
- and its reads apart, as baselines: the bare visibility list of the running cases, every page; the
  `case` query of every running case made directly with the client, `QUERY_CONCURRENCY` at a time;
  `RecordsStore.closed_views` (every closed record decrypted), beside the same rows read without
  decrypting them; and the figures alone (domain/report.py's `report` over the views already read).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.client import Client, WorkflowHandle
from temporalio.exceptions import WorkflowAlreadyStartedError

from bench.figures import dev_server, in_rounds, note, report
from bench.parked import worker_process
from cases.client import LIST_PAGE_SIZE, QUERY_CONCURRENCY, WORKFLOW_TYPES, Cases
from cases.reports import case_report
from domain.appeal import reckon_appeal_deadline
from domain.calendar import WorkingCalendar, london_date
from domain.case import CaseFile, NotificationRecord
from domain.deadlines import APPEAL, CONSENT_WINDOW, TALKS_REVIEW, AppealPlan, DeadlinePolicy, DeadlineRequest, plan_deadline
from domain.mediation import Mediation
from domain.models import (
    CaseView, DeliveryStatus, IssueCertificate, OfferResolution, RecordChoice, RecordConsent, RecordTalk, TalkOutcome,
)
from domain.notifications import Announcement, notice_key
from domain.report import Period, report as figures_of
from domain.resolution import Resolution
from infra.converter import data_converter
from infra.settings import Settings
from records.database import records_database_for
from records.models import archive_of
from records.store import records_store_for
from tests.conftest import new_reference, open_case
from tests.journeys import HEALTH_PROVISION, mediation_reference, open_mediation
from workflows import names
from workflows.case import DisagreementCase
from workflows.mediation import MediationCase

OFFICER = "jo.smith"
MANAGER = "pat.lee"
OPENING_BATCH = 25  # cases opened (or moved on) at once while the running cases are set up
WORKER_CACHE = 1000  # the worker's sticky cache, as deployed (DISAGREEMENT_WORKFLOW_CACHE_SIZE): every case stays in it


# --- Closed cases, built with the domain's rules as the workflow would -------------------------------

_POLICY, _CALENDAR = DeadlinePolicy(), WorkingCalendar()


def _planned(request: DeadlineRequest):
    return plan_deadline(request, _POLICY, _CALENDAR)


def _sent(case: CaseFile, announcements: list[Announcement]) -> None:
    """What the workflow queues for these announcements, each message sent by email."""
    for announcement in announcements:
        for to in announcement.to:
            key = notice_key(case.reference, announcement.event or announcement.template.value, to)
            case.notifications.append(NotificationRecord(
                key=key, to=to, template=announcement.template.value, channel="email", status=DeliveryStatus.sent,
            ))


def closed_case(number: int, now: datetime, reference: str) -> CaseFile:
    """A closed case opened 20 to 420 days ago: three in four disagreement resolution (resolved in
    informal talks, or declined after the offer), one in four statutory mediation the family did
    not want (certificate only)."""
    opened = now - timedelta(days=20 + (number * 37) % 400, hours=number % 7)
    shape = number % 4
    if shape == 3:
        case = Mediation.open(reference, open_mediation(london_date(opened) - timedelta(days=10)), opened)
        reckoned = reckon_appeal_deadline(case.opened.decision_date, None, _CALENDAR)
        case.set_appeal(AppealPlan(deadline=_planned(DeadlineRequest(name=APPEAL, now=opened, due=reckoned.due)),
                                   steps=reckoned.steps), opened)
        _sent(case, case.announce_opening(opened, london_date(opened)))
        chose = opened + timedelta(days=4)
        choice = RecordChoice(actor=OFFICER, mediate=False)
        planned = [_planned(request) for request in case.plan_choice(choice, chose, london_date(chose))]
        _sent(case, case.record_choice(choice, planned, chose, london_date(chose)))
        issued = chose + timedelta(days=3 + number % 3)  # on time or a day or two late
        _sent(case, case.issue_certificate(IssueCertificate(actor=OFFICER), None, issued, london_date(issued)))
        return case
    case = Resolution.open(reference, open_case(), opened)
    case.set_deadline(_planned(DeadlineRequest(name=TALKS_REVIEW, now=opened)))
    _sent(case, case.announce_opening())
    if shape == 2:
        offered = opened + timedelta(days=10 + number % 20)
        case.offer_resolution(OfferResolution(actor=OFFICER), offered)
        case.set_deadline(_planned(DeadlineRequest(name=CONSENT_WINDOW, now=offered)))
        _sent(case, case.announce_offer())
        declined = RecordConsent(actor=OFFICER, party="org-1", agree=False)
        _sent(case, case.record_consent(declined, offered + timedelta(days=5)))
    else:
        case.record_talk(RecordTalk(actor=OFFICER, outcome=TalkOutcome.resolved), opened + timedelta(days=3 + number % 30))
        _sent(case, [case.closure()])
    assert case.is_closed, case.reference
    return case


async def archive_closed(settings: Settings, count: int, now: datetime, taken: set[str]) -> None:
    records = records_store_for(settings)
    try:
        for number in range(count):
            reference = ""
            while not reference or reference in taken:
                reference = mediation_reference() if number % 4 == 3 else new_reference()
            taken.add(reference)
            await records.archive(archive_of(closed_case(number, now, reference), version=1))
    finally:
        await records.close()


# --- Running cases, on the worker ------------------------------------------------------------------


async def open_running(client: Client, settings: Settings, count: int) -> list[WorkflowHandle]:
    """`count` cases, every other one statutory mediation; a third of each route moved on a stage.
    Returns once every case has its first deadlines and has sent every message it queued."""
    decided = london_date(datetime.now(UTC)) - timedelta(days=10)

    async def start(number: int) -> WorkflowHandle:
        while True:
            mediation = number % 2 == 1
            try:
                return await client.start_workflow(
                    MediationCase.run if mediation else DisagreementCase.run,
                    open_mediation(decided) if mediation else open_case(),
                    id=mediation_reference() if mediation else new_reference(), task_queue=settings.task_queue,
                )
            except WorkflowAlreadyStartedError:
                continue  # a drawn reference may repeat: draw again

    async def settled(handle: WorkflowHandle) -> bool:
        case = await handle.query(names.CASE_QUERY, result_type=CaseView)
        return bool(case.deadlines) and all(message.status is not DeliveryStatus.pending for message in case.notifications)

    async def until_settled(handles: list[WorkflowHandle], seconds: float = 600) -> None:
        give_up = time.monotonic() + seconds
        waiting = list(handles)
        while waiting:
            if time.monotonic() > give_up:
                raise AssertionError(f"{len(waiting)} cases did not finish opening")
            done: list[bool] = []
            for first in range(0, len(waiting), OPENING_BATCH):
                done += await asyncio.gather(*(settled(handle) for handle in waiting[first:first + OPENING_BATCH]))
            waiting = [handle for handle, ok in zip(waiting, done, strict=True) if not ok]
            if waiting:
                await asyncio.sleep(0.5)

    async def moved_on(number: int, handle: WorkflowHandle) -> None:
        if number % 2 == 1:
            choice = RecordChoice(actor=OFFICER, mediate=True, health_provision_sought=HEALTH_PROVISION)
            await handle.execute_update(MediationCase.record_choice, choice)
        else:
            await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))

    handles: list[WorkflowHandle] = []
    for first in range(0, count, OPENING_BATCH):
        batch = await asyncio.gather(*(start(number) for number in range(first, min(first + OPENING_BATCH, count))))
        await until_settled(list(batch))
        handles += batch
    moving = [(number, handle) for number, handle in enumerate(handles) if number % 6 in (0, 1)]
    for first in range(0, len(moving), OPENING_BATCH):
        await asyncio.gather(*(moved_on(number, handle) for number, handle in moving[first:first + OPENING_BATCH]))
    await until_settled([handle for _, handle in moving])
    return handles


# --- Measuring --------------------------------------------------------------------------------------


def _period_params(period: Period) -> dict[str, str]:
    params = {}
    for name, day in (("from", period.start), ("to", period.end)):
        params |= {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}
    return params | {"route": ""}


async def report_at_scale(running: int = 500, closed: int = 2000, runs: int = 5, quick: bool = False) -> None:
    import httpx

    from tests.web_console import CSRF, free_port, served, wait_until_listed, web_settings
    from web.app import create_app

    print(
        f"-- reports: {running} running cases (both routes, on a worker process of its own) and {closed} closed in the records store, "
        f"a year's period; median of {runs}" + (" (--quick sizes)" if quick else ""), flush=True,
    )
    now = datetime.now(UTC)
    today = london_date(now)
    period = Period(today - timedelta(days=364), today)  # a year: 365 days, today the last
    async with dev_server() as env:
        with tempfile.TemporaryDirectory() as data_dir:
            port = free_port()
            # Its own records file (not the run's): the report counts every closed record there.
            settings = web_settings(
                Path(data_dir), f"bench-{uuid.uuid4()}", web_port=port, records_file=Path(data_dir) / "records.sqlite3",
            )

            def new_client() -> Client:
                """A client with a converter of its own: its own cache of case keys, none cached yet."""
                return Client(env.client.service_client, namespace=env.client.namespace, data_converter=data_converter(settings))

            worker_client = new_client()
            taken: set[str] = set()
            setting_up = time.perf_counter()
            await archive_closed(settings, closed, now, taken)
            archived_s = time.perf_counter() - setting_up
            # The worker in a process of its own, as in production: the console's reads and the
            # worker's answers to its queries do not share one interpreter.
            address = env.client.service_client.config.target_host
            with worker_process(
                address, Path(data_dir), settings.task_queue, cache=WORKER_CACHE, minimal=False, records_file=settings.records_path,
            ):
                handles = await open_running(worker_client, settings, running)
                opened_s = time.perf_counter() - setting_up - archived_s
                types = "(" + " OR ".join(f'WorkflowType = "{name}"' for name in WORKFLOW_TYPES.values()) + ")"
                query = f'{types} AND ExecutionStatus = "Running" AND TaskQueue = "{settings.task_queue}"'
                await wait_until_listed(env.client, query, running, seconds=120)

                client = new_client()  # the console's and the reader's, as in a process of their own
                cases = Cases(client, settings)
                references = [handle.id for handle in handles]

                async def listed() -> None:
                    found = [execution.id async for execution in client.list_workflows(query, page_size=LIST_PAGE_SIZE)]
                    assert len(found) == running, len(found)

                async def queried(through: Client) -> list[CaseView]:
                    gate = asyncio.Semaphore(QUERY_CONCURRENCY)

                    async def one(reference: str) -> CaseView:
                        async with gate:
                            return await through.get_workflow_handle(reference).query(names.CASE_QUERY, result_type=CaseView)

                    return list(await asyncio.gather(*(one(reference) for reference in references)))

                async def closed_views(reader: Cases) -> None:
                    views, unreadable = await reader.records.closed_views()
                    assert len(views) == closed and not unreadable, (len(views), unreadable)

                async def closed_views_cold() -> None:
                    reader = Cases(new_client(), settings)
                    try:
                        await closed_views(reader)
                    finally:
                        await reader.close()

                rows_sql = "SELECT reference, closed_at, delete_after, sealed FROM case_records ORDER BY reference"

                database = records_database_for(settings)

                async def closed_rows() -> None:  # what closed_views reads, not decrypted
                    async with database.transaction() as tx:
                        assert len(await tx.fetchall(rows_sql)) == closed

                async def made() -> None:
                    result = await case_report(cases, period, today)
                    assert result.count("cases.opened") > 0 and not result.unreadable

                async def made_cold() -> None:
                    reader = Cases(new_client(), settings)
                    try:
                        await case_report(reader, period, today)
                    finally:
                        await reader.close()

                views = await queried(client) + (await cases.records.closed_views())[0]
                assert len(views) == running + closed, len(views)

                async def figures() -> None:
                    figures_of(views, period, today)

                async with (
                    served(create_app(settings, new_client()), port) as address,
                    httpx.AsyncClient(base_url=address, timeout=120) as http,
                ):
                    sign_in = await http.get("/sign-in")
                    signed = await http.post("/sign-in/dev", data={
                        "csrf_token": CSRF.search(sign_in.text).group(1), "staff_id": MANAGER, "roles": "team_manager",
                    })
                    assert signed.status_code == 303, signed.status_code
                    params = _period_params(period)

                    async def page() -> None:
                        response = await http.get("/reports", params=params)
                        assert response.status_code == 200 and "Cases open over the period" in response.text, response.status_code

                    async def download() -> None:
                        response = await http.get("/reports.csv", params=params)
                        assert response.status_code == 200 and response.text.startswith("figure,"), response.status_code

                    page_bytes = len((await http.get("/reports", params=params)).content)
                    csv_bytes = len((await http.get("/reports.csv", params=params)).content)
                    # Keys cached stay so for 5 minutes from their first use: at full size one round in
                    # the middle may find them gone and read them again; the median leaves it out.
                    took = await in_rounds(runs, {
                        "list": listed, "queries": lambda: queried(client), "queries_cold": lambda: queried(new_client()),
                        "closed": lambda: closed_views(cases), "closed_cold": closed_views_cold, "rows": closed_rows,
                        "figures": figures, "report": made, "report_cold": made_cold, "page": page, "csv": download,
                    })
                await cases.close()
                await database.close()
    reads = took["list"] + took["queries"] + took["closed"]
    reads_cold = took["list"] + took["queries_cold"] + took["closed_cold"]
    report("reports: case_report, both routes", took["report"], reads, "ms")
    report("reports: case_report, keys not cached", took["report_cold"], reads_cold, "ms")
    report("reports: GET /reports, a year (median)", took["page"], took["report"], "ms")
    report("reports: GET /reports.csv (median)", took["csv"], took["report"], "ms")
    report(f"reports: closed_views, {closed} records", took["closed"], took["rows"], "ms")
    report("reports: closed_views, keys not cached", took["closed_cold"], took["rows"], "ms")
    note(f"baseline of case_report: its reads measured apart, summed: the visibility list of the {running} running cases, "
         f"every page, {took['list']:.0f} ms; their `case` queries, {QUERY_CONCURRENCY} at a time, {took['queries']:.0f} ms "
         f"({took['queries_cold']:.0f} ms keys not cached); closed_views {took['closed']:.0f} ms "
         f"({took['closed_cold']:.0f} ms keys not cached)")
    note(f"the figures alone (domain/report.py over the {running + closed} views read): {took['figures']:.0f} ms")
    note(f"baseline of the pages: case_report with keys cached; the page is {page_bytes / 1024:.0f} KiB, "
         f"the CSV {csv_bytes / 1024:.0f} KiB; signed in as a team manager, uvicorn over loopback")
    note(f"baseline of closed_views: the same {closed} rows read from the records file (SQLite), not decrypted")
    note(f"set-up (not timed): {closed} closed cases archived in {archived_s:.0f} s, {running} running opened in {opened_s:.0f} s; "
         f"period {period.start.isoformat()} to {period.end.isoformat()}")
