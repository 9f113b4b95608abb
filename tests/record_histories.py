"""Record the workflow histories that `test_replay.py` replays: `python -m tests.record_histories`.

Release 1.0.0 is the baseline: one history for each path of both routes, recorded at the tag.
Existing files are never overwritten: each stands for cases already running on a released version.
From 1.0.0 on, a change made behind `workflow.patched(...)` adds a scenario under a new name to
record the new path too; a change that fails the replay test without a patch is the bug the test is
there for (docs/operating.md, "Changing the workflows"). Histories are encrypted with the tests'
key and case keys derived from it (tests/history_keys.py), like a real deployment's would be with its own.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.models import (
    AddNote,
    AgreedActionInput,
    CertificateIssuer,
    MediationIssue,
    OrderKind,
    RecordOutcome,
    ReportCannotArrange,
    AppealStatus,
    CaseStage,
    DecisionKind,
    IssueCertificate,
    RecordDecision,
    RecordAppealStatus,
    RecordChoice,
    SessionResult,
    CompleteAction,
    ExtendDeadline,
    OfferResolution,
    RecordConsent,
    RecordTalk,
    ScheduleSession,
    TalkOutcome,
    Withdraw,
)
from infra.binaries import installed_binary
from infra.settings import Settings
from records.store import RecordsStore, records_store_for
from tests.conftest import (
    TEST_KEYS,
    RecordedNotifications,
    open_case,
    opened_view,
    register_search_attributes,
    running_worker,
    start_case,
)
from tests.test_case_deadlines import OFFICER, agree_one_action, hold_session, offer_and_agree
from tests.history_keys import history_converter
from tests.journeys import Journey, open_mediation
from workflows.case import DisagreementCase
from workflows.mediation import MediationCase

HISTORIES = Path(__file__).parent / "histories"


async def agreement_with_actions(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    await handle.execute_update(DisagreementCase.record_talk, RecordTalk(actor=OFFICER, outcome=TalkOutcome.unresolved))
    await handle.execute_update(DisagreementCase.add_note, AddNote(actor=OFFICER, text="family asked for mediation"))
    await offer_and_agree(handle)
    await hold_session(env, handle)
    await agree_one_action(handle)
    await env.sleep(timedelta(days=20))  # the action goes overdue first
    await handle.execute_update(DisagreementCase.complete_action, CompleteAction(actor=OFFICER, number=1))


async def silence_with_extension(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
    await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party="applicant", agree=True))
    await handle.execute_update(
        DisagreementCase.extend_deadline,
        ExtendDeadline(actor=OFFICER, deadline="consent_window", days=3, reason="school holidays"),
    )
    await env.sleep(timedelta(days=40))


async def withdrawal(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    await offer_and_agree(handle)
    await handle.execute_update(DisagreementCase.withdraw, Withdraw(actor=OFFICER, party="org-1", reason="agreed outside"))


async def resolved_in_talks(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    await handle.execute_update(DisagreementCase.record_talk, RecordTalk(actor=OFFICER, outcome=TalkOutcome.resolved))


async def appeal_clock_after_closure(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    """A DR case with the LA decision recorded, withdrawn: the appeal warnings ring after closure."""
    decided = (await env.get_current_time()).date() - timedelta(days=10)
    await handle.execute_update(
        DisagreementCase.record_decision, RecordDecision(actor=OFFICER, kind=DecisionKind.refusal_to_assess, date=decided)
    )
    await handle.execute_update(DisagreementCase.withdraw, Withdraw(actor=OFFICER, party="org-1", reason="agreed outside"))
    await env.sleep(timedelta(days=70))


async def mediation_with_certificate(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    """Statutory mediation: chosen, held, partly agreed, certificate, action done, appeal lodged."""
    trip = Journey(env.client, Settings(), env.get_current_time, lambda at: _sleep_until(env, at))
    await trip.bring_to(handle, CaseStage.monitoring_agreement, result=SessionResult.partial_agreement)
    await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
    await handle.execute_update(MediationCase.complete_action, CompleteAction(actor=OFFICER, number=1))
    await handle.execute_update(MediationCase.record_appeal_status, RecordAppealStatus(actor=OFFICER, status=AppealStatus.lodged))


async def mediation_declined(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    """Statutory mediation: no mediation, the certificate late (the officer told), then the deadline passes."""
    await handle.execute_update(MediationCase.record_choice, RecordChoice(actor=OFFICER, mediate=False))
    await env.sleep(timedelta(days=7))
    await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
    await env.sleep(timedelta(days=70))


async def rescheduled_after_extension(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    """A session booked, the outcome deadline extended, the session moved twice (the extension kept,
    then replaced), then a withdrawal."""
    trip = Journey(env.client, Settings(), env.get_current_time, lambda at: _sleep_until(env, at))
    booked = await trip.bring_to(handle, CaseStage.session_scheduled)
    await handle.execute_update(
        DisagreementCase.extend_deadline,
        ExtendDeadline(actor=OFFICER, deadline="outcome_record", days=3, reason="mediator on leave"),
    )
    for later in (timedelta(days=1), timedelta(days=30)):
        await handle.execute_update(
            DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=booked.session.at + later, venue="Town Hall")
        )
    await handle.execute_update(DisagreementCase.withdraw, Withdraw(actor=OFFICER, party="org-1", reason="agreed outside"))


async def cancelled_by_service(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    """An operator cancels the case in the Web UI: the service withdraws it and everyone is told."""
    await offer_and_agree(handle)
    await handle.cancel()


async def held_while_open(env: WorkflowEnvironment, handle: WorkflowHandle, records: RecordsStore) -> None:
    """A legal hold on an open case (after 1.0.0, records/holding.py): copied as it changes, released,
    then withdrawn; its closed record replaces the copy."""
    await records.hold(handle.id, "complaint", OFFICER, await env.get_current_time())
    await handle.signal(DisagreementCase.hold_changed)
    noted = await handle.execute_update(DisagreementCase.add_note, AddNote(actor=OFFICER, text="complaint received"))
    while (held := await records.held_copy(handle.id)) is None or held.record.view != noted:
        await asyncio.sleep(0.1)
    await records.release(handle.id, "complaint answered", OFFICER, await env.get_current_time())
    await handle.signal(DisagreementCase.hold_changed)
    await handle.execute_update(DisagreementCase.add_note, AddNote(actor=OFFICER, text="after the release"))
    await handle.execute_update(DisagreementCase.withdraw, Withdraw(actor=OFFICER, party="org-1", reason="agreed outside"))


async def _sleep_until(env: WorkflowEnvironment, at) -> None:
    await env.sleep(at - await env.get_current_time())


async def declined(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    """One organisation declines the offer: the case closes."""
    await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
    await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party="org-1", agree=False))


async def mediation_withdrawn_at_advice(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    """Statutory mediation: the family stops before choosing; the certificate is owed (reg 34), late,
    then issued; the family is not appealing."""
    await handle.execute_update(MediationCase.withdraw, Withdraw(actor=OFFICER, party="applicant", reason="will appeal"))
    await env.sleep(timedelta(days=7))
    await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
    await handle.execute_update(
        MediationCase.record_appeal_status, RecordAppealStatus(actor=OFFICER, status=AppealStatus.not_appealing)
    )


async def mediation_not_arranged_then_held(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    """Statutory mediation: the LA cannot arrange it; the adviser's certificate; mediation held after
    all, no agreement; the mediator's later certificate (the officer told); the appeal lodged."""
    trip = Journey(env.client, Settings(), env.get_current_time, lambda at: _sleep_until(env, at))
    await trip.bring_to(handle, CaseStage.arranging_session)
    await handle.execute_update(MediationCase.report_cannot_arrange, ReportCannotArrange(actor=OFFICER, reason="no room"))
    await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
    await trip.bring_to(handle, CaseStage.monitoring_agreement, result=SessionResult.no_agreement)
    await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER))
    await handle.execute_update(MediationCase.record_appeal_status, RecordAppealStatus(actor=OFFICER, status=AppealStatus.lodged))


