"""The Cases list and the due list a page at a time (cases/paging.py, `Cases.summaries_page`,
`Cases.due_page`): found by counting, a page must hold exactly what the whole list, read and sorted,
holds at those ranks.

First the day search against a count over dates in memory, then against a real dev server with cases
due on many days, some on the same day and some with no deadline at all, through the console."""

from __future__ import annotations

import asyncio
import bisect
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
import pytest_asyncio
from hypothesis import given, settings as hypothesis_settings, strategies as st
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from cases.client import Cases
from cases.paging import first_day_reaching, window
from domain.calendar import london_date, london_time
from domain.models import CaseStage
from tests.conftest import open_case
from tests.web_console import Console, console_over, error_summary, wait_until_listed, web_settings
from web.app import create_app
from workflows.case import DisagreementCase
from workflows.visibility import CASE_OFFICER, CASE_STAGE, NEXT_DEADLINE, OPEN_DUTIES

TODAY = date(2026, 12, 4)
dues = st.lists(st.integers(-400, 400).map(lambda days: TODAY + timedelta(days=days)), min_size=1, max_size=60)


def counter(due: list[date]):
    ordered = sorted(due)
    asked: list[date] = []

    async def count_before(day: date) -> int:
        asked.append(day)
        return bisect.bisect_left(ordered, day)

    return count_before, asked


@given(dues, st.data())
@hypothesis_settings(max_examples=300, deadline=None)
def test_the_first_day_reaching_a_count_is_found_by_counting(due: list[date], data: st.DataObject) -> None:
    target = data.draw(st.integers(1, len(due)))
    count_before, asked = counter(due)
    found = asyncio.run(first_day_reaching(count_before, target, TODAY))
    assert found == sorted(due)[target - 1] + timedelta(days=1)  # the day after the target-th due date
    assert len(asked) <= 2 * 10 + 2  # galloping then halving: about twice log2 of 400 days


@given(dues, st.data())
@hypothesis_settings(max_examples=300, deadline=None)
def test_a_window_holds_the_ranks_of_its_page(due: list[date], data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(due) - 1))
    size = data.draw(st.integers(1, 30))
    count_before, _ = counter(due)
    first, end, before = asyncio.run(window(count_before, start, size, len(due), TODAY))
    ordered = sorted(due)
    in_window = [day for day in ordered if (first is None or day >= first) and (end is None or day < end)]
    assert before == len([day for day in ordered if first is not None and day < first])
    assert in_window[start - before:start - before + size] == ordered[start:start + size]


def test_a_hand_worked_window() -> None:
    """Five cases due 1, 1, 3, 3 and 9 December. The page of ranks 2 and 3 (counting from 0) is the two
    due on the 3rd: 4 are due before the 4th, so it ends there; 3 or more first before the 4th, so it
    starts the day before, the 3rd, with 2 cases before it."""
    due = [date(2026, 12, day) for day in (1, 1, 3, 3, 9)]
    count_before, _ = counter(due)
    assert asyncio.run(window(count_before, 2, 2, 5, TODAY)) == (date(2026, 12, 3), date(2026, 12, 4), 2)
    assert asyncio.run(window(count_before, 0, 2, 5, TODAY)) == (None, date(2026, 12, 2), 0)
    assert asyncio.run(window(count_before, 4, 25, 5, TODAY)) == (date(2026, 12, 9), None, 4)  # to the last
    assert asyncio.run(window(count_before, 0, 5, 5, TODAY)) == (None, None, 0)  # the whole list: nothing counted


# --- On a dev server ------------------------------------------------------------------------------

DAYS = [-30, -3, -3, -1, 0, 2, 2, 2, 5, 9, 40, 40, 200]  # days from today each case is due
UNDATED = 3  # cases with nothing owed


@pytest_asyncio.fixture
async def console(dev_server, settings) -> AsyncIterator[Console]:
    async with console_over(create_app(web_settings(settings.data_dir, settings.task_queue), dev_server.client)) as console:
        yield console


@pytest_asyncio.fixture
async def parked(dev_server, settings) -> str:
    """Cases of one officer parked on a queue no worker polls, with the search attributes of cases
    due on `DAYS`, and `UNDATED` with no deadline: only visibility is read here."""
    officer = f"pager-{uuid.uuid4().hex[:8]}"
    today = london_date(datetime.now(UTC))

    async def park(days: int | None) -> None:
        pairs = [SearchAttributePair(CASE_STAGE, CaseStage.informal_talks.value), SearchAttributePair(CASE_OFFICER, officer)]
        if days is not None:  # expires at midnight in England after the due date, as a case sets it
            pairs.append(SearchAttributePair(NEXT_DEADLINE, london_time(today + timedelta(days=days + 1), time(0, 0))))
        await dev_server.client.start_workflow(
            DisagreementCase.run, open_case(case_officer=officer), id=f"DR-2026-{uuid.uuid4().hex[:6].upper()}",
            task_queue=f"{settings.task_queue}-unpolled", search_attributes=TypedSearchAttributes(pairs),
        )

    await asyncio.gather(*(park(days) for days in [*DAYS, *[None] * UNDATED]))
    await wait_until_listed(dev_server.client, f'{CASE_OFFICER.name} = "{officer}"', len(DAYS) + UNDATED)
    return officer


