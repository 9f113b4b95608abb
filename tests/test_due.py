"""Due from me (DESIGN section 13), against a real dev server and worker: cases of two officers on
both routes, driven through the workflows' own updates, then read back through the one visibility
query (`Cases.due`), the CLI's `due` and the console's home page; the search box; the Cases list
open by default and soonest next deadline first."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import pytest_asyncio
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from cases.client import Cases
from domain.calendar import WorkingCalendar, london_date
from domain.deadlines import APPEAL
from domain.due import owed_by_words, time_left_words
from domain.words import duty_words, long_date
from domain.models import CaseStage, CaseView, OfferResolution, Withdraw
from infra.identity import Role
from infra.settings import Settings
from tests.cli_helpers import Staff, staff_environment
from tests.conftest import RecordedNotifications, open_case, running_worker, start_case
from tests.journeys import Journey, open_mediation
from tests.web_console import Console, console_over, error_summary, web_settings
from web import presenters
from web.app import create_app
from workflows.case import DisagreementCase

pytestmark = pytest.mark.timeout(180)
CALENDAR = WorkingCalendar()


@dataclass
class Workbench:
    """Two officers' cases on the dev server: Ann has a DR case offered (consent window), a DR case
    in talks and a statutory mediation case arranging its session; Bob has a DR case in talks; Ann's
    withdrawn DR case is closed."""

    cases: Cases
    ann: str
    bob: str
    views: dict[str, CaseView]  # the open cases as their workflows see them, by reference
    closed: str
    settings: Settings
    env: WorkflowEnvironment

    def owed(self, officer: str) -> list[tuple[str, str, str]]:
        """(reference, duty, due) of every duty owed on the officer's open cases, from the case views."""
        return sorted(
            (case.reference, duty.name, duty.due.isoformat())
            for case in self.views.values() if case.case_officer == officer
            for duty in case.deadlines if duty.owed and duty.name != APPEAL
        )

    async def due(self, officer: str | None, within: int | None = None, today: date | None = None):
        return await self.cases.due(officer, within, today or london_date(datetime.now(UTC)))

    def ours(self, duties) -> list:
        return [duty for duty in duties if duty.reference in self.views or duty.reference == self.closed]


@pytest_asyncio.fixture(loop_scope="session")
async def workbench(dev_server: WorkflowEnvironment, settings: Settings) -> AsyncIterator[Workbench]:
    tag = uuid.uuid4().hex[:6]
    ann, bob = f"ann-{tag}", f"bob-{tag}"
    client = dev_server.client
    async with running_worker(client, settings, RecordedNotifications()):
        offered = await start_case(client, settings, open_case(case_officer=ann))
        await offered.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=ann))
        talks = await start_case(client, settings, open_case(case_officer=ann))
        journey = Journey(client, settings, lambda: asyncio.sleep(0, datetime.now(UTC)), asyncio.sleep)
        mediation = await journey.start_mediation(open_mediation(london_date(datetime.now(UTC)) - timedelta(days=10), case_officer=ann))
        await journey.bring_to(mediation, CaseStage.arranging_session)
        bobs = await start_case(client, settings, open_case(case_officer=bob))
        withdrawn = await start_case(client, settings, open_case(case_officer=ann))
        await withdrawn.execute_update(DisagreementCase.withdraw, Withdraw(actor=ann, party="applicant", reason="moved away"))
        handles: list[WorkflowHandle] = [offered, talks, mediation, bobs]
        views = {handle.id: await journey.view(handle) for handle in handles}
        bench = Workbench(Cases(client, settings), ann, bob, views, withdrawn.id, settings, dev_server)
        for officer in (ann, bob):  # visibility lags a little behind the workflows
            for _ in range(150):
                if sorted((d.reference, d.duty, d.due.isoformat()) for d in await bench.due(officer)) == bench.owed(officer):
                    break
                await asyncio.sleep(0.1)
        yield bench


async def test_an_officer_s_due_list_is_every_duty_owed_on_their_open_cases_in_order(workbench: Workbench) -> None:
    ann = await workbench.due(workbench.ann)
    assert sorted((d.reference, d.duty, d.due.isoformat()) for d in ann) == workbench.owed(workbench.ann)
    assert {d.reference for d in ann} == {ref for ref, case in workbench.views.items() if case.case_officer == workbench.ann}
    assert workbench.closed not in {d.reference for d in ann}  # a closed case owes nothing
    # Each row as the case has it: route, stage, who owes it (a role here: no names), working days left.
    today = london_date(datetime.now(UTC))
    for duty in ann:
        case = workbench.views[duty.reference]
        assert (duty.route, duty.stage, duty.case_officer) == (case.route, case.stage, workbench.ann)
        assert duty.owed_by == next(d.owed_by for d in case.deadlines if d.name == duty.duty)
        assert duty.working_days_left == CALENDAR.working_days_between(today, duty.due) and not duty.overdue
    assert [d.due for d in ann] == sorted(d.due for d in ann)
    # Bob's list is his one case's; the team's is both.
    assert {d.reference for d in await workbench.due(workbench.bob)} == {
        ref for ref, case in workbench.views.items() if case.case_officer == workbench.bob
    }
    team = workbench.ours(await workbench.due(None))
    assert {d.case_officer for d in team} == {workbench.ann, workbench.bob}