async def mediation_health_only(env: WorkflowEnvironment, handle: WorkflowHandle) -> None:
    """Health-only mediation: the commissioner arranges it; full agreement on an appealable matter;
    the LA told of the agreement (reg 42(4)); the mediator's certificate; the action done; then the
    appeal deadline passes."""
    trip = Journey(env.client, Settings(), env.get_current_time, lambda at: _sleep_until(env, at))
    booked = await trip.bring_to(handle, CaseStage.session_scheduled)
    await _sleep_until(env, booked.session.at + timedelta(hours=2))
    await handle.execute_update(MediationCase.record_outcome, RecordOutcome(actor=OFFICER, result=SessionResult.full_agreement, actions=[
        AgreedActionInput(description="Amend section G", owner="org-1", appealable=True, order_kind=OrderKind.amend_plan),
    ]))
    await handle.execute_update(MediationCase.issue_certificate, IssueCertificate(actor=OFFICER, issued_by=CertificateIssuer.mediator))
    await handle.execute_update(MediationCase.complete_action, CompleteAction(actor=OFFICER, number=1))
    await env.sleep(timedelta(days=70))


MEDIATION_SCENARIOS = {
    "mediation_with_certificate": mediation_with_certificate,
    "mediation_declined": mediation_declined,
    "mediation_withdrawn_at_advice": mediation_withdrawn_at_advice,
    "mediation_not_arranged_then_held": mediation_not_arranged_then_held,
    "mediation_health_only": mediation_health_only,
    # Since 1.1 (the `open-duties-attribute` patch): OpenDuties upserted whenever what is owed changes.
    "open_duties_mediation_with_certificate": mediation_with_certificate,
}
# Opening overrides per scenario (the rest open as tests.journeys.open_mediation does).
MEDIATION_OPENINGS = {"mediation_health_only": {"mediation_issues": [MediationIssue.health]}}

