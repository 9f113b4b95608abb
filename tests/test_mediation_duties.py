"""Statutory mediation's duties through the workflow on the time-skipping server (DESIGN section 11):
each duty held in its own right, met only by the act the law names, and never lost to a closure.

- The health notice (SEND Regs 2014 reg 32(e)) is met when the notice carrying the issues and the
  health care provision sought has gone to every commissioner, not when the choice is recorded; a
  notice that cannot be delivered leaves the duty open and the case overdue.
- A withdrawal at `advice` owes a certificate (reg 34, "fails to pursue"): `certificate_due` until
  it is issued, and `NextDeadline` points at it.
- Only the first certificate moves the appeal deadline; a later one tells the officer.
- Agreed actions: an appealable matter gets its reg 44 period from the session (reg 42(2)).
- Health-only mediation: the commissioners are the parties and arrange it; the LA is told of the
  agreement (reg 42(4)), which meets that duty.
- The officer is told when the child reaches the end of compulsory school age while a parent is the party.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.duties import school_age_ends
from domain.models import (
    AgreedActionInput,
    AppealStatus,
    CaseOutcome,
    CaseStage,
    DeadlineState,
    IssueCertificate,
    MediationIssue,
    OrderKind,
    RecordAppealStatus,
    RecordOutcome,
    ReportCannotArrange,
    SessionResult,
    Withdraw,
)
from domain.words import long_date
from tests.cli_helpers import until
from tests.conftest import RecordedNotifications, running_worker
from tests.journeys import HEALTH_PROVISION, OFFICER, open_mediation
from tests.test_mediation_workflow import deadline, journey, today
from workflows.mediation import MediationCase


async def once_sent(notifications: RecordedNotifications, template: str) -> list[str]:
    """Messages go in the background, after the update has answered: wait for them."""
    return await until(lambda: _sent(notifications, template))


async def _sent(notifications: RecordedNotifications, template: str) -> list[str]:
    return notifications.sent(template)


async def once_settled(trip, handle, name: str):
    """The case, once the duty `name` is no longer open (a notice's delivery settles it)."""
    async def settled():
        case = await trip.view(handle)
        return case if deadline(case, name).state is not DeadlineState.open else None

    return await until(settled)


@pytest_asyncio.fixture(loop_scope="session")
async def env(time_skipping: WorkflowEnvironment) -> WorkflowEnvironment:
    return time_skipping


async def test_the_health_notice_carries_the_issues_and_provision_and_is_met_once_sent(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(await today(env) - timedelta(days=5)))
        await trip.bring_to(handle, CaseStage.arranging_session)  # mediation chosen, with the provision sought
        case = await once_settled(trip, handle, "health_notice")
        [notice] = [n for n in notifications.notices if n.template.value == "health_notice"]
        assert notice.recipient.id == "org-2"  # the ICB
        assert (notice.facts.mediation_issues, notice.facts.health_provision_sought) == (["education", "health"], HEALTH_PROVISION)
        notice_duty = deadline(case, "health_notice")
        assert (notice_duty.state, notice_duty.owed_by) == (DeadlineState.met, "local_authority")
        assert case.timeline[notice_duty.settled_by - 1].event == "health_notice_sent"
        assert case.health_provision_sought == HEALTH_PROVISION


async def test_an_undelivered_health_notice_leaves_the_duty_owed(env, settings) -> None:
    notifications = RecordedNotifications(fail_for={"org-2"})
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(await today(env) - timedelta(days=5)))
        await trip.bring_to(handle, CaseStage.arranging_session)  # mediation chosen, with the provision sought
        await env.sleep(timedelta(days=7))  # past the 3 working days
        case = await trip.view(handle)
        notice_duty = deadline(case, "health_notice")
        assert (notice_duty.state, notice_duty.settled_on) == (DeadlineState.missed, None)
        assert case.next_deadline.name == "health_notice"  # still owed, so the case is overdue


async def test_a_withdrawal_at_advice_owes_a_certificate_until_it_is_issued(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(await today(env) - timedelta(days=5)))
        case = await handle.execute_update(
            MediationCase.withdraw, Withdraw(actor=OFFICER, party="applicant", reason="will appeal straight away")
        )
        assert (case.stage, case.outcome) == (CaseStage.certificate_due, CaseOutcome.withdrawn)
        certificate = deadline(case, "certificate")
        assert (certificate.state, certificate.owed_by) == (DeadlineState.open, "mediation_adviser")
        assert "reg 34" in certificate.source
        assert case.next_deadline.name == "certificate"
        assert "applicant" in await once_sent(notifications, "withdrawn")
        [told] = [n for n in notifications.notices if n.template.value == "withdrawn" and n.recipient.id == "applicant"]
        assert told.facts.certificate_owed
        case = await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
        assert (case.stage, case.certificate.reason, case.certificate.issued_by) == (
            CaseStage.closed, "not_pursued", "mediation_adviser",
        )
        await handle.execute_update(
            MediationCase.record_appeal_status, RecordAppealStatus(actor=OFFICER, status=AppealStatus.lodged)
        )
        await handle.result()


