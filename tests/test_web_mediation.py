"""The console's statutory mediation forms, and the appeal clock's forms on both routes, through the
ASGI test client against a real dev server and worker: each valid and invalid, and the case's own
refusals (the 5 working days' notice, only the family withdraws, no certificate before the choice)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.calendar import LONDON
from infra.settings import Settings
from tests.conftest import open_case, running_worker
from tests.test_web import done, refused_and_unchanged, stage_of
from tests.web_console import Console, console_over, date_fields, error_summary, session_fields, web_settings
from web.app import create_app

FAMILY = {
    "applicant_name": "Sam Parent", "applicant_role": "parent", "applicant_email": "sam.parent@example.org",
    "la-name": "Rotherham LA", "la-email": "send@la.example.gov.uk",
    "decision_kind": "refusal_to_assess", "mediation_issues": "education", "case_officer": "jo.smith",
}


def days_ago(days: int):
    return (datetime.now(UTC) - timedelta(days=days)).astimezone(LONDON).date()


@pytest_asyncio.fixture(loop_scope="session")
async def console(dev_server: WorkflowEnvironment, settings: Settings) -> AsyncIterator[Console]:
    app = create_app(web_settings(settings.data_dir, settings.task_queue), dev_server.client)
    async with running_worker(dev_server.client, settings):
        async with console_over(app) as console:
            await console.sign_in()
            yield console


async def open_mediation(console: Console, **extra: str) -> str:
    return await console.open_through("/cases/new-mediation", FAMILY | date_fields("decision_date", days_ago(7)) | extra)


async def test_a_mediation_case_through_its_forms(console: Console, dev_server) -> None:
    await console.get("/cases/new-mediation")
    blank = await console.post("/cases/new-mediation/check", {"case_officer": "jo.smith"})
    assert blank.status_code == 400
    assert {"la-name", "decision_kind", "decision_date-day", "mediation_issues"} <= set(error_summary(blank))
    reference = await open_mediation(console)
    assert reference.startswith("MD-")
    page = await stage_of(console, reference)
    assert "With the family deciding whether to mediate" in page and "Statutory mediation" in page
    assert f'href="/cases/{reference}/choose"' in page and f'href="/cases/{reference}/talk"' not in page
    assert (await console.get(f"/cases/{reference}/decision")).status_code == 409  # a DR form
    other_route = await console.post(f"/cases/{reference}/talk", {"outcome": "resolved"})
    assert other_route.status_code == 409 and "part of disagreement resolution only" in other_route.text

    await refused_and_unchanged(console, dev_server, reference, "certificate", {}, "record their choice first")
    page = await console.act(reference, "choose", {})
    assert (page.status_code, list(error_summary(page))) == (400, ["mediate"])
    page = await console.act(reference, "choose", {"mediate": "yes", "la_notified_on-day": "99"})
    assert (page.status_code, list(error_summary(page))) == (400, ["la_notified_on-day"])
    assert "Arranging the session" in await done(console, reference, "choose", {"mediate": "yes"})

    await done(console, reference, "mediator", {"name": "Pat Mediator", "email": "pat@accord.example.org", "independent": "yes"})
    # Less than 5 working days' notice: refused unless the family agreed to it.
    await refused_and_unchanged(console, dev_server, reference, "session", session_fields(2), "5 working days")
    page = await done(console, reference, "session", session_fields(2) | {"short_notice_agreed": "yes", "la_attendee": "Head of SEN"})
    assert "Waiting for its session" in page and "Head of SEN" in page

    await refused_and_unchanged(
        console, dev_server, reference, "withdraw", {"party": "org-1", "reason": "no"}, "only the family can withdraw"
    )


async def test_a_mediation_case_the_family_declines_gets_its_certificate(console: Console, dev_server) -> None:
    reference = await open_mediation(console)
    await done(console, reference, "choose", {"mediate": "no"})
    tomorrow = days_ago(-1)
    await refused_and_unchanged(console, dev_server, reference, "certificate", date_fields("issued_on", tomorrow), "in the future")
    page = await done(console, reference, "certificate", {})
    assert "Certificate issued" in page and "Certificate only" in page and "Closed" in page
    page = await console.act(reference, "appeal-status", {})
    assert (page.status_code, list(error_summary(page))) == (400, ["status"])
    assert "Lodged" in await done(console, reference, "appeal-status", {"status": "lodged"})


async def test_cannot_arrange_keeps_the_case_open(console: Console) -> None:
    reference = await open_mediation(console)
    await done(console, reference, "choose", {"mediate": "yes"})
    page = await console.act(reference, "cannot-arrange", {"reason": "  "})
    assert (page.status_code, list(error_summary(page))) == (400, ["reason"])
    page = await done(console, reference, "cannot-arrange", {"reason": "No mediator free within 30 days"})
    assert "Arranging the session" in page and "Issue the mediation certificate" in page


async def test_a_disagreement_resolution_case_records_its_decision(console: Console, dev_server) -> None:
    reference = await console.open_case(open_case())
    page = await console.act(reference, "decision", date_fields("date", days_ago(3)))
    assert (page.status_code, list(error_summary(page))) == (400, ["kind"])
    await refused_and_unchanged(
        console, dev_server, reference, "decision", {"kind": "plan_contents"} | date_fields("date", days_ago(-2)), "in the future"
    )
    page = await done(console, reference, "decision", {"kind": "plan_contents"} | date_fields("date", days_ago(3)))
    assert "Plan contents, notice sent" in page and "by 5pm" in page
    assert f'href="/cases/{reference}/appeal-status"' in page


async def test_the_list_filters_by_route_and_appeal_deadline(console: Console, dev_server) -> None:
    reference = await open_mediation(console, case_officer="md.officer")
    listed = await console.get("/cases", officer="md.officer", route="mediation")
    for _ in range(50):  # visibility lags a little
        if reference in listed.text:
            break
        listed = await console.get("/cases", officer="md.officer", route="mediation")
    assert reference in listed.text and "Mediation" in listed.text
    none = await console.get("/cases", officer="md.officer", route="disagreement_resolution")
    assert reference not in none.text
    soon = await console.get("/cases", officer="md.officer", **{k: v for k, v in date_fields("appeal_before", days_ago(-1)).items()})
    assert reference not in soon.text  # its appeal deadline is about two months away
    later = date_fields("appeal_before", days_ago(-120))
    assert reference in (await console.get("/cases", officer="md.officer", **later)).text
    bad = await console.get("/cases", route="nonsense", **{"appeal_before-day": "40", "appeal_before-month": "1", "appeal_before-year": "2027"})
    assert bad.status_code == 400 and list(error_summary(bad)) == ["route", "appeal_before-day"]
