"""`disagreement report` against a real dev server and worker: a known set of cases on both routes is
opened, moved and closed through the command line (some finish, so that only the records store has
them; one closes with its appeal clock still running, so that both have it), and the report's JSON is
compared with counts made here, by hand and from each case as `show --json` prints it."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from tests.cli_helpers import Staff, refused, staff_environment, today, until
from tests.conftest import RecordedNotifications, isolated_settings, running_worker
from tests.test_cli import hold_session
from tests.test_cli_mediation import mediation_arguments

pytestmark = pytest.mark.timeout(300)

MANAGER = ("--as", "pat.lee", "--role", "team_manager")


@pytest_asyncio.fixture(loop_scope="session")
async def desk(dev_server: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Staff]:
    """Staff at a terminal, with a worker whose every message to org-2 is refused (a bad address)."""
    settings = isolated_settings(tmp_path)
    async with running_worker(dev_server.client, settings, RecordedNotifications(fail_for={"org-2"})):
        yield Staff(staff_environment(dev_server.client.service_client.config.target_host, settings))


async def archived(staff: Staff, reference: str) -> bool:
    """The closed case's record is in the records store."""
    return reference in {row["reference"] for row in await staff.json("list", "--closed")}


def counted_from(views: list[dict], first: date, last: date, day: date) -> dict:
    """The duties and messages of these case views, counted here as the report's rules say."""
    duties: dict[str, dict[str, int]] = {}
    for view in views:
        for deadline in view["deadlines"]:
            due = date.fromisoformat(deadline["due"])
            if deadline["name"] == "appeal" or deadline["state"] == "cancelled" or not first <= due <= last:
                continue
            settled = deadline["settled_on"]
            if deadline["state"] == "met" and settled <= deadline["due"]:
                verdict = "on_time"
            elif settled:
                verdict = "late"
            else:
                verdict = "missed_open" if due < day else "not_yet_due"
            kind = "action" if deadline["name"].startswith("action-") else deadline["name"]
            duties.setdefault(kind, {"due": 0, "on_time": 0, "late": 0, "missed_open": 0, "not_yet_due": 0})
            duties[kind]["due"] += 1
            duties[kind][verdict] += 1
    messages = [message for view in views for message in view["notifications"]]
    return {
        "duties": duties,
        "messages": {status: sum(message["status"] == status for message in messages) for status in ("sent", "failed", "pending")},
    }


