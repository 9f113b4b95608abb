"""The records commands against a real dev server and worker, on SQLite and PostgreSQL: closed
cases read from the archive, legal holds, erasure, and subject access across open and closed cases."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.models import Applicant, ApplicantRole, CaseOutcome, Contact
from infra.settings import Settings
from records.contacts import ContactIndex
from records.models import archive_of
from records.store import RecordsStore
from tests.cli_helpers import Staff
from tests.conftest import open_case
from tests.records_fixtures import closed_case, terminal_on_records

SUBJECT_NAME, SUBJECT_EMAIL = "Robin Subject", "robin.subject@example.org"
# Two records officers: one asks for an erasure, the other approves it.
SAM = ("--as", "sam.jones", "--role", "records_officer")
KIM = ("--as", "kim.patel", "--role", "records_officer")


@pytest_asyncio.fixture(loop_scope="session")
async def staff(dev_server: WorkflowEnvironment, records_settings: Settings) -> AsyncIterator[Staff]:
    async with terminal_on_records(dev_server, records_settings) as staff:
        yield staff


def refused(outcome, *words: str) -> None:
    assert outcome.code == 2, (outcome.code, outcome.stdout, outcome.stderr)
    assert "Traceback" not in outcome.stderr
    for word in words:
        assert word in outcome.said, outcome.said


async def test_a_closed_case_temporal_no_longer_has_shows_from_the_archive(staff: Staff, records: RecordsStore) -> None:
    case = closed_case(outcome=CaseOutcome.declined)
    await records.archive(archive_of(case, version=1))

    shown = await staff.json("show", case.reference)
    assert shown == {**case.view().model_dump(mode="json"), "closed_at": "2026-11-30T15:00:00Z", "delete_after": "2032-11-30"}
    table = await staff.run("show", case.reference)
    assert table.code == 0 and f"Case {case.reference} is closed" in table.stdout and "declined" in table.stdout

    [closed] = [s for s in await staff.json("list", "--closed") if s["reference"] == case.reference]
    assert (closed["stage"], closed["outcome"], closed["delete_after"], closed["on_hold"]) == (
        "closed", "declined", "2032-11-30", False,
    )
    # Not among the open cases `list` shows (DESIGN section 13); by stage, from the archive.
    assert case.reference not in {s["reference"] for s in await staff.json("list")}
    assert case.reference in {s["reference"] for s in await staff.json("list", "--stage", "closed")}
    assert [s["reference"] for s in await staff.json("list", "--outcome", "declined")] == [case.reference]
    assert await staff.json("list", "--closed", "--closed-after", "2026-11-30") == []
    listed = await staff.run("list", "--closed", "--closed-before", "2026-12-01")
    assert case.reference in listed.stdout and "30 November 2032" in listed.stdout  # delete after

    refused(await staff.run("note", case.reference, "--text", "late"), f"case {case.reference} is closed (declined)")
    refused(await staff.run("list", "--closed", "--stage", "informal_talks"), "leave out --stage")


async def test_a_closed_case_shows_its_record_dates_while_its_appeal_clock_runs_and_its_record_once_finished(
    staff: Staff, records: RecordsStore, dev_server: WorkflowEnvironment
) -> None:
    """`show` asks a running case first and reads the records only for a closed one (cases/client.py)."""
    reference = (await staff.open())["reference"]
    decided = date.today() - timedelta(days=10)
    await staff.json("decision", reference, "--kind", "refusal_to_assess", "--date", decided.isoformat())
    await staff.json("withdraw", reference, "--party", "applicant", "--reason", "the family moved away")

    async def record_where(check):
        for _ in range(100):
            stored = await records.get(reference)
            if stored is not None and check(stored.view):
                return stored.view
            await asyncio.sleep(0.1)
        raise AssertionError(f"{reference} was not archived")

    archived = await record_where(lambda view: view.stage.value == "closed")
    shown = await staff.json("show", reference)  # closed, its workflow still running for the appeal clock
    assert shown["stage"] == "closed" and shown["appeal_status"] is None
    dates = archived.model_dump(mode="json", include={"closed_at", "delete_after"})
    assert {key: shown[key] for key in dates} == dates and all(dates.values())

    await staff.json("appeal-status", reference, "--not-appealing")
    await dev_server.client.get_workflow_handle(reference).result()  # finished; Temporal keeps its history
    final = await record_where(lambda view: view.appeal_status is not None)
    assert await staff.json("show", reference) == final.model_dump(mode="json")


async def test_a_hold_stops_erasure_and_erasure_leaves_no_trace(staff: Staff, records: RecordsStore) -> None:
    case = closed_case()
    await records.archive(archive_of(case, version=1))

    refused(await staff.run("hold", *SAM, "DR-2026-ZZZZZZ", "--reason", "complaint"), "no case DR-2026-ZZZZZZ")
    refused(await staff.run("hold", *SAM, case.reference, "--reason", " "), "--reason")
    assert (await staff.run("hold", *SAM, case.reference, "--reason", "complaint to the Ombudsman")).code == 0
    refused(await staff.run("hold", *SAM, case.reference, "--reason", "again"), "already on legal hold")
    assert [(held.reference, held.placed_by) for held in await records.holds()] == [(case.reference, "sam.jones")]
    [listed] = await staff.json("list", "--closed")
    assert listed["on_hold"] is True
    refused(await staff.run("erase", *SAM, case.reference, "--reason", "erasure request"), "on legal hold")

    assert (await staff.run("release", *KIM, case.reference, "--reason", "complaint closed")).code == 0
    refused(await staff.run("release", *SAM, case.reference, "--reason", "again"), "not on legal hold")

    asked = await staff.run("erase", *SAM, case.reference, "--reason", "erasure request")
    assert asked.code == 0 and "nothing is erased yet" in asked.stdout, asked.stderr
    assert (await records.traces_of(case.reference))["case_records"] == 1
    refused(await staff.run("erase", *KIM, case.reference, "--reason", "again"), "already asked for by sam.jones")
    by_the_asker = await staff.run("approve-erase", *SAM, case.reference)
    assert by_the_asker.code == 4 and "needs a second records officer to approve it" in by_the_asker.said
    assert "Traceback" not in by_the_asker.stderr and (await records.traces_of(case.reference))["case_records"] == 1

    erased = await staff.run("approve-erase", *KIM, case.reference)
    assert erased.code == 0, erased.stderr
    assert "who asked (sam.jones) and approved (kim.patel)" in erased.stdout

    assert await records.traces_of(case.reference) == {
        "case_records": 0, "held_copies": 0, "contact_index": 0, "legal_holds": 0, "hold_log": 0,
        "erasure_requests": 0, "answer_links": 0, "case_keys": 0,
    }
    [entry] = await records.deletion_log()
    assert (entry.reference, entry.rule, entry.requested_by, entry.deleted_by) == (
        case.reference, "erased: erasure request", "sam.jones", "kim.patel",
    )
    refused(await staff.run("show", case.reference), f"no case {case.reference}")
    refused(await staff.run("approve-erase", *KIM, case.reference), f"no erasure of case {case.reference} has been asked for")
    refused(await staff.run("erase", *SAM, case.reference, "--reason", "again"), f"no closed case {case.reference}")


async def test_approving_an_erasure_nobody_asked_for_is_refused_in_words(staff: Staff, records: RecordsStore) -> None:
    case = closed_case()
    await records.archive(archive_of(case, version=1))
    refused(await staff.run("approve-erase", *KIM, case.reference), "has been asked for", "asks for it first")
    assert (await records.traces_of(case.reference))["case_records"] == 1


async def test_an_open_case_cannot_be_erased(staff: Staff) -> None:
    opened = await staff.open()
    refused(await staff.run("erase", *SAM, opened["reference"], "--reason", "erasure request"), "still running")


async def test_export_finds_a_person_across_three_cases_and_nobody_else(
    staff: Staff, records: RecordsStore, records_settings: Settings, tmp_path: Path
) -> None:
    subject = Contact(email=SUBJECT_EMAIL)
    as_applicant = closed_case(open_case(applicant=Applicant(role=ApplicantRole.parent, name=SUBJECT_NAME, contact=subject)))
    as_mediator = closed_case(mediator=(SUBJECT_NAME, SUBJECT_EMAIL.upper()))  # the index ignores case
    not_theirs = closed_case(mediator=("Pat Mediator", "pat@accord.example.org"))
    for case in (as_applicant, as_mediator, not_theirs):
        await records.archive(archive_of(case, version=1))
    as_supporter = await staff.open("--supporter", f"{SUBJECT_NAME}|{SUBJECT_EMAIL}")  # open, in Temporal

    out = tmp_path / "sar.json"
    said = await staff.run("export", *SAM, "--email", SUBJECT_EMAIL, "--out", str(out))
    assert said.code == 0, said.stderr
    # The export log: who, how many cases, and whom for as the contact index's keyed digest only.
    [logged] = await records.export_log()
    assert (logged.exported_by, logged.cases) == ("sam.jones", 3)
    assert logged.subject == ContactIndex(records_settings.encryption_key_ring()).subject_of(email=SUBJECT_EMAIL)
    assert SUBJECT_EMAIL not in repr(logged) and SUBJECT_EMAIL.split("@")[0] not in repr(logged)

    exported = json.loads(out.read_text())
    found = {case["reference"]: (case["status"], case["your_roles"]) for case in exported["cases"]}
    assert found == {
        as_applicant.reference: ("closed", ["applicant"]),
        as_mediator.reference: ("closed", ["mediator"]),
        as_supporter["reference"]: ("open", ["supporter"]),
    }
    document = out.with_suffix(".txt").read_text()
    assert as_supporter["reference"] in document and SUBJECT_NAME in document
    everything = out.read_text() + document
    # Other people in those cases (the other cases' parents, the supporter of the closed ones) are withheld.
    for other in ("Sam Parent", "sam.parent@example.org", "Ali Adviser", "ali@sendiass.example.org", "Pat Mediator",
                  not_theirs.reference):
        assert other not in everything, other
    assert "Hill Top Primary" in everything  # organisations are not third-party people
    assert oct(out.stat().st_mode & 0o777) == "0o600"


async def test_export_asks_whom_to_look_for(staff: Staff) -> None:
    refused(await staff.run("export", "--role", "records_officer"), "--email")
    refused(await staff.run("export", "--role", "records_officer", "--email", "not-an-email"), "email")


async def test_an_unreachable_records_database_is_said_in_words_without_its_password(staff: Staff) -> None:
    from tests.delivery_servers import free_port

    url = f"postgresql://records:s3cret-pw@127.0.0.1:{free_port()}/records"
    said = await staff.run("list", "--closed", DISAGREEMENT_RECORDS_URL=url)
    assert said.code == 1, (said.stdout, said.stderr)
    assert "cannot reach the records database" in said.said and "Traceback" not in said.stderr
    assert "s3cret-pw" not in said.stderr + said.stdout


async def test_closed_cases_are_listed_while_temporal_is_down(staff: Staff, records: RecordsStore) -> None:
    from tests.delivery_servers import free_port

    case = closed_case()
    await records.archive(archive_of(case, version=1))
    listed = await staff.json("list", "--closed", TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}")
    assert [summary["reference"] for summary in listed] == [case.reference]