SCENARIOS = {
    "agreement_with_actions": agreement_with_actions,
    "silence_with_extension": silence_with_extension,
    "withdrawal": withdrawal,
    "declined": declined,
    "resolved_in_talks": resolved_in_talks,
    "appeal_clock_after_closure": appeal_clock_after_closure,
    "rescheduled_after_extension": rescheduled_after_extension,
    "cancelled_by_service": cancelled_by_service,
    "open_duties_rescheduled_after_extension": rescheduled_after_extension,  # since 1.1, as above
}
# Scenarios that also work on the records store the worker writes to.
RECORDS_SCENARIOS = {"held_while_open": held_while_open}


async def record() -> None:
    os.environ["DISAGREEMENT_ENCRYPTION_KEYS"] = TEST_KEYS
    for name, scenario in {**SCENARIOS, **MEDIATION_SCENARIOS, **RECORDS_SCENARIOS}.items():
        if not (HISTORIES / f"{name}.json").exists():
            await _record(name, scenario)


async def _record(name: str, scenario) -> None:
    """One scenario on a time-skipping server of its own: each starts today (a shared server's clock
    runs on between cases, by years)."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=installed_binary("temporal-test-server"),
        data_converter=history_converter(),
    )
    try:
        await register_search_attributes(env.client)
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(data_dir=Path(data_dir), task_queue=f"record-{name}")
            async with running_worker(env.client, settings, RecordedNotifications(fail_for={"org-2"})):
                if name in MEDIATION_SCENARIOS:
                    decided = (await env.get_current_time()).date() - timedelta(days=10)
                    handle = await Journey(env.client, settings, env.get_current_time, None).start_mediation(
                        open_mediation(decided, **MEDIATION_OPENINGS.get(name, {}))
                    )
                else:
                    handle = await start_case(env.client, settings, open_case())
                    await opened_view(handle)
                if name in RECORDS_SCENARIOS:
                    records = records_store_for(settings)
                    try:
                        await scenario(env, handle, records)
                    finally:
                        await records.close()
                else:
                    await scenario(env, handle)
                await handle.result()
                history = await handle.fetch_history()
        (HISTORIES / f"{name}.json").write_text(history.to_json())
        print(f"recorded {name}: {len(history.events)} events")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(record())
