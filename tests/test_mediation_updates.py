"""Statutory mediation's updates on the dev server: each misuse is refused in words before it
reaches history, and what operators see names nobody."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from domain.calendar import london_date
from domain.models import (
    AssignMediator,
    ExtendDeadline,
    IssueCertificate,
    RecordChoice,
    ReportCannotArrange,
    ScheduleSession,
    Withdraw,
)
from tests.conftest import MEDIATOR_EMAIL, MEDIATOR_NAME, running_worker
from tests.journeys import HEALTH_PROVISION, OFFICER, Journey, open_mediation
from tests.test_case_updates import assert_rejected, shown_to_operators
from workflows.mediation import MediationCase


def journey(dev_server, settings) -> Journey:
    async def now() -> datetime:
        return datetime.now(UTC)

    async def wait_until(instant: datetime) -> None:
        await asyncio.sleep(max(0.0, (instant - datetime.now(UTC)).total_seconds()))

    return Journey(dev_server.client, settings, now, wait_until)


async def test_every_mediation_misuse_is_refused_and_leaves_no_trace(dev_server, settings) -> None:
    today = london_date(datetime.now(UTC))
    async with running_worker(dev_server.client, settings):
        trip = journey(dev_server, settings)
        handle = await trip.start_mediation(open_mediation(today - timedelta(days=10)))
        misuse = [
            (MediationCase.issue_certificate, IssueCertificate(actor=OFFICER), ("record their choice",)),
            (MediationCase.report_cannot_arrange, ReportCannotArrange(actor=OFFICER, reason="x"), ("arranging the session",)),
            (MediationCase.record_choice, RecordChoice(actor=OFFICER, mediate=True, la_notified_on=today + timedelta(days=1), health_provision_sought=HEALTH_PROVISION), ("in the future",)),
            (MediationCase.record_choice, RecordChoice(actor=OFFICER, mediate=True, la_notified_on=today - timedelta(days=30), health_provision_sought=HEALTH_PROVISION), ("before the decision",)),
            (MediationCase.withdraw, Withdraw(actor=OFFICER, party="org-1", reason="x"), ("only the family",)),
        ]
        for update, request, words in misuse:
            await assert_rejected(handle, update, request, words, "RuleViolation")

        await handle.execute_update(MediationCase.record_choice, RecordChoice(actor=OFFICER, mediate=True, health_provision_sought=HEALTH_PROVISION))
        await handle.execute_update(
            MediationCase.assign_mediator, AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=True)
        )
        soon = datetime.now(UTC) + timedelta(hours=2)
        later = [
            (MediationCase.record_choice, RecordChoice(actor=OFFICER, mediate=False), ("only while it is with the family deciding",)),
            (MediationCase.schedule_session, ScheduleSession(actor=OFFICER, at=soon), ("5 working days",)),
            (MediationCase.extend_deadline, ExtendDeadline(actor=OFFICER, deadline="mediation_arrangement", days=3, reason="x"), ("SEND Regulations",)),
            (MediationCase.issue_certificate, IssueCertificate(actor=OFFICER), ("no certificate is due now",)),
            (MediationCase.assign_mediator, AssignMediator(actor=OFFICER, name="Lee", email="lee@la.example.gov.uk", independent=False), ("NHS England",)),
        ]
        for update, request, words in later:
            await assert_rejected(handle, update, request, words, "RuleViolation")


async def test_what_operators_see_of_a_mediation_names_nobody(dev_server, settings) -> None:
    opened = open_mediation(london_date(datetime.now(UTC)) - timedelta(days=10))
    async with running_worker(dev_server.client, settings):
        handle = await journey(dev_server, settings).start_mediation(opened)
        await handle.execute_update(MediationCase.record_choice, RecordChoice(actor=OFFICER, mediate=True, health_provision_sought=HEALTH_PROVISION))
        text = await shown_to_operators(handle)
        assert "arranging_session" in text
        names = [opened.applicant.name, opened.local_authority.name, *(b.name for b in opened.health_commissioners)]
        for name in names + [str(opened.applicant.contact.email), "send@la.example.gov.uk"]:
            assert name not in text
