"""The case page's deadlines in words: working days left (hand-worked over Christmas), overdue tagged."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.resolution import Resolution
from domain.models import ActionView, CaseStage, DeadlineState, DeadlineView, OrderKind
from tests.conftest import open_case
from web.presenters import STAGE_TAGS, deadline_rows, due_rule


def view_with(*deadlines: DeadlineView, next_deadline: DeadlineView | None = None):
    case = Resolution.open("DR-2026-AAAAAA", open_case(), datetime(2026, 12, 1, tzinfo=UTC)).view()
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
    missed = DeadlineView(name="session_arrangement", due=date(2026, 12, 1), state=DeadlineState.missed, owed=True)
    settled = DeadlineView(name="talks_review", due=date(2026, 11, 20), state=DeadlineState.missed)
    rows = deadline_rows(view_with(settled, missed, next_deadline=missed), on=date(2026, 12, 18))
    assert [(row.name, row.overdue, row.left) for row in rows] == [
        ("Arrange the session", True, "Overdue: still to be done"),  # still owed: first
        ("Review of informal talks", False, ""),
    ]


def test_each_duty_says_who_owes_it_its_source_and_when_it_was_settled() -> None:
    certificate = DeadlineView(name="certificate", due=date(2026, 12, 23), state=DeadlineState.open,
                               owed_by="mediation_adviser", source="SEND Regs 2014 reg 34")
    notice = DeadlineView(name="health_notice", due=date(2026, 12, 10), state=DeadlineState.met, owed_by="org-2",
                          source="SEND Regs 2014 reg 32(e)", settled_on=date(2026, 12, 9), settled_by=4)
    late = DeadlineView(name="mediation_arrangement", due=date(2026, 12, 15), state=DeadlineState.missed,
                        owed_by="local_authority", source="SEND Regs 2014 reg 37", owed=True)
    rows = deadline_rows(view_with(notice, certificate, late, next_deadline=late), on=date(2026, 12, 18))
    assert [(row.name, row.owed_by, row.source, row.state, row.left, row.overdue, row.owed) for row in rows] == [
        ("Hold the mediation", "The Local Authority", "SEND Regs 2014 reg 37", "Missed", "Overdue: still to be done", True, True),
        ("Issue the mediation certificate", "The mediation adviser", "SEND Regs 2014 reg 34", "Open", "3 working days left",
         False, True),
        ("Notify the health commissioners", "Rotherham LA (org-2)", "SEND Regs 2014 reg 32(e)", "Met",
         "On 9 December 2026 (timeline entry 4)", False, False),
    ]


def test_every_missed_duty_the_case_still_owes_is_overdue_not_only_the_next_one() -> None:
    """Duties hold their own state: a missed duty is owed until settled, not only the next one."""
    first = DeadlineView(name="certificate", due=date(2026, 12, 1), state=DeadlineState.missed, owed_by="mediator", owed=True)
    second = DeadlineView(name="action-1", due=date(2026, 12, 2), state=DeadlineState.missed, owed_by="org-1", owed=True)
    rows = deadline_rows(view_with(first, second, next_deadline=first), on=date(2026, 12, 18))
    assert [row.overdue for row in rows] == [True, True]


def test_an_actions_due_rule_names_its_source_and_the_kind_of_order() -> None:
    appealable = ActionView(number=1, description="Assess", owner="org-1", due=date(2027, 1, 29), done=False,
                            appealable=True, order_kind=OrderKind.assess, due_source="SEND Regs 2014 reg 44(2)")
    plain = ActionView(number=2, description="Send notes", owner="org-1", due=date(2027, 1, 15), done=False,
                       due_source="SEND Regs 2014 reg 42(3)")
    assert due_rule(appealable) == "SEND Regs 2014 reg 44(2). Appealable matter: make an EHC needs assessment"
    assert due_rule(plain) == "SEND Regs 2014 reg 42(3)"


def test_every_stage_has_a_tag_certificate_due_included() -> None:
    assert set(STAGE_TAGS) == set(CaseStage)


def test_only_what_the_case_says_it_still_owes_is_overdue() -> None:
    """A mediation case owing its certificate after a withdrawal: the arrangement duty it missed
    is no longer anyone's to do (the process ended, the case says it is not owed); the late
    certificate is. A passed appeal deadline is the family's, owed by nobody."""
    from domain.models import CaseOutcome

    arranging = DeadlineView(name="mediation_arrangement", due=date(2026, 12, 1), state=DeadlineState.missed,
                             owed_by="local_authority")
    certificate = DeadlineView(name="certificate", due=date(2026, 12, 4), state=DeadlineState.missed,
                               owed_by="mediation_adviser", owed=True)
    appeal = DeadlineView(name="appeal", due=date(2026, 12, 2), state=DeadlineState.missed, owed_by="applicant")
    case = view_with(arranging, certificate, appeal, next_deadline=certificate).model_copy(
        update={"stage": CaseStage.certificate_due, "outcome": CaseOutcome.withdrawn}
    )
    rows = deadline_rows(case, on=date(2026, 12, 18))
    assert [(row.name, row.overdue) for row in rows] == [
        ("Issue the mediation certificate", True), ("Hold the mediation", False), ("SEND Tribunal appeal deadline", False),
    ]
