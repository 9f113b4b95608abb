"""The console's statutory mediation forms, and the appeal clock's forms on both routes, through the
ASGI test client against a real dev server and worker: each valid and invalid, and the case's own
refusals (the 5 working days' notice, only the family withdraws, no certificate before the choice)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.calendar import LONDON
from infra.settings import Settings
from tests.conftest import open_case, running_worker
from tests.test_web import done, refused_and_unchanged, stage_of
from tests.web_console import Console, console_over, date_fields, error_summary, session_fields, web_settings
from web.app import create_app
from web.presenters import long_date

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

    await refused_and_unchanged(console, dev_server, reference, "certificate", {}, "no certificate is due yet")
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
    assert "Certificate issued" in page and "Mediation not pursued: certificate only" in page and "Closed" in page
    page = await console.act(reference, "appeal-status", {})
    assert (page.status_code, list(error_summary(page))) == (400, ["status"])
    assert "The family has appealed to the SEND Tribunal" in await done(console, reference, "appeal-status", {"status": "lodged"})


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
    assert "The contents of the EHC plan, notice sent" in page and "by 5pm" in page
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


# --- Duties (DESIGN section 11) ------------------------------------------------------------------------

PROVISION = "Speech and language therapy from the community health team"
WITH_HEALTH = {"health-1-name": "South Yorkshire ICB", "health-1-email": "chc@icb.example.nhs.uk"}


async def test_choosing_mediation_about_health_needs_the_provision_and_shows_it(console: Console, dev_server) -> None:
    reference = await open_mediation(console, **WITH_HEALTH)
    choice = [("mediate", "yes"), ("mediation_issues", "education"), ("mediation_issues", "health")]
    page = await console.act(reference, "choose", choice)
    assert page.status_code == 409 and "reg 32(e)" in page.text and "nothing was changed" in page.text
    # Refilled as posted: both issues still ticked.
    assert re.findall(r'name="mediation_issues" type="checkbox" value="(\w+)" checked', page.text) == ["education", "health"]
    told = days_ago(2)
    page = await done(console, reference, "choose", [
        *choice, ("health_provision_sought", PROVISION), *date_fields("adviser_told_on", told).items(),
    ])
    assert "Arranging the session" in page and PROVISION in page
    row = re.search(r"<tr[^>]*><td[^>]*>Notify the health commissioners</td>.*?</tr>", page, re.S).group(0)
    assert "The Local Authority" in row and "reg 32(e)" in row


async def test_a_declined_mediation_waits_for_its_certificate_from_the_adviser(console: Console, dev_server) -> None:
    reference = await open_mediation(console)
    page = await done(console, reference, "choose", {"mediate": "no", **date_fields("adviser_told_on", days_ago(1))})
    assert "Waiting for the mediation certificate</h1>" in page
    row = re.search(r"<tr[^>]*><td[^>]*>Issue the mediation certificate</td>.*?</tr>", page, re.S).group(0)
    assert "The mediation adviser" in row and "reg 34" in row
    await refused_and_unchanged(console, dev_server, reference, "certificate", {"issued_by": "mediator"}, "s.55(4)")
    page = await done(console, reference, "certificate", {"issued_by": "mediation_adviser"})
    assert "by the mediation adviser" in page and "Mediation not pursued: certificate only" in page
    row = re.search(r"<tr[^>]*><td[^>]*>Issue the mediation certificate</td>.*?</tr>", page, re.S).group(0)
    assert ">Met<" in row and "timeline entry" in row

    listed = await console.get("/cases", stage="certificate_due")
    assert listed.status_code == 200 and reference not in listed.text  # issued: no longer waiting


async def test_an_appealable_agreed_action_is_due_in_its_reg_44_period(console: Console, dev_server) -> None:
    reference = await open_mediation(console)
    await done(console, reference, "choose", {"mediate": "yes"})
    await done(console, reference, "mediator", {"name": "Pat Mediator", "email": "pat@accord.example.org", "independent": "yes"})
    await done(console, reference, "session", session_fields(2) | {"short_notice_agreed": "yes"})
    held = days_ago(0)
    await asyncio.sleep(2.5)
    page = await console.act(reference, "outcome", {
        "result": "partial_agreement",
        "action-1-description": "Make and maintain an EHC plan", "action-1-owner": "org-1", "action-1-appealable": "yes",
    })
    assert (page.status_code, list(error_summary(page))) == (400, ["action-1-order_kind"])
    page = await done(console, reference, "outcome", {
        "result": "partial_agreement",
        "action-1-description": "Make and maintain an EHC plan", "action-1-owner": "org-1",
        "action-1-appealable": "yes", "action-1-order_kind": "issue_plan",
        "action-2-description": "Send the therapy report", "action-2-owner": "org-1",
        **date_fields("action-2-due", held + timedelta(days=40)),
    })
    assert "Following up what was agreed" in page
    plan = re.search(r"<tr[^>]*><td[^>]*>1</td>.*?</tr>", page, re.S).group(0)
    assert long_date(held + timedelta(days=35)) in plan and "reg 44(2)(c)" in plan
    assert "Appealable matter: make and maintain an EHC plan" in plan
    report = re.search(r"<tr[^>]*><td[^>]*>2</td>.*?</tr>", page, re.S).group(0)
    assert long_date(held + timedelta(days=40)) in report and "reg 42(5)" in report
    # The certificate runs beside the actions: the mediator owes it.
    row = re.search(r"<tr[^>]*><td[^>]*>Issue the mediation certificate</td>.*?</tr>", page, re.S).group(0)
    assert "The mediator" in row


async def test_a_late_opening_is_a_warning_on_the_case_page(console: Console) -> None:
    reference = await open_mediation(console, **date_fields("decision_date", days_ago(70)), **date_fields("child_date_of_birth", date(2012, 5, 1)))
    page = await stage_of(console, reference)
    late, *others = re.findall(r'<div class="govuk-warning-text">(.*?)</div>', page, re.S)
    assert "more than 2 months after the decision" in late
    assert all("appeal deadline" in other for other in others)  # and the family's appeal deadline, near or passed
    for _ in range(50):  # visibility lags a little
        listed = await console.get("/cases", route="mediation")
        row = re.search(rf"<tr[^>]*>\s*<td[^>]*><a[^>]*>{reference}</a>.*?</tr>", listed.text, re.S)
        if row and "Warning: late opening" in row.group(0):
            break
        await asyncio.sleep(0.2)
    assert row and "Warning: late opening" in row.group(0)


async def test_the_list_filters_by_certificate_due(console: Console) -> None:
    reference = await open_mediation(console, case_officer="cert.officer")
    await done(console, reference, "choose", {"mediate": "no"})
    for _ in range(50):  # visibility lags a little
        listed = await console.get("/cases", officer="cert.officer", stage="certificate_due")
        if reference in listed.text:
            break
        await asyncio.sleep(0.2)
    assert reference in listed.text and "Waiting for the mediation certificate" in listed.text
    assert reference not in (await console.get("/cases", officer="cert.officer", stage="closed")).text
