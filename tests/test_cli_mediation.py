"""A whole statutory mediation case through the real command line, and its error paths."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.appeal import appeal_deadline
from domain.calendar import WorkingCalendar
from tests.cli_helpers import Staff, includes, open_arguments, refused, soon, today, until
from tests.cli_helpers import staff  # noqa: F401 (the shared staff fixture)


def mediation_arguments(*extra: str, decided: date | None = None) -> list[str]:
    return [
        "open-mediation",
        "--applicant-name", "Sam Parent",
        "--applicant-role", "parent",
        "--applicant-email", "sam.parent@example.org",
        "--local-authority", "Rotherham LA|send@la.example.gov.uk",
        "--health-commissioner", "South Yorkshire ICB|chc@icb.example.nhs.uk",
        "--decision", "refusal_to_assess",
        "--decision-date", (decided or today() - timedelta(days=10)).isoformat(),
        "--issue", "education", "--issue", "health",
        *extra,
    ]


async def test_a_whole_mediation_case_on_the_command_line(staff: Staff) -> None:
    decided = today() - timedelta(days=10)
    case = await staff.json(*mediation_arguments(decided=decided))
    reference = case["reference"]
    assert reference.startswith("MD-") and case["route"] == "mediation" and case["stage"] == "advice"
    assert case["decision"] == {"kind": "refusal_to_assess", "date": decided.isoformat()}
    assert case["appeal_deadline"] == appeal_deadline(decided, None, WorkingCalendar()).isoformat()
    assert [p["id"] for p in case["parties"]] == ["applicant", "org-1", "org-2"]

    case = await staff.json("choose", reference, "--mediate")
    assert case["stage"] == "arranging_session"
    assert {d["name"] for d in case["deadlines"]} >= {"mediation_arrangement", "health_notice", "appeal"}

    await staff.json(
        "assign", reference, "--mediator-name", "Pat Mediator", "--mediator-email", "pat@mediation.example.org",
        "--independent",
    )
    case = await staff.json("schedule", reference, "--at", soon(4), "--short-notice-agreed", "--la-attendee", "Head of SEN")
    assert case["stage"] == "session_scheduled" and case["session"]["la_attendee"] == "Head of SEN"
    assert await until(lambda: _session_held(staff, reference))
    case = await staff.json(
        "outcome", reference, "--result", "partial_agreement", "--action", "Assess speech and language|org-1",
        "--child-views-sought",
    )
    assert case["stage"] == "monitoring_agreement"
    assert {"name": "certificate", "state": "open"}.items() <= next(d for d in case["deadlines"] if d["name"] == "certificate").items()

    case = await staff.json("certificate", reference)
    assert case["certificate"] == {"issued_on": today().isoformat(), "reason": "mediation_concluded"}
    assert case["appeal_deadline"] == appeal_deadline(decided, today(), WorkingCalendar()).isoformat()
    case = await staff.json("action-done", reference, "--action", "1")
    assert (case["stage"], case["outcome"]) == ("closed", "partial_agreement")

    shown = await staff.run("show", reference)
    assert "statutory mediation" in shown.stdout and "Mediation certificate" in shown.stdout

    async def listed(*options: str) -> list[str]:
        return [row["reference"] for row in await staff.json("list", *options)]

    assert await until(lambda: includes(listed("--route", "mediation"), reference))
    assert reference not in await listed("--route", "disagreement_resolution")
    case = await staff.json("appeal-status", reference, "--not-appealing")
    assert case["appeal_status"] == "not_appealing"


async def _session_held(staff: Staff, reference: str) -> bool:
    case = await staff.json("show", reference)
    return datetime.fromisoformat(case["session"]["at"]) < datetime.now(UTC)


async def test_mediation_error_paths(staff: Staff) -> None:
    tomorrow = (today() + timedelta(days=1)).isoformat()
    refused(await staff.run(*mediation_arguments(decided=today() + timedelta(days=1))), "in the future")
    refused(await staff.run(*mediation_arguments("--reference", "DR-2026-ABCDEF")), "open-mediation", "MD-")

    reference = (await staff.json(*mediation_arguments()))["reference"]
    refused(await staff.run("certificate", reference), "record their choice first")
    refused(await staff.run("choose", reference), "--mediate or --no-mediation")
    refused(await staff.run("choose", reference, "--mediate", "--la-notified-on", tomorrow), "in the future")
    refused(await staff.run("cannot-arrange", reference, "--reason", "x"), "only while it is arranging the session")
    refused(await staff.run("offer", reference), "disagreement resolution (DR-...)")
    refused(await staff.run("decision", reference, "--kind", "plan_contents", "--date", "2026-01-01"), "DR-")
    await staff.json("choose", reference, "--mediate")
    await staff.json(
        "assign", reference, "--mediator-name", "Pat Mediator", "--mediator-email", "pat@mediation.example.org",
        "--independent",
    )
    refused(await staff.run("schedule", reference, "--at", soon(60)), "5 working days", "--short-notice-agreed")
    refused(await staff.run("withdraw", reference, "--party", "org-1", "--reason", "x"), "only the family")
    refused(await staff.run("extend", reference, "--deadline", "mediation_arrangement", "--days", "5", "--reason", "x"), "set by the SEND Regulations")
    refused(await staff.run("certificate", reference, "--on", tomorrow), "in the future")

    dr_reference = (await staff.json(*open_arguments()))["reference"]
    for command in (["choose", dr_reference, "--mediate"], ["certificate", dr_reference],
                    ["cannot-arrange", dr_reference, "--reason", "x"]):
        refused(await staff.run(*command), "statutory mediation (MD-...)")
