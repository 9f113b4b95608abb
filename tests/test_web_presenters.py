"""The case page's deadlines in words: working days left (hand-worked over Christmas), overdue tagged."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.case import Case
from domain.models import DeadlineState, DeadlineView
from tests.conftest import open_case
from web.presenters import deadline_rows


def view_with(*deadlines: DeadlineView, next_deadline: DeadlineView | None = None):
    case = Case.open("DR-2026-AAAAAA", open_case(), datetime(2026, 12, 1, tzinfo=UTC)).view()
    return case.model_copy(update={"deadlines": list(deadlines), "next_deadline": next_deadline})


def test_working_days_left_skip_weekends_and_christmas_bank_holidays() -> None:
    # From Friday 18 December 2026: 21, 22, 23, 24 December, then Christmas Day (Friday 25), the
    # weekend, and Boxing Day's substitute (Monday 28, as 26 December 2026 is a Saturday): Tuesday
    # 29 December is the 5th working day.
    rows = deadline_rows(view_with(DeadlineView(name="consent_window", due=date(2026, 12, 29), state=DeadlineState.open)),
                         on=date(2026, 12, 18))
    assert [(row.name, row.due, row.left, row.overdue) for row in rows] == [
        ("Consent window", "29 December 2026", "5 working days left", False)
    ]
    today = deadline_rows(view_with(DeadlineView(name="action-2", due=date(2026, 12, 18), state=DeadlineState.open)),
                          on=date(2026, 12, 18))
    assert (today[0].name, today[0].left) == ("Agreed action 2", "Due today")


def test_a_missed_deadline_still_to_be_done_is_tagged_overdue_and_a_settled_one_is_not() -> None:
    missed = DeadlineView(name="session_arrangement", due=date(2026, 12, 1), state=DeadlineState.missed)
    settled = DeadlineView(name="talks_review", due=date(2026, 11, 20), state=DeadlineState.missed)
    rows = deadline_rows(view_with(settled, missed, next_deadline=missed), on=date(2026, 12, 18))
    assert [(row.name, row.overdue, row.left) for row in rows] == [
        ("Review of informal talks", False, ""),
        ("Arrange the session", True, "Overdue: still to be done"),
    ]
