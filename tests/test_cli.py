"""The staff command line against a real dev server and worker: whole cases, refusals, listing.

Commands run in-process through typer's runner; a few run as the real program
(`python starter.py ...`). Visibility (`list`) is eventually consistent, so listings are polled.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from cases import client as cases
from domain.calendar import london_date
from domain.words import long_date
from tests.cli_helpers import OFFICER, Staff, late_worker, open_arguments, refused, soon, until
from tests.cli_helpers import staff  # noqa: F401 (the shared staff fixture)
from tests.conftest import new_reference, isolated_settings

PARTIES = ("applicant", "org-1", "org-2")
SESSION_LEAD_SECONDS = 3  # a session just ahead, so that its outcome can be recorded soon after

# DESIGN section 3: the names scripts rely on.
CASE_FIELDS = {
    "reference", "stage", "outcome", "kinds", "ehc_point", "case_officer", "parties", "deadlines",
    "mediator", "session", "actions", "timeline", "notifications",
}
PARTY_FIELDS = {"id", "name", "consent"}
DEADLINE_FIELDS = {"name", "due", "state"}
ACTION_FIELDS = {"number", "description", "owner", "due", "done"}
TIMELINE_FIELDS = {"at", "actor", "event", "detail"}
NOTIFICATION_FIELDS = {"to", "template", "channel", "status"}
SUMMARY_FIELDS = {"reference", "stage", "outcome", "kinds", "case_officer", "next_deadline"}


async def agree_all(staff: Staff, reference: str) -> dict:
    assert (await staff.json("offer", reference))["stage"] == "awaiting_consent"
    for party in PARTIES:
        case = await staff.json("consent", reference, "--party", party, "--agree")
    return case


async def hold_session(staff: Staff, reference: str) -> dict:
    """Agree, assign a mediator, hold a session that starts in a moment, and wait until it has."""
    assert (await agree_all(staff, reference))["stage"] == "arranging_session"
    assigned = await staff.json(
        "assign", reference, "--mediator-name", "Pat Mediator", "--mediator-email", "pat@mediation.example.org",
        "--independent",
    )
    assert assigned["mediator"]["independent"] is True
    scheduled = await staff.json("schedule", reference, "--at", soon(SESSION_LEAD_SECONDS), "--venue", "Town Hall")
    assert scheduled["stage"] == "session_scheduled"
    await asyncio.sleep(SESSION_LEAD_SECONDS + 0.5)
    return scheduled


# --- Whole cases, to each way a case closes ----------------------------------------------------------


async def test_a_case_resolved_in_informal_talks(staff: Staff) -> None:
    case = await staff.open()
    reference = case["reference"]
    assert reference.startswith(f"DR-{london_date(datetime.now(UTC)).year}-")
    assert [deadline["name"] for deadline in case["deadlines"]] == ["talks_review"]

    talked = await staff.json("talk", reference, "--outcome", "unresolved", "--notes", "met at school")
    assert talked["stage"] == "informal_talks"
    closed = await staff.json("talk", reference, "--outcome", "resolved")
    assert (closed["stage"], closed["outcome"]) == ("closed", "resolved_informally")
    assert [entry["event"] for entry in closed["timeline"]][-3:] == ["talk_recorded", "talk_recorded", "case_closed"]


async def test_a_decline_closes_the_case(staff: Staff) -> None:
    reference = (await staff.open())["reference"]
    await staff.run("offer", reference)
    agreed = await staff.json("consent", reference, "--party", "applicant", "--agree")
    assert agreed["stage"] == "awaiting_consent"
    declined = await staff.json("consent", reference, "--party", "org-2", "--decline", "--notes", "prefers tribunal")
    assert (declined["stage"], declined["outcome"]) == ("closed", "declined")
    assert {party["id"]: party["consent"] for party in declined["parties"]} == {
        "applicant": "agreed", "org-1": "pending", "org-2": "declined",
    }


async def test_a_withdrawn_case_refuses_anything_more(staff: Staff, dev_server: WorkflowEnvironment) -> None:
    reference = (await staff.open())["reference"]
    withdrawn = await staff.json("withdraw", reference, "--party", "applicant", "--reason", "moved away")
    assert (withdrawn["stage"], withdrawn["outcome"]) == ("closed", "withdrawn")
    await dev_server.client.get_workflow_handle(reference).result()  # the workflow itself has finished

    refused(await staff.run("note", reference, "--text", "one more thing"), f"case {reference} is closed (withdrawn)")
    assert (await staff.json("show", reference))["outcome"] == "withdrawn"


@pytest.mark.parametrize(
    ("result", "actions", "closing"),
    [
        ("full_agreement", ["Fund 20 hours of therapy|org-2"], "full_agreement"),
        (
            "partial_agreement",
            ["Review the plan|org-2|2099-01-15", "Share the therapy report|org-1"],
            "partial_agreement",
        ),
        ("no_agreement", [], "no_agreement"),
    ],
)
async def test_a_session_outcome_closes_the_case(staff: Staff, result: str, actions: list[str], closing: str) -> None:
    reference = (await staff.open())["reference"]
    await hold_session(staff, reference)
    agreed = [arg for action in actions for arg in ("--action", action)]
    recorded = await staff.json("outcome", reference, "--result", result, *agreed)
    if actions:
        assert recorded["stage"] == "monitoring_agreement"
        assert [action["owner"] for action in recorded["actions"]] == [action.split("|")[1] for action in actions]
        for number in range(1, len(actions) + 1):
            recorded = await staff.json("action-done", reference, "--action", str(number))
    assert (recorded["stage"], recorded["outcome"]) == ("closed", closing)


async def test_the_json_case_view_keeps_the_contract_names(staff: Staff) -> None:
    reference = (await staff.open("--appeal-deadline", "2099-03-01"))["reference"]
    await hold_session(staff, reference)
    case = await staff.json("outcome", reference, "--result", "full_agreement", "--action", "Fund therapy|org-2")

    assert CASE_FIELDS <= set(case)
    assert all(PARTY_FIELDS <= set(party) for party in case["parties"])
    assert {"role", "kind"} <= set(case["parties"][0])
    assert all(DEADLINE_FIELDS <= set(deadline) for deadline in case["deadlines"])
    assert {"action-1", "appeal"} <= {deadline["name"] for deadline in case["deadlines"]}
    assert ACTION_FIELDS <= set(case["actions"][0])
    assert all(TIMELINE_FIELDS <= set(entry) for entry in case["timeline"])
    assert case["notifications"] and all(NOTIFICATION_FIELDS <= set(notice) for notice in case["notifications"])
    assert {"name", "email", "independent"} <= set(case["mediator"])
    assert {"at", "venue"} <= set(case["session"])
    assert case["session"]["venue"] == "Town Hall"


class MondayTheSecondOfFebruary2099(datetime):
    """The command line's "today", fixed: Monday 2 February 2099, 10:00 in England."""

    @classmethod
    def now(cls, tz=None):
        return datetime(2099, 2, 2, 10, 0, tzinfo=UTC).astimezone(tz)


