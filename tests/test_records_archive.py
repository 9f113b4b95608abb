"""The archive written by the case workflows (records/archiving.py), on SQLite and PostgreSQL:
a closed case deleted from Temporal still shows the same; a failed write is retried and never
duplicated; a worker stopped between the write and completion loses nothing; a closure is written
once with its messages delivered, and without waiting days for a message being retried."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from domain.models import (
    AppealStatus, CaseOutcome, CaseView, DecisionKind, DeliveryStatus, RecordAppealStatus, RecordDecision, Withdraw,
)
from infra.settings import Settings
from records.archiving import MESSAGES_AWAITED
from records.models import Archived, ArchiveCase, archive_of
from records.store import RecordsStore, records_store_for
from tests.cli_helpers import Staff, staff_environment
from tests.conftest import RecordedNotifications, opened_view, sleep_until, start_case
from workflows.case import DisagreementCase
from worker import build_worker

RECORD_DATES = {"closed_at", "delete_after"}


class WatchedStore(RecordsStore):
    """The real store, with a hook after each write: what a flaky network or a dying worker does."""

    def __init__(self, settings: Settings, after_write: Callable[[Archived, int], object]) -> None:
        real = records_store_for(settings)
        super().__init__(real._db, settings)
        self.results: list[Archived] = []
        self._after_write = after_write

    async def archive(self, case: ArchiveCase) -> Archived:
        archived = await super().archive(case)
        self.results.append(archived)
        await self._after_write(archived, len(self.results))
        return archived


async def withdraw(client: Client, reference: str) -> CaseView:
    handle = client.get_workflow_handle_for(DisagreementCase.run, reference)
    return await handle.execute_update(
        DisagreementCase.withdraw, Withdraw(actor="jo.smith", party="applicant", reason="family moved away")
    )


async def written_as_it_stands(archived: Archived, attempt: int) -> None:
    return None


async def withdrawn_to_the_end(client: Client, settings: Settings, store: RecordsStore) -> tuple[WorkflowHandle, CaseView]:
    """A case opened, withdrawn and run to its end on a worker archiving into `store`."""
    async with build_worker(client, settings, RecordedNotifications(), records=store):
        handle = await start_case(client, settings)
        await opened_view(handle)
        await withdraw(client, handle.id)
        return handle, await handle.result()


async def deleted_from_temporal(client: Client, reference: str) -> None:
    await client.workflow_service.delete_workflow_execution(
        DeleteWorkflowExecutionRequest(namespace=client.namespace, workflow_execution=WorkflowExecution(workflow_id=reference))
    )
    for _ in range(1200):  # deletion is asynchronous
        try:
            await client.get_workflow_handle(reference).describe()
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return
            raise
        await asyncio.sleep(0.1)
    raise AssertionError("Temporal did not delete the workflow")


async def test_a_closed_case_deleted_from_temporal_shows_as_it_closed(
    dev_server: WorkflowEnvironment, records_settings: Settings, records: RecordsStore
) -> None:
    client = dev_server.client
    staff = Staff({
        **staff_environment(client.service_client.config.target_host, records_settings),
        "DISAGREEMENT_RECORDS_URL": records_settings.records_database_url,
    })
    async with build_worker(client, records_settings, RecordedNotifications(), records=records):
        handle = await start_case(client, records_settings)
        await opened_view(handle)
        await withdraw(client, handle.id)
        final = await handle.result()  # the workflow completes only once the case is archived

        stored = await records.get(handle.id)
        assert stored is not None
        assert stored.view.model_dump(exclude=RECORD_DATES) == final.model_dump()
        shown = await staff.json("show", handle.id)
        listed = await staff.json("list", "--closed")
        await deleted_from_temporal(client, handle.id)

        assert await staff.json("show", handle.id) == shown
        assert {key: value for key, value in shown.items() if key not in RECORD_DATES} == final.model_dump(mode="json")
        assert await staff.json("list", "--closed") == listed
        assert handle.id in [summary["reference"] for summary in listed]
        # `list` shows open cases (DESIGN section 13); asked by stage, the archived ones come too.
        assert handle.id not in [summary["reference"] for summary in await staff.json("list")]
        assert handle.id in [summary["reference"] for summary in await staff.json("list", "--stage", "closed")]
        table = await staff.run("show", handle.id)
        assert table.code == 0 and "Outcome: Withdrawn" in table.stdout


async def test_a_failed_archive_write_is_retried_and_never_duplicated(
    dev_server: WorkflowEnvironment, records_settings: Settings
) -> None:
    async def lost_answer(archived: Archived, attempt: int) -> None:
        if attempt == 1:
            raise ConnectionError("the answer from the database was lost")  # written, but not known to be

    store = WatchedStore(records_settings, lost_answer)
    handle, final = await withdrawn_to_the_end(dev_server.client, records_settings, store)

    assert store.results[:2] == [Archived.written, Archived.unchanged]
    [summary] = [s for s in await store.closed() if s.reference == handle.id]
    assert (await store.get(handle.id)).view.model_dump(exclude=RECORD_DATES) == final.model_dump()


async def test_a_worker_stopped_between_the_archive_write_and_completion_loses_nothing(
    dev_server: WorkflowEnvironment, records_settings: Settings
) -> None:
    written = asyncio.Event()

    async def die_after_writing(archived: Archived, attempt: int) -> None:
        if attempt == 1:
            written.set()
            await asyncio.Event().wait()  # never answers: the worker is stopped meanwhile

    dying = WatchedStore(records_settings, die_after_writing)
    client = dev_server.client
    async with build_worker(client, records_settings, RecordedNotifications(), records=dying):
        handle = await start_case(client, records_settings)
        await opened_view(handle)
        await withdraw(client, handle.id)
        await asyncio.wait_for(written.wait(), 30)
    assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING

    fresh = WatchedStore(records_settings, written_as_it_stands)
    async with build_worker(client, records_settings, RecordedNotifications(), records=fresh):
        final = await handle.result()

    assert dying.results == [Archived.written] and fresh.results[0] is Archived.unchanged
    assert (await fresh.get(handle.id)).view.model_dump(exclude=RECORD_DATES) == final.model_dump()
    assert [s.reference for s in await fresh.closed()].count(handle.id) == 1


async def test_a_closure_is_archived_once_with_its_messages_delivered(
    dev_server: WorkflowEnvironment, records_settings: Settings
) -> None:
    store = WatchedStore(records_settings, written_as_it_stands)
    handle, final = await withdrawn_to_the_end(dev_server.client, records_settings, store)

    assert store.results == [Archived.written]
    stored = (await store.get(handle.id)).view
    assert {notice.status for notice in stored.notifications} == {DeliveryStatus.sent}
    assert stored.model_dump(exclude=RECORD_DATES) == final.model_dump()


async def test_a_closed_case_is_archived_while_a_message_to_it_is_still_retried(
    time_skipping: WorkflowEnvironment, settings: Settings
) -> None:
    """A mail server down for days must not keep a closed case out of the records: written after
    MESSAGES_AWAITED with the message pending, and again when it is given up."""
    store = WatchedStore(settings, written_as_it_stands)
    client = time_skipping.client
    async with build_worker(client, settings, RecordedNotifications(down_for={"org-2"}), records=store):
        handle = await start_case(client, settings)
        await opened_view(handle)
        closed_at = await time_skipping.get_current_time()
        await withdraw(client, handle.id)
        await sleep_until(time_skipping, closed_at + MESSAGES_AWAITED + timedelta(minutes=1))
        stored = (await store.get(handle.id)).view
        assert stored.outcome is CaseOutcome.withdrawn
        assert "org-2" in {notice.to for notice in stored.notifications if notice.status is DeliveryStatus.pending}
        final = await handle.result()  # after three days of retrying, the messages are given up

    assert store.results[0] is Archived.written and len(store.results) > 1
    assert (await store.get(handle.id)).view.model_dump(exclude=RECORD_DATES) == final.model_dump()


async def test_what_happens_after_closure_is_archived_too(
    dev_server: WorkflowEnvironment, records_settings: Settings, records: RecordsStore
) -> None:
    client = dev_server.client
    async with build_worker(client, records_settings, RecordedNotifications(), records=records):
        handle = await start_case(client, records_settings)
        await opened_view(handle)
        decided = date.today() - timedelta(days=10)
        await handle.execute_update(
            DisagreementCase.record_decision,
            RecordDecision(actor="jo.smith", kind=DecisionKind.refusal_to_assess, date=decided),
        )
        closed = await withdraw(client, handle.id)

        async def archived_with(check) -> bool:
            for _ in range(100):
                stored = await records.get(handle.id)
                if stored and check(stored.view):
                    return True
                await asyncio.sleep(0.1)
            return False

        # Closed, but the family's appeal clock runs on: the workflow goes on, and the record is there.
        assert await archived_with(lambda view: view.outcome == closed.outcome)
        assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
        await handle.execute_update(
            DisagreementCase.record_appeal_status, RecordAppealStatus(actor="jo.smith", status=AppealStatus.not_appealing)
        )
        final = await handle.result()

    assert final.appeal_status is AppealStatus.not_appealing
    assert (await records.get(handle.id)).view.model_dump(exclude=RECORD_DATES) == final.model_dump()


async def test_the_web_console_shows_a_closed_case_from_the_records(
    dev_server: WorkflowEnvironment, records_settings: Settings, records: RecordsStore
) -> None:
    from tests.records_fixtures import closed_case
    from tests.web_console import console_over, web_settings
    from web.app import create_app

    case = closed_case(outcome=CaseOutcome.declined)  # never in this Temporal server: as after its retention
    await records.archive(archive_of(case, version=1))
    overrides = {"records_url": records_settings.records_database_url} if records_settings.records_database_url else {}
    app = create_app(web_settings(records_settings.data_dir, records_settings.task_queue, **overrides), dev_server.client)
    async with console_over(app) as console:
        await console.sign_in()
        page = await console.get(f"/cases/{case.reference}")
    assert page.status_code == 200
    assert "Sam Parent" in page.text and "Hill Top Primary" in page.text
    assert "declined" in page.text.lower()
