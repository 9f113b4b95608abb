"""`delete_after`, hand-worked (records/retention.py): years after closure, or after the child's
birth where that is later; 29 February moves to 1 March, never a day early."""

from __future__ import annotations

from datetime import date

import pytest

from records.retention import RetentionRule, add_years, retention

DEFAULT = RetentionRule()


@pytest.mark.parametrize(
    ("closed_on", "born", "delete_after", "rule"),
    [
        (date(2026, 11, 30), None, date(2032, 11, 30), "6 years after closure"),
        (date(2028, 2, 29), None, date(2034, 3, 1), "6 years after closure"),  # 2034 has no 29 February
        (date(2026, 11, 30), date(2015, 4, 2), date(2040, 4, 2), "25 years after the child's birth"),
        # A young person of 22 at closure: the closure rule gives the later date.
        (date(2026, 11, 30), date(2004, 1, 15), date(2032, 11, 30), "6 years after closure"),
        (date(2026, 11, 30), date(2008, 2, 29), date(2033, 3, 1), "25 years after the child's birth"),
    ],
)
def test_delete_after_by_hand(closed_on: date, born: date | None, delete_after: date, rule: str) -> None:
    kept = retention(DEFAULT, closed_on, born)
    assert (kept.delete_after, kept.rule) == (delete_after, rule)


def test_the_rule_is_configurable() -> None:
    kept = retention(RetentionRule(years_after_closure=15, years_after_birth=31), date(2026, 1, 5), date(2010, 7, 1))
    assert (kept.delete_after, kept.rule) == (date(2041, 7, 1), "31 years after the child's birth")
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)

