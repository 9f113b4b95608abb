"""The console in a real browser (Playwright driving Debian's chromium), with axe-core on every page.

A case officer signs in and, from the home page ("Due from you", DESIGN section 13), takes a case of
each route to its end, going where the pages say: the case page's next-step banner and the due
list's links, with the "What you can do" list only where the banner names a step it offers. On
the way: the open form and its check-answers page, a validation error, a refusal from the case
itself. Screenshots are kept in test-artifacts/screenshots/.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from domain.calendar import LONDON
from tests.browser import BrowserPage, browser  # noqa: F401 (the shared browser fixture)
from domain.models import CaseOutcome
from records.models import archive_of
from records.store import records_store_for
from tests.conftest import running_worker, start_case
from tests.records_fixtures import closed_case
from tests.web_console import free_port, served, web_settings
from web.app import create_app

pytestmark = pytest.mark.timeout(240)


@pytest_asyncio.fixture(loop_scope="session")
async def console_address(dev_server, settings) -> AsyncIterator[str]:
    port = free_port()
    app = create_app(web_settings(settings.data_dir, settings.task_queue, web_port=port), dev_server.client)
    async with running_worker(dev_server.client, settings):
        async with served(app, port) as address:
            yield address


async def next_step(page: BrowserPage, says: str) -> None:
    """The case page's banner says what is next; its button takes the officer there."""
    banner = page.page.locator("#next-step")
    await expect(banner).to_contain_text(f"Next: {says}")
    await banner.get_by_role("button").click()
    await page.page.wait_for_load_state()


async def from_due_list(page: BrowserPage, link: str, reference: str) -> None:
    """Home, every duty owed on the officer's cases, and the link to the action that discharges one."""
    await page.page.get_by_role("link", name="Due from you").click()
    await page.page.get_by_role("link", name="All my cases").click()
    await page.page.get_by_role("link", name=f"{link} ({reference})").first.click()
    await page.page.wait_for_load_state()


async def submit(page: BrowserPage, button: str) -> None:
    await page.page.get_by_role("button", name=button).click()
    await page.page.wait_for_load_state()


