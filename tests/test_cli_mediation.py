"""A whole statutory mediation case through the real command line, and its error paths."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.appeal import appeal_deadline
from domain.calendar import LONDON, WorkingCalendar
from tests.cli_helpers import (
    LateCalendar, Staff, deadline, has, includes, open_arguments, refused, soon, staff_environment, today, until,
)
from tests.cli_helpers import staff  # noqa: F401 (the shared staff fixture)
from tests.conftest import RecordedNotifications, isolated_settings, running_worker

PROVISION = "Speech and language therapy from the community health team, 1 hour a week"


@dataclass
class Desk:
    """Staff at a terminal, and every message the worker sent for them."""

    staff: Staff
    notifications: RecordedNotifications


async def _desk(dev_server: WorkflowEnvironment, tmp_path: Path, calendar=None) -> AsyncIterator[Desk]:
    settings = isolated_settings(tmp_path)
    notifications = RecordedNotifications()
    async with running_worker(dev_server.client, settings, notifications, calendar):
        target = dev_server.client.service_client.config.target_host
        yield Desk(Staff(staff_environment(target, settings)), notifications)


@pytest_asyncio.fixture(loop_scope="session")
async def desk(dev_server: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Desk]:
    async for made in _desk(dev_server, tmp_path):
        yield made


@pytest_asyncio.fixture(loop_scope="session")
async def late_desk(dev_server: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Desk]:
    """Every deadline planned as if its clock had started 60 days ago: each is overdue at once."""
    async for made in _desk(dev_server, tmp_path, LateCalendar()):
        yield made


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

    case = await staff.json("choose", reference, "--mediate", "--health-provision", PROVISION)
    assert case["stage"] == "arranging_session" and case["health_provision_sought"] == PROVISION
    assert {d["name"] for d in case["deadlines"]} >= {"mediation_arrangement", "health_notice", "appeal"}
    assert has(deadline(case, "mediation_arrangement"), owed_by="local_authority")
    assert has(deadline(case, "health_notice"), owed_by="local_authority")

    await staff.json(
        "assign", reference, "--mediator-name", "Pat Mediator", "--mediator-email", "pat@mediation.example.org",
        "--independent",
    )
    case = await staff.json("schedule", reference, "--at", soon(4), "--short-notice-agreed", "--la-attendee", "Head of SEN")
    assert case["stage"] == "session_scheduled" and case["session"]["la_attendee"] == "Head of SEN"
    assert await until(lambda: _session_held(staff, reference))
    held = datetime.fromisoformat(case["session"]["at"]).astimezone(LONDON).date()
    case = await staff.json(
        "outcome", reference, "--result", "partial_agreement",
        "--action", "Carry out an EHC needs assessment|org-1|appeal:assess",
        "--action", "Send the therapy report|org-1",
        "--child-views-sought",
    )
    assert case["stage"] == "monitoring_agreement"
    assessment, report = case["actions"]
    # An appealable matter: the reg 44(2)(b) period, 2 weeks from the session, as a Tribunal order would.
    assert (assessment["appealable"], assessment["order_kind"], assessment["due"]) == (
        True, "assess", (held + timedelta(days=14)).isoformat(),
    )
    assert "reg 44(2)(b)" in assessment["due_source"]
    assert (report["appealable"], report["due"]) == (False, (held + timedelta(days=14)).isoformat())
    assert "reg 42(3)" in report["due_source"]
    assert has(deadline(case, "certificate"), state="open", owed_by="mediator")

    # After mediation the mediator issues the certificate, not the adviser (CFA 2014 s.55(5)).
    refused(await staff.run("certificate", reference, "--by", "mediation_adviser"), "s.55(5)")
    case = await staff.json("certificate", reference)
    assert case["certificate"] == {"issued_on": today().isoformat(), "reason": "mediation_concluded", "issued_by": "mediator"}
    assert has(deadline(case, "certificate"), state="met", settled_on=today().isoformat())
    assert case["timeline"][deadline(case, "certificate")["settled_by"] - 1]["event"] == "certificate_issued"
    assert case["appeal_deadline"] == appeal_deadline(decided, today(), WorkingCalendar()).isoformat()
    await staff.json("action-done", reference, "--action", "1")
    case = await staff.json("action-done", reference, "--action", "2")
    assert (case["stage"], case["outcome"]) == ("closed", "partial_agreement")

    shown = await staff.run("show", reference)
    assert "statutory mediation" in shown.stdout and "issued by the mediator" in shown.stdout
    assert "reg 44(2)(b)" in shown.stdout and "appealable: Make an EHC" in shown.stdout  # its words wrap in the cell
    assert f"Health care provision the family wants: {PROVISION}" in shown.stdout

    async def listed(*options: str) -> list[str]:
        return [row["reference"] for row in await staff.json("list", *options)]

    # Closed: listed by its stage (`list` alone shows open cases, DESIGN section 13).
    assert await until(lambda: includes(listed("--route", "mediation", "--stage", "closed"), reference))
    assert reference not in await listed("--route", "mediation")
    assert reference not in await listed("--route", "disagreement_resolution", "--stage", "closed")
    case = await staff.json("appeal-status", reference, "--not-appealing")
    assert case["appeal_status"] == "not_appealing"


async def _listed(staff: Staff, *options: str) -> list[str]:
    return [row["reference"] for row in await staff.json("list", *options)]


async def _hold_a_session(staff: Staff, reference: str) -> None:
    await staff.json("choose", reference, "--mediate", "--issue", "education")
    await staff.json(
        "assign", reference, "--mediator-name", "Pat Mediator", "--mediator-email", "pat@mediation.example.org",
        "--independent",
    )
    await staff.json("schedule", reference, "--at", soon(3), "--short-notice-agreed")
    assert await until(lambda: _session_held(staff, reference))


async def test_no_agreement_waits_for_the_certificate_and_list_overdue_finds_it_late(late_desk: Desk) -> None:
    staff = late_desk.staff
    reference = (await staff.json(*mediation_arguments()))["reference"]
    await _hold_a_session(staff, reference)
    case = await staff.json("outcome", reference, "--result", "no_agreement")
    # The process has ended but the certificate is still owed: not closed.
    assert (case["stage"], case["outcome"]) == ("certificate_due", "no_agreement")
    assert case["next_deadline"]["name"] == "certificate"
    assert has(deadline(case, "certificate"), owed_by="mediator")

    # Its 3 working days have passed (this worker plans every clock 60 days back): overdue.
    assert await until(lambda: includes(_listed(staff, "--overdue"), reference))
    assert reference in await _listed(staff, "--stage", "certificate_due", "--overdue")
    assert reference not in await _listed(staff, "--stage", "closed")
    shown = await staff.run("show", reference)
    assert "waiting for the mediation certificate" in shown.stdout
    row = next(line for line in shown.stdout.splitlines() if line.split()[:1] == ["certificate"])
    assert "missed: still to be done" in row and "mediator" in row

    case = await staff.json("certificate", reference)
    assert (case["stage"], case["outcome"]) == ("closed", "no_agreement")
    assert await until(lambda: _lacks(_listed(staff, "--overdue"), reference))


async def _lacks(rows, reference: str) -> bool:
    return reference not in await rows


async def test_a_no_counts_the_certificate_from_the_day_the_family_told_the_adviser(desk: Desk) -> None:
    staff = desk.staff
    decided = today() - timedelta(days=30)
    reference = (await staff.json(*mediation_arguments(decided=decided)))["reference"]
    told = today() - timedelta(days=14)
    case = await staff.json("choose", reference, "--no-mediation", "--adviser-told-on", told.isoformat())
    due = WorkingCalendar().add_days(told, 3, working=True)
    assert case["stage"] == "certificate_due"
    assert has(deadline(case, "certificate"), due=due.isoformat(), owed_by="mediation_adviser")
    assert "reg 34" in deadline(case, "certificate")["source"]
    # Already past: a late certificate is found by `list --overdue`.
    assert await until(lambda: includes(_listed(staff, "--overdue", "--route", "mediation"), reference))
    case = await staff.json("certificate", reference)
    assert (case["stage"], case["outcome"]) == ("closed", "certificate_only")
    assert case["certificate"]["issued_by"] == "mediation_adviser"


async def test_withdrawing_at_advice_is_owed_a_certificate(staff: Staff) -> None:
    reference = (await staff.json(*mediation_arguments()))["reference"]
    case = await staff.json("withdraw", reference, "--party", "applicant", "--reason", "no longer wish to pursue it")
    assert case["stage"] == "certificate_due"
    assert has(deadline(case, "certificate"), state="open", owed_by="mediation_adviser")
    assert "fails to pursue" in deadline(case, "certificate")["source"]
    refused(await staff.run("certificate", reference, "--by", "mediator"), "s.55(4)")
    case = await staff.json("certificate", reference)
    assert case["certificate"]["reason"] == "not_pursued" and case["certificate"]["issued_by"] == "mediation_adviser"
    assert case["stage"] == "closed"


async def test_choosing_mediation_about_health_sends_the_issues_and_the_provision(desk: Desk) -> None:
    staff = desk.staff
    reference = (await staff.json(*mediation_arguments("--issue", "education")))["reference"]
    # Health is an issue: the provision the family wants is needed, and nothing changes without it.
    refused(await staff.run("choose", reference, "--mediate", "--issue", "health"), "reg 32(e)")
    refused(await staff.run("choose", reference, "--mediate", "--issue", "education", "--health-provision", PROVISION),
            "only when the family wants mediation and health")
    assert (await staff.json("show", reference))["stage"] == "advice"

    told = today() - timedelta(days=1)
    case = await staff.json(
        "choose", reference, "--mediate", "--issue", "health", "--issue", "education", "--health-provision", PROVISION,
        "--la-notified-on", told.isoformat(),
    )
    assert case["mediation_issues"] == ["health", "education"] and case["health_provision_sought"] == PROVISION
    assert has(deadline(case, "health_notice"), due=WorkingCalendar().add_days(told, 3, working=True).isoformat())
    async def health_notices() -> list:
        return [n for n in desk.notifications.notices if n.template.value == "health_notice"]

    [notice] = await until(health_notices)  # sent by the workflow, after the choice is recorded
    assert notice.recipient.id == "org-2"
    assert (notice.facts.mediation_issues, notice.facts.health_provision_sought) == (["health", "education"], PROVISION)

    async def notice_met() -> dict | None:
        found = deadline(await staff.json("show", reference), "health_notice")
        return found if found["state"] == "met" else None

    met = await until(notice_met)
    assert met and met["settled_on"] == today().isoformat() and met["settled_by"]


async def test_late_opening_and_school_age_are_warned_of_on_show(staff: Staff) -> None:
    decided = today() - timedelta(days=100)
    case = await staff.json(*mediation_arguments("--child-date-of-birth", "2008-01-10", decided=decided))
    assert any("more than 2 months after the decision" in warning for warning in case["warnings"])
    assert any("end of compulsory school age" in warning for warning in case["warnings"])
    shown = (await staff.run("show", case["reference"])).stdout
    lines = shown.splitlines()
    assert len([line for line in lines if line.startswith("Warning: ")]) == 2
    assert lines[1].startswith("Warning: ")  # first, under the heading
    assert "HESC Rules 2008 r.5(3)(a)" in " ".join(shown.split())  # its appeal deadline has passed
    dr = await staff.json(*open_arguments("--child-date-of-birth", "2008-01-10"))
    assert any("end of compulsory school age" in warning for warning in dr["warnings"])

    async def warned_of() -> list[str]:
        rows = await staff.json("list", "--route", "mediation")
        return next((row["warnings"] for row in rows if row["reference"] == case["reference"]), [])

    assert sorted(await until(warned_of)) == ["late_opening", "school_age_reached"]  # codes: no personal data
    listed = await staff.run("list", "--route", "mediation")
    row = next(line for line in listed.stdout.splitlines() if case["reference"] in line)
    assert "Opened late, End of compulsory school age" in row


async def _session_held(staff: Staff, reference: str) -> bool:
    case = await staff.json("show", reference)
    return datetime.fromisoformat(case["session"]["at"]) < datetime.now(UTC)


async def test_mediation_error_paths(staff: Staff) -> None:
    tomorrow = (today() + timedelta(days=1)).isoformat()
    refused(await staff.run(*mediation_arguments(decided=today() + timedelta(days=1))), "in the future")
    refused(await staff.run(*mediation_arguments("--reference", "DR-2026-ABCDEF")), "open-mediation", "MD-")

    reference = (await staff.json(*mediation_arguments()))["reference"]
    refused(await staff.run("certificate", reference), "no certificate is due yet")
    refused(await staff.run("choose", reference), "--mediate or --no-mediation")
    refused(await staff.run("choose", reference, "--mediate", "--la-notified-on", tomorrow), "in the future")
    refused(await staff.run("cannot-arrange", reference, "--reason", "x"), "only while it is arranging the session")
    refused(await staff.run("offer", reference), "disagreement resolution (DR-...)")
    refused(await staff.run("decision", reference, "--kind", "plan_contents", "--date", "2026-01-01"), "DR-")
    refused(await staff.run("choose", reference, "--mediate"), "reg 32(e)")  # health is an issue: no provision given
    refused(await staff.run("choose", reference, "--no-mediation", "--adviser-told-on", tomorrow), "in the future")
    refused(await staff.run("choose", reference, "--mediate", "--issue", "dental"), "--issue")
    refused(await staff.run("certificate", reference, "--by", "someone"), "--by")
    refused(await staff.run(*mediation_arguments("--child-date-of-birth", tomorrow)), "--child-date-of-birth", "in the future")
    await staff.json("choose", reference, "--mediate", "--health-provision", PROVISION)
    refused(await staff.run("choose", reference, "--no-mediation"), "cannot record the family's choice")
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