async def test_show_prints_stage_parties_deadlines_and_latest_events(staff: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    case = await staff.open()
    reference = case["reference"]
    await staff.run("note", reference, "--text", "Family asked for a call after 4pm")
    await staff.run("extend", reference, "--deadline", "talks_review", "--until", "2099-02-16", "--reason", "half term")
    monkeypatch.setattr("cli.render.datetime", MondayTheSecondOfFebruary2099)
    shown = await staff.run("show", reference)
    assert shown.code == 0
    assert f"Case {reference} is in informal talks" in shown.stdout
    for words in ("Sam Parent", "Hill Top Primary", "Rotherham LA", "pending", "Family asked for a call after 4pm"):
        assert words in shown.stdout
    # From Monday 2 to Monday 16 February 2099: two weeks of weekdays after the 2nd, then the
    # 16th itself, and no bank holiday in February: 10 working days left.
    line = next(line for line in shown.stdout.splitlines() if "talks_review" in line)
    # Who owes it, its due date, state, working days left and the rule that sets it.
    assert line.split()[:6] == ["talks_review", "case", "officer", "2099-02-16", "open", "10"]
    assert "[policy] 15 working days" in line


async def test_extend_moves_a_deadline_and_says_why(staff: Staff) -> None:
    case = await staff.open()
    reference, due = case["reference"], date.fromisoformat(case["deadlines"][0]["due"])
    extended = await staff.json(
        "extend", reference, "--deadline", "talks_review", "--until", "2099-01-05", "--reason", "school closed"
    )
    assert extended["deadlines"][0]["due"] == "2099-01-05"
    assert extended["timeline"][-1]["event"] == "deadline_extended"
    assert f"from {long_date(due)} to 5 January 2099: school closed" in extended["timeline"][-1]["detail"]


# --- Refusals: exit 2 with the reason in words ---------------------------------------------------------


async def test_an_unknown_reference_is_no_case(staff: Staff) -> None:
    reference = new_reference()
    refused(await staff.run("show", reference), f"no case {reference}")
    refused(await staff.run("offer", reference), f"no case {reference}")


async def test_a_duplicate_reference_is_refused(staff: Staff) -> None:
    reference = new_reference()
    assert (await staff.open("--reference", reference))["reference"] == reference
    refused(await staff.run(*open_arguments("--reference", reference)), f"case {reference} already exists")


async def test_an_action_in_the_wrong_stage_is_refused(staff: Staff) -> None:
    reference = (await staff.open())["reference"]
    refused(
        await staff.run("consent", reference, "--party", "applicant", "--agree"),
        "cannot record consent while the case is in informal talks",
    )
    refused(await staff.run("outcome", reference, "--result", "no_agreement"), "cannot record a session outcome")
    shown = await staff.json("show", reference)
    assert [entry["event"] for entry in shown["timeline"]] == ["case_opened"]  # no trace of either


async def test_an_unknown_party_is_refused(staff: Staff) -> None:
    reference = (await staff.open())["reference"]
    await staff.run("offer", reference)
    refused(
        await staff.run("consent", reference, "--party", "org-7", "--agree"),
        "there is no party 'org-7'", "its parties are applicant, org-1, org-2",
    )


async def test_a_session_in_the_past_and_a_mediator_not_independent_are_refused(staff: Staff) -> None:
    reference = (await staff.open())["reference"]
    await agree_all(staff, reference)
    refused(
        await staff.run("assign", reference, "--mediator-name", "Lee LA", "--mediator-email", "lee@la.example.gov.uk"),
        "integrated care board or NHS England",
    )
    await staff.run(
        "assign", reference, "--mediator-name", "Pat Mediator", "--mediator-email", "pat@mediation.example.org",
        "--independent",
    )
    refused(await staff.run("schedule", reference, "--at", "2020-01-06T10:00"), "is in the past")


async def test_the_acting_member_of_staff_is_recorded(staff: Staff) -> None:
    case = await staff.open("--as", "ann.lee", DISAGREEMENT_STAFF_ID=None)
    assert (case["case_officer"], case["timeline"][0]["actor"]) == ("ann.lee", "ann.lee")  # officer by default
    refused(await staff.run("offer", case["reference"], DISAGREEMENT_STAFF_ID=None), "say who you are")
    offered = await staff.json("offer", case["reference"])
    assert offered["timeline"][-1]["actor"] == OFFICER


# --- The real program ----------------------------------------------------------------------------------


async def test_the_program_runs_a_case(staff: Staff) -> None:
    opened = await staff.program(*open_arguments(), "--json")
    reference = opened.json["reference"]
    shown = await staff.program("show", reference)
    assert shown.code == 0
    assert f"Case {reference} is in informal talks" in shown.stdout
    withdrawn = await staff.program("withdraw", reference, "--party", "org-1", "--reason", "case settled", "--json")
    assert withdrawn.json["outcome"] == "withdrawn"
    refused(await staff.program("withdraw", reference, "--party", "org-1", "--reason", "again"), "is closed")


async def test_a_server_that_cannot_be_reached_exits_1_naming_it(staff: Staff) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    down = await staff.program("show", new_reference(), TEMPORAL_ADDRESS=address)
    assert down.code == 1
    assert f"cannot reach the Temporal server at {address}" in down.said
    assert "Traceback" not in down.stderr


# --- Listing -------------------------------------------------------------------------------------------


async def listed(staff: Staff, expected: set[str], *filters: str) -> list[dict]:
    """The `list --json` rows once exactly the expected cases show (visibility lags a little)."""

    async def matching() -> list[dict] | None:
        rows = await staff.json("list", *filters)
        return rows if {row["reference"] for row in rows} == expected else None

    rows = await until(matching)
    assert rows is not None, f"list {' '.join(filters)} never showed exactly {expected}"
    return rows


def new_officer() -> str:
    return f"officer-{uuid.uuid4().hex[:8]}"


async def test_list_by_officer_and_stage(staff: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cases, "LIST_PAGE_SIZE", 1)  # every case on a page of its own: all pages are read
    officer = new_officer()
    talking = (await staff.open("--case-officer", officer))["reference"]
    offered = (await staff.open("--case-officer", officer))["reference"]
    await staff.open()  # someone else's
    await staff.run("offer", offered)

    rows = await listed(staff, {talking, offered}, "--officer", officer)
    assert all(SUMMARY_FIELDS <= set(row) for row in rows)
    assert all(row["case_officer"] == officer and row["kinds"] == ["provision"] for row in rows)
    await listed(staff, {offered}, "--officer", officer, "--stage", "awaiting_consent")
    await listed(staff, {talking}, "--officer", officer, "--stage", "informal_talks")

    readable = await staff.run("list", "--officer", officer)
    assert readable.code == 0
    assert talking in readable.stdout and offered in readable.stdout and "Sam Parent" not in readable.stdout


async def test_list_overdue(staff: Staff, dev_server: WorkflowEnvironment, tmp_path: Path) -> None:
    late = isolated_settings(tmp_path / "late")
    officer = new_officer()
    async with late_worker(dev_server.client, late):
        on_time = (await staff.open("--case-officer", officer))["reference"]
        overdue = (await staff.open("--case-officer", officer, DISAGREEMENT_TASK_QUEUE=late.task_queue))["reference"]

        rows = await listed(staff, {overdue}, "--officer", officer, "--overdue")
        assert rows[0]["stage"] == "informal_talks" and rows[0]["next_deadline"] is not None
        await listed(staff, {on_time, overdue}, "--officer", officer)
        readable = await staff.run("list", "--officer", officer, "--overdue")
        assert "(overdue)" in readable.stdout
        shown = await staff.run("show", overdue, DISAGREEMENT_TASK_QUEUE=late.task_queue)
        assert "missed: still to be done" in shown.stdout
