"""When a closed case's record may be deleted: its `delete_after` date (docs/records-retention.md).

UK GDPR art. 5(1)(e) (storage limitation) says personal data is kept no longer than necessary; the
Local Authority's own records-retention schedule says how long that is. The default here keeps a
case for 6 years after it closes (the ordinary limitation period for a claim in contract or tort,
Limitation Act 1980 ss. 2 and 5), and, where the service records the child's date of birth, until
25 years after it if that is later (the IRMS Information Management Toolkit for Schools' period
for a pupil's SEN file). Both numbers are settings. The record is deleted on the first purge after
`delete_after`, never on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RetentionRule:
    years_after_closure: int = 6
    years_after_birth: int = 25


@dataclass(frozen=True)
class Retention:
    delete_after: date
    rule: str  # which part of the rule set the date, in words; kept in the deletion log


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 1 March (never a day early)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def retention(rule: RetentionRule, closed_on: date, date_of_birth: date | None = None) -> Retention:
    after_closure = Retention(
        add_years(closed_on, rule.years_after_closure), f"{rule.years_after_closure} years after closure"
    )
    if date_of_birth is None:
        return after_closure
    after_birth = Retention(
        add_years(date_of_birth, rule.years_after_birth), f"{rule.years_after_birth} years after the child's birth"
    )
    return after_birth if after_birth.delete_after > after_closure.delete_after else after_closure


def held_copy_retention(rule: RetentionRule, copied_on: date) -> Retention:
    """A held copy of a case that never closed (it vanished from Temporal): the day of its last copy,
    when the case was last seen, stands for the closure."""
    return Retention(
        add_years(copied_on, rule.years_after_closure), f"{rule.years_after_closure} years after its last copy (never closed)"
    )
