"""A long-lived case continues as new when Temporal suggests it, losing nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.models import AddNote, CaseOutcome, OfferResolution, RecordConsent, Withdraw
from infra.binaries import installed_binary
from infra.converter import data_converter
from infra.settings import Settings
from records.store import records_store_for
from tests.conftest import TEST_KEYS, RecordedNotifications, opened_view, running_worker, start_case
from workflows.case import DisagreementCase
from workflows.visibility import SEARCH_ATTRIBUTES

OFFICER = "jo.smith"


@pytest_asyncio.fixture(loop_scope="session")
async def eager_server() -> AsyncIterator[WorkflowEnvironment]:
    """A dev server that suggests continue-as-new after a short history."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=installed_binary("temporal"),
        search_attributes=list(SEARCH_ATTRIBUTES),
        dev_server_extra_args=[
            "--headless", "--log-level", "error",
            "--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=60",
        ],
        data_converter=data_converter(Settings(encryption_keys=TEST_KEYS)),
    )
    yield env
    await env.shutdown()


async def continued_as_new(client, reference: str, first_run: str):
    """The case's handle once it runs on after `first_run` (a few seconds at most)."""
    latest = client.get_workflow_handle_for(DisagreementCase.run, reference)
    for _ in range(50):
        if (await latest.describe()).run_id != first_run:
            return latest
        await asyncio.sleep(0.1)
    raise AssertionError("the case never continued as new")


async def test_case_carries_on_across_continue_as_new(eager_server: WorkflowEnvironment, settings) -> None:
    notifications = RecordedNotifications()
    async with running_worker(eager_server.client, settings, notifications):
        handle = await start_case(eager_server.client, settings)
        first_run = (await handle.describe()).run_id
        await opened_view(handle)
        await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
        await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party="applicant", agree=True))
        for number in range(30):
            await handle.execute_update(DisagreementCase.add_note, AddNote(actor=OFFICER, text=f"note {number}"))

        latest = await continued_as_new(eager_server.client, handle.id, first_run)

        case = await latest.query(DisagreementCase.case_view)
        assert [entry.detail for entry in case.timeline if entry.event == "note"] == [f"note {n}" for n in range(30)]
        assert case.parties[0].consent.value == "agreed"
        assert {d.name for d in case.deadlines} >= {"talks_review", "consent_window"}

        await latest.execute_update(DisagreementCase.withdraw, Withdraw(actor=OFFICER, party="org-1", reason="resolved"))
        assert (await latest.result()).outcome is CaseOutcome.withdrawn
        # Messages sent before the hand-over are not sent again after it.
        assert len(notifications.requested) == len(set(notifications.requested))
        assert notifications.sent("resolution_offered").count("applicant") == 1


async def test_a_held_case_is_still_copied_after_it_continues_as_new(eager_server: WorkflowEnvironment, settings) -> None:
    """The hold is carried over in the memo: the next run copies without being told again."""
    records = records_store_for(settings)
    async with running_worker(eager_server.client, settings):
        handle = await start_case(eager_server.client, settings)
        first_run = (await handle.describe()).run_id
        await records.hold(handle.id, "Tribunal appeal", OFFICER, datetime.now(UTC))
        await handle.signal(DisagreementCase.hold_changed)
        for number in range(30):
            await handle.execute_update(DisagreementCase.add_note, AddNote(actor=OFFICER, text=f"note {number}"))

        latest = await continued_as_new(eager_server.client, handle.id, first_run)
        noted = await latest.execute_update(DisagreementCase.add_note, AddNote(actor=OFFICER, text="after the hand-over"))
        for _ in range(100):
            held = await records.held_copy(handle.id)
            if held.record.view == noted:
                break
            await asyncio.sleep(0.1)
        assert held.record.view == noted
    await records.close()