async def test_later_the_passed_duties_come_first_and_the_week_holds_only_what_is_near(workbench: Workbench) -> None:
    ann = await workbench.due(workbench.ann)
    # A day chosen after Ann's second duty is due: the first two are overdue, the rest still ahead.
    later = ann[1].due + timedelta(days=1)
    seen = await workbench.due(workbench.ann, today=later)
    assert [d.overdue for d in seen] == [d.due < later for d in sorted(seen, key=lambda d: d.due)]
    assert [d.overdue for d in seen][:2] == [True, True]
    assert seen[0].working_days_left == -CALENDAR.working_days_between(seen[0].due, later)
    # Within 0 working days: only the overdue ones (and any due that day).
    assert [d.duty for d in await workbench.due(workbench.ann, 0, later)] == [d.duty for d in seen if d.due <= later]
    # This week, from today: those due within 5 working days.
    today = london_date(datetime.now(UTC))
    week = await workbench.due(workbench.ann, 5)
    assert [d.duty for d in week] == [d.duty for d in ann if d.due <= CALENDAR.add_working_days(today, 5)]


async def test_the_cli_due_table_and_json(workbench: Workbench) -> None:
    staff = Staff(staff_environment(workbench.env.client.service_client.config.target_host, workbench.settings))
    printed = await staff.json("due", "--as", workbench.ann)
    ann = await workbench.due(workbench.ann)
    assert printed == [
        {"reference": d.reference, "route": d.route.value, "stage": d.stage.value, "duty": d.duty, "due": d.due.isoformat(),
         "owed_by": d.owed_by, "working_days_left": d.working_days_left, "overdue": d.overdue}
        for d in ann
    ]
    # Someone else's, for a team manager or anyone: --officer.
    assert {row["reference"] for row in await staff.json("due", "--as", workbench.ann, "--officer", workbench.bob)} == {
        ref for ref, case in workbench.views.items() if case.case_officer == workbench.bob
    }
    # The table: 80 columns, words whole.
    table = await staff.run("due", "--as", workbench.ann, COLUMNS="80")
    assert table.code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), table.stdout
    assert lines[0].strip() == f"{len(ann)} duties owed"
    # Rows wrap between words, never inside one: every word printed is a whole word of a cell.
    today = london_date(datetime.now(UTC))
    cells = ["Reference Duty Due Time left Owed by"] + [
        " ".join([d.reference, duty_words(d.duty), long_date(d.due), time_left_words(d, today), owed_by_words(d)]) for d in ann
    ]
    printed_words = {word for word in " ".join(lines[1:]).split() if set(word) != {"─"}}  # the rule under the header
    assert printed_words <= set(" ".join(cells).split())
    assert {"Consent", "window", "Local", "Authority"} <= set(table.stdout.split())
    # The team: a team manager only.
    refused = await staff.run("due", "--as", workbench.ann, "--team")
    assert (refused.code, refused.said) == (4, "Error: not allowed: needs the team_manager role")
    team = await staff.json("due", "--as", "pat.lee", "--role", "team_manager", "--team")
    assert set(workbench.views) <= {row["reference"] for row in team}
    # Bad input: in words, exit 2, nothing else done.
    both = await staff.run("due", "--as", workbench.ann, "--officer", workbench.bob, "--team")
    assert both.code == 2 and "give --officer or --team, not both" in both.said and "Traceback" not in both.stderr
    for bad in ("-1", "soon"):
        outcome = await staff.run("due", "--as", workbench.ann, "--within", bad)
        assert outcome.code == 2 and "--within" in outcome.said and "Traceback" not in outcome.stderr, outcome.said
    within = await staff.json("due", "--as", workbench.ann, "--within", "5")
    assert [row["duty"] for row in within] == [d.duty for d in await workbench.due(workbench.ann, 5)]


@pytest_asyncio.fixture(loop_scope="session")
async def console(workbench: Workbench) -> AsyncIterator[Console]:
    app = create_app(web_settings(workbench.settings.data_dir, workbench.settings.task_queue), workbench.env.client)
    async with console_over(app) as console:
        yield console