async def test_the_report_counts_the_cases_staff_ran(desk: Staff) -> None:
    staff = desk
    # A: resolved in informal talks; its workflow finishes, so only the records store keeps it.
    resolved = (await staff.open())["reference"]
    await staff.json("talk", resolved, "--outcome", "resolved")
    # B: the school declines disagreement resolution.
    declined = (await staff.open("--kind", "duties"))["reference"]
    await staff.json("offer", declined)
    await staff.json("consent", declined, "--party", "org-1", "--decline")
    # C: through a session to a partial agreement, its one action done.
    agreed = (await staff.open())["reference"]
    await hold_session(staff, agreed)
    await staff.json("outcome", agreed, "--result", "partial_agreement", "--action", "Share the therapy report|org-1")
    await staff.json("action-done", agreed, "--action", "1")
    # D: still in informal talks, about health and social care too.
    talking = (await staff.open("--kind", "health_social_care"))["reference"]
    # E: statutory mediation the family does not want: the certificate closes it, and its appeal clock
    # runs on, so its workflow is still running while the records store has it too.
    no_thanks = (await staff.json(*mediation_arguments()))["reference"]
    await staff.json("choose", no_thanks, "--no-mediation")
    await staff.json("certificate", no_thanks)
    # F: mediation wanted, about health too: the LA is arranging it.
    arranging = (await staff.json(*mediation_arguments("--decision", "plan_contents")))["reference"]
    await staff.json("choose", arranging, "--mediate", "--health-provision", "Speech and language therapy from the NHS")
    for reference in (resolved, declined, agreed, no_thanks):
        assert await until(lambda: archived(staff, reference), seconds=30), reference

    first, last = today(), today() + timedelta(days=70)  # every duty these cases were given is due by then
    report = await staff.json("report", "--from", first.isoformat(), "--to", last.isoformat(), *MANAGER)
    assert report["period"] == {"from": first.isoformat(), "to": last.isoformat(), "as_of": today().isoformat(), "route": None}
    cases = report["cases"]
    assert (cases["opened"], cases["closed"]) == (6, 4)
    assert cases["by_route"] == {
        "disagreement_resolution": {"opened": 4, "closed": 3}, "mediation": {"opened": 2, "closed": 1},
    }
    # Every DR case is about provision (the opening arguments), B also duties, D also health and social care.
    assert cases["by_kind"]["provision"] == {"opened": 4, "closed": 3}
    assert cases["by_kind"]["duties"] == {"opened": 1, "closed": 1}
    assert cases["by_kind"]["health_social_care"] == {"opened": 1, "closed": 0}
    assert cases["by_kind"]["refusal_to_assess"] == {"opened": 1, "closed": 1}
    assert cases["by_kind"]["plan_contents"] == {"opened": 1, "closed": 0}
    assert {name: n for name, n in report["outcomes"].items() if n} == {
        "resolved_informally": 1, "declined": 1, "partial_agreement": 1, "certificate_only": 1,
    }
    # All four opened and closed today: 0 working days each.
    assert report["duration_working_days"] == {"cases": 4, "median": 0, "p90": 0, "method": "nearest rank"}
    assert sorted(report["references"]["cases.closed"]) == sorted([resolved, declined, agreed, no_thanks])
    assert sorted(report["references"]["cases.opened"]) == sorted([resolved, declined, agreed, talking, no_thanks, arranging])

    # Duties and messages, counted here from each case as `show --json` prints it.
    views = [await staff.json("show", reference) for reference in (resolved, declined, agreed, talking, no_thanks, arranging)]
    mine = counted_from(views, first, last, today())
    assert {
        name: {key: value for key, value in found.items() if key != "percent_on_time"}
        for name, found in report["duties"].items() if found["due"]
    } == mine["duties"]
    assert mine["duties"]["certificate"] == {"due": 1, "on_time": 1, "late": 0, "missed_open": 0, "not_yet_due": 0}
    assert mine["duties"]["action"]["on_time"] == 1 and mine["duties"]["health_notice"]["due"] == 1
    assert {status: report["messages"][status] for status in ("sent", "failed", "pending")} == mine["messages"]
    assert report["messages"]["failed"] > 0  # every message to org-2 was refused
    assert sum(channel["sent"] for channel in report["messages"]["by_channel"].values()) == report["messages"]["sent"]
    assert report["unreadable"] == []

    # One route; the CSV; the tables at 80 columns; a case officer refused.
    mediation = await staff.json("report", "--from", first.isoformat(), "--to", last.isoformat(), "--route", "mediation", *MANAGER)
    assert (mediation["cases"]["opened"], mediation["cases"]["closed"]) == (2, 1)
    assert sorted(mediation["references"]["cases.opened"]) == sorted([no_thanks, arranging])
    printed = await staff.run("report", "--from", first.isoformat(), "--to", last.isoformat(), "--csv", *MANAGER)
    rows = {row["figure"]: row for row in csv.DictReader(io.StringIO(printed.stdout))}
    assert rows["cases.opened"]["value"] == "6" and len(rows["cases.opened"]["references"].split()) == 6
    assert rows["outcomes.declined"]["references"] == declined
    table = await staff.run("report", "--from", first.isoformat(), "--to", last.isoformat(), *MANAGER, COLUMNS="80")
    assert table.code == 0, table.stderr
    assert "Duties due in the period" in table.stdout and "Consent window" in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 80
    no = await staff.run("report", "--as", "jo.smith")
    assert no.code == 4 and "needs the team_manager role" in no.stderr
    refused(await staff.run("report", "--from", "2027-02-30", *MANAGER), "--from", "not a date")
    refused(await staff.run("report", "--from", last.isoformat(), "--to", first.isoformat(), *MANAGER), "give --from on or before --to")
    refused(await staff.run("report", "--from", "2099-01-01", *MANAGER), "give an earlier --from")  # no --to: it ends today