async def test_the_appeal_status_before_the_certificate_leaves_the_case_waiting_for_it(env, settings) -> None:
    """The other order: the family's appeal is recorded while the certificate is still owed. The case
    waits for the certificate (no 'update not found'), then finishes."""
    async with running_worker(env.client, settings, RecordedNotifications()):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(await today(env) - timedelta(days=5)))
        await trip.bring_to(handle, CaseStage.monitoring_agreement, result=SessionResult.no_agreement)
        case = await handle.execute_update(
            MediationCase.record_appeal_status, RecordAppealStatus(actor=OFFICER, status=AppealStatus.not_appealing)
        )
        assert case.stage is CaseStage.certificate_due
        case = await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
        assert case.stage is CaseStage.closed
        await handle.result()


async def test_a_later_certificate_never_moves_the_appeal_deadline_and_the_officer_is_told(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(await today(env) - timedelta(days=5)))
        await trip.bring_to(handle, CaseStage.arranging_session)
        await handle.execute_update(MediationCase.report_cannot_arrange, ReportCannotArrange(actor=OFFICER, reason="no room"))
        first = await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
        fixed = first.appeal_deadline
        await env.sleep(timedelta(days=10))
        case = await trip.bring_to(handle, CaseStage.monitoring_agreement, result=SessionResult.no_agreement)
        assert case.stage is CaseStage.certificate_due
        case = await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
        assert case.appeal_deadline == fixed
        assert (case.certificate.reason, case.stage) == ("not_arranged", CaseStage.closed)  # the first, which fixed it
        assert "case_officer" in await once_sent(notifications, "later_certificate")
        assert any("later certificate" in warning for warning in case.warnings)


async def test_an_appealable_agreed_action_gets_its_reg_44_period_from_the_session(env, settings) -> None:
    async with running_worker(env.client, settings, RecordedNotifications()):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(await today(env) - timedelta(days=5)))
        booked = await trip.bring_to(handle, CaseStage.session_scheduled)
        await env.sleep(booked.session.at - await env.get_current_time() + timedelta(hours=2))
        case = await handle.execute_update(MediationCase.record_outcome, RecordOutcome(
            actor=OFFICER, result=SessionResult.full_agreement, actions=[
                AgreedActionInput(description="Issue a plan", owner="org-1", appealable=True, order_kind=OrderKind.issue_plan),
                AgreedActionInput(description="Send the minutes", owner="org-1"),
            ],
        ))
        held = booked.session.at.date()
        issue_plan, minutes = case.actions
        assert (issue_plan.due, issue_plan.appealable) == (held + timedelta(weeks=5), True)  # reg 44(2)(c)
        assert "reg 44(2)(c)" in issue_plan.due_source
        assert (minutes.due, minutes.due_source) == (held + timedelta(weeks=2), "SEND Regs 2014 reg 42(3): within 2 weeks of the agreement")
        assert deadline(case, "action-1").owed_by == "org-1"


async def test_health_only_mediation_is_between_the_family_and_the_commissioner_and_the_la_is_told_of_the_agreement(
    env, settings,
) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        handle = await trip.start_mediation(
            open_mediation(await today(env) - timedelta(days=5), mediation_issues=[MediationIssue.health])
        )
        case = await trip.view(handle)
        assert [(p.id, p.kind) for p in case.parties] == [("applicant", None), ("org-1", "health_commissioner")]
        case = await trip.bring_to(handle, CaseStage.monitoring_agreement, result=SessionResult.full_agreement)
        assert deadline(case, "mediation_arrangement").owed_by == "health_commissioner"
        assert await once_sent(notifications, "agreement_notice") == ["local_authority"]
        notice = deadline(await once_settled(trip, handle, "agreement_notice"), "agreement_notice")
        assert (notice.state, notice.owed_by) == (DeadlineState.met, "health_commissioner")
        assert "reg 42(4)" in notice.source


async def test_the_officer_is_told_when_the_child_reaches_the_end_of_compulsory_school_age(env, settings) -> None:
    """Born on 1 September, the child turns 16 on the first day of a school year, so compulsory school
    age ends the June after: always ahead of the case, whatever day the test runs. The date itself is
    hand-worked in tests/test_duties.py; here, that the workflow tells the officer on it, not before."""
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        now = await today(env)
        born = date(now.year - 16, 9, 1)
        ends = school_age_ends(born)
        assert ends > now
        handle = await trip.start_mediation(open_mediation(now - timedelta(days=5), child_date_of_birth=born))
        await trip.view(handle)
        assert notifications.sent("school_age_reached") == []  # nothing yet
        await env.sleep(timedelta(days=(ends - now).days + 1))
        case = await trip.view(handle)
        assert await once_sent(notifications, "school_age_reached") == ["case_officer"]
        assert any(long_date(ends) in warning for warning in case.warnings)
