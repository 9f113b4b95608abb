"""Due from me at scale (issue 19 part 8; DESIGN section 13): an officer's due list and the console's
home page with 5,000 open cases across 50 officers on the dev server, beside the bare visibility query.

The cases are parked cheaply, as bench/run.py's web benchmark parks its list: started on a task queue
nobody polls, with the search attributes a case in its stage publishes (`OpenDuties` among them) set
at start, so that the machine is not busy running thousands of workflows while it is measured.
Measured, each the median of `runs`:
- the bare query: the officer's running cases of both workflow types, every page, with the client;
- `Cases.due` for the officer, all their duties and this week's (what `disagreement due` and the
  home page call; no CLI start-up in it);
- `GET /` (this week) and `GET /?view=all`, signed in as that officer, over loopback from a console
  served by uvicorn, and the same for the whole team, signed in as a team manager;
- and the Cases list with no filter, its first page and one deep in it: found by counting, only the
  page's cases read (cases/paging.py).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import WorkflowAlreadyStartedError

from bench.figures import dev_server, note, report
from cases.client import WORKFLOW_TYPES, Cases
from domain.calendar import london_date, london_time
from domain.due import WORKING_WEEK
from tests.conftest import new_reference, open_case
from workflows.case import DisagreementCase
from workflows.visibility import CASE_OFFICER, CASE_STAGE, DISAGREEMENT_KINDS, NEXT_DEADLINE, OPEN_DUTIES

OFFICERS = 50
# What a case owes in each of the stages the parked cases are spread over (due in days from today).
DUTIES = [
    ("informal_talks", [(21, "talks_review", "case_officer")]),
    ("awaiting_consent", [(-3, "consent_window", "case_officer")]),  # overdue
    ("monitoring_agreement", [(4, "action-1", "org-1:school"), (14, "written_outcome", "case_officer")]),
]


SPREAD = 40  # cases opened over about 8 weeks: each case's duties fall up to 40 days later than above


def _attributes(number: int, today) -> TypedSearchAttributes:
    stage, duties = DUTIES[number % len(DUTIES)]
    later = (number // OFFICERS) % SPREAD - 10
    values = [f"{(today + timedelta(days=days + later)).isoformat()}|{name}|{owner}" for days, name, owner in duties]
    first = today + timedelta(days=min(days for days, _, _ in duties) + later)
    return TypedSearchAttributes([
        SearchAttributePair(CASE_STAGE, stage), SearchAttributePair(CASE_OFFICER, f"bench.officer{number % OFFICERS}"),
        SearchAttributePair(DISAGREEMENT_KINDS, ["provision"]), SearchAttributePair(OPEN_DUTIES, values),
        SearchAttributePair(NEXT_DEADLINE, london_time(first + timedelta(days=1), datetime.min.time())),
    ])


async def _median_ms(runs: int, action) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


async def due_from_me(cases: int = 5000, runs: int = 30) -> None:
    import httpx

    from tests.web_console import CSRF, free_port, served, wait_until_listed, web_settings
    from web.app import create_app

    today = london_date(datetime.now(UTC))
    officer = "bench.officer7"
    async with dev_server() as env:
        with tempfile.TemporaryDirectory() as data_dir:
            port = free_port()
            settings = web_settings(Path(data_dir), f"bench-{uuid.uuid4()}", web_port=port)
            async def park(number: int) -> None:
                while True:
                    try:
                        await env.client.start_workflow(
                            DisagreementCase.run, open_case(), id=new_reference(),
                            task_queue=f"{settings.task_queue}-unpolled", search_attributes=_attributes(number, today),
                        )
                        return
                    except WorkflowAlreadyStartedError:
                        continue  # thousands of cases on one server: a drawn reference may repeat; draw again

            for first in range(0, cases, 100):
                await asyncio.gather(*(park(number) for number in range(first, min(first + 100, cases))))
            types = "(" + " OR ".join(f'WorkflowType = "{name}"' for name in WORKFLOW_TYPES.values()) + ")"
            query = f'{types} AND ExecutionStatus = "Running" AND {CASE_OFFICER.name} = "{officer}"'
            theirs = len([n for n in range(cases) if n % OFFICERS == 7])
            await wait_until_listed(env.client, f'{CASE_OFFICER.name} != ""', cases, seconds=300)
            client_cases = Cases(env.client, settings)

            async def bare() -> None:
                found = [execution async for execution in env.client.list_workflows(query, page_size=500)]
                assert len(found) == theirs, len(found)

            async def due_all() -> None:
                assert await client_cases.due(officer, None, today)

            async def due_week() -> None:
                assert await client_cases.due(officer, WORKING_WEEK, today)

            duties = len(await client_cases.due(officer, None, today))
            bare_ms = await _median_ms(runs, bare)
            all_ms = await _median_ms(runs, due_all)
            week_ms = await _median_ms(runs, due_week)
            async with served(create_app(settings, env.client), port) as address, httpx.AsyncClient(base_url=address) as http:
                sign_in = await http.get("/sign-in")
                await http.post("/sign-in/dev", data={"csrf_token": CSRF.search(sign_in.text).group(1), "staff_id": officer, "roles": "case_officer"})

                async def home(**params: str) -> None:
                    response = await http.get("/", params=params)
                    assert response.status_code == 200 and "Due from you" in response.text, response.status_code

                home_week_ms = await _median_ms(runs, home)
                home_all_ms = await _median_ms(runs, lambda: home(view="all"))

                async def case_list(number: int = 1) -> None:  # every open case, a page of 25
                    response = await http.get("/cases", params={"size": "25", "page": str(number)})
                    assert response.status_code == 200 and f"of {cases:,}," in response.text, response.status_code

                list_ms = await _median_ms(runs, case_list)
                deep_page = cases // 25 // 2
                deep_ms = await _median_ms(runs, lambda: case_list(deep_page))

                async def officer_list() -> None:  # the officer's open cases, sorted
                    response = await http.get("/cases", params={"officer": officer, "size": "100"})
                    assert response.status_code == 200, response.status_code

                officer_list_ms = await _median_ms(runs, officer_list)

                async with httpx.AsyncClient(base_url=address) as manager:  # a team manager's own session
                    sign_in = await manager.get("/sign-in")
                    await manager.post("/sign-in/dev", data={
                        "csrf_token": CSRF.search(sign_in.text).group(1), "staff_id": "bench.manager", "roles": "team_manager",
                    })

                    async def team(**params: str) -> None:  # every officer's duties
                        response = await manager.get("/", params={"team": "1", **params})
                        assert response.status_code == 200 and "Due from the team" in response.text, response.status_code

                    team_week_ms = await _median_ms(10, team)
                    team_all_ms = await _median_ms(10, lambda: team(view="all"))
    print(f"-- due from me: {cases} open cases across {OFFICERS} officers; {theirs} cases ({duties} duties) are the officer's", flush=True)
    report("due: Cases.due, all (median)", all_ms, bare_ms, "ms")
    report(f"due: Cases.due, within {WORKING_WEEK} working days", week_ms, bare_ms, "ms")
    report("due: GET / (this week, median)", home_week_ms, bare_ms, "ms")
    report("due: GET /?view=all (median)", home_all_ms, bare_ms, "ms")
    report(f"due: GET /?team=1 (this week, all {cases})", team_week_ms, bare_ms, "ms")
    report(f"due: GET /?team=1&view=all (all {cases})", team_all_ms, bare_ms, "ms")
    report(f"cases: GET /cases?officer=…, {theirs} open, sorted", officer_list_ms, bare_ms, "ms")
    report(f"cases: GET /cases, first page of all {cases} open", list_ms, bare_ms, "ms")
    report(f"cases: GET /cases, page {deep_page} of all {cases} open", deep_ms, bare_ms, "ms")
    note(f"baseline: the bare visibility query of the officer's running cases, every page ({theirs} cases); "
         f"median of {runs}; the bar is 300 ms")

