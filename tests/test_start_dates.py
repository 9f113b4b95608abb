"""The deadline tests again, each started on an awkward day: no test may depend on the day it runs.

Each start is the next such day ahead of the real clock (the time-skipping clock starts at the real
time and only goes forward), so the set never goes out of date. A single day for the whole deadline
module: `pytest tests/test_case_deadlines.py --start-date 2026-12-22` (see tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone

import holidays
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from tests.conftest import LONDON, sleep_until

# Collected here too, so that they run with this module's `env`: the ones whose days depend on the start.
from tests.test_case_deadlines import (  # noqa: F401
    test_appeal_deadline_warns_the_applicant_only,
    test_happy_path_from_opening_to_full_agreement,
    test_overdue_agreed_action_is_chased,
    test_quiet_informal_talks_are_escalated_to_the_case_officer,
    test_the_officer_is_reminded_of_the_session_then_told_when_it_or_its_outcome_is_late,
    test_two_organisations_agreeing_do_not_outvote_a_silent_applicant,
)

ENGLAND_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG", years=range(2026, 2100))


def next_day(after: date, fits: Callable[[date], bool]) -> date:
    day = after + timedelta(days=1)
    while not fits(day):
        day += timedelta(days=1)
    return day


def friday_before_a_bank_holiday(now: datetime) -> datetime:
    """16:00 on a working Friday before a bank holiday Monday: four days off from the next moment."""
    monday = next_day(
        now.date() + timedelta(days=3),
        lambda d: d.weekday() == 0 and d in ENGLAND_BANK_HOLIDAYS and d - timedelta(days=3) not in ENGLAND_BANK_HOLIDAYS,
    )
    return datetime.combine(monday - timedelta(days=3), time(16), LONDON)


def twentieth_of_december(now: datetime) -> datetime:
    return datetime.combine(next_day(now.date(), lambda d: (d.month, d.day) == (12, 20)), time(10), LONDON)


def twenty_second_of_december(now: datetime) -> datetime:
    """2026-12-22, the day the Christmas test broke on, or the same day of a later year once past."""
    return datetime.combine(next_day(now.date(), lambda d: (d.month, d.day) == (12, 22)), time(10), LONDON)


def week_before_easter(now: datetime) -> datetime:
    """Monday of Holy Week: Good Friday and Easter Monday fall inside the first fortnight."""
    good_friday = next_day(now.date() + timedelta(days=4), lambda d: ENGLAND_BANK_HOLIDAYS.get(d) == "Good Friday")
    return datetime.combine(good_friday - timedelta(days=4), time(10), LONDON)


def summer_evening_after_nine_utc(now: datetime) -> datetime:
    """21:30 UTC in July is 22:30 in England: an hour and a half later the two dates differ."""
    day = next_day(now.date(), lambda d: (d.month, d.day) == (7, 15))
    return datetime.combine(day, time(21, 30), timezone.utc)


START_DATES = {
    start.__name__: start
    for start in (
        friday_before_a_bank_holiday,
        twentieth_of_december,
        twenty_second_of_december,
        week_before_easter,
        summer_evening_after_nine_utc,
    )
}


def test_the_start_dates_are_what_they_say() -> None:
    now = datetime(2026, 11, 28, 7, 0, tzinfo=timezone.utc)
    assert START_DATES["twenty_second_of_december"](now) == datetime(2026, 12, 22, 10, 0, tzinfo=LONDON)
    assert START_DATES["twentieth_of_december"](now) == datetime(2026, 12, 20, 10, 0, tzinfo=LONDON)
    # Monday 28 December 2026 (Boxing Day's substitute) follows Christmas Day and Easter Monday
    # follows Good Friday: the first working Friday before a bank holiday Monday is before 3 May 2027.
    assert START_DATES["friday_before_a_bank_holiday"](now) == datetime(2027, 4, 30, 16, 0, tzinfo=LONDON)
    assert START_DATES["week_before_easter"](now).date() == date(2027, 3, 22)  # Easter Sunday 2027: 28 March
    assert START_DATES["summer_evening_after_nine_utc"](now) == datetime(2027, 7, 15, 21, 30, tzinfo=timezone.utc)


@pytest_asyncio.fixture(loop_scope="session", params=sorted(START_DATES))
async def env(time_skipping: WorkflowEnvironment, request) -> WorkflowEnvironment:
    await sleep_until(time_skipping, START_DATES[request.param](await time_skipping.get_current_time()))
    return time_skipping
