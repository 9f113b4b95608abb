"""The console's home page, "Due from you", in a real browser (Playwright driving Debian's chromium)
with axe-core on each page: the week's and all the officer's duties, a row's link to the action that
discharges its duty, and the search box on every page (found, and a malformed reference)."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Browser, expect

from domain.models import OfferResolution
from tests.browser import BrowserPage, browser  # noqa: F401 (the shared browser fixture)
from tests.conftest import open_case, start_case
from tests.test_web_browser import console_address, sign_in  # noqa: F401 (the served console fixture)
from workflows.case import DisagreementCase

pytestmark = pytest.mark.timeout(240)


async def test_due_from_you_in_a_browser(browser: Browser, console_address: str, dev_server, settings) -> None:
    officer = f"ann-{uuid.uuid4().hex[:6]}"
    offered = await start_case(dev_server.client, settings, open_case(case_officer=officer))
    await offered.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=officer))
    page = await BrowserPage.open(browser, console_address)
    screen = page.page
    try:
        await sign_in(page, officer)
        await screen.goto("/")
        await expect(screen.get_by_role("heading", name="Due from you")).to_be_visible()
        await page.check_accessible("home, due this week")
        await screen.get_by_role("link", name="All my cases").click()
        await expect(screen.get_by_role("link", name=f"Record a party's answer ({offered.id})")).to_be_visible()
        await expect(screen.get_by_text("The case officer", exact=True)).to_be_visible()
        await page.check_accessible("home, all my cases")
        await page.screenshot("due-from-you")
        await screen.get_by_role("link", name=f"Record a party's answer ({offered.id})").click()
        await expect(screen).to_have_url(f"{page.base}/cases/{offered.id}/consent")

        # The search box, from any page.
        await screen.get_by_label("Find a case by reference").fill(offered.id.lower())
        await screen.get_by_role("button", name="Find", exact=True).click()
        await expect(screen).to_have_url(f"{page.base}/cases/{offered.id}")
        await screen.get_by_label("Find a case by reference").fill("DR-26")
        await screen.get_by_role("button", name="Find", exact=True).click()
        await expect(screen.get_by_role("heading", name="There is a problem")).to_be_visible()
        await page.check_accessible("find a case, malformed")
        await screen.get_by_role("link", name="Enter a case reference like DR-2026-7KQ3XZ or MD-2026-7KQ3XZ").click()
        await expect(screen.get_by_label("Case reference")).to_be_focused()

        # The team's view is a team manager's: a case officer is refused in words.
        await screen.goto("/?team=1")
        await expect(screen.get_by_role("heading", name="You cannot do this")).to_be_visible()
        await page.check_accessible("team view refused")
    finally:
        await page.close()
