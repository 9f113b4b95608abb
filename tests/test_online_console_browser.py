"""The console side of answers online (DESIGN section 14) in a real browser, axe on each page: a
party's answer shows "Answered online"; one officer proposes session times through the GOV.UK form
(a refusal in words first), the parties answer, and the case page tags the time that suits
everyone; a call-back asked for online is the next step, and a second officer records it. The
timeline names who did what."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest
from playwright.async_api import Browser, expect

from domain.calendar import LONDON
from domain.models import OfferResolution, RecordAvailability, RecordConsent, RequestCallback, party_actor
from tests.browser import BrowserPage, browser  # noqa: F401 (the shared browser fixture)
from tests.conftest import open_case, start_case
from tests.test_web_browser import console_address, sign_in, submit  # noqa: F401 (the served console fixture)
from workflows.case import DisagreementCase

pytestmark = pytest.mark.timeout(240)
PARTIES = ("applicant", "org-1", "org-2")


async def fill_time(page: BrowserPage, row: int, day: date, at: str) -> None:
    screen = page.page
    for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        await screen.locator(f"#slot-{row}-{part.lower()}").fill(str(value))
    await screen.get_by_label(f"Time {row}: start time").fill(at)


async def test_officers_propose_times_and_call_back_and_see_who_answered_online(browser: Browser, console_address: str, dev_server, settings) -> None:
    first, second = f"ann-{uuid.uuid4().hex[:6]}", f"bob-{uuid.uuid4().hex[:6]}"
    handle = await start_case(dev_server.client, settings, open_case(case_officer=first, opened_by=first))
    await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=first))
    await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=first, party="applicant", agree=True))
    await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=first, party="org-1", agree=True))
    # The local authority answers through its link (a development worker takes the party's word).
    await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=party_actor("org-2"), party="org-2", agree=True))

    page = await BrowserPage.open(browser, console_address)
    screen = page.page
    try:
        await sign_in(page, first)
        await screen.goto(f"/cases/{handle.id}")
        parties = screen.get_by_role("table").first
        await expect(parties.get_by_role("row").filter(has_text="Rotherham LA").get_by_text("Answered online", exact=True)).to_be_visible()
        await expect(parties.get_by_role("row").filter(has_text="Hill Top Primary").get_by_text("Answered online")).to_have_count(0)
        await expect(screen.get_by_role("cell", name="Rotherham LA agreed; answered online")).to_be_visible()
        await page.check_accessible("case page, an answer given online")

        await screen.get_by_role("link", name="Propose session times").click()
        await page.check_accessible("propose session times")
        week = (datetime.now(LONDON) + timedelta(days=14)).date()
        await fill_time(page, 1, week, "10:00")
        await fill_time(page, 2, week + timedelta(days=1), "14:30")
        await submit(page, "Propose the times")
        await expect(screen.get_by_role("heading", name="There is a problem")).to_be_visible()
        await expect(screen.locator(".govuk-error-summary")).to_contain_text("propose 3 to 6 session times, not 2")
        await page.check_accessible("propose session times, refused")
        await fill_time(page, 3, week + timedelta(days=2), "09:30")
        await screen.get_by_label("Where, or how to join (optional)").fill("Town Hall")
        await submit(page, "Propose the times")
        await expect(screen.get_by_text("Session times proposed.")).to_be_visible()
        await expect(screen.get_by_text("Still to answer: Sam Parent, Hill Top Primary and Rotherham LA.")).to_be_visible()

        for party, slots in zip(PARTIES, ([2, 3], [2], [1, 2]), strict=True):
            await handle.execute_update(
                DisagreementCase.record_availability, RecordAvailability(actor=party_actor(party), party=party, slots=slots),
            )
        await handle.execute_update(
            DisagreementCase.request_callback, RequestCallback(actor=party_actor("applicant"), party="applicant", note="parking"),
        )
        await screen.reload()
        tagged = screen.locator("tr", has=screen.locator("strong.govuk-tag--green", has_text="Suits everyone"))
        await expect(tagged).to_have_count(1)
        await expect(tagged).to_contain_text("2:30pm")
        await expect(screen.get_by_text("Every party has answered.")).to_be_visible()
        await expect(screen.locator("#next-step")).to_contain_text("Next: call Sam Parent back, as they asked by")
        await page.check_accessible("case page, times answered and a call-back owed")
    finally:
        await page.close()

    other = await BrowserPage.open(browser, console_address)  # a second officer, in a browser of their own
    try:
        await sign_in(other, second)
        await other.page.goto(f"/cases/{handle.id}")
        await other.page.locator("#next-step").get_by_role("button").click()
        await expect(other.page).to_have_url(f"{other.base}/cases/{handle.id}/callback")
        await submit(other, "Record the call-back")
        await expect(other.page.locator(".govuk-error-summary")).to_contain_text("Select the call-back you made")
        await other.check_accessible("record a call-back, refused")
        await other.page.get_by_label("Call-back 1: Sam Parent").check()
        await other.page.get_by_label("What you talked about (optional)").fill("told them where to park")
        await submit(other, "Record the call-back")
        await expect(other.page.get_by_text("Call-back recorded.")).to_be_visible()
    finally:
        await other.close()

    case = await handle.query(DisagreementCase.case_view)
    by = {entry.event: entry.actor for entry in case.timeline}
    assert (by["slots_proposed"], by["callback_made"], by["callback_requested"]) == (first, second, "party:applicant")
    assert [slot.at.astimezone(LONDON).time() for slot in case.slots] == [time(10), time(14, 30), time(9, 30)]


def test_a_refusal_about_the_nth_time_points_at_its_row_whatever_the_order_typed() -> None:
    """The request numbers the times in time order; the form's rows are as typed."""
    from web.forms import _slot_field

    fields = {
        "slot-1-day": "9", "slot-1-month": "12", "slot-1-year": "2026", "slot-1-time": "10:00",
        "slot-2-day": "7", "slot-2-month": "12", "slot-2-year": "2026", "slot-2-time": "10:00",
        "slot-4-day": "8", "slot-4-month": "12", "slot-4-year": "2026", "slot-4-time": "10:00",
    }
    assert [_slot_field(("slots", index), fields) for index in range(3)] == ["slot-2", "slot-4", "slot-1"]
    assert (_slot_field(("slots",), fields), _slot_field(("venue",), fields)) == ("slot-1", "venue")
