"""Statutory mediation through time, on the time-skipping server: every outcome from opening to
the end of the family's appeal clock, the certificate over a bank holiday, the LA missing its 30 days.
Sleeps go to the due dates the case reports, never to a fixed instant."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.appeal import add_months, appeal_deadline
from domain.calendar import WorkingCalendar, london_date, london_time
from domain.models import (
    AgreedActionInput,
    AppealStatus,
    CaseOutcome,
    CaseStage,
    CompleteAction,
    DeadlineState,
    IssueCertificate,
    RecordAppealStatus,
    RecordChoice,
    RecordOutcome,
    ReportCannotArrange,
    SessionResult,
    Withdraw,
)
from tests.conftest import RecordedNotifications, running_worker, sleep_until
from tests.journeys import OFFICER, Journey, open_mediation
from workflows.mediation import MediationCase

EVERYONE = {"applicant", "org-1", "org-2"}
CALENDAR = WorkingCalendar()


@pytest_asyncio.fixture(loop_scope="session")
async def env(time_skipping: WorkflowEnvironment) -> WorkflowEnvironment:
    return time_skipping


def journey(env: WorkflowEnvironment, settings) -> Journey:
    async def wait_until(instant: datetime) -> None:
        await env.sleep(instant - await env.get_current_time())

    return Journey(env.client, settings, env.get_current_time, wait_until)


def deadline(case, name: str):
    return next(d for d in case.deadlines if d.name == name)


async def today(env: WorkflowEnvironment) -> date:
    """Today in England, as the case counts it."""
    return london_date(await env.get_current_time())


async def certify_and_finish(handle, case, status: AppealStatus = AppealStatus.lodged):
    """Issue the certificate now due, then record the appeal status: the workflow ends."""
    case = await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
    await handle.execute_update(MediationCase.record_appeal_status, RecordAppealStatus(actor=OFFICER, status=status))
    return case, await handle.result()


async def test_no_mediation_ends_with_the_certificate(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        decided = await today(env) - timedelta(days=20)
        handle = await trip.start_mediation(open_mediation(decided))
        case = await trip.view(handle)
        assert case.stage is CaseStage.advice and case.route == "mediation"
        assert case.appeal_deadline == appeal_deadline(decided, None, CALENDAR)

        case = await handle.execute_update(MediationCase.record_choice, RecordChoice(actor=OFFICER, mediate=False))
        assert deadline(case, "certificate").due == CALENDAR.add_working_days(await today(env), 3)
        issued = await today(env)
        case, result = await certify_and_finish(handle, case)
        assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.certificate_only)
        assert case.certificate.issued_on == issued and case.certificate.reason == "no_mediation"
        assert case.appeal_deadline == appeal_deadline(decided, issued, CALENDAR)  # a month from the certificate: later
        assert set(notifications.sent("mediation_opened")) == EVERYONE
        assert set(notifications.sent("mediation_declined")) == EVERYONE
        assert set(notifications.sent("certificate_issued")) == EVERYONE
        assert result.appeal_status is AppealStatus.lodged


@pytest.mark.parametrize("result", [SessionResult.full_agreement, SessionResult.partial_agreement])
async def test_an_agreement_is_followed_up_and_the_certificate_still_comes(env, settings, result) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(await today(env) - timedelta(days=5)))
        case = await trip.bring_to(handle, CaseStage.monitoring_agreement, result=result)
        assert case.stage is CaseStage.monitoring_agreement
        assert case.session.la_attendee == "Head of SEN"
        assert any("the child's views were sought" in e.detail for e in case.timeline)
        # reg 42(3): 2 weeks from the agreement, made at the session (in England: a session late in the
        # evening has its outcome recorded the next day, so "today" is no measure).
        assert deadline(case, "action-1").due == london_date(case.session.at) + timedelta(days=14)
        assert deadline(case, "mediation_arrangement").state is DeadlineState.met
        assert deadline(case, "health_notice").state is DeadlineState.met  # the ICB was sent the issues
        case = await handle.execute_update(MediationCase.complete_action, CompleteAction(actor=OFFICER, number=1))
        # Everything agreed is done, but the certificate is still owed: the case is not closed (DESIGN section 11).
        assert (case.stage, case.outcome) == (CaseStage.certificate_due, CaseOutcome(result.value))
        assert deadline(case, "certificate").state is DeadlineState.open
        assert case.next_deadline.name == "certificate"
        case, _ = await certify_and_finish(handle, case)
        assert case.stage is CaseStage.closed
        assert (case.certificate.reason, case.certificate.issued_by) == ("mediation_concluded", "mediator")
        for template in ("mediation_chosen", "mediator_assigned", "session_scheduled", "written_outcome", "certificate_issued"):
            assert set(notifications.sent(template)) >= EVERYONE, template
        assert "mediator" in notifications.sent("session_scheduled")


async def test_a_certificate_moving_the_appeal_deadline_brings_the_warnings_of_the_new_date(env, settings) -> None:
    # DESIGN section 8: the applicant is warned 5 working days before the appeal deadline; after a
    # certificate moves it (HESC r.20(1)(c)(ii)), the warning of the new date is a new message.
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        decided = add_months(await today(env), -2) + timedelta(days=14)  # 2 months end in about 2 weeks
        handle = await trip.start_mediation(open_mediation(decided))
        first_due = (await trip.view(handle)).appeal_deadline
        await handle.execute_update(MediationCase.record_choice, RecordChoice(actor=OFFICER, mediate=False))
        await sleep_until(env, london_time(CALENDAR.add_working_days(first_due, -5), time(9, 5)))
        issued = await today(env)
        case = await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
        new_due = case.appeal_deadline
        assert new_due == appeal_deadline(decided, issued, CALENDAR) > first_due  # a month from the certificate
        await sleep_until(env, london_time(CALENDAR.add_working_days(new_due, -5), time(9, 5)))

        warned = [n for n in notifications.notices if n.template.value == "appeal_warning" and ".appeal_warning-5" in n.key]
        assert [(n.recipient.id, n.facts.due) for n in warned] == [("applicant", first_due), ("applicant", new_due)]
        await handle.terminate("test over")


async def test_the_certificate_and_an_undated_action_count_from_the_session_not_its_recording(env, settings) -> None:
    # DESIGN section 8: the certificate 3 working days after the mediation concludes; an action with
    # no agreed date within 2 weeks of the agreement (reg 42(3)). Staff record the outcome 2 working
    # days after the session: the family's dates do not move with them.
    async with running_worker(env.client, settings):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(await today(env) - timedelta(days=5)))
        case = await trip.bring_to(handle, CaseStage.session_scheduled)
        held = london_date(case.session.at)
        await sleep_until(env, london_time(CALENDAR.add_working_days(held, 2), time(10)))

        case = await handle.execute_update(MediationCase.record_outcome, RecordOutcome(
            actor=OFFICER, result=SessionResult.partial_agreement, child_views_sought=True,
            actions=[AgreedActionInput(description="Issue the plan", owner="org-1")],
        ))

        assert deadline(case, "certificate").due == CALENDAR.add_working_days(held, 3)
        assert deadline(case, "action-1").due == held + timedelta(days=14)
        await handle.terminate("test over")


async def test_no_agreement_closes_and_the_certificate_follows(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(await today(env) - timedelta(days=5)))
        case = await trip.bring_to(handle, CaseStage.monitoring_agreement, result=SessionResult.no_agreement)
        assert (case.stage, case.outcome) == (CaseStage.certificate_due, CaseOutcome.no_agreement)
        assert not notifications.sent("case_closed")  # not closed while the certificate is owed
        case, _ = await certify_and_finish(handle, case, AppealStatus.not_appealing)
        assert case.stage is CaseStage.closed
        assert set(notifications.sent("case_closed")) == EVERYONE | {"mediator"}


async def test_withdrawing_after_choosing_mediation_still_gets_a_certificate(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(await today(env) - timedelta(days=5)))
        await trip.bring_to(handle, CaseStage.arranging_session)
        case = await handle.execute_update(MediationCase.withdraw, Withdraw(actor=OFFICER, party="applicant", reason="changed mind"))
        assert (case.stage, case.outcome) == (CaseStage.certificate_due, CaseOutcome.withdrawn)
        case, _ = await certify_and_finish(handle, case)
        assert (case.stage, case.certificate.reason) == (CaseStage.closed, "not_pursued")  # reg 34: fails to pursue
        assert set(notifications.sent("withdrawn")) == EVERYONE


async def test_the_la_cannot_arrange_and_the_family_does_not_go_on(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(await today(env) - timedelta(days=5)))
        await trip.bring_to(handle, CaseStage.arranging_session)
        case = await handle.execute_update(
            MediationCase.report_cannot_arrange, ReportCannotArrange(actor=OFFICER, reason="no mediator free")
        )
        assert deadline(case, "certificate").due == CALENDAR.add_working_days(await today(env), 3)
        case = await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
        assert case.stage is CaseStage.arranging_session and case.certificate.reason == "not_arranged"  # still open
        case = await handle.execute_update(MediationCase.withdraw, Withdraw(actor=OFFICER, party="applicant", reason="appealing"))
        assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.not_arranged)
        await handle.execute_update(MediationCase.record_appeal_status, RecordAppealStatus(actor=OFFICER, status=AppealStatus.lodged))
        await handle.result()
        assert set(notifications.sent("cannot_arrange")) == EVERYONE


async def test_the_certificate_after_a_no_counts_working_days_over_a_bank_holiday(env, settings) -> None:
    """The family told the mediation adviser on Friday 28 August 2026 (reg 34 counts from then, not from
    when staff record it): Monday 31 August is the summer bank holiday, so the 3 working days are Tue 1,
    Wed 2 and Thu 3 September. Opening this long after the decision also warns the officer that the
    reg 33 window has passed."""
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(date(2026, 8, 20)))
        case = await handle.execute_update(
            MediationCase.record_choice, RecordChoice(actor=OFFICER, mediate=False, adviser_told_on=date(2026, 8, 28))
        )
        assert deadline(case, "certificate").due == date(2026, 9, 3)
        assert any(entry.event == "late_opening" for entry in case.timeline)
        assert "case_officer" in notifications.sent("late_opening")


async def test_the_la_missing_its_30_days_is_chased_then_reported(env, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(env.client, settings, notifications):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(await today(env) - timedelta(days=3)))
        case = await trip.bring_to(handle, CaseStage.arranging_session)
        due = deadline(case, "mediation_arrangement").due
        told = london_date(await env.get_current_time())
        assert due == told + timedelta(days=30)
        await trip.wait_until(london_time(told + timedelta(days=20), time(10, 0)))
        assert "case_officer" in notifications.sent("deadline_reminder")
        assert not notifications.sent("deadline_missed")
        await trip.wait_until(london_time(due + timedelta(days=1), time(1, 0)))
        case = await trip.view(handle)
        assert deadline(case, "mediation_arrangement").state is DeadlineState.missed
        assert notifications.sent("deadline_missed") == ["case_officer"]
        assert case.stage is CaseStage.arranging_session  # the duty stays; mediation may still happen


async def test_a_school_only_certificate_does_not_move_the_deadline(env, settings) -> None:
    async with running_worker(env.client, settings):
        trip = journey(env, settings)
        decided = await today(env) - timedelta(days=50)
        handle = await trip.start_mediation(open_mediation(decided, school_only=True))
        await handle.execute_update(MediationCase.record_choice, RecordChoice(actor=OFFICER, mediate=False))
        case, _ = await certify_and_finish(handle, await trip.view(handle))
        assert case.appeal_deadline == appeal_deadline(decided, None, CALENDAR)
        assert add_months(decided, 2) <= case.appeal_deadline


async def test_a_certificate_issued_after_midnight_in_summer_is_dated_that_day_in_england(env, settings) -> None:
    # 00:30 British Summer Time (UTC+1) on 15 July is still 23:30 on 14 July in UTC. The certificate
    # is issued, and its appeal month counted (HESC r.20(1)(c)), from the date in England: 15 July.
    now = await env.get_current_time()
    year = now.year if now < datetime(now.year, 7, 14, 23, 30, tzinfo=now.tzinfo) else now.year + 1
    await sleep_until(env, london_time(date(year, 7, 15), time(0, 30)))
    assert (await env.get_current_time()).date() == date(year, 7, 14)  # the UTC date, a day behind
    async with running_worker(env.client, settings):
        trip = journey(env, settings)
        handle = await trip.start_mediation(open_mediation(date(year, 7, 1)))
        await handle.execute_update(MediationCase.record_choice, RecordChoice(actor=OFFICER, mediate=False))
        case = await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
        assert case.certificate.issued_on == date(year, 7, 15)
        await handle.terminate("test over")
