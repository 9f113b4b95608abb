"""The case page as work (web/case_work.py): the next step and its console action, the warnings,
the stages as a task list, and duties that only a held session meets. Real case files driven as the
workflow drives them (tests/test_stage_rules.py, tests/test_mediation_rules.py); dates as there."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.models import DeliveryStatus, NotificationView
from domain.next_step import discharging_action
from tests import test_mediation_rules as md
from tests import test_stage_rules as dr
from tests.test_web_forms import CASE_OFFICER
from web import case_work
from web.forms import ACTION_FORMS
from web.presenters import deadline_rows

ANYONE = CASE_OFFICER.may


def booked(session_at: datetime = datetime(2026, 12, 3, 14, 25, tzinfo=UTC)):
    case = dr.new_case()
    dr.offer(case)
    for party in dr.PARTIES:
        dr.consent(case, party)
    dr.assign(case)
    dr.schedule(case, session_at=session_at)
    return case


def test_the_banner_says_the_next_step_by_when_and_links_to_the_form_that_does_it() -> None:
    banner = case_work.next_step_banner(booked().view(), date(2026, 11, 10), ANYONE)
    assert banner.heading == "Next: record the session outcome by 7 December 2026"
    assert (banner.waiting, banner.form.slug) == ("", "outcome")


def test_the_banner_says_whom_the_case_waits_for_and_an_overdue_date() -> None:
    case = md.said_no()
    banner = case_work.next_step_banner(case.view(), date(2026, 12, 9), ANYONE)
    assert banner.heading == "Next: issue the mediation certificate: it was due 8 December 2026"
    assert (banner.waiting, banner.form.slug) == ("Waiting for the mediation adviser.", "certificate")


def test_no_link_for_a_role_that_may_not_act_and_no_banner_on_a_closed_case() -> None:
    assert case_work.next_step_banner(booked().view(), date(2026, 11, 10), lambda act: False).form is None
    case = dr.new_case()
    dr.offer(case)
    dr.consent(case, "applicant", agree=False)
    assert case_work.next_step_banner(case.view(), date(2026, 11, 10), ANYONE) is None


@pytest.mark.parametrize("action", sorted(case_work.FORM_SLUGS, key=lambda action: action.__name__))
def test_every_step_a_case_can_name_has_its_console_form(action) -> None:
    assert case_work.FORM_SLUGS[action] in ACTION_FORMS


def test_every_duty_staff_discharge_has_a_form() -> None:
    for duty in ("talks_review", "consent_window", "outcome_record", "certificate", "action-1"):
        assert discharging_action(duty, dr.CaseStage.monitoring_agreement) in case_work.FORM_SLUGS


def test_a_booked_session_does_not_look_met_until_its_outcome_is_recorded() -> None:
    case = booked()
    [row] = [row for row in deadline_rows(case.view(), date(2026, 12, 7)) if row.name == "Arrange the session"]
    assert (row.state, row.owed) == ("Open", True)
    assert row.left == "Session booked for 3 December 2026 at 2:25pm: met once its outcome is recorded"


# --- Warnings -----------------------------------------------------------------------------------


def test_the_appeal_deadline_is_warned_within_10_working_days_and_once_passed() -> None:
    """Mediation, no certificate yet: appeal deadline Mon 4 Jan 2027 (r.20(1)(c)(i), moved by r.12(2))."""
    view = md.opened().view()
    assert case_work.warnings(view, date(2026, 12, 4)) == []  # 17 working days before
    assert case_work.warnings(view, date(2026, 12, 18)) == [
        "The family's appeal deadline is 4 January 2027 by 5pm, in 8 working days (HESC Rules 2008 r.20(1)(c) and r.12)."
    ]
    assert case_work.warnings(view, date(2027, 1, 5)) == [
        "The family's appeal deadline, 4 January 2027, has passed. The Tribunal may still extend the time "
        "(HESC Rules 2008 r.5(3)(a))."
    ]


def test_a_certificate_owed_and_a_failed_message_are_warned() -> None:
    view = md.said_no().view()
    view = view.model_copy(update={"notifications": [
        NotificationView(to="org-1", template="mediation_declined", channel=None, status=DeliveryStatus.failed,
                         reason="address rejected"),
    ]})
    assert case_work.warnings(view, date(2026, 12, 3)) == [
        "A mediation certificate is owed: the mediation adviser must issue it. It is due 8 December 2026.",
        "The message 'The family does not want mediation' to Rotherham LA was not delivered: address rejected.",
    ]


# --- Stages as a task list ------------------------------------------------------------------------


def statuses(case) -> list[tuple[str, str]]:
    return [(task.name, task.status) for task in case_work.stage_tasks(case.view())]


def test_disagreement_resolution_stages() -> None:
    assert statuses(booked()) == [
        ("Informal talks", "Completed"), ("Every party's consent", "Completed"), ("Arranging the session", "Completed"),
        ("The session", "In progress"), ("Following up what was agreed", "Not yet started"),
    ]
    case = dr.new_case()
    assert [status for _, status in statuses(case)] == [
        "In progress", "Not yet started", "Cannot start yet", "Cannot start yet", "Cannot start yet",
    ]
    dr.offer(case)
    dr.consent(case, "applicant", agree=False)
    assert [status for _, status in statuses(case)] == [
        "Completed", "Not completed", "Not needed", "Not needed", "Not needed",
    ]


def test_mediation_stages_after_a_no_and_no_consent_anywhere() -> None:
    case = md.said_no()
    assert statuses(case) == [
        ("The family's choice", "Completed"), ("Arranging mediation", "Not needed"), ("Mediation", "Not needed"),
        ("The mediation certificate", "In progress"), ("Following up what was agreed", "Not needed"),
    ]
    assert not [task for task in case_work.stage_tasks(case.view()) if "consent" in task.name.lower()]
