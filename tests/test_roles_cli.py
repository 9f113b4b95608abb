"""Roles on the command line (DESIGN section 12), against a real dev server and worker: each act a
role does not allow is refused with exit 4 in words before anything is sent; a team manager moves a
case to another officer (the timeline says who did, `list --officer` finds it under the new one), and
the case refuses a move that does not fit it, in words, with nothing changed."""

from __future__ import annotations

import pytest

from tests.cli_helpers import Staff, includes, open_arguments, refused, staff, until  # noqa: F401 (the staff fixture)

pytestmark = pytest.mark.timeout(120)

REFERENCE = "DR-2026-7KQ3XZ"  # refused before the case is asked: it need not exist
MANAGER = ("--as", "pat.lee", "--role", "team_manager")
CASE_WORK = "not allowed: needs the case_officer or team_manager role"


def not_allowed(outcome, words: str) -> None:
    assert outcome.code == 4, (outcome.code, outcome.stdout, outcome.stderr)
    assert words in outcome.said and "Traceback" not in outcome.stderr + outcome.stdout


@pytest.mark.parametrize(
    "command, words",
    [
        (["hold", REFERENCE, "--reason", "a complaint"], "not allowed: needs the records_officer role"),
        (["release", REFERENCE, "--reason", "complaint closed"], "not allowed: needs the records_officer role"),
        (["erase", REFERENCE, "--reason", "erasure request"], "not allowed: needs the records_officer role"),
        (["approve-erase", REFERENCE], "not allowed: needs the records_officer role"),
        (["export", "--email", "sam.parent@example.org"], "not allowed: needs the records_officer role"),
        (["reassign", REFERENCE, "--to", "amira.khan", "--reason", "leave"], "not allowed: needs the team_manager role"),
        (["note", REFERENCE, "--text", "a note", "--role", "records_officer"], CASE_WORK),
        (["withdraw", REFERENCE, "--party", "applicant", "--reason", "moved", "--role", "administrator"], CASE_WORK),
        (open_arguments("--role", "records_officer"), CASE_WORK),
    ],
    ids=["hold", "release", "erase", "approve-erase", "export", "reassign", "note", "withdraw", "open"],
)
async def test_each_act_a_role_does_not_allow_is_refused_with_exit_4(staff: Staff, command: list[str], words: str) -> None:
    not_allowed(await staff.run(*command, TEMPORAL_ADDRESS="127.0.0.1:1"), words)  # no server needed to refuse


async def test_a_team_manager_moves_a_case_and_it_is_listed_under_the_new_officer(staff: Staff) -> None:
    reference = (await staff.open())["reference"]

    moved = await staff.json("reassign", reference, "--to", "amira.khan", "--reason", "jo.smith is on leave", *MANAGER)

    assert moved["case_officer"] == "amira.khan"
    entry = moved["timeline"][-1]
    assert (entry["actor"], entry["event"], entry["detail"]) == (
        "pat.lee", "officer_reassigned", "case officer changed from jo.smith to amira.khan: jo.smith is on leave",
    )

    async def listed(officer: str) -> list[str]:
        return [case["reference"] for case in await staff.json("list", "--officer", officer)]

    assert await until(lambda: includes(listed("amira.khan"), reference))
    assert reference not in await listed("jo.smith")
    # A team manager does case work too, as themselves.
    noted = await staff.json("note", reference, "--text", "Handed over", *MANAGER)
    assert noted["timeline"][-1]["actor"] == "pat.lee"


async def test_a_move_that_does_not_fit_the_case_or_the_role_is_refused_in_words(staff: Staff) -> None:
    opened = await staff.open()
    reference = opened["reference"]

    not_allowed(
        await staff.run("reassign", reference, "--to", "amira.khan", "--reason", "leave"), "needs the team_manager role",
    )
    refused(await staff.run("reassign", reference, "--to", "jo.smith", "--reason", "no change", *MANAGER),
            "jo.smith already runs case")
    refused(await staff.run("reassign", reference, "--to", "Not An Id", "--reason", "leave", *MANAGER), "--to")
    # Nothing changed (that a refused update leaves no history is tests/test_case_updates.py's).
    assert (await staff.json("show", reference))["timeline"] == opened["timeline"]

    await staff.json("withdraw", reference, "--party", "applicant", "--reason", "the family moved away")
    refused(await staff.run("reassign", reference, "--to", "amira.khan", "--reason", "leave", *MANAGER),
            f"case {reference} is closed")
