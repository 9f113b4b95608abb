"""What is due from an officer across their cases (DESIGN section 13): one row per duty still owed.

Read from the `OpenDuties` search attribute (workflows/visibility.py), so a row holds nothing
personal: the case's reference, route and stage, the duty's name and due date, and who owes it (a
role, or a party's id with its organisation kind, e.g. "org-2:school"). Working days are England's
(domain/calendar.py: weekends and England's bank holidays).
"""

from __future__ import annotations

from datetime import date
from functools import cache

from domain.calendar import WorkingCalendar
from domain.models import CaseStage, Model, Route
from domain.words import organisation_kind_words, owner_words

_calendar = cache(WorkingCalendar)  # England's bank holidays, loaded when first counted
WORKING_WEEK = 5  # "Due this week": due within 5 working days, and every overdue duty


class DueDuty(Model):
    reference: str
    route: Route
    stage: CaseStage
    duty: str  # the deadline's name: consent_window, certificate, action-2, ...
    due: date  # the last day to do it
    owed_by: str  # a role (domain.duties) or a party id; an organisation's with its kind: "org-2:school"
    case_officer: str
    working_days_left: int  # from today to the due date; negative once overdue
    overdue: bool  # the due date has passed (a duty expires at midnight after its last day)

    @property
    def owner(self) -> str:
        """Who owes it, without the organisation kind: a role or a party id."""
        return self.owed_by.split(":")[0]

    @property
    def organisation_kind(self) -> str | None:
        return self.owed_by.partition(":")[2] or None


def due_duty(value: str, *, reference: str, route: Route, stage: CaseStage, case_officer: str, today: date) -> DueDuty:
    """One `OpenDuties` value ("2026-12-14|consent_window|case_officer") as a row, counted from `today`."""
    due, duty, owed_by = value.split("|", 2)
    day = date.fromisoformat(due)
    return DueDuty(
        reference=reference, route=route, stage=stage, duty=duty, due=day, owed_by=owed_by, case_officer=case_officer,
        working_days_left=_calendar().working_days_between(today, day), overdue=day < today,
    )


def in_order(duties: list[DueDuty]) -> list[DueDuty]:
    """Overdue first, then by due date; a day's duties by case and name, so the order is stable."""
    return sorted(duties, key=lambda duty: (not duty.overdue, duty.due, duty.reference, duty.duty))


def within(duties: list[DueDuty], working_days: int | None, today: date) -> list[DueDuty]:
    """Those due within `working_days` working days of `today` (every overdue one too); all when None."""
    if working_days is None:
        return duties
    last = last_day_within(today, working_days)
    return [duty for duty in duties if duty.due <= last]


def last_day_within(today: date, working_days: int) -> date:
    """The last due date "within N working days" of today: the Nth working day after it (today for 0)."""
    return _calendar().add_working_days(today, working_days)


def time_left_words(duty: DueDuty, today: date) -> str:
    """"3 working days left", "Due today", "Overdue by 2 working days"."""
    if duty.overdue:
        late = -duty.working_days_left
        if late == 0:  # due on a weekend or bank holiday, and no working day since
            return "Overdue"
        return f"Overdue by {late} working day{'s' if late != 1 else ''}"
    if duty.due == today:
        return "Due today"
    left = duty.working_days_left
    return f"{left} working day{'s' if left != 1 else ''} left"


def owed_by_words(duty: DueDuty) -> str:
    """Who owes it, in words and without a name: "The Local Authority", "The mediator", "A school"."""
    kind = duty.organisation_kind
    if kind is not None:
        return organisation_kind_words(kind)
    return owner_words(duty.owner)