async def sign_in(page: BrowserPage, staff: str = "jo.smith", *roles: str, check: bool = True) -> None:
    """The development sign-in, ticking each role by its label (a case officer's by default)."""
    roles = roles or ("Case officer",)
    await page.page.goto("/cases")
    await expect(page.page).to_have_url(f"{page.base}/sign-in")
    await expect(page.page.get_by_text("Development sign-in is on")).to_be_visible()
    if check:  # axe-core runs as a script: not in the test without JavaScript
        await page.check_accessible("sign in")
    await page.page.get_by_label("Staff id").fill(staff)
    for role in roles:
        await page.page.get_by_label(role, exact=True).check()
    await submit(page, "Sign in")
    await expect(page.page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()


async def test_a_case_officer_takes_a_case_from_opening_to_closing(browser: Browser, console_address: str) -> None:
    page = await BrowserPage.open(browser, console_address)
    screen = page.page
    try:
        await sign_in(page)
        await page.page.get_by_role("link", name="Due from you").click()
        await expect(screen.get_by_role("heading", name="Due from you")).to_be_visible()
        await page.check_accessible("home, due from you")

        # Open a case: first with nothing filled in, then properly, checking the answers.
        await screen.get_by_role("link", name="Open a case").first.click()
        await page.check_accessible("open a case")
        await submit(page, "Continue")
        await expect(screen.get_by_role("heading", name="There is a problem")).to_be_visible()
        await page.check_accessible("open a case, with errors")
        await page.screenshot("open-case-errors")
        await screen.get_by_label("Full name").fill("Sam Parent")
        await screen.get_by_label("A parent").check()
        await screen.get_by_label("Email address (optional)", exact=True).fill("sam.parent@example.org")
        await screen.get_by_label("UK phone number, for text messages (optional)").fill("07700 900123")
        # Every select starts blank: an organisation typed in with no kind chosen is asked for one.
        await screen.get_by_label("Organisation 1: name").fill("Hill Top Primary")
        await submit(page, "Continue")
        await expect(screen.get_by_role("link", name="Select the kind of organisation")).to_be_visible()
        await expect(screen.locator("#org-1-kind-error")).to_contain_text("Select the kind of organisation")
        await page.check_accessible("open a case, a blank select")
        await screen.get_by_label("Organisation 1: kind").select_option("school")
        await screen.get_by_label("Organisation 1: email address").fill("senco@hilltop.example.org")
        await screen.get_by_label("Organisation 2: kind").select_option("local_authority")
        await screen.get_by_label("Organisation 2: name").fill("Rotherham LA")
        await screen.get_by_label("Organisation 2: email address").fill("send@la.example.gov.uk")
        await screen.get_by_label("Provision").check()
        await screen.get_by_label("Where is the family in the EHC process?").select_option("needs_assessment")
        await screen.get_by_label("The disagreement in a sentence or two").fill("Speech and language therapy hours")
        await submit(page, "Continue")
        await expect(screen.get_by_role("heading", name="Check the case before opening it")).to_be_visible()
        await page.check_accessible("check answers")
        await page.screenshot("check-answers")
        # Each row's Change goes back to its own field, everything typed kept (no JavaScript needed: a
        # button posting the answers, never put in a URL).
        await screen.get_by_role("button", name="Change EHC point").click()
        await expect(screen).to_have_url(f"{page.base}/cases/new#ehc_point")
        await expect(screen.get_by_label("Where is the family in the EHC process?")).to_have_value("needs_assessment")
        await expect(screen.get_by_label("Full name")).to_have_value("Sam Parent")
        await expect(screen.get_by_label("Organisation 2: name")).to_have_value("Rotherham LA")
        await screen.get_by_label("Where is the family in the EHC process?").select_option("plan_drafting")
        await submit(page, "Continue")
        await expect(screen.get_by_text("Drawing up the EHC plan")).to_be_visible()
        await submit(page, "Open the case")
        await expect(screen.get_by_text("Case opened.")).to_be_visible()
        await expect(screen.get_by_role("heading", name="In informal talks")).to_be_visible()
        reference = screen.url.rsplit("/", 1)[1]
        await page.check_accessible("case page, informal talks")

        for form in ("talk", "note", "extend", "withdraw"):  # seen, not sent
            await screen.goto(f"/cases/{reference}/{form}")
            await page.check_accessible(f"form {form}")
        await screen.goto(f"/cases/{reference}")

        # The banner names the step; offering is the second of the two it names.
        await expect(screen.locator("#next-step")).to_contain_text(
            "Next: record an informal talk, or offer disagreement resolution by "
        )
        await screen.get_by_role("link", name="Offer disagreement resolution").click()
        await page.check_accessible("form offer")
        await submit(page, "Offer it to every party")
        await expect(screen.get_by_role("heading", name="Waiting for every party's consent")).to_be_visible()

        # Every consent, each reached from the due list; first a validation error (nobody chosen).
        await next_step(page, "record each party's answer to the offer by ")
        await submit(page, "Record the answer")
        await expect(screen.get_by_role("link", name="Select the party who answered")).to_be_visible()
        await page.check_accessible("form consent, with errors")
        await page.screenshot("validation-error")
        for party in ("applicant", "org-1", "org-2"):
            await from_due_list(page, "Record a party's answer", reference)
            await screen.locator(f"input[name=party][value={party}]").check()
            await screen.get_by_label("Yes, they agree").check()
            await submit(page, "Record the answer")
            await expect(screen.get_by_text("Answer recorded.")).to_be_visible()
        await expect(screen.get_by_role("heading", name="Arranging the session")).to_be_visible()

        # The case itself refuses a mediator not declared independent (SEND Code 11.6).
        await next_step(page, "assign the mediator")
        await screen.get_by_label("Mediator's full name").fill("Pat Mediator")
        await screen.get_by_label("Mediator's email address").fill("pat@accord.example.org")
        await submit(page, "Assign the mediator")
        await expect(screen.get_by_role("heading", name="The case did not accept this: nothing was changed")).to_be_visible()
        await expect(screen.get_by_role("link", name="must be declared independent")).to_be_visible()
        # On the field it is about, as a GOV.UK error message, and the summary links there.
        await expect(screen.locator("#independent-error")).to_contain_text("must be declared independent")
        await expect(screen.get_by_role("link", name="must be declared independent")).to_have_attribute("href", "#independent")
        await page.check_accessible("form mediator, refused by the case")
        await page.screenshot("workflow-rejection")
        await screen.get_by_label("I confirm the mediator is independent of the Local Authority and the health bodies").check()
        await submit(page, "Assign the mediator")
        await expect(screen.get_by_text("Mediator assigned.")).to_be_visible()

        # Book the session a few seconds ahead (in England's time), so its outcome can follow.
        await next_step(page, "book the session")
        await page.check_accessible("form session")
        session = (datetime.now(UTC) + timedelta(seconds=3)).astimezone(LONDON)
        await screen.get_by_label("Day").fill(str(session.day))
        await screen.get_by_label("Month").fill(str(session.month))
        await screen.get_by_label("Year").fill(str(session.year))
        await screen.get_by_label("Start time").fill(session.strftime("%H:%M:%S"))
        await screen.get_by_label("Where, or how to join (optional)").fill("Town Hall, room 2")
        await submit(page, "Book the session")
        await expect(screen.get_by_role("heading", name="Waiting for its session")).to_be_visible()
        await page.check_accessible("case page, session booked")
        while datetime.now(UTC) <= session:
            await asyncio.sleep(0.2)

        await next_step(page, "record the session outcome by ")
        await page.check_accessible("form outcome")
        await screen.get_by_label("Partial agreement").check()
        await screen.get_by_label("Action 1: what was agreed").fill("Fund 20 hours of speech and language therapy")
        await screen.get_by_label("Action 1: who does it").select_option("org-2")
        await screen.get_by_label("Action 2: what was agreed").fill("Share the therapist's report with the family")
        await screen.get_by_label("Action 2: who does it").select_option("org-1")
        await submit(page, "Record the outcome")
        await expect(screen.get_by_role("heading", name="Following up what was agreed")).to_be_visible()
        await page.check_accessible("case page, following up")
        await page.screenshot("case-following-up", full_page=False)

        for number in ("1", "2"):
            await from_due_list(page, "Mark an agreed action done", reference)
            await page.check_accessible(f"form action-done {number}")
            await screen.locator(f"input[name=number][value='{number}']").check()
            await submit(page, "Mark it done")
        await expect(screen.get_by_role("heading", name="Closed")).to_be_visible()
        await expect(screen.locator(".govuk-summary-list").get_by_text("Partial agreement", exact=True)).to_be_visible()
        await page.check_accessible("case page, closed")
        await page.screenshot("case-closed")

        await screen.goto(f"/cases/{reference}/note")
        await expect(screen.get_by_text("You cannot do this now")).to_be_visible()
        await page.check_accessible("not now")
        await screen.goto("/cases/DR-2026-ZZZZZZ")
        await page.check_accessible("not found")
        await screen.goto(f"/cases?officer=jo.smith&stage=closed")  # the list shows open cases unless asked
        await expect(screen.get_by_role("link", name=reference)).to_be_visible()
        await page.check_accessible("case list, filtered")
        await page.screenshot("case-list")
    finally:
        await page.close()


async def test_a_mediation_case_from_the_familys_choice_to_its_end(browser: Browser, console_address: str) -> None:
    page = await BrowserPage.open(browser, console_address)
    screen = page.page
    try:
        await sign_in(page)
        await page.page.get_by_role("link", name="Due from you").click()
        await screen.get_by_role("link", name="Open a mediation case").first.click()
        await page.check_accessible("open a mediation case")
        await screen.get_by_label("Full name").fill("Sam Parent")
        await screen.get_by_label("A parent").check()
        await screen.get_by_label("Email address (optional)", exact=True).fill("sam.parent@example.org")
        await screen.get_by_label("Local Authority's name").fill("Rotherham LA")
        await screen.get_by_label("The Local Authority: email address").fill("send@la.example.gov.uk")
        await screen.get_by_label("What did the Local Authority decide?").select_option("refusal_to_assess")
        decided = (datetime.now(UTC) - timedelta(days=7)).astimezone(LONDON).date()
        decision = screen.get_by_role("group", name="When was its written notice sent?")
        await decision.get_by_label("Day").fill(str(decided.day))
        await decision.get_by_label("Month").fill(str(decided.month))
        await decision.get_by_label("Year").fill(str(decided.year))
        born = screen.get_by_role("group", name="Child's or young person's date of birth (optional)")
        await born.get_by_label("Day").fill("14")
        await born.get_by_label("Month").fill("3")
        await born.get_by_label("Year").fill("2014")
        await screen.get_by_label("Education").check()
        await submit(page, "Continue")
        await page.check_accessible("check answers, mediation")
        await submit(page, "Open the case")
        await expect(screen.get_by_role("heading", name="With the family deciding whether to mediate")).to_be_visible()
        reference = screen.url.rsplit("/", 1)[1]
        assert reference.startswith("MD-")
        await page.check_accessible("case page, mediation advice")
        for form in ("certificate", "appeal-status", "withdraw"):
            await screen.goto(f"/cases/{reference}/{form}")
            await page.check_accessible(f"form {form}")
        await screen.goto(f"/cases/{reference}")

        await next_step(page, "record the family's choice about mediation")
        await page.check_accessible("form choose")
        await screen.get_by_label("Yes, they want mediation").check()
        await submit(page, "Record the choice")
        await expect(screen.get_by_role("heading", name="Arranging the session")).to_be_visible()
        await screen.goto(f"/cases/{reference}/cannot-arrange")
        await page.check_accessible("form cannot-arrange")
        await screen.goto(f"/cases/{reference}")
        await next_step(page, "assign the mediator")
        await screen.get_by_label("Mediator's full name").fill("Pat Mediator")
        await screen.get_by_label("Mediator's email address").fill("pat@accord.example.org")
        await screen.get_by_label("I confirm the mediator is independent of the Local Authority and the health bodies").check()
        await submit(page, "Assign the mediator")

        await next_step(page, "book the session")
        await page.check_accessible("form session, mediation")
        session = (datetime.now(UTC) + timedelta(seconds=3)).astimezone(LONDON)
        await screen.get_by_label("Day").fill(str(session.day))
        await screen.get_by_label("Month").fill(str(session.month))
        await screen.get_by_label("Year").fill(str(session.year))
        await screen.get_by_label("Start time").fill(session.strftime("%H:%M:%S"))
        await screen.get_by_label("Who attends for the Local Authority (optional)").fill("Head of SEN")
        await screen.get_by_label("The family agreed to shorter notice").check()
        await submit(page, "Book the session")
        await expect(screen.get_by_role("heading", name="Waiting for its session")).to_be_visible()
        while datetime.now(UTC) <= session:
            await asyncio.sleep(0.2)

        # Mediation must take place within 30 days: the Local Authority's duty, met by the session held.
        await next_step(page, "hold the session and record its outcome by ")
        await page.check_accessible("form outcome, mediation")
        await screen.get_by_label("Partial agreement").check()
        await screen.get_by_label("Yes", exact=True).check()
        await screen.get_by_label("Action 1: what was agreed").fill("Carry out an EHC needs assessment")
        await screen.get_by_label("Action 1: who does it").select_option("org-1")
        await submit(page, "Record the outcome")
        await expect(screen.get_by_role("heading", name="Following up what was agreed")).to_be_visible()

        await next_step(page, "issue the mediation certificate by ")
        await page.check_accessible("form certificate")
        await screen.get_by_label("The mediator").check()
        await submit(page, "Issue the certificate")
        await expect(screen.get_by_text("Certificate issued.")).to_be_visible()
        await expect(screen.get_by_text("by the mediator. Mediation has taken place.")).to_be_visible()
        await page.check_accessible("case page, certificate issued")
        await page.screenshot("mediation-certificate")

        # The agreed action, from the due list: the last duty, so the case closes (DESIGN section 11).
        await from_due_list(page, "Mark an agreed action done", reference)
        await screen.locator("input[name=number][value='1']").check()
        await submit(page, "Mark it done")
        await expect(screen.get_by_role("heading", name="Closed")).to_be_visible()
        await expect(screen.locator("#next-step")).to_have_count(0)
        await page.check_accessible("case page, mediation closed")

        await screen.goto("/cases?route=mediation&stage=closed")  # open cases unless asked
        await expect(screen.get_by_role("link", name=reference)).to_be_visible()
        await page.check_accessible("case list, mediation")
    finally:
        await page.close()


async def test_closed_cases_and_a_subject_access_export(browser: Browser, console_address: str, settings) -> None:
    case = closed_case(outcome=CaseOutcome.declined)
    store = records_store_for(settings)  # the console's own records store (SQLite in its data folder)
    try:
        await store.archive(archive_of(case, version=1))
    finally:
        await store.close()
    page = await BrowserPage.open(browser, console_address)
    screen = page.page
    try:
        await sign_in(page, "sam.jones", "Records officer")
        await screen.get_by_role("link", name="Closed cases").first.click()
        await expect(screen.get_by_role("heading", name="Closed cases")).to_be_visible()
        await page.check_accessible("closed cases")
        await screen.get_by_role("link", name=case.reference).click()
        await expect(screen.get_by_text("Record kept until")).to_be_visible()
        await page.check_accessible("closed case from the records")

        await screen.get_by_role("link", name="Subject access").first.click()
        await page.check_accessible("subject access")
        await submit(page, "Download the JSON file")
        await expect(screen.get_by_role("link", name="Enter the person's email address or phone number")).to_be_visible()
        await page.check_accessible("subject access, with errors")
        await page.screenshot("subject-access-errors")
        await screen.get_by_label("Email address").fill("sam.parent@example.org")
        async with screen.expect_download() as downloading:
            await screen.get_by_role("button", name="Download the readable document").click()
        download = await downloading.value
        assert download.suggested_filename.startswith("subject-access-") and download.suggested_filename.endswith(".txt")
        document = (await download.path()).read_text()
        assert f"Case {case.reference}\n  This case is closed and kept in the service's records." in document
        assert "sam.parent" not in screen.url
    finally:
        await page.close()


async def test_the_console_works_without_javascript(browser: Browser, console_address: str) -> None:
    page = await BrowserPage.open(browser, console_address, javascript=False)
    try:
        await sign_in(page, check=False)
        await page.page.get_by_role("link", name="Open a case").first.click()
        await submit(page, "Continue")
        await expect(page.page.get_by_role("link", name="Select who brings the disagreement")).to_be_visible()
    finally:
        await page.close()


async def test_roles_in_the_browser_a_refusal_a_move_and_an_erasure_by_two_records_officers(
    browser: Browser, console_address: str, dev_server, settings,
) -> None:
    """Signing in without a role is refused in words; a records officer opening a case form gets the 403
    page; a team manager moves a case; one records officer asks for an erasure, another approves it."""
    handle = await start_case(dev_server.client, settings)
    closed = closed_case()
    store = records_store_for(settings)  # the console's own records store (SQLite in its data folder)
    try:
        await store.archive(archive_of(closed, version=1))
    finally:
        await store.close()

    page = await BrowserPage.open(browser, console_address)
    screen = page.page
    try:
        await screen.goto("/sign-in")
        await screen.get_by_label("Staff id").fill("pat.lee")
        await submit(page, "Sign in")
        await expect(screen.get_by_role("link", name="Select at least one role")).to_be_visible()
        await page.check_accessible("sign in, no role")
        await screen.get_by_label("Team manager", exact=True).check()
        await submit(page, "Sign in")
        await screen.goto(f"/cases/{handle.id}")
        await screen.get_by_role("link", name="Move the case to another officer").click()
        await page.check_accessible("form reassign")
        await screen.get_by_label("New case officer").fill("amira.khan")
        await screen.get_by_label("Why it moves").fill("jo.smith is on leave")
        await submit(page, "Move the case")
        await expect(screen.get_by_text("Case officer changed.")).to_be_visible()
        await expect(screen.get_by_text("case officer changed from jo.smith to amira.khan: jo.smith is on leave")).to_be_visible()
    finally:
        await page.close()

    asker = await BrowserPage.open(browser, console_address)
    try:
        await sign_in(asker, "sam.jones", "Records officer")
        await asker.page.goto(f"/cases/{handle.id}/note")
        await expect(asker.page.get_by_role("heading", name="You cannot do this")).to_be_visible()
        await expect(asker.page.get_by_text("Not allowed: needs the case_officer or team_manager role.")).to_be_visible()
        await asker.check_accessible("not allowed")
        await asker.screenshot("not-allowed")
        await asker.page.goto(f"/cases/{closed.reference}")
        await asker.page.get_by_role("link", name="Ask for the record to be erased").click()
        await asker.check_accessible("records step, erase")
        await asker.page.get_by_label("Why, in words").fill("erasure request 2026-114")
        await submit(asker, "Ask for erasure")
        await expect(asker.page.get_by_text("Erasure asked for: a second records officer approves it.")).to_be_visible()
        await expect(asker.page.get_by_role("link", name="Approve erasure")).to_have_count(0)
    finally:
        await asker.close()

    approver = await BrowserPage.open(browser, console_address)
    try:
        await sign_in(approver, "kim.patel", "Records officer")
        await approver.page.goto(f"/cases/{closed.reference}")
        await approver.page.get_by_role("link", name="Approve erasure").click()
        await expect(approver.page.get_by_text("erasure request 2026-114")).to_be_visible()
        await approver.check_accessible("records step, approve erasure")
        await approver.screenshot("approve-erasure")
        await submit(approver, "Approve erasure")
        await expect(approver.page.get_by_text(f"Case {closed.reference} erased.")).to_be_visible()
        await approver.check_accessible("closed cases, after an erasure")
    finally:
        await approver.close()
