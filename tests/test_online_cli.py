"""`disagreement propose-slots`, `availability` (the times a party told the officer by phone),
`callback-done`, and `show` with the times each party can make, on a real dev server (DESIGN section
14): refusals in words with exit 2, the next step's command, and `--json` carrying the new case-view
fields."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.calendar import LONDON
from domain.models import RecordAvailability, RequestCallback, party_actor
from tests.cli_helpers import OFFICER, Staff, refused, staff  # noqa: F401 (the shared staff fixture)
from workflows.case import DisagreementCase


def times(days: int, *hours: int) -> list[str]:
    start = (datetime.now(LONDON) + timedelta(days=days)).date()
    return [arg for n, hour in enumerate(hours) for arg in ("--slot", f"{start + timedelta(days=n)}T{hour:02d}:00")]


async def test_times_proposed_answered_and_a_call_back_made_on_the_command_line(staff: Staff, dev_server) -> None:
    reference = (await staff.open())["reference"]
    await staff.json("offer", reference)
    for party in ("applicant", "org-1", "org-2"):
        await staff.json("consent", reference, "--party", party, "--agree")

    refused(await staff.run("propose-slots", reference, *times(7, 10, 14)), "--slot", "propose 3 to 6 session times, not 2")
    past = ["--slot", "2020-01-06T10:00", *times(7, 10, 14)]
    refused(await staff.run("propose-slots", reference, *past), "time 1, 6 January 2020 at 10am, is in the past")
    done = await staff.run("propose-slots", reference, *times(7, 10, 14, 9), "--venue", "Town Hall")
    assert done.code == 0 and "Session times proposed on" in done.stdout

    handle = dev_server.client.get_workflow_handle(reference)  # the parties' links (a development worker)
    for party, slots in (("applicant", [1, 2]), ("org-1", [2])):
        await handle.execute_update(
            DisagreementCase.record_availability, RecordAvailability(actor=party_actor(party), party=party, slots=slots),
        )
    await handle.execute_update(DisagreementCase.request_callback, RequestCallback(actor=party_actor("org-2"), party="org-2"))

    shown = await staff.run("show", reference)
    assert "Session times proposed (still to answer: Rotherham LA)" in shown.stdout
    assert "Sam Parent and Hill Top Primary" in shown.stdout
    case = await staff.json("show", reference)
    assert [(s["number"], s["available"], s["suits_everyone"]) for s in case["slots"]] == [
        (1, ["applicant"], False), (2, ["applicant", "org-1"], False), (3, [], False),
    ]
    assert case["availability_asked"] and [p["availability"] for p in case["parties"]] == [[1, 2], [2], None]
    assert case["callbacks"] == [{"number": 1, "party": "org-2"}]

    noted = await staff.run("note", reference, "--text", "rang the school")
    assert f"disagreement callback-done {reference} --callback 1" in noted.stdout
    refused(await staff.run("callback-done", reference, "--callback", "2"), "there is no call-back 2 waiting; call-backs waiting: 1")
    made = await staff.run("callback-done", reference, "--callback", "1", "--notes", "explained the times")
    assert made.code == 0 and "Call-back recorded on" in made.stdout
    case = await staff.json("show", reference)
    assert next(d for d in case["deadlines"] if d["name"] == "callback-1")["state"] == "met"


async def test_an_officer_records_the_times_a_party_told_them_by_phone_and_bad_input_changes_nothing(staff: Staff, dev_server) -> None:
    """A family without internet rings the officer: `availability` records their times, the officer
    named as who recorded it (never `party:...`, never "answered online"); bad input exits 2 in words."""
    reference = (await staff.open())["reference"]
    await staff.json("offer", reference)
    for party in ("applicant", "org-1", "org-2"):
        await staff.json("consent", reference, "--party", party, "--agree")
    assert (await staff.run("propose-slots", reference, *times(7, 10, 14, 9))).code == 0

    done = await staff.run("availability", reference, "--party", "applicant", "--slot", "3", "--slot", "1", "--notes", "rang on Monday")
    assert done.code == 0, done.stderr
    assert f"The times a party can make recorded on {reference}." in done.stdout
    before = await staff.json("show", reference)

    refused(await staff.run("availability", reference, "--party", "org-1", "--slot", "9"),
            "there is no proposed time 9: the times are numbered 1 to 3")
    refused(await staff.run("availability", reference, "--party", "org-1", "--none", "--slot", "1"), "--slot or --none, not both")
    refused(await staff.run("availability", reference, "--party", "org-1"), "say which times the party can make", "--none")
    refused(await staff.run("availability", reference, "--party", "org-1", "--slot", "0"), "--slot: proposed times are numbered from 1")
    refused(await staff.run("availability", reference, "--party", "org-9", "--none"), "there is no party 'org-9'")
    assert await staff.json("show", reference) == before  # nothing reached the case

    case = await staff.json("availability", reference, "--party", "org-2", "--none")
    assert [p["availability"] for p in case["parties"]] == [[1, 3], None, []]
    assert [(s["number"], s["available"]) for s in case["slots"]] == [(1, ["applicant"]), (2, []), (3, ["applicant"])]
    recorded = [entry for entry in case["timeline"] if entry["event"] == "availability_recorded"]
    assert [(entry["actor"], entry["detail"]) for entry in recorded] == [
        (OFFICER, "Sam Parent can make times 1 and 3. rang on Monday"),
        (OFFICER, "none of the proposed times suit Rotherham LA"),
    ]
    shown = await staff.run("show", reference)
    assert "Session times proposed (still to answer: Hill Top Primary)" in shown.stdout
