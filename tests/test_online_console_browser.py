"""The console side of answers online (DESIGN section 14) in a real browser, axe on each page: a
party's answer shows "Answered online"; one officer proposes session times through the GOV.UK form
(a refusal in words first), the parties answer, and the case page tags the time that suits
everyone; a call-back asked for online is the next step, and a second officer records it. A family
without internet rings instead, and the officer records the times they can make. The timeline names
who did what."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest
from playwright.async_api import Browser, expect

from domain.calendar import LONDON, date_and_time
from domain.models import OfferResolution, ProposeSlots, RecordAvailability, RecordConsent, RequestCallback, party_actor
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


async def test_an_officer_records_the_times_a_family_gave_by_phone(browser: Browser, console_address: str, dev_server, settings) -> None:
    """A family without internet rings the officer, who records the times they can make: an empty form
    and a time the case no longer has are refused in words; the answer shows in the times table, not
    tagged "Answered online", and the timeline names the officer, not the party."""
    officer, other = f"cat-{uuid.uuid4().hex[:6]}", f"dan-{uuid.uuid4().hex[:6]}"
    handle = await start_case(dev_server.client, settings, open_case(case_officer=officer, opened_by=officer))
    await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=officer))
    for party in PARTIES:
        await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=officer, party=party, agree=True))
    start = datetime.combine((datetime.now(LONDON) + timedelta(days=14)).date(), time(10), tzinfo=LONDON)
    four = [start + timedelta(days=day) for day in range(4)]
    await handle.execute_update(DisagreementCase.propose_slots, ProposeSlots(actor=officer, slots=four, venue="Town Hall"))

    page = await BrowserPage.open(browser, console_address)
    screen = page.page
    try:
        await sign_in(page, officer)
        await screen.goto(f"/cases/{handle.id}")
        await screen.get_by_role("link", name="Record the times a party can make").click()
        await expect(screen.get_by_role("heading", name="Record the times a party can make")).to_be_visible()
        await page.check_accessible("record the times a party can make")

        await submit(page, "Record the times")
        summary = screen.locator(".govuk-error-summary")
        await expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
        await expect(summary.get_by_role("link", name="Select the party whose times you are recording")).to_have_attribute("href", "#party")
        await expect(summary.get_by_role("link", name='Select each time they can make, or select "None of these times"')).to_have_attribute(
            "href", "#slots",
        )
        await expect(screen.locator("#party-error")).to_contain_text("Select the party whose times you are recording")
        await page.check_accessible("record the times a party can make, nothing chosen")

        # Meanwhile another officer proposes three times instead: time 4 is no longer there.
        await handle.execute_update(DisagreementCase.propose_slots, ProposeSlots(actor=other, slots=four[:3]))
        await handle.execute_update(  # the school answers through its link
            DisagreementCase.record_availability, RecordAvailability(actor=party_actor("org-1"), party="org-1", slots=[2, 3]),
        )
        await screen.get_by_label("Whose times are these?").select_option(label="Sam Parent (applicant)")
        await screen.get_by_label(f"Time 4: {date_and_time(four[3])}").check()
        await submit(page, "Record the times")
        await expect(summary.get_by_role("heading", name="The case did not accept this: nothing was changed")).to_be_visible()
        await expect(screen.locator("#slots-error")).to_contain_text("There is no proposed time 4: the times are numbered 1 to 3")
        await page.check_accessible("record the times a party can make, refused")

        await screen.get_by_label(f"Time 2: {date_and_time(four[1])}").check()
        await screen.get_by_label("What they said (optional)").fill("rang from work")
        await submit(page, "Record the times")
        await expect(screen.get_by_text("Times recorded.")).to_be_visible()
        times_table = screen.get_by_role("table").nth(1)
        await expect(times_table.get_by_role("row").nth(2)).to_contain_text("Sam Parent (applicant) and Hill Top Primary (org-1)")
        await expect(screen.get_by_text("Still to answer: Rotherham LA.")).to_be_visible()
        by_phone = screen.get_by_role("row").filter(has_text="Sam Parent can make time 2")
        await expect(by_phone.get_by_role("cell").nth(1)).to_contain_text(officer)
        await expect(by_phone).not_to_contain_text("answered online")
        online = screen.get_by_role("row").filter(has_text="Hill Top Primary can make times 2 and 3")
        await expect(online).to_contain_text("party:org-1")
        await expect(online).to_contain_text("answered online")
        await page.check_accessible("case page, times recorded by the officer")

        await screen.get_by_role("link", name="Record the times a party can make").click()
        await screen.get_by_label("Whose times are these?").select_option("org-2")
        await screen.get_by_label("None of these times").check()
        await submit(page, "Record the times")
        await expect(screen.get_by_text("Every party has answered. None of these times suit Rotherham LA.")).to_be_visible()
    finally:
        await page.close()

    case = await handle.query(DisagreementCase.case_view)
    assert [party.availability for party in case.parties] == [[2], [2, 3], []]
    recorded = [entry for entry in case.timeline if entry.event == "availability_recorded"]
    assert [(entry.actor, entry.detail) for entry in recorded] == [
        ("party:org-1", "Hill Top Primary can make times 2 and 3; answered online"),
        (officer, "Sam Parent can make time 2. rang from work"),
        (officer, "none of the proposed times suit Rotherham LA"),
    ]


def test_the_times_form_sends_the_times_ticked_or_none_and_refuses_both_or_neither() -> None:
    """What the console's "Record the times a party can make" sends: numbers ticked, or none suit."""
    from starlette.datastructures import FormData

    from web.forms import ACTION_FORMS, FormErrors

    form = ACTION_FORMS["availability"]
    sent = form.parse(FormData([("party", "org-1"), ("slots", "3"), ("slots", "1"), ("notes", " rang ")]), None, "jo.smith")
    assert sent == RecordAvailability(actor="jo.smith", party="org-1", slots=[1, 3], notes="rang")
    assert form.parse(FormData([("party", "applicant"), ("slots", "none")]), None, "jo.smith").slots == []
    for posted, errors in (
        ([], {"party": "Select the party whose times you are recording",
              "slots": 'Select each time they can make, or select "None of these times"'}),
        ([("party", "org-1"), ("slots", "none"), ("slots", "2")], {"slots": 'Select the times they can make, or "None of these times", not both'}),
        ([("party", "org-1"), ("slots", "²")], {"slots": "Select the times they can make from the times proposed"}),
    ):
        with pytest.raises(FormErrors) as raised:
            form.parse(FormData(posted), None, "jo.smith")
        assert raised.value.errors == errors


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
