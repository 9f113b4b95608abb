"""Cancelling a case in Temporal (the Web UI's "Request Cancellation", or `temporal workflow cancel`)
closes it as withdrawn by the service: everyone is told, the timeline says so, and the family's
appeal warnings and any certificate owed go on. A case never ends silently."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from domain.messages import render
from domain.models import AppealStatus, CaseOutcome, CaseStage, Channel, RecordAppealStatus, Withdraw
from domain.notifications import Template
from tests.cli_helpers import until
from tests.conftest import RecordedNotifications, running_worker
from tests.journeys import DR_PARTIES, OFFICER, Journey, open_mediation
from tests.notices import SERVICE
from workflows.case import DisagreementCase


def journey(dev_server: WorkflowEnvironment, settings) -> Journey:
    async def now() -> datetime:
        return datetime.now(UTC)

    return Journey(dev_server.client, settings, now, wait_until=None)  # type: ignore[arg-type]


async def closed_by_cancelling(handle, stage: CaseStage = CaseStage.closed) -> object:
    """Cancel the case and wait for the service's withdrawal: `closed`, or `certificate_due` while a
    mediation certificate is still owed."""
    await handle.cancel()

    async def closed():
        case = await handle.query(DisagreementCase.case_view)
        return case if case.stage is stage else None

    case = await until(closed)
    assert case, f"the cancelled case did not reach {stage.value}"
    return case


async def test_a_cancelled_case_is_withdrawn_by_the_service_and_its_appeal_clock_goes_on(dev_server, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(dev_server.client, settings, notifications):
        cases = journey(dev_server, settings)
        handle = await cases.start_disagreement(appeal_deadline=date.today() + timedelta(days=90))
        await cases.bring_to(handle, CaseStage.awaiting_consent)

        case = await closed_by_cancelling(handle)
        assert case.outcome is CaseOutcome.withdrawn
        assert [(e.actor, e.event) for e in case.timeline[-2:]] == [("system", "withdrawn_by_service"), ("system", "case_closed")]
        assert next(d for d in case.deadlines if d.name == "appeal").state.value == "open"

        async def everyone_told():
            return sorted(notifications.sent(Template.withdrawn.value)) == sorted(DR_PARTIES)

        assert await until(everyone_told)
        letter = next(n for n in notifications.notices if n.template is Template.withdrawn and n.recipient.id == "applicant")
        assert f"because the {SERVICE.name} has withdrawn" in render(letter, Channel.email, SERVICE).body

        # Still running for the family's appeal warnings, until their appeal status is known.
        assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
        await handle.execute_update(
            DisagreementCase.record_appeal_status, RecordAppealStatus(actor=OFFICER, status=AppealStatus.lodged)
        )
        assert (await handle.result()).outcome is CaseOutcome.withdrawn
        assert (await handle.describe()).status is WorkflowExecutionStatus.COMPLETED


async def test_cancelling_a_closed_case_only_goes_on_its_timeline(dev_server, settings) -> None:
    async with running_worker(dev_server.client, settings):
        cases = journey(dev_server, settings)
        handle = await cases.start_disagreement(appeal_deadline=date.today() + timedelta(days=90))
        await handle.execute_update(DisagreementCase.withdraw, Withdraw(actor=OFFICER, party="applicant", reason="moving away"))
        await handle.cancel()

        async def noted():
            case = await handle.query(DisagreementCase.case_view)
            return case if case.timeline[-1].event == "cancellation_requested" else None

        case = await until(noted)
        assert case and "appeal warnings continue" in case.timeline[-1].detail
        assert case.outcome is CaseOutcome.withdrawn and case.timeline[-2].actor == OFFICER
        assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING


async def test_a_cancelled_case_without_clocks_completes_withdrawn(dev_server, settings) -> None:
    async with running_worker(dev_server.client, settings):
        cases = journey(dev_server, settings)
        handle = await cases.start_disagreement()
        await handle.cancel()
        done = await handle.result()
        assert (done.stage, done.outcome) == (CaseStage.closed, CaseOutcome.withdrawn)
        assert (await handle.describe()).status is WorkflowExecutionStatus.COMPLETED


async def test_a_cancelled_mediation_still_owes_the_family_a_certificate(dev_server, settings) -> None:
    async with running_worker(dev_server.client, settings):
        cases = journey(dev_server, settings)
        handle = await cases.start_mediation(open_mediation(date.today() - timedelta(days=7)))
        await cases.bring_to(handle, CaseStage.arranging_session)
        case = await closed_by_cancelling(handle, CaseStage.certificate_due)
        assert case.outcome is CaseOutcome.withdrawn
        certificate = next(d for d in case.deadlines if d.name == "certificate")
        assert certificate.state.value == "open"
        assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
