"""One journey helper for both routes: open a case and bring it to any stage through its updates.

`Journey` works on either server: `wait_until` is how time passes (the time-skipping server's
sleep, or real waiting on the dev server), so that a session can be held before its outcome.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from temporalio.client import Client, WorkflowHandle

from domain.models import (
    AgreedActionInput,
    Applicant,
    ApplicantRole,
    AssignMediator,
    CaseStage,
    CaseView,
    Contact,
    DecisionKind,
    LocalAuthority,
    MediationIssue,
    OfferResolution,
    OpenMediation,
    RecordChoice,
    RecordConsent,
    RecordOutcome,
    ScheduleSession,
    SessionResult,
    Supporter,
)
from infra.settings import Settings
from tests.conftest import MEDIATOR_EMAIL, MEDIATOR_NAME, open_case, opened_view
from workflows.case import DisagreementCase
from workflows.mediation import MediationCase

OFFICER = "jo.smith"
DR_PARTIES = ("applicant", "org-1", "org-2")
# Far enough ahead for statutory mediation's 5 working days' notice, even over Christmas.
SESSION_LEAD = timedelta(days=14)


HEALTH_PROVISION = "Speech and language therapy from the NHS"


def open_mediation(decision_date: date, **overrides) -> OpenMediation:
    fields = dict(
        applicant=Applicant(
            role=ApplicantRole.parent, name="Sam Parent",
            contact=Contact(email="sam.parent@example.org", phone="07700 900123"),
        ),
        local_authority=LocalAuthority(name="Rotherham LA", contact=Contact(email="send@la.example.gov.uk")),
        health_commissioners=[
            LocalAuthority(name="South Yorkshire ICB", contact=Contact(email="chc@icb.example.nhs.uk")),
        ],
        decision_kind=DecisionKind.refusal_to_assess,
        decision_date=decision_date,
        mediation_issues=[MediationIssue.education, MediationIssue.health],
        case_officer=OFFICER,
        opened_by=OFFICER,
        supporter=Supporter(name="Ali Adviser", email="ali@sendiass.example.org"),
    )
    return OpenMediation(**(fields | overrides))


def mediation_reference() -> str:
    return "MD-2026-" + uuid.uuid4().hex[:6].upper()


@dataclass
class Journey:
    client: Client
    settings: Settings
    now: Callable[[], Awaitable[datetime]]
    wait_until: Callable[[datetime], Awaitable[None]]

    async def start_mediation(self, opened: OpenMediation) -> WorkflowHandle:
        """Start a mediation case and wait until it has opened (its appeal clock is computed then)."""
        handle = await self.client.start_workflow(
            MediationCase.run, opened, id=mediation_reference(), task_queue=self.settings.task_queue
        )
        await opened_view(handle)
        return handle

    async def start_disagreement(self, **overrides) -> WorkflowHandle:
        handle = await self.client.start_workflow(
            DisagreementCase.run, open_case(**overrides), id="DR-2026-" + uuid.uuid4().hex[:6].upper(),
            task_queue=self.settings.task_queue,
        )
        await opened_view(handle)
        return handle

    async def view(self, handle: WorkflowHandle) -> CaseView:
        return await handle.query(MediationCase.case_view)

    async def bring_to(self, handle: WorkflowHandle, stage: CaseStage, *, result: SessionResult = SessionResult.full_agreement) -> CaseView:
        """Bring a case (either route) from where it opened to `stage`; `monitoring_agreement`
        records `result` with one agreed action for org-1."""
        case = await self.view(handle)
        mediation = case.route == "mediation"
        if stage in (CaseStage.advice, CaseStage.informal_talks):
            return case
        if mediation:
            if case.stage is CaseStage.advice:  # else already chosen: go on from arranging the session
                # Health among the issues: the family says which health care provision it wants (reg 32(e)).
                provision = HEALTH_PROVISION if MediationIssue.health in case.mediation_issues else None
                case = await handle.execute_update(
                    MediationCase.record_choice, RecordChoice(actor=OFFICER, mediate=True, health_provision_sought=provision)
                )
        else:
            await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
            if stage is CaseStage.awaiting_consent:
                return await self.view(handle)
            for party in DR_PARTIES:
                case = await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party=party, agree=True))
        if stage is CaseStage.arranging_session:
            return case
        await handle.execute_update(
            MediationCase.assign_mediator,
            AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=True),
        )
        at = await self.now() + SESSION_LEAD
        case = await handle.execute_update(
            MediationCase.schedule_session, ScheduleSession(actor=OFFICER, at=at, venue="Town Hall", la_attendee="Head of SEN")
        )
        if stage is CaseStage.session_scheduled:
            return case
        await self.wait_until(at + timedelta(hours=2))
        return await handle.execute_update(
            MediationCase.record_outcome,
            RecordOutcome(
                actor=OFFICER, result=result, child_views_sought=True,
                actions=[] if result is SessionResult.no_agreement else [AgreedActionInput(description="Issue the plan", owner="org-1")],
            ),
        )
