"""The Tribunal appeal clock: the date by which an appeal must reach the SEND Tribunal.

Pure date arithmetic, no Temporal. The law, read in its own text:
- HESC Tribunal Rules 2008 r.20(1)(c): in a special educational needs case the application notice
  must be received (i) within 2 months after written notice of the decision was sent, or (ii) within
  1 month from the date of issue of the mediation certificate if that is later.
- r.12(1): an act due on a day must be done by 5pm on that day.
- r.12(3)(a) (as amended in 2020): if the time for the application notice ends on a day from
  25 December to 1 January inclusive, or on any day in August, it is in time on the first working
  day after 1 January or 31 August.
- r.12(2): if the time ends on any other day that is not a working day, it is in time on the next
  working day.
- r.1(3): a "working day" is any day except a Saturday or Sunday, Christmas Day, Good Friday or a bank
  holiday under s.1 of the Banking and Financial Dealings Act 1971. For England that is the
  calendar of `domain.calendar.WorkingCalendar` (the `holidays` package, subdivision ENG, which
  lists Christmas Day and Good Friday among England's holidays).

Months are calendar months to the corresponding date; with no corresponding date (31 December +
2 months), the last day of that month.

Whether a certificate counts is the caller's choice: a disagreement resolution case has none (DR
gives no certificate), and neither does a `school_only` mediation, where none is required
(CFA 2014 s.55(3)(b)); DESIGN section 8 takes the cautious reading and leaves it out there.
"""

from __future__ import annotations

import calendar as month_lengths
from datetime import date, timedelta

from domain.calendar import WorkingCalendar, long_date
from domain.models import Model

DECISION_MONTHS = 2  # r.20(1)(c)(i)
CERTIFICATE_MONTHS = 1  # r.20(1)(c)(ii)
APPEAL_HOUR = 17  # r.12(1): by 5pm on the day


class AppealReckoning(Model):
    """The appeal deadline and how it was worked out, step by step, in words."""

    due: date
    steps: list[str]


def add_months(day: date, months: int) -> date:
    """The corresponding date `months` calendar months later, or the month's last day if none."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, month_lengths.monthrange(year, month)[1]))


def in_tribunal_holiday(day: date) -> bool:
    """25 December to 1 January inclusive, or any day in August (r.12(3)(a))."""
    return day.month == 8 or (day.month == 12 and day.day >= 25) or (day.month == 1 and day.day == 1)


def reckon_appeal_deadline(
    decision_date: date, certificate_date: date | None, calendar: WorkingCalendar
) -> AppealReckoning:
    """The last day an appeal may reach the Tribunal, with the reasoning (HESC r.20(1)(c), r.12)."""
    end = add_months(decision_date, DECISION_MONTHS)
    steps = [f"decision notice sent {long_date(decision_date)} + 2 months = {long_date(end)} (r.20(1)(c)(i))"]
    if certificate_date is not None:
        from_certificate = add_months(certificate_date, CERTIFICATE_MONTHS)
        if from_certificate > end:
            end = from_certificate
            steps.append(
                f"certificate issued {long_date(certificate_date)} + 1 month = {long_date(end)}, later (r.20(1)(c)(ii))"
            )
        else:
            steps.append(
                f"certificate issued {long_date(certificate_date)} + 1 month = {long_date(from_certificate)}, "
                "not later: the decision date governs"
            )
    due = end
    if in_tribunal_holiday(end):
        after = date(end.year, 8, 31) if end.month == 8 else date(end.year + (end.month == 12), 1, 1)
        due = _first_working_day_after(after, calendar)
        steps.append(f"{long_date(end)} is in the Christmas or August break: first working day after "
                     f"{long_date(after)} = {long_date(due)} (r.12(3)(a))")
    elif not calendar.is_working_day(end):
        due = _first_working_day_after(end, calendar)
        steps.append(f"{long_date(end)} is not a working day: next working day = {long_date(due)} (r.12(2))")
    return AppealReckoning(due=due, steps=steps)


def appeal_deadline(decision_date: date, certificate_date: date | None, calendar: WorkingCalendar) -> date:
    return reckon_appeal_deadline(decision_date, certificate_date, calendar).due


def _first_working_day_after(day: date, calendar: WorkingCalendar) -> date:
    day += timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day
