"""The case page as work, in a real browser (Playwright driving Debian's chromium) with axe-core:
the next step banner and its button, warnings as warning text, the stages as a task list, duties
owed and settled, the summary and the applicant's contact details, and a mediation case that
says nothing of consent. Cases are started on the dev server as the console would start them."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from domain.calendar import london_date
from domain.models import Channel, Contact, PostalAddress
from tests.browser import BrowserPage, browser  # noqa: F401 (the shared browser fixture)
from tests.conftest import open_case, running_worker, start_case
from tests.journeys import open_mediation
from tests.test_web_browser import sign_in
from tests.web_console import free_port, served, web_settings
from web.app import create_app
from workflows.mediation import MediationCase

pytestmark = pytest.mark.timeout(240)


@pytest_asyncio.fixture(loop_scope="session")
async def console(dev_server, settings) -> AsyncIterator[tuple[str, object]]:
    port = free_port()
    app = create_app(web_settings(settings.data_dir, settings.task_queue, web_port=port), dev_server.client)
    async with running_worker(dev_server.client, settings):
        async with served(app, port) as address:
            yield address, settings


async def test_the_case_page_opens_with_the_next_step_and_reads_as_work(browser: Browser, console, dev_server) -> None:
    address, settings = console
    contact = Contact(
        email="sam.parent@example.org", phone="07700 900123", prefers=Channel.letter,
        address=PostalAddress(lines=["1 Hill Road", "Rotherham"], postcode="s60 1aa"),
    )
    opened = open_case(applicant=open_case().applicant.model_copy(update={"contact": contact}))
    handle = await start_case(dev_server.client, settings, opened)
    page = await BrowserPage.open(browser, address)
    screen = page.page
    try:
        await sign_in(page)
        await screen.goto(f"/cases/{handle.id}")
        banner = screen.locator("#next-step")
        await expect(banner).to_contain_text("Next: record an informal talk, or offer disagreement resolution by ")
        await expect(screen.get_by_role("heading", name="In informal talks", exact=True)).to_be_visible()
        stages = screen.locator(".govuk-task-list")
        await expect(stages.locator(".govuk-task-list__item").first).to_contain_text("In progress")
        await expect(stages).to_contain_text("Cannot start yet")
        await expect(screen.locator("#duties-owed")).to_contain_text("Review of informal talks")
        await expect(screen.get_by_text("Disagreement about speech and language therapy hours")).to_be_visible()
        applicant = screen.locator("#applicant")
        for shown in ("sam.parent@example.org", "+447700900123", "1 Hill Road", "S60 1AA", "Letter", "Ali Adviser"):
            await expect(applicant).to_contain_text(shown)
        await expect(screen.locator("main")).not_to_contain_text(re.compile(r"\b[a-z]+_[a-z_]+\b"))  # no code left in words
        await page.check_accessible("case page as work, informal talks")
        await page.screenshot("case-page-next-step")

        # The banner's button is the way on: the talk form.
        await banner.get_by_role("button", name="Record an informal talk").click()
        await expect(screen.get_by_role("heading", name="Record an informal talk")).to_be_visible()
    finally:
        await page.close()


async def test_a_mediation_case_page_warns_and_never_speaks_of_consent(browser: Browser, console, dev_server) -> None:
    """Opened more than 2 months after the decision notice (reg 33): a late opening, warned as
    warning text; the appeal deadline (2 months, HESC r.20(1)(c)) has passed too."""
    address, settings = console
    decided = london_date(datetime.now(UTC)) - timedelta(days=80)
    handle = await dev_server.client.start_workflow(
        MediationCase.run, open_mediation(decided), id="MD-2026-" + uuid.uuid4().hex[:6].upper(),
        task_queue=settings.task_queue,
    )
    page = await BrowserPage.open(browser, address)
    screen = page.page
    try:
        await sign_in(page)
        await screen.goto(f"/cases/{handle.id}")
        await expect(screen.get_by_role("heading", name="With the family deciding whether to mediate")).to_be_visible()
        await expect(screen.locator("#next-step")).to_contain_text("Next: record the family's choice about mediation")
        await expect(screen.locator("#next-step")).to_contain_text("Waiting for the family.")
        warnings = screen.locator(".govuk-warning-text")
        await expect(warnings.filter(has_text="Opened more than 2 months after the decision notice")).to_have_count(1)
        await expect(warnings.filter(has_text="The family's appeal deadline")).to_have_count(1)
        await expect(screen.locator(".govuk-task-list")).to_contain_text("The family's choice")
        await expect(screen.locator("main")).not_to_contain_text("onsent")  # neither "Consent" nor "consent"
        await page.check_accessible("case page as work, mediation")
        await screen.locator("#next-step").get_by_role("button", name="Record the family's choice").click()
        await expect(screen.get_by_role("heading", name="Record the family's choice")).to_be_visible()
    finally:
        await page.close()
