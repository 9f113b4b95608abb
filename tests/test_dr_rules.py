"""Disagreement resolution rules corrected by issue 8, checked on the domain alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.calendar import WorkingCalendar
from domain.case import RuleViolation
from domain.resolution import Resolution
from domain.deadlines import DeadlinePolicy, DeadlineRequest, plan_deadline
from domain.models import AssignMediator, CaseStage, DeadlineState, DisagreementKind, EhcPoint, ScheduleSession
from tests.conftest import open_case

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def arranging_case() -> Resolution:
    case = Resolution.open("DR-2026-AAAAAA", open_case(), NOW)
    planned = plan_deadline(DeadlineRequest(name="session_arrangement", now=NOW), DeadlinePolicy(), WorkingCalendar())
    case.set_deadline(planned)
    case.assign_mediator(AssignMediator(actor="jo.smith", name="Pat", email="pat@example.org", independent=True), NOW)
    return case


def test_a_session_booked_in_time_but_held_late_does_not_meet_the_30_days() -> None:
    case = arranging_case()
    due = case.deadline("session_arrangement").due  # 31 December 2026
    late = datetime.combine(due + timedelta(days=3), datetime.min.time(), tzinfo=UTC).replace(hour=10)
    case.schedule_session(ScheduleSession(actor="jo.smith", at=late), NOW)
    assert case.deadline("session_arrangement").state is DeadlineState.open  # it will be missed, and the officer told


def test_a_session_booked_by_the_due_date_is_not_yet_held_so_the_duty_stays_open() -> None:
    case = arranging_case()
    case.schedule_session(ScheduleSession(actor="jo.smith", at=NOW + timedelta(days=10)), NOW)
    assert case.deadline("session_arrangement").state is DeadlineState.open


def test_independence_is_checked_against_the_la_an_icb_and_nhs_england() -> None:
    case = arranging_case()
    case.stage = CaseStage.arranging_session
    with pytest.raises(RuleViolation, match="integrated care board or NHS England"):
        case.check_assign_mediator(AssignMediator(actor="jo.smith", name="Pat", email="pat@example.org", independent=False))


@pytest.mark.parametrize("point", [EhcPoint.none, EhcPoint.awaiting_tribunal])
def test_health_and_social_care_only_where_code_11_8_allows(point: EhcPoint) -> None:
    with pytest.raises(ValueError, match="11.8"):
        open_case(kinds=[DisagreementKind.health_social_care], ehc_point=point)
    assert open_case(kinds=[DisagreementKind.health_social_care], ehc_point=EhcPoint.reassessment)
