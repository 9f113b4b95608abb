"""The Reports page in a real browser (Playwright driving Debian's chromium), with axe-core on each page:
a team manager sees the figures, its charts and their tables, follows a figure to the cases behind it
and on to a case, downloads the CSV and mistypes a date; a case officer is refused and is not offered
the page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from playwright.async_api import Browser, expect

from domain.models import RecordTalk, TalkOutcome
from records.store import records_store_for
from tests.browser import BrowserPage, browser  # noqa: F401 (the shared browser fixture)
from tests.cli_helpers import today, until
from tests.conftest import open_case, start_case
from tests.test_web_browser import console_address, sign_in  # noqa: F401 (the served console fixture)
from workflows.case import DisagreementCase

pytestmark = pytest.mark.timeout(240)


async def test_the_reports_page_for_a_team_manager_and_not_a_case_officer(
    browser: Browser, console_address: str, dev_server, settings,
) -> None:
    talking = await start_case(dev_server.client, settings, open_case())
    resolved = await start_case(dev_server.client, settings, open_case())
    await resolved.execute_update(DisagreementCase.record_talk, RecordTalk(actor="jo.smith", outcome=TalkOutcome.resolved))
    records = records_store_for(settings)
    try:
        assert await until(lambda: records.get(resolved.id), seconds=30), "the closed case was not archived"
    finally:
        await records.close()

    page = await BrowserPage.open(browser, console_address)
    screen = page.page
    try:
        await sign_in(page, "pat.lee", "Team manager")
        await screen.get_by_role("link", name="Reports").click()
        await expect(screen.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
        await expect(screen.get_by_text("No duty due in the period has been met or missed yet")).to_be_visible()
        # From 1 January (left blank) to 10 weeks ahead, when both cases' informal talks reviews are due:
        # one met today, the other to come.
        ahead = today() + timedelta(weeks=10)
        for box, value in (("Day", ahead.day), ("Month", ahead.month), ("Year", ahead.year)):
            await screen.get_by_label(box).nth(1).fill(str(value))
        await screen.get_by_role("button", name="Show the figures").click()
        # Both cases opened today, one closed (resolved in informal talks).
        cases = screen.get_by_role("table", name="Cases")
        await expect(cases.get_by_role("row", name="All cases")).to_contain_text("2")
        await expect(screen.get_by_role("row", name="Resolved in informal talks")).to_contain_text("1")
        bars = screen.get_by_role("img", name="Duties met on time, by kind of duty")
        await expect(bars).to_be_visible()
        await expect(screen.get_by_role("img", name="Cases open over the period")).to_be_visible()
        await expect(screen.get_by_role("row", name="Review of informal talks")).to_contain_text("100.0%")
        await page.check_accessible("reports")
        await page.screenshot("reports")

        # The cases behind a figure: their references, each a link to its case; the URL names the figure only.
        await screen.get_by_role("link", name="2 (cases opened: the cases)").click()
        await expect(screen.get_by_role("heading", name="Cases opened: 2")).to_be_visible()
        assert "figure=cases.opened" in screen.url
        assert talking.id not in screen.url and resolved.id not in screen.url
        await expect(screen.get_by_role("link", name=talking.id)).to_be_visible()
        await page.check_accessible("the cases behind a figure")
        await screen.get_by_role("link", name=resolved.id).click()
        await expect(screen).to_have_url(f"{page.base}/cases/{resolved.id}")
        await screen.go_back()
        await screen.get_by_role("link", name="Back to the figures").click()

        # The CSV: one row per figure, with the references behind it.
        async with screen.expect_download() as downloading:
            await screen.get_by_role("link", name="Download these figures (CSV)").click()
        download = await downloading.value
        rows = {row["figure"]: row for row in csv.DictReader(io.StringIO((await download.path()).read_text()))}
        assert rows["cases.opened"]["value"] == "2"
        assert sorted(rows["cases.opened"]["references"].split()) == sorted([talking.id, resolved.id])
        assert rows["outcomes.resolved_informally"]["references"] == resolved.id

        # A date that does not exist: the GOV.UK error summary, linked to the field.
        await screen.get_by_label("Day").first.fill("30")
        await screen.get_by_label("Month").first.fill("2")
        await screen.get_by_label("Year").first.fill("2027")
        await screen.get_by_role("button", name="Show the figures").click()
        await expect(screen.get_by_role("heading", name="There is a problem")).to_be_visible()
        await expect(screen.get_by_role("link", name="The first day must be a real date, for example 14 12 2026")).to_be_visible()
        await page.check_accessible("reports, a date that does not exist")
        assert (await screen.goto("/reports?route=nowhere")).status == 400
        await expect(screen.get_by_role("link", name="Select a route from the list")).to_be_visible()
        assert (await screen.goto("/reports/cases?figure=cases.nothing")).status == 404
        for asked in ("/reports.csv?route=nowhere", "/reports/cases?figure=cases.opened&route=nowhere"):  # the same words
            assert (await screen.goto(asked)).status == 400
            await expect(screen.get_by_role("link", name="Select a route from the list")).to_be_visible()
    finally:
        await page.close()

    officer = await BrowserPage.open(browser, console_address)
    try:
        await sign_in(officer, "jo.smith")
        await expect(officer.page.get_by_role("link", name="Reports")).to_have_count(0)
        response = await officer.page.goto("/reports")
        assert response is not None and response.status == 403
        await expect(officer.page.get_by_role("heading", name="You cannot do this")).to_be_visible()
        await expect(officer.page.get_by_text("needs the team_manager role")).to_be_visible()
        await officer.check_accessible("reports refused")
        assert (await officer.page.goto("/reports.csv")).status == 403
        assert (await officer.page.goto("/reports/cases?figure=cases.opened")).status == 403
    finally:
        await officer.close()
