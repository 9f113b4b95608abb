"""Benchmarks: `make bench`. Each figure is printed beside a baseline measured in the same run.

1. Deadline planning: `plan_deadline` with the bank-holiday calendar vs plain date arithmetic.
2. Payload encoding: the project's converter (pydantic + AES-GCM) vs pydantic alone, on a case view.
3. Staff CLI start-up: `disagreement --help` vs the Go `temporal --help`.
4. Staff action round trip: `add_note` on a case vs a no-op update on a bare workflow, both on a
   local dev server (what our validation, lock, state and encryption add to Temporal's own cost).
5. Staff commands: `show` and `list` vs `temporal workflow describe`/`list` and the bare import of
   `temporalio.client` (bench/staff_commands.py).
6. Lifecycle throughput and history per case: N cases at once through the whole happy path vs a
   minimal workflow with as many updates and activities (bench/lifecycle.py).
7. Simulated time: history per month of a parked case, and six months of deadlines on the
   time-skipping server, each vs the minimal workflow (bench/timeskip.py).
8. Parked cases: worker memory with N cases waiting on deadlines at two cache sizes, and the time
   to bring them all to their next stage, vs the minimal workflow (bench/parked.py).
9. Web console, served by uvicorn and fetched over loopback: a case page vs the `case` query made
   directly with the client, and a page of 1,000 cases vs the same visibility query (one page of
   1,000) made directly with the client.
10. Due from me: an officer's due list (`Cases.due`) and the console's home page with 5,000 open
   cases across 50 officers, vs the bare visibility query of the officer's cases (bench/due.py).
11. Reports: `case_report`, `GET /reports` for a year and its CSV, with 500 running cases on both
   routes on a worker and 2,000 closed ones in the records store, vs its reads measured apart (the
   visibility list, every running case's `case` query, `RecordsStore.closed_views`), with the case
   keys cached and not (bench/reports.py).
12. Public site: what a family waits for behind its link (the check page, the answer to it, the case
   in words) and the console's case page, vs the `case` query of the same case (bench/public.py).

`python -m bench.run --help` for the options (more cases, fewer parked cases, one benchmark only).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from temporalio import workflow
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.worker import Worker

from bench.figures import dev_server, logs_rendered_and_dropped, report
from bench.due import due_from_me
from bench.lifecycle import lifecycle_throughput
from bench.parked import parked_cases
from bench.public import public_site_pages
from bench.reports import report_at_scale
from bench.staff_commands import staff_command_latency
from bench.timeskip import parked_history_per_month, six_months_of_deadlines
from domain.calendar import WorkingCalendar
from domain.resolution import Resolution
from domain.deadlines import DeadlinePolicy, DeadlineRequest, plan_deadline
from domain.models import AddNote
from infra.binaries import installed_binary
from infra.converter import data_converter
from infra.settings import Settings
from infra.shutdown import exit_after_client
from tests.conftest import (
    TEST_KEYS,
    RecordedNotifications,
    new_reference,
    open_case,
    opened_view,
    running_worker,
    start_case,
)
from workflows.case import DisagreementCase
from workflows.visibility import CASE_OFFICER, CASE_STAGE, DISAGREEMENT_KINDS, NEXT_DEADLINE

ROOT = Path(__file__).resolve().parent.parent


@workflow.defn(sandboxed=False)
class BareWorkflow:
    """The baseline: an update that does nothing, on a workflow that does nothing."""

    def __init__(self) -> None:
        self.done = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self.done)

    @workflow.update
    async def noop(self, text: str) -> str:
        return text

    @workflow.signal
    def finish(self) -> None:
        self.done = True


async def median_of(runs: int, action: Callable[[], Awaitable[object]]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


async def staff_action_round_trip(runs: int = 200) -> None:
    async with dev_server() as env:
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(data_dir=Path(data_dir), task_queue=f"bench-{uuid.uuid4()}")
            async with running_worker(env.client, settings, RecordedNotifications()):
                case = await start_case(env.client, settings, open_case())
                await opened_view(case)
                note = AddNote(actor="jo.smith", text="called the family")
                ours = await median_of(runs, lambda: case.execute_update(DisagreementCase.add_note, note))
                await case.terminate("benchmark over")

            async with Worker(env.client, task_queue=settings.task_queue + "-bare", workflows=[BareWorkflow]):
                bare = await env.client.start_workflow(
                    BareWorkflow.run, id=f"bench-{uuid.uuid4()}", task_queue=settings.task_queue + "-bare"
                )
                baseline = await median_of(runs, lambda: bare.execute_update(BareWorkflow.noop, "called the family"))
                await bare.signal(BareWorkflow.finish)
    report("staff action round trip (median)", ours * 1000, baseline * 1000, "ms")


def payload_encoding(runs: int = 2000) -> None:
    view = Resolution.open("DR-2026-BENCH1", open_case(), datetime.now(timezone.utc)).view()
    ours = data_converter(Settings(encryption_keys=TEST_KEYS))
    plain = pydantic_data_converter

    def per_call(converter) -> float:
        loop = asyncio.new_event_loop()
        try:
            started = time.perf_counter()
            for _ in range(runs):
                payloads = loop.run_until_complete(converter.encode([view]))
                loop.run_until_complete(converter.decode(payloads, [type(view)]))
            return (time.perf_counter() - started) / runs
        finally:
            loop.close()

    report("case view encode+decode", per_call(ours) * 1e6, per_call(plain) * 1e6, "us")


def deadline_planning(runs: int = 2000) -> None:
    policy, calendar = DeadlinePolicy(), WorkingCalendar()
    now = datetime(2026, 12, 21, 10, tzinfo=timezone.utc)
    request = DeadlineRequest(name="consent_window", now=now)
    started = time.perf_counter()
    for _ in range(runs):
        plan_deadline(request, policy, calendar)
    ours = (time.perf_counter() - started) / runs
    started = time.perf_counter()
    for _ in range(runs):
        date(2026, 12, 21) + timedelta(days=14)
    baseline = (time.perf_counter() - started) / runs
    report("plan consent_window over Christmas", ours * 1e6, baseline * 1e6, "us")


def cli_start_up(runs: int = 5) -> None:
    def median_seconds(command: list[str]) -> float:
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, capture_output=True, check=True, env={**os.environ})
            timings.append(time.perf_counter() - started)
        return statistics.median(timings)

    ours = median_seconds([sys.executable, "starter.py", "--help"])
    baseline = median_seconds([installed_binary("temporal"), "--help"])
    report("staff CLI start-up (--help)", ours * 1000, baseline * 1000, "ms")


async def web_console(cases: int = 1000, runs: int = 50) -> None:
    import httpx

    from cases.client import visibility_query
    from tests.web_console import CSRF, free_port, served, wait_until_listed, web_settings
    from web.app import create_app

    async with dev_server() as env:
        with tempfile.TemporaryDirectory() as data_dir:
            port = free_port()  # the console is served there, so its Host is allowed
            settings = web_settings(Path(data_dir), f"bench-{uuid.uuid4()}", web_port=port)
            officer = "bench.officer"
            # The listed cases need no worker: what the list reads is set at start, on a queue nobody
            # polls, so a thousand openings do not load the machine while it is measured.
            attributes = TypedSearchAttributes([
                SearchAttributePair(CASE_STAGE, "informal_talks"), SearchAttributePair(CASE_OFFICER, officer),
                SearchAttributePair(DISAGREEMENT_KINDS, ["provision"]),
                SearchAttributePair(NEXT_DEADLINE, datetime.now(timezone.utc) + timedelta(days=21)),
            ])
            for first in range(0, cases, 50):
                await asyncio.gather(*(
                    env.client.start_workflow(
                        DisagreementCase.run, open_case(), id=new_reference(),
                        task_queue=f"{settings.task_queue}-unpolled", search_attributes=attributes,
                    )
                    for _ in range(min(50, cases - first))
                ))
            query = visibility_query(None, officer, False, datetime.now(timezone.utc))
            await wait_until_listed(env.client, query, cases, seconds=120)
            async with running_worker(env.client, settings, RecordedNotifications()):
                case = await start_case(env.client, settings, open_case())
                await opened_view(case)
                async with served(create_app(settings, env.client), port) as address:
                    async with httpx.AsyncClient(base_url=address) as http:
                        sign_in = await http.get("/sign-in")  # sets the session cookie and its CSRF token
                        csrf = CSRF.search(sign_in.text).group(1)
                        await http.post("/sign-in/dev", data={"csrf_token": csrf, "staff_id": officer})

                        async def page(path: str, **params: str) -> None:
                            response = await http.get(path, params=params)
                            assert response.status_code == 200, response.status_code

                        case_page = await median_of(runs, lambda: page(f"/cases/{case.id}"))
                        case_query = await median_of(runs, lambda: case.query(DisagreementCase.case_view))
                        list_page = await median_of(10, lambda: page("/cases", officer=officer, size="1000"))

                        async def one_page() -> None:
                            executions = env.client.list_workflows(query, page_size=cases)
                            await executions.fetch_next_page()
                            assert len(executions.current_page or []) == cases

                        listed_directly = await median_of(10, one_page)
    report("web: case page (median)", case_page * 1000, case_query * 1000, "ms")
    report(f"web: list of {cases} cases (median)", list_page * 1000, listed_directly * 1000, "ms")


QUICK_PARKED = 250  # parked cases under --quick: `make bench` stays under 10 minutes on 2 cores
QUICK_DUE = 1000  # open cases for "due" under --quick (20 for each of the 50 officers)
QUICK_REPORT_RUNNING, QUICK_REPORT_CLOSED = 100, 500  # cases for "reports" under --quick (500 and 2,000 without)


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description="Benchmarks, each beside a same-run baseline.")
    parser.add_argument("--cases", type=int, default=20, help="concurrent cases in the lifecycle benchmark (default 20; try 200)")
    parser.add_argument("--parked", type=int, default=5000, help="parked cases (default 5000)")
    parser.add_argument(
        "--quick", action="store_true",
        help=f"smaller sizes: {QUICK_PARKED} parked cases, {QUICK_DUE} for due, {QUICK_REPORT_RUNNING} running and "
        f"{QUICK_REPORT_CLOSED} closed for reports",
    )
    parser.add_argument("--only", choices=sorted(BENCHMARKS), action="append", help="run only these (repeatable)")
    return parser.parse_args()


BENCHMARKS = {
    "micro": lambda o: (deadline_planning(), payload_encoding(), cli_start_up()),
    "round-trip": lambda o: asyncio.run(staff_action_round_trip()),
    "web": lambda o: asyncio.run(web_console()),
    "commands": lambda o: asyncio.run(staff_command_latency()),
    "lifecycle": lambda o: asyncio.run(lifecycle_throughput(o.cases)),
    "simulated": lambda o: (asyncio.run(parked_history_per_month()), asyncio.run(six_months_of_deadlines())),
    "parked": lambda o: asyncio.run(parked_cases(QUICK_PARKED if o.quick else o.parked)),
    "due": lambda o: asyncio.run(due_from_me(QUICK_DUE if o.quick else 5000)),
    "reports": lambda o: asyncio.run(
        report_at_scale(QUICK_REPORT_RUNNING, QUICK_REPORT_CLOSED, runs=3, quick=True) if o.quick else report_at_scale()
    ),
    "public": lambda o: asyncio.run(public_site_pages()),
}


def main() -> None:
    chosen = options()
    os.environ.setdefault("DISAGREEMENT_ENCRYPTION_KEYS", TEST_KEYS)
    logs_rendered_and_dropped()  # workers in this process log as deployed ones do, into /dev/null
    print(f"{'benchmark':<44} {'figure':>10}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-records-") as records:
        # One records file for the run: the cases' data keys, which every client, worker and staff
        # command of the run must share, as a deployment's do; never the developer's own `.data`.
        os.environ["DISAGREEMENT_RECORDS_FILE"] = str(Path(records) / "records.sqlite3")
        for name, benchmark in BENCHMARKS.items():
            if chosen.only is None or name in chosen.only:
                benchmark(chosen)
    exit_after_client(0)


if __name__ == "__main__":
    main()
