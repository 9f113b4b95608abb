"""The appeal clock through the real command line: `decision`, `appeal-status`, `list --appeal-before`."""

from __future__ import annotations

from datetime import timedelta

from domain.appeal import appeal_deadline
from domain.calendar import WorkingCalendar
from domain.words import long_date
from tests.cli_helpers import Staff, deadline, has, includes, open_arguments, refused, today, until
from tests.cli_helpers import staff  # noqa: F401 (the shared staff fixture)


async def test_decision_computes_the_deadline_and_appeal_status_stops_the_clock(staff: Staff) -> None:
    reference = (await staff.open())["reference"]
    decided = today() - timedelta(days=12)
    case = await staff.json("decision", reference, "--kind", "refusal_to_assess", "--date", decided.isoformat())
    due = appeal_deadline(decided, None, WorkingCalendar())
    assert case["appeal_deadline"] == due.isoformat()
    assert case["decision"] == {"kind": "refusal_to_assess", "date": decided.isoformat()}
    assert has(deadline(case, "appeal"), due=due.isoformat(), state="open", owed_by="applicant")
    assert "HESC Rules 2008 r.20(1)(c)" in deadline(case, "appeal")["source"]

    shown = await staff.run("show", reference)
    assert f"Appeal deadline {long_date(due)} at 5pm" in shown.stdout

    async def listed(day) -> list[str]:
        return [row["reference"] for row in await staff.json("list", "--appeal-before", day.isoformat())]

    assert await until(lambda: includes(listed(due), reference))
    assert reference not in await listed(due - timedelta(days=1))
    row = next(r for r in await staff.json("list", "--appeal-before", due.isoformat()) if r["reference"] == reference)
    assert row["appeal_deadline"] == due.isoformat()

    case = await staff.json("appeal-status", reference, "--not-appealing")
    assert case["appeal_status"] == "not_appealing"
    assert has(deadline(case, "appeal"), due=due.isoformat(), state="cancelled", settled_on=today().isoformat(),
               settled_by=len(case["timeline"]))
    assert await until(lambda: _lacks(listed(due), reference))


async def _lacks(rows, reference: str) -> bool:
    return reference not in await rows


async def test_appeal_clock_error_paths(staff: Staff) -> None:
    reference = (await staff.open())["reference"]
    tomorrow = (today() + timedelta(days=1)).isoformat()
    refused(await staff.run("decision", reference, "--kind", "plan_contents", "--date", tomorrow), "in the future")
    refused(await staff.run("decision", reference, "--kind", "plan_contents", "--date", "9999-12-31"), "--date")
    refused(await staff.run("decision", reference, "--kind", "no_such_kind", "--date", "2026-01-01"), "--kind")
    refused(await staff.run("appeal-status", reference, "--lodged"), "no appeal deadline")
    refused(await staff.run("appeal-status", reference), "--lodged or --not-appealing")
    yesterday = (today() - timedelta(days=1)).isoformat()
    refused(await staff.run(*open_arguments("--appeal-deadline", yesterday)), "already passed")


async def test_recording_the_appeal_status_says_when_and_by_which_entry_it_was_settled(staff: Staff) -> None:
    reference = (await staff.open())["reference"]
    await staff.json("decision", reference, "--kind", "refusal_to_assess", "--date", (today() - timedelta(days=12)).isoformat())
    case = await staff.json("appeal-status", reference, "--lodged")
    assert has(deadline(case, "appeal"), state="met", settled_on=today().isoformat(), settled_by=len(case["timeline"]))