async def test_the_home_page_is_due_from_you(workbench: Workbench, console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    await console.sign_in(workbench.ann)
    ann = await workbench.due(workbench.ann)
    everything = await console.get("/", view="all")
    assert everything.status_code == 200 and "<h1 class=\"govuk-heading-l\">Due from you</h1>" in everything.text
    # In the list's order: overdue first, then by due date.
    positions = [everything.text.index(f'<td class="govuk-table__cell">{duty_words(d.duty)}</td>', everything.text.index(f'href="/cases/{d.reference}"')) for d in ann]
    assert positions == sorted(positions)
    # Each row: its link to the action that discharges the duty, and who owes it as a tag.
    offered = next(d for d in ann if d.duty == "consent_window")
    assert f'href="/cases/{offered.reference}/consent">Record a party&#39;s answer' in everything.text
    talks = next(d for d in ann if d.duty == "talks_review" and d.reference != offered.reference)
    assert f'href="/cases/{talks.reference}/talk"' in everything.text
    arranging = next(d for d in ann if d.duty == "mediation_arrangement")
    assert f'href="/cases/{arranging.reference}/session">Book the session' in everything.text
    assert '<strong class="govuk-tag govuk-tag--blue">The Local Authority</strong>' in everything.text
    assert '<strong class="govuk-tag govuk-tag--grey">The case officer</strong>' in everything.text
    assert workbench.bob not in everything.text and workbench.closed not in everything.text
    # This week (the default): only what is due within 5 working days.
    week = await console.get("/")
    today = london_date(datetime.now(UTC))
    near = [d for d in ann if d.due <= CALENDAR.add_working_days(today, 5)]
    assert week.text.count("<tr class=\"govuk-table__row\">") == len(near) + (1 if near else 0)
    # Later on, the passed duties come first, overdue by so many working days.
    later = CALENDAR.add_working_days(ann[1].due, 1)
    monkeypatch.setattr(presenters, "today", lambda: later)
    overdue = await console.get("/", view="all")
    first = ann[0]
    late = CALENDAR.working_days_between(first.due, later)
    assert f"Overdue by {late} working day" in overdue.text
    assert overdue.text.count("Overdue by") == len([d for d in ann if d.due < later]) >= 2 and overdue.text.index("Overdue by") < overdue.text.index("left</span>")
    # Signed in as Bob: his case only.
    await console.sign_in(workbench.bob)
    bobs = await console.get("/", view="all")
    assert all(f'href="/cases/{ref}"' in bobs.text for ref, c in workbench.views.items() if c.case_officer == workbench.bob)
    assert not any(d.reference in bobs.text for d in ann)


async def test_the_team_view_is_a_team_manager_s(workbench: Workbench, console: Console) -> None:
    await console.sign_in(workbench.ann)
    refused = await console.get("/", team="1")
    assert refused.status_code == 403 and "Not allowed: needs the team_manager role" in refused.text
    await console.sign_in("pat.lee", Role.team_manager)
    team = await console.get("/", team="1", view="all")
    assert team.status_code == 200 and "Due from the team" in team.text
    for reference in workbench.views:
        assert f'href="/cases/{reference}"' in team.text
    assert workbench.ann in team.text and workbench.bob in team.text  # the Officer column


async def test_the_search_box_finds_a_case_by_reference(workbench: Workbench, console: Console) -> None:
    await console.sign_in(workbench.ann)
    home = await console.get("/")
    assert 'action="/find"' in home.text and 'id="find-reference"' in home.text
    reference = next(iter(workbench.views))
    found = await console.get("/find", reference=reference.lower())
    assert (found.status_code, found.headers["location"]) == (303, f"/cases/{reference}")
    closed = await console.get("/find", reference=workbench.closed)
    assert (closed.status_code, closed.headers["location"]) == (303, f"/cases/{workbench.closed}")
    missing = await console.get("/find", reference="DR-2026-ZZZZZZ")
    assert (missing.status_code, error_summary(missing)) == (404, {"reference": "There is no case DR-2026-ZZZZZZ: check the reference"})
    malformed = await console.get("/find", reference="DR-26-<b>")
    assert malformed.status_code == 400
    assert error_summary(malformed) == {"reference": "Enter a case reference like DR-2026-7KQ3XZ or MD-2026-7KQ3XZ"}
    assert (await console.get("/find")).status_code == 400


async def test_the_cases_list_is_open_cases_soonest_next_deadline_first(workbench: Workbench, console: Console) -> None:
    await console.sign_in(workbench.ann)
    listed = await console.get("/cases", officer=workbench.ann, size="100")
    assert listed.status_code == 200
    ann = sorted((c for c in workbench.views.values() if c.case_officer == workbench.ann), key=lambda c: c.next_deadline.due)
    positions = [listed.text.index(f'href="/cases/{case.reference}"') for case in ann]
    assert positions == sorted(positions)
    assert workbench.closed not in listed.text  # closed: on its own list
    closed = await console.get("/cases", officer=workbench.ann, stage="closed")
    assert workbench.closed in closed.text
    # The CLI alike.
    staff = Staff(staff_environment(workbench.env.client.service_client.config.target_host, workbench.settings))
    rows = await staff.json("list", "--officer", workbench.ann)
    assert [row["reference"] for row in rows] == [case.reference for case in ann]
    assert workbench.closed in {row["reference"] for row in await staff.json("list", "--officer", workbench.ann, "--stage", "closed")}
