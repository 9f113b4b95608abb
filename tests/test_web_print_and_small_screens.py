"""The console on a phone (390 px wide) and on paper, in a real browser (Playwright driving Debian's
chromium): the case list and a case page fit the screen without scrolling sideways, a case reference
is never broken, and a printed case is a clean summary. Screenshots in test-artifacts/screenshots/.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from tests.browser import BrowserPage, browser  # noqa: F401 (the shared browser fixture)
from tests.conftest import start_case
from tests.test_web_browser import console_address, sign_in  # noqa: F401 (the console fixture)

pytestmark = pytest.mark.timeout(240)
PHONE = {"width": 390, "height": 844}  # an iPhone 12 to 15's screen, in CSS pixels
TABLET = {"width": 660, "height": 900}  # just above GOV.UK Frontend's mobile breakpoint (641 px)

# Elements wider than the screen, for a failure's message: what made the page scroll sideways.
TOO_WIDE = """width => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .slice(-5).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
# An inline element broken over lines has one box per line.
LINES = "element => element.getClientRects().length"
# How the print stylesheet leaves what must not be printed, and the text a link's ::after adds.
PRINTED = """() => {
    // Rendered: a box on the page (an element inside a hidden one has none, whatever its own display).
    const shown = selector => [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length > 0).length;
    const after = [...document.querySelectorAll('a[href]')].map(a => getComputedStyle(a, '::after').content)
        .filter(content => content !== 'none' && content !== 'normal' && content !== '""');
    return {
        furniture: shown('.govuk-service-navigation, .govuk-header, .govuk-phase-banner, .govuk-footer, .govuk-back-link'),
        controls: shown('button, .govuk-button, form, input, select'),
        link_after: after,
        heading: shown('h1'),
    };
}"""


async def fits(page: BrowserPage, name: str) -> None:
    width = await page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} scrolls sideways ({width} px): {await page.page.evaluate(TOO_WIDE, PHONE['width'])}"


async def test_the_case_list_and_a_case_page_fit_a_phone(browser: Browser, console_address: str, dev_server, settings) -> None:
    reference = (await start_case(dev_server.client, settings)).id
    page = await BrowserPage.open(browser, console_address)
    screen = page.page
    try:
        await screen.set_viewport_size(PHONE)
        await sign_in(page)
        await screen.goto("/cases?officer=jo.smith")
        link = screen.get_by_role("link", name=reference)
        await link.wait_for()
        await fits(page, "the case list")
        assert await link.evaluate(LINES) == 1, f"{reference} is broken over lines in the case list"
        await page.check_accessible("case list, 390 px")
        await page.screenshot("case-list-390px")
        # Just above the phone layout every column is there, and the reference's is the narrowest.
        await screen.set_viewport_size(TABLET)
        assert await link.evaluate(LINES) == 1, f"{reference} is broken over lines in the case list at {TABLET['width']} px"
        await page.screenshot("case-list-tablet")
        await screen.set_viewport_size(PHONE)

        await link.click()
        await screen.wait_for_load_state()
        await fits(page, "the case page")
        heading_reference = screen.locator(".govuk-caption-l .app-nowrap", has_text=reference)
        assert await heading_reference.evaluate(LINES) == 1, f"{reference} is broken over lines on its page"
        await page.check_accessible("case page, 390 px")
        await page.screenshot("case-page-390px")
    finally:
        await page.close()


async def test_a_case_prints_as_a_clean_summary(browser: Browser, console_address: str, dev_server, settings) -> None:
    reference = (await start_case(dev_server.client, settings)).id
    page = await BrowserPage.open(browser, console_address)
    screen = page.page
    try:
        await sign_in(page)
        await screen.goto(f"/cases/{reference}")
        on_screen = await screen.evaluate(PRINTED)
        assert on_screen["furniture"] and on_screen["controls"]  # what print leaves out is there to leave out

        await screen.emulate_media(media="print")
        printed = await screen.evaluate(PRINTED)
        assert printed["furniture"] == 0, "the menu, banner, back link or footer would print"
        assert printed["controls"] == 0, "a button or form would print"
        assert printed["link_after"] == [], f"link addresses would print: {printed['link_after'][:3]}"
        assert printed["heading"] == 1
        await page.screenshot("case-page-print")
    finally:
        await page.close()
