"""Working days in England: weekends and bank holidays (England subdivision) skipped.

Bank holidays come from the maintained `holidays` package, never a hand-typed list. Dates handed
to a family are computed once and recorded (in workflow history), so a later release of the holiday
data cannot move a deadline that was already given.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import holidays

LONDON = ZoneInfo("Europe/London")
_UNITED_KINGDOM = "holidays.countries.united_kingdom"


def _united_kingdom() -> type[holidays.HolidayBase]:
    """The package's UK calendar class, loaded from its own module.

    `holidays.country_holidays("GB")` first imports the `holidays.countries` package, whose
    `__init__` imports all of its ~250 countries: a fifth of a second that every staff command
    would wait for. The UK module needs none of them (its imports are the package's shared parts).
    """
    module = sys.modules.get(_UNITED_KINGDOM)
    if module is None:
        import holidays  # here, not above: `list` and the command line's checks need no calendar

        path = Path(holidays.__file__).parent / "countries" / "united_kingdom.py"
        spec = importlib.util.spec_from_file_location(_UNITED_KINGDOM, path)
        assert spec is not None and spec.loader is not None, f"no UK calendar in the holidays package at {path}"
        module = importlib.util.module_from_spec(spec)
        sys.modules[_UNITED_KINGDOM] = module
        spec.loader.exec_module(module)
    return module.UnitedKingdom


class WorkingCalendar:
    def __init__(self) -> None:
        self._bank_holidays = _united_kingdom()(subdiv="ENG")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._bank_holidays

    def bank_holiday(self, day: date) -> str | None:
        return self._bank_holidays.get(day)

    def add_working_days(self, start: date, count: int) -> date:
        """The working day `count` working days after `start` (before it when negative)."""
        step = 1 if count >= 0 else -1
        day, remaining = start, abs(count)
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def add_days(self, start: date, count: int, *, working: bool) -> date:
        if working:
            return self.add_working_days(start, count)
        return start + timedelta(days=count)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is earlier."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1 for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=offset))
        )


def london_date(instant: datetime) -> date:
    """The calendar date in England at an instant."""
    return instant.astimezone(LONDON).date()


def london_time(day: date, at: time) -> datetime:
    """An instant: the given wall-clock time in England on a day."""
    return datetime.combine(day, at, tzinfo=LONDON)


# --- Dates and times in words (GOV.UK style), below every module that words them ---------------------


def long_date(value: date | None) -> str:
    """A date as GOV.UK writes it: "7 December 2026"; nothing for no date."""
    return f"{value.day} {value:%B %Y}" if value else ""


def clock_time(at: datetime) -> str:
    """A wall-clock time, GOV.UK style: "10am", "2:30pm", "midday", "midnight"."""
    if at.minute == 0 and at.hour in (0, 12):
        return "midnight" if at.hour == 0 else "midday"
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{hour}{suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d}{suffix}"


def date_and_time(value: datetime) -> str:
    """An instant in England's time: "3 December 2026 at 2:25pm" (GMT or BST as the day has it)."""
    local = value.astimezone(LONDON)
    return f"{long_date(local.date())} at {clock_time(local)}"
