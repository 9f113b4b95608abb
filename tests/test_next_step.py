"""What is next on a case and by when (domain/next_step.py), on real case files of both routes driven
stage by stage as the workflow drives them (tests/test_stage_rules.py, tests/mediation_steps.py).

Dates worked by hand. Disagreement resolution (tests/test_stage_rules.py): opened Mon 2 Nov 2026,
talks reviewed within 15 working days (Mon 23 Nov); offered Tue 3 Nov, answers within 10 working
days (Tue 17 Nov); every party agreed Wed 4 Nov, the session held within 30 days (Fri 4 Dec); the
session Mon 16 Nov, its outcome recorded within 2 working days (Wed 18 Nov); an agreed action,
2 weeks after the session (Mon 30 Nov). Statutory mediation (tests/test_mediation_rules.py):
decision notice Mon 2 Nov; the family says no on Thu 3 Dec, the adviser's certificate within 3
working days (reg 34: Tue 8 Dec); the family wants mediation, the LA told Mon 16 Nov, mediation
within 30 days (Wed 16 Dec), the health notice within 3 working days (Thu 19 Nov); mediation on
Thu 26 Nov, the mediator's certificate within 3 working days (CFA 2014 s.55(5): Tue 1 Dec).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.deadlines import (
    AGREEMENT_NOTICE, APPEAL, CERTIFICATE, CONSENT_WINDOW, HEALTH_NOTICE, MEDIATION_ARRANGEMENT, OUTCOME_RECORD,
    SESSION_ARRANGEMENT, TALKS_REVIEW, WRITTEN_OUTCOME,
)
from domain.models import (
    AgreedActionInput, AssignMediator, CaseStage, CompleteAction, IssueCertificate, RecordChoice, RecordConsent,
    RecordOutcome, RecordTalk, ScheduleSession, SessionResult,
)
from domain.next_step import NextStep, discharging_action, next_step
from domain.notifications import Template
from tests import test_mediation_rules as md
from tests import test_stage_rules as dr
from tests.mediation_steps import apply, deliver

TODAY = date(2026, 11, 10)  # before every due date below, unless a test says otherwise


# --- Disagreement resolution --------------------------------------------------------------------------


def test_informal_talks_wait_for_a_talk_or_the_offer_by_the_review_date() -> None:
    case = dr.new_case()
    assert next_step(case.view(), TODAY) == NextStep(
        what="record an informal talk, or offer disagreement resolution", due=date(2026, 11, 23),
        owed_by="case_officer", action=RecordTalk, duty=TALKS_REVIEW,
    )


def test_the_offer_waits_for_the_parties_who_have_not_answered() -> None:
    case = dr.new_case()
    dr.offer(case)
    dr.consent(case, "applicant")
    step = next_step(case.view(), TODAY)
    assert (step.what, step.due, step.action, step.duty) == (
        "record each party's answer to the offer", date(2026, 11, 17), RecordConsent, CONSENT_WINDOW,
    )
    assert step.waiting_for == "Hill Top Primary and Rotherham LA"  # silence is not consent (Code 11.6)


def test_arranging_asks_for_the_mediator_then_the_booking_by_the_30_days() -> None:
    case = dr.new_case()
    dr.offer(case)
    for party in dr.PARTIES:
        dr.consent(case, party)
    assert next_step(case.view(), TODAY) == NextStep(
        what="assign the mediator", due=date(2026, 12, 4), owed_by="case_officer", action=AssignMediator,
        duty=SESSION_ARRANGEMENT,
    )
    dr.assign(case)
    step = next_step(case.view(), TODAY)
    assert (step.what, step.due, step.action) == ("book the session", date(2026, 12, 4), ScheduleSession)


def test_a_booked_session_waits_for_its_outcome_by_the_outcomes_own_date_not_the_arrangements() -> None:
    case = dr.new_case()
    dr.offer(case)
    for party in dr.PARTIES:
        dr.consent(case, party)
    dr.assign(case)
    dr.schedule(case)
    assert next_step(case.view(), TODAY) == NextStep(
        what="record the session outcome", due=date(2026, 11, 18), owed_by="case_officer", action=RecordOutcome,
        duty=OUTCOME_RECORD,
    )


def test_an_agreed_action_waits_for_its_owner_and_then_the_closed_case_has_no_next_step() -> None:
    case = dr.new_case()
    dr.offer(case)
    for party in dr.PARTIES:
        dr.consent(case, party)
    dr.assign(case)
    dr.schedule(case)
    dr.record_outcome(case, SessionResult.partial_agreement, [AgreedActionInput(description="Review hours", owner="org-1")])
    step = next_step(case.view(), date(2026, 12, 1))
    assert step == NextStep(
        what="record that agreed action 1 is done", due=date(2026, 11, 30), owed_by="org-1", action=CompleteAction,
        duty="action-1", waiting_for="Hill Top Primary", overdue=True,
    )
    request = CompleteAction(actor=dr.OFFICER, number=1)
    case.complete_action(request, dr.LATER)
    assert case.stage is CaseStage.closed
    assert next_step(case.view(), TODAY) is None


def test_a_session_near_the_end_of_the_30_days_gives_the_outcomes_date_not_the_earlier_arrangement_date() -> None:
    """Booked for Thu 3 Dec at 2:25pm, inside the 30 days (Fri 4 Dec): the outcome within 2 working
    days, Mon 7 Dec, is the date to give; the arrangement duty is met by that same outcome."""
    case = dr.new_case()
    dr.offer(case)
    for party in dr.PARTIES:
        dr.consent(case, party)
    dr.assign(case)
    dr.schedule(case, session_at=datetime(2026, 12, 3, 14, 25, tzinfo=UTC))
    step = next_step(case.view(), TODAY)
    assert (step.what, step.due, step.duty) == ("record the session outcome", date(2026, 12, 7), OUTCOME_RECORD)


# --- Statutory mediation -------------------------------------------------------------------------------


def test_before_the_choice_the_case_waits_for_the_family_with_no_date_of_its_own() -> None:
    case = md.opened()
    assert next_step(case.view(), TODAY) == NextStep(
        what="record the family's choice about mediation", due=None, owed_by="applicant", action=RecordChoice,
        duty=None, waiting_for="The family",
    )


def test_after_a_no_the_adviser_owes_the_certificate_within_3_working_days() -> None:
    case = md.said_no()
    assert next_step(case.view(), date(2026, 12, 3)) == NextStep(
        what="issue the mediation certificate", due=date(2026, 12, 8), owed_by="mediation_adviser",
        action=IssueCertificate, duty=CERTIFICATE, waiting_for="The mediation adviser",
    )
    assert next_step(case.view(), date(2026, 12, 9)).overdue


def test_the_local_authority_arranges_mediation_within_30_days() -> None:
    case = md.chose_mediation()
    assert next_step(case.view(), TODAY) == NextStep(
        what="assign the mediator", due=date(2026, 12, 16), owed_by="local_authority", action=AssignMediator,
        duty=MEDIATION_ARRANGEMENT, waiting_for="The Local Authority",
    )


def test_a_health_notice_not_yet_sent_comes_first_and_no_staff_action_sends_it() -> None:
    case = md.opened()
    apply(case, md.choice(True, health_provision_sought=md.PROVISION), md.at(11, 16))
    deliver(case, Template.mediation_chosen, md.at(11, 16, 10, 5))  # but not the health notice
    assert next_step(case.view(), TODAY) == NextStep(
        what="send the notice to the health commissioners", due=date(2026, 11, 19), owed_by="local_authority",
        action=None, duty=HEALTH_NOTICE, waiting_for="The Local Authority",
    )


def test_booked_mediation_is_held_and_its_outcome_recorded_then_the_mediator_owes_the_certificate() -> None:
    case = md.session_held()
    step = next_step(case.view(), TODAY)
    assert (step.what, step.due, step.action, step.owed_by) == (
        "hold the session and record its outcome", date(2026, 12, 16), RecordOutcome, "local_authority",
    )
    apply(case, md.outcome(SessionResult.no_agreement), md.at(11, 26, 17))
    assert next_step(case.view(), date(2026, 11, 26)) == NextStep(
        what="issue the mediation certificate", due=date(2026, 12, 1), owed_by="mediator", action=IssueCertificate,
        duty=CERTIFICATE, waiting_for="The mediator",
    )


# --- The act that discharges each duty -------------------------------------------------------------------


@pytest.mark.parametrize(("duty", "stage", "action"), [
    (TALKS_REVIEW, CaseStage.informal_talks, RecordTalk),
    (CONSENT_WINDOW, CaseStage.awaiting_consent, RecordConsent),
    (SESSION_ARRANGEMENT, CaseStage.arranging_session, ScheduleSession),
    (SESSION_ARRANGEMENT, CaseStage.session_scheduled, RecordOutcome),
    (MEDIATION_ARRANGEMENT, CaseStage.arranging_session, ScheduleSession),
    (MEDIATION_ARRANGEMENT, CaseStage.session_scheduled, RecordOutcome),
    (OUTCOME_RECORD, CaseStage.session_scheduled, RecordOutcome),
    (CERTIFICATE, CaseStage.certificate_due, IssueCertificate),
    (CERTIFICATE, CaseStage.monitoring_agreement, IssueCertificate),
    ("action-3", CaseStage.monitoring_agreement, CompleteAction),
    (APPEAL, CaseStage.closed, None),
    (HEALTH_NOTICE, CaseStage.arranging_session, None),
    (WRITTEN_OUTCOME, CaseStage.monitoring_agreement, None),
    (AGREEMENT_NOTICE, CaseStage.monitoring_agreement, None),
])
def test_each_duty_is_discharged_by_the_act_its_rule_names(duty: str, stage: CaseStage, action: type | None) -> None:
    assert discharging_action(duty, stage) is action