async def test_every_page_holds_what_the_whole_sorted_list_holds_there(dev_server, settings, parked: str) -> None:
    cases = Cases(dev_server.client, settings)
    whole = await cases.summaries(None, parked, False, None, None)
    assert len(whole) == len(DAYS) + UNDATED
    for size in (1, 2, 3, 5, 25):
        for start in range(0, len(whole) + 1, size):
            page = await cases.summaries_page(None, parked, False, None, None, start, size)
            assert page.total == len(whole)
            assert [row.reference for row in page.summaries] == [row.reference for row in whole[start:start + size]], (start, size)
    overdue = await cases.summaries_page(None, parked, True, None, None, 0, 2)
    assert (overdue.total, [row.next_deadline for row in overdue.summaries]) == (
        4, [london_date(datetime.now(UTC)) + timedelta(days=days) for days in (-30, -3)],
    )


async def test_the_console_pages_through_them_and_says_when_a_page_is_gone(parked: str, console: Console) -> None:
    await console.sign_in()
    first = await console.get("/cases", officer=parked, size="25")
    assert first.status_code == 200
    assert f"Cases 1 to {len(DAYS) + UNDATED} of {len(DAYS) + UNDATED}, soonest next deadline first" in first.text
    assert "Next page" not in first.text
    gone = await console.get("/cases", officer=parked, size="25", page="2")
    assert gone.status_code == 404
    assert error_summary(gone) == {"page": "That page of results does not exist: start from the first page"}
    assert 'id="page"' in gone.text and "Go to the first page" in gone.text


def test_a_count_that_fails_fails_the_page_with_its_own_error() -> None:
    """The server away mid-search: its own error reaches the console (a 503 page), not a group of
    errors, and the other search stops with it."""
    asked: list[date] = []

    async def count_before(day: date) -> int:
        asked.append(day)
        if len(asked) > 3:
            raise ConnectionError("the server went away")
        await asyncio.sleep(0)
        return 10

    async def searched() -> None:
        with pytest.raises(ConnectionError):
            await window(count_before, 40, 25, 100, TODAY)
        await asyncio.sleep(0.01)
        assert len(asked) == 4  # nothing counted after the failure

    asyncio.run(searched())


# Each case's duties, in days from today; `APPEAL_FIRST` cases' next deadline is the family's appeal
# clock, earlier than any duty they owe: they fall due by it without a duty before it.
OWED = [[-4], [-4, 6], [-1], [0, 3, 30], [2], [2], [2, 9], [5], [12], [40, 41], [60]]
APPEAL_FIRST = [[20], [21], [22]]


@pytest_asyncio.fixture
async def owing(dev_server, settings) -> str:
    """One officer's cases owing the duties of `OWED` and `APPEAL_FIRST`, parked as `parked` parks."""
    officer = f"owing-{uuid.uuid4().hex[:8]}"
    today = london_date(datetime.now(UTC))

    async def park(days: list[int], next_deadline: int) -> None:
        owed = [f"{(today + timedelta(days=day)).isoformat()}|talks_review|case_officer" for day in days]
        pairs = [
            SearchAttributePair(CASE_STAGE, CaseStage.informal_talks.value), SearchAttributePair(CASE_OFFICER, officer),
            SearchAttributePair(OPEN_DUTIES, owed),
            SearchAttributePair(NEXT_DEADLINE, london_time(today + timedelta(days=next_deadline + 1), time(0, 0))),
        ]
        await dev_server.client.start_workflow(
            DisagreementCase.run, open_case(case_officer=officer), id=f"DR-2026-{uuid.uuid4().hex[:6].upper()}",
            task_queue=f"{settings.task_queue}-unpolled", search_attributes=TypedSearchAttributes(pairs),
        )

    await asyncio.gather(*(park(days, min(days)) for days in OWED), *(park(days, -10) for days in APPEAL_FIRST))
    await wait_until_listed(dev_server.client, f'{CASE_OFFICER.name} = "{officer}"', len(OWED) + len(APPEAL_FIRST))
    return officer


async def test_every_page_of_the_due_list_holds_what_the_whole_list_holds_there(dev_server, settings, owing: str) -> None:
    cases = Cases(dev_server.client, settings)
    today = london_date(datetime.now(UTC))
    for within in (None, 5):
        whole = await cases.due(owing, within, today)
        assert len(whole) == 19 if within is None else 5 <= len(whole) < 19  # this week's: the overdue at least
        for size in (1, 2, 3, 7, 100):
            for start in range(0, len(whole) + size, size):
                page = await cases.due_page(owing, within, today, start, size)
                expected = whole[start:start + size]
                assert [(d.reference, d.due) for d in page.duties] == [(d.reference, d.due) for d in expected], (within, start, size)
                assert page.more == (start + size < len(whole)), (within, start, size)


async def test_the_home_page_pages_the_duties(owing: str, console: Console, monkeypatch) -> None:
    import web.app

    monkeypatch.setattr(web.app, "DUE_PAGE", 8)
    await console.sign_in(owing)
    first = await console.get("/", view="all")
    assert first.status_code == 200 and "Duties 1 to 8, the most urgent first" in first.text and "Next page" in first.text
    last = await console.get("/", view="all", page="3")
    assert "Duties 17 to 19, the most urgent first" in last.text and "Previous page" in last.text and "Next page" not in last.text
    gone = await console.get("/", view="all", page="4")
    assert (gone.status_code, error_summary(gone)) == (404, {"page": "That page of results does not exist: start from the first page"})
    assert 'href="/?view=all">Go to the first page' in gone.text
    typed = await console.get("/", page="x")
    assert typed.status_code == 400 and "Go to the first page" in typed.text
