"""The appeal clock against dates worked out by hand (HESC Rules 2008 r.20(1)(c), r.12).

Each case writes out its reasoning. Bank holidays used (England): 2026: Good Friday 3 Apr, Easter
Monday 6 Apr, 25 May, 31 Aug, 25 Dec, 28 Dec (Boxing Day observed). 2027: 1 Jan, Good Friday 26 Mar,
Easter Monday 29 Mar, 30 Aug, 27-28 Dec (observed). 2028: 3 Jan (New Year's Day observed). 2025-26:
25-26 Dec 2025, 1 Jan 2026.
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.appeal import add_months, appeal_deadline, reckon_appeal_deadline
from domain.calendar import WorkingCalendar

D = date.fromisoformat

# (decision notice sent, certificate issued or None, expected deadline, reasoning)
HAND_WORKED = [
    ("2026-12-31", None, "2027-03-01",
     "31 Dec + 2 months: no 31 Feb, so the month's last day, Sun 28 Feb 2027 (not a leap year); "
     "a Sunday, so r.12(2) moves it to Mon 1 Mar"),
    ("2027-12-31", None, "2028-02-29",
     "31 Dec + 2 months in a leap year: Tue 29 Feb 2028, a working day"),
    ("2027-12-30", None, "2028-02-29",
     "30 Dec + 2 months: no 30 Feb, so 29 Feb 2028 (leap year), a Tuesday"),
    ("2026-01-31", None, "2026-03-31",
     "31 Jan + 2 months: 31 Mar 2026 exists, a Tuesday"),
    ("2026-11-30", None, "2027-02-01",
     "30 Nov + 2 months = Sat 30 Jan 2027; r.12(2): next working day Mon 1 Feb"),
    ("2026-09-01", "2026-10-20", "2026-11-20",
     "decision + 2 months = Sun 1 Nov; certificate 20 Oct + 1 month = Fri 20 Nov, later: 20 Nov"),
    ("2026-09-16", "2026-09-25", "2026-11-16",
     "decision + 2 months = Mon 16 Nov; certificate + 1 month = 25 Oct is earlier: 16 Nov stands"),
    ("2026-10-25", None, "2027-01-04",
     "+ 2 months = Fri 25 Dec 2026, Christmas Day, in the 25 Dec-1 Jan break: r.12(3)(a) moves it to "
     "the first working day after 1 Jan 2027: Sat 2, Sun 3, so Mon 4 Jan"),
    ("2026-10-27", None, "2027-01-04",
     "+ 2 months = Sun 27 Dec 2026, in the break: first working day after 1 Jan 2027 = Mon 4 Jan"),
    ("2027-10-31", None, "2028-01-04",
     "+ 2 months = Fri 31 Dec 2027, in the break: after 1 Jan 2028 come Sun 2 Jan and Mon 3 Jan "
     "(New Year's Day observed, a bank holiday), so Tue 4 Jan"),
    ("2026-11-01", None, "2027-01-04",
     "+ 2 months = Fri 1 Jan 2027, the last day of the break: first working day after it = Mon 4 Jan"),
    ("2025-10-25", None, "2026-01-02",
     "+ 2 months = Thu 25 Dec 2025, in the break: the first working day after 1 Jan 2026 (a Thursday, "
     "New Year's Day) is Fri 2 Jan"),
    ("2026-10-24", None, "2026-12-24",
     "+ 2 months = Thu 24 Dec 2026: before the break and a working day, it stands"),
    ("2027-11-02", None, "2028-01-04",
     "+ 2 months = Sun 2 Jan 2028, after the break: r.12(2) next working day; Mon 3 Jan is a bank "
     "holiday, so Tue 4 Jan"),
    ("2026-06-15", None, "2026-09-01",
     "+ 2 months = Sat 15 Aug 2026, in August: r.12(3)(a) first working day after 31 Aug = Tue 1 Sep"),
    ("2027-06-30", None, "2027-09-01",
     "+ 2 months = Mon 30 Aug 2027, in August (and a bank holiday): first working day after 31 Aug "
     "= Wed 1 Sep"),
    ("2026-05-20", "2026-07-10", "2026-09-01",
     "decision + 2 months = Mon 20 Jul; certificate + 1 month = Mon 10 Aug, later and in August: "
     "Tue 1 Sep"),
    ("2026-05-31", None, "2026-07-31",
     "+ 2 months = Fri 31 Jul 2026: the day before August, a working day, it stands"),
    ("2026-11-09", None, "2027-01-11",
     "+ 2 months = Sat 9 Jan 2027: r.12(2) next working day Mon 11 Jan"),
    ("2027-01-26", None, "2027-03-30",
     "+ 2 months = Fri 26 Mar 2027, Good Friday: not a working day (r.1(3)); Sat, Sun, then Mon "
     "29 Mar is Easter Monday: Tue 30 Mar"),
    ("2027-01-29", None, "2027-03-30",
     "+ 2 months = Mon 29 Mar 2027, Easter Monday, a bank holiday: next working day Tue 30 Mar"),
    ("2026-01-20", "2026-03-03", "2026-04-07",
     "decision + 2 months = Fri 20 Mar; certificate + 1 month = Fri 3 Apr 2026, later, Good Friday: "
     "Sat, Sun, Easter Monday 6 Apr, so Tue 7 Apr"),
    ("2026-03-25", None, "2026-05-26",
     "+ 2 months = Mon 25 May 2026, the spring bank holiday: Tue 26 May"),
    ("2026-07-31", "2026-08-31", "2026-09-30",
     "decision + 2 months = Wed 30 Sep (31 Sep does not exist); certificate 31 Aug + 1 month = "
     "30 Sep too: Wed 30 Sep"),
]


@pytest.mark.parametrize(("decision", "certificate", "expected", "reasoning"), HAND_WORKED, ids=[c[0] + "/" + str(c[1]) for c in HAND_WORKED])
def test_hand_worked_appeal_deadlines(decision: str, certificate: str | None, expected: str, reasoning: str) -> None:
    due = appeal_deadline(D(decision), D(certificate) if certificate else None, WorkingCalendar())
    assert due == D(expected), reasoning


def test_school_only_leaves_the_certificate_out() -> None:
    """A school_only mediation needs no certificate (CFA 2014 s.55(3)): the caller passes none,
    and the deadline is the decision's own. Decision 1 Sep 2026 + 2 months = Sun 1 Nov: Mon 2 Nov,
    where a certificate of 20 Oct would have given Fri 20 Nov."""
    calendar = WorkingCalendar()
    assert appeal_deadline(D("2026-09-01"), None, calendar) == D("2026-11-02")
    assert appeal_deadline(D("2026-09-01"), D("2026-10-20"), calendar) == D("2026-11-20")


def test_the_reckoning_names_each_rule_it_applied() -> None:
    reckoning = reckon_appeal_deadline(D("2026-01-20"), D("2026-03-03"), WorkingCalendar())
    assert [step.rsplit("(r.", 1)[-1] for step in reckoning.steps] == ["20(1)(c)(i))", "20(1)(c)(ii))", "12(2))"]


def test_a_certificate_month_ending_on_the_same_day_says_the_decision_date_governs() -> None:
    # 31 Jul + 2 months = 30 Sep; certificate 31 Aug + 1 month = 30 Sep: not later (r.20(1)(c)(ii) "if that is later").
    reckoning = reckon_appeal_deadline(D("2026-07-31"), D("2026-08-31"), WorkingCalendar())
    assert reckoning.steps == [
        "decision notice sent 31 July 2026 + 2 months = 30 September 2026 (r.20(1)(c)(i))",
        "certificate issued 31 August 2026 + 1 month = 30 September 2026, not later: the decision date governs",
    ]


def test_new_years_day_is_the_last_day_of_the_christmas_break() -> None:
    # Ending on 1 January, the break's rule applies (r.12(3)(a)), not the next-working-day rule.
    reckoning = reckon_appeal_deadline(D("2026-11-01"), None, WorkingCalendar())
    assert reckoning.steps[-1] == (
        "1 January 2027 is in the Christmas or August break: first working day after 1 January 2027 = 4 January 2027 (r.12(3)(a))"
    )


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [("2026-12-31", 2, "2027-02-28"), ("2027-12-31", 2, "2028-02-29"), ("2026-01-31", 1, "2026-02-28"),
     ("2026-11-15", 2, "2027-01-15"), ("2026-03-31", 1, "2026-04-30")],
)
def test_calendar_months_go_to_the_corresponding_date_or_the_month_end(start: str, months: int, expected: str) -> None:
    assert add_months(D(start), months) == D(expected)
