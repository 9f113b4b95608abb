"""A legal hold on an open case keeps it (records/holding.py), through the real command line, worker and
dev server, on SQLite and PostgreSQL: held, the case's view is copied to the records store on every
change; released, no longer; deleted from Temporal while held, the purge reports it and the copy
still holds it."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest_asyncio
from structlog.testing import capture_logs
from temporalio.client import WorkflowHandle
from temporalio.converter import DataConverter, WorkflowSerializationContext
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from domain.calendar import london_date
from domain.words import long_date
from infra.binaries import installed_binary
from infra.settings import Settings
from records.models import HeldCopied, archive_of
from records.names import COPY_HELD_CASE
from records.purge import PurgeRecords
from records.store import HeldCopy, RecordsStore
from tests.cli_helpers import Staff, refused
from tests.records_fixtures import closed_case, terminal_on_records

SUBJECT_NAME, SUBJECT_EMAIL = "Robin Subject", "robin.subject@example.org"
RECORDS_OFFICER = ("--as", "sam.jones", "--role", "records_officer")


@pytest_asyncio.fixture(loop_scope="session")
async def staff(dev_server: WorkflowEnvironment, records_settings: Settings) -> AsyncIterator[Staff]:
    async with terminal_on_records(dev_server, records_settings) as staff:
        yield staff


async def held_copy_where(records: RecordsStore, reference: str, check: Callable[[HeldCopy], bool]) -> HeldCopy:
    for _ in range(100):
        held = await records.held_copy(reference)
        if held is not None and check(held):
            return held
        await asyncio.sleep(0.1)
    raise AssertionError(f"no held copy of {reference} as expected")


async def copy_of_case(staff: Staff, records: RecordsStore, reference: str) -> HeldCopy:
    """The held copy, once it is the case as `show` has it (a message's delivery report may still be
    on its way, and is copied too)."""
    for _ in range(100):
        shown, held = await staff.json("show", reference), await records.held_copy(reference)
        if held is not None and view_of(held) == shown:
            return held
        await asyncio.sleep(0.1)
    raise AssertionError(f"the held copy of {reference} is not the case")


async def copies(handle: WorkflowHandle, converter: DataConverter) -> tuple[int, list[HeldCopied]]:
    """How many copies the case's history asked for, and the records store's answers so far (read
    with the case's own data key: `converter` is the test's, scoped to the case)."""
    converter = converter.with_context(WorkflowSerializationContext(namespace="default", workflow_id=handle.id))
    events = (await handle.fetch_history()).events
    asked = {
        event.event_id for event in events
        if event.HasField("activity_task_scheduled_event_attributes")
        and event.activity_task_scheduled_event_attributes.activity_type.name == COPY_HELD_CASE
    }
    answers = []
    for event in events:
        completed = event.activity_task_completed_event_attributes
        if event.HasField("activity_task_completed_event_attributes") and completed.scheduled_event_id in asked:
            [answer] = await converter.decode(completed.result.payloads, [HeldCopied])
            answers.append(answer)
    return len(asked), answers


def view_of(held: HeldCopy) -> dict:
    return held.record.view.model_dump(mode="json")


async def test_a_held_open_case_is_copied_on_every_change_until_released(
    staff: Staff, records: RecordsStore, dev_server: WorkflowEnvironment
) -> None:
    reference = (await staff.open())["reference"]
    handle = dev_server.client.get_workflow_handle(reference)
    await staff.json("note", reference, "--text", "before the hold")
    assert await records.held_copy(reference) is None and await copies(handle, dev_server.client.data_converter) == (0, [])  # never held: never copied

    placed = await staff.run("hold", reference, "--reason", "Tribunal appeal", *RECORDS_OFFICER)
    assert placed.code == 0 and "copied to the records now and on every change" in placed.stdout, placed.stderr
    held = await copy_of_case(staff, records, reference)
    assert held.on_hold
    assert {person.email for person in held.record.people} >= {"sam.parent@example.org", "senco@hilltop.example.org"}

    noted = await staff.json("note", reference, "--text", "the school's letter arrived")
    await held_copy_where(records, reference, lambda held: view_of(held) == noted)  # never behind the case

    assert (await staff.run("release", reference, "--reason", "appeal withdrawn", *RECORDS_OFFICER)).code == 0
    for _ in range(100):  # the workflow asks the records once more, and hears the hold is gone
        asked, answers = await copies(handle, dev_server.client.data_converter)
        if answers[-1] is HeldCopied.not_held and len(answers) == asked:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the release never reached the case")
    later = await staff.json("note", reference, "--text", "after the release")
    # A copy would be asked for in the workflow task that completes the note: none was.
    assert (await copies(handle, dev_server.client.data_converter))[0] == asked
    kept = await records.held_copy(reference)
    assert view_of(kept) == noted and view_of(kept) != later and not kept.on_hold  # the copy stays as it was


async def test_a_held_open_case_deleted_from_temporal_is_reported_by_the_purge_and_its_copy_still_holds_it(
    staff: Staff, records: RecordsStore, dev_server: WorkflowEnvironment, records_settings: Settings, tmp_path: Path
) -> None:
    held = (await staff.open("--supporter", f"{SUBJECT_NAME}|{SUBJECT_EMAIL}"))["reference"]
    not_held = (await staff.open())["reference"]
    finished = closed_case()  # a held closed case whose workflow Temporal's retention has removed
    await records.archive(archive_of(finished, version=1))
    for reference in (held, finished.reference):
        assert (await staff.run("hold", reference, "--reason", "complaint to the Ombudsman", *RECORDS_OFFICER)).code == 0
    copy = await held_copy_where(records, held, lambda copy: True)

    for reference in (held, not_held):
        await delete_from_temporal(dev_server, reference)

    with capture_logs() as logs:
        report = await purge(dev_server, records_settings)
    assert report.deleted == []
    [missing] = report.missing
    today = london_date(datetime.now(UTC))
    assert (missing.reference, missing.held_copy_from, missing.missing_since) == (held, copy.copied_at, today)
    warnings = [line for line in logs if line["log_level"] == "warning"]
    assert warnings == [{"event": "held case missing from Temporal", "reference": held, "log_level": "warning"}]

    # Staff see it in the holds listing; the closed case's hold is as before.
    listed = await staff.run("holds")
    [row] = [line for line in listed.stdout.splitlines() if held in line]
    assert f"case missing from Temporal: held copy from {long_date(london_date(copy.copied_at))}" in row
    [closed_row] = [line for line in listed.stdout.splitlines() if finished.reference in line]
    assert "missing" not in closed_row
    assert {hold["reference"]: hold["missing_since"] for hold in await staff.json("holds")} == {
        held: today.isoformat(), finished.reference: None,
    }

    # The held copy still holds the case: it outlives the purge, and subject access finds it.
    assert view_of(await records.held_copy(held)) == view_of(copy)
    out = tmp_path / "sar.json"
    assert (await staff.run("export", "--email", SUBJECT_EMAIL, "--out", str(out), *RECORDS_OFFICER)).code == 0
    [found] = json.loads(out.read_text())["cases"]
    assert (found["reference"], found["status"], found["your_roles"]) == (held, "held_copy", ["supporter"])

    again = await purge(dev_server, records_settings)  # still reported, from the day first found
    assert [(case.reference, case.missing_since) for case in again.missing] == [(held, today)]

    assert (await staff.run("release", held, "--reason", "complaint answered", *RECORDS_OFFICER)).code == 0  # a finished case: no signal
    assert [hold["reference"] for hold in await staff.json("holds")] == [finished.reference]
    assert (await purge(dev_server, records_settings)).missing == []


async def test_a_hold_placed_without_telling_the_case_is_told_by_the_purge(
    staff: Staff, records: RecordsStore, dev_server: WorkflowEnvironment, records_settings: Settings
) -> None:
    """A hold from before copying existed, or whose signal was lost, starts the copying at the next purge."""
    reference = (await staff.open())["reference"]
    await records.hold(reference, "court case", "jo.smith", datetime.now(UTC))  # the store alone, as 1.0.0 did
    assert (await purge(dev_server, records_settings)).missing == []
    await copy_of_case(staff, records, reference)
    refused(await staff.run("hold", reference, "--reason", "again", *RECORDS_OFFICER), "already on legal hold")


async def delete_from_temporal(env: WorkflowEnvironment, reference: str) -> None:
    """What an operator does by mistake: `temporal workflow delete`, which leaves no trace."""
    process = await asyncio.create_subprocess_exec(
        installed_binary("temporal"), "workflow", "delete", "--workflow-id", reference, "--yes",
        "--address", env.client.service_client.config.target_host,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    for _ in range(100):  # the server deletes in the background
        try:
            await env.client.get_workflow_handle(reference).describe()
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return
            raise
        await asyncio.sleep(0.1)
    raise AssertionError(f"{reference} was not deleted")


async def purge(env: WorkflowEnvironment, settings: Settings):
    return await env.client.execute_workflow(PurgeRecords.run, id=f"purge-{uuid.uuid4()}", task_queue=settings.task_queue)
