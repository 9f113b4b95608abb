"""The command line as a case officer reads it (issue 19, part 5; DESIGN section 13):

- an action command prints one line saying what it did, then the next step (domain/next_step.py),
  whom the case waits for and the command that takes it; `--verbose` prints the whole case and
  `--json` the case view, codes and all;
- `show` and `list` fit 80 (and 60) columns without breaking a word;
- a statutory mediation case shows each party's part, never a consent (that is disagreement
  resolution's, SEND Code 11.6);
- the help groups the commands by route, with the law's names.
"""

from __future__ import annotations

import inspect
import re
from datetime import date

import pytest
from typer.testing import CliRunner

import cli.app
from cli import steps
from cli.main import app
from domain.models import OpenCase, OpenMediation, StaffAction
from domain.words import long_date
from tests.cli_helpers import Staff, deadline, open_arguments, staff  # noqa: F401  (the fixture)
from tests.test_cli_parsing import mediation_open_arguments


def lines(outcome) -> list[str]:
    assert outcome.code == 0, outcome.stderr
    return outcome.stdout.strip().splitlines()


async def test_each_action_says_what_it_did_and_the_next_step_with_its_command(staff: Staff) -> None:
    opened = await staff.run(*open_arguments())
    reference = opened.stdout.split()[1]  # "Case DR-2026-... opened"
    review = deadline((await staff.json("show", reference)), "talks_review")["due"]
    assert lines(opened) == [
        f"Case {reference} opened; every party is told. Next: record an informal talk, or offer disagreement "
        f"resolution by {long_date(date.fromisoformat(review))}.",
        f"Command: disagreement talk {reference} --outcome resolved|unresolved",
    ]

    offered = lines(await staff.run("offer", reference))
    window = deadline((await staff.json("show", reference)), "consent_window")["due"]
    assert offered == [
        f"Disagreement resolution offered to every party on {reference}. Next: record each party's answer to the "
        f"offer by {long_date(date.fromisoformat(window))}.",
        "Waiting for: Sam Parent, Hill Top Primary and Rotherham LA.",
        f"Command: disagreement consent {reference} --party PARTY_ID --agree|--decline",
    ]
    assert lines(await staff.run("consent", reference, "--party", "applicant", "--agree"))[1] == (
        "Waiting for: Hill Top Primary and Rotherham LA."
    )
    await staff.run("consent", reference, "--party", "org-1", "--agree")
    agreed = lines(await staff.run("consent", reference, "--party", "org-2", "--agree"))
    assert agreed[0].startswith(f"Answer to the offer recorded on {reference}. Next: assign the mediator by ")
    assert agreed[1].startswith(f"Command: disagreement assign {reference} --mediator-name NAME")

    # --verbose: the whole case, as `show` prints it; --json: the case view, codes and all.
    verbose = (await staff.run("note", reference, "--text", "Rang the family", "--verbose")).stdout
    assert f"Case {reference} is" in verbose and "Parties" in verbose and "Rang the family" in verbose
    assert "Next:" not in verbose
    view = await staff.json("note", reference, "--text", "Rang again")
    assert view["reference"] == reference and view["stage"] == "arranging_session"

    closed = lines(await staff.run("withdraw", reference, "--party", "applicant", "--reason", "moved away"))
    assert closed == [f"Withdrawal recorded on {reference}. The case is closed: Withdrawn."]


async def test_a_mediation_case_waits_for_the_familys_choice_and_shows_no_consent(staff: Staff) -> None:
    opened = await staff.run(*mediation_open_arguments())
    reference = opened.stdout.split()[3]  # "Statutory mediation case MD-2026-... opened"
    assert lines(opened) == [
        f"Statutory mediation case {reference} opened. Next: record the family's choice about mediation.",
        "Waiting for: The family.",
        f"Command: disagreement choose {reference} --mediate|--no-mediation",
    ]
    shown = (await staff.run("show", reference)).stdout
    parties = shown[shown.index("Parties"):shown.index("Deadlines") if "Deadlines" in shown else None]
    assert "Part in the case" in parties
    assert "The family: parent" in parties and "The Local Authority" in parties
    for consent_words in ("Consent", "consent", "No answer yet", "pending", "Answer to the offer"):
        assert consent_words not in shown, consent_words


@pytest.mark.parametrize("width", [80, 60])
async def test_show_and_list_fit_the_terminal_without_breaking_a_word(staff: Staff, width: int) -> None:
    dr = (await staff.open("--appeal-deadline", "2099-03-01"))["reference"]
    await staff.run("offer", dr)
    await staff.run("consent", dr, "--party", "org-1", "--agree", "--notes", "The school agrees to meet")
    await staff.run("extend", dr, "--deadline", "consent_window", "--days", "3", "--reason", "half term holiday")
    health = "NHS South Yorkshire ICB|icb@nhs.example.org"
    md = (await staff.json(*mediation_open_arguments("--health-commissioner", health)))["reference"]
    for command in (("show", dr, "--all"), ("show", md, "--all"), ("list",)):
        wide = (await staff.run(*command, COLUMNS="250")).stdout
        narrow = await staff.run(*command, COLUMNS=str(width))
        assert narrow.code == 0, narrow.stderr
        too_long = [line for line in narrow.stdout.splitlines() if len(line) > width]
        assert not too_long, (command, too_long)
        # Every word printed narrow is a word printed wide: none was cut in two.
        broken = {word for word in set(narrow.stdout.split()) - set(wide.split()) if word.strip("─")}  # rules are as wide as tables
        assert not broken, (command, broken, narrow.stdout)
        assert dr in narrow.stdout or md in narrow.stdout  # references are whole


def test_the_help_groups_commands_by_route_with_the_laws_names() -> None:
    shown = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    panels: dict[str, list[str]] = {}
    for block in re.findall(r"╭─ (.+?) ─+╮\n(.*?)╰", shown, re.DOTALL):
        panels[block[0]] = [line.split()[1] for line in block[1].splitlines() if line.split()[1:] and line[2] != " "]
    assert list(panels)[1:] == [
        "Disagreement resolution (DR- cases; SEND Code of Practice 11.6-11.12)",
        "Statutory mediation (MD- cases; Children and Families Act 2014 ss.52-56)",
        "Both routes",
        "The Tribunal appeal clock",
        "Looking at cases",
        "Records of closed cases",
        "The service's figures",
        "Signing in",
    ]
    assert panels["The service's figures"] == ["report"]
    assert panels["Disagreement resolution (DR- cases; SEND Code of Practice 11.6-11.12)"] == ["open", "talk", "offer", "consent"]
    assert panels["Statutory mediation (MD- cases; Children and Families Act 2014 ss.52-56)"] == [
        "open-mediation", "choose", "certificate", "cannot-arrange",
    ]
    # Disagreement resolution is not mediation: none of its commands is called that.
    for command in panels["Disagreement resolution (DR- cases; SEND Code of Practice 11.6-11.12)"]:
        line = next(line for line in shown.splitlines() if line.startswith(f"│ {command} "))
        assert "mediation" not in line.lower(), line


def test_every_request_the_commands_send_names_its_command_and_what_it_did() -> None:
    sent = {
        kind for kind in vars(cli.app).values()
        if inspect.isclass(kind) and (issubclass(kind, StaffAction) and kind is not StaffAction or kind in (OpenCase, OpenMediation))
    }
    assert sent == set(steps.STEPS)
    names = {command.name or command.callback.__name__.replace("_", "-") for command in app.registered_commands}
    for step in steps.STEPS.values():
        assert step.command.split()[0] in names, step.command
        assert "{reference}" in step.done


def test_the_next_agreed_action_is_named_by_its_number() -> None:
    from domain.models import CompleteAction
    from domain.next_step import NextStep

    step = NextStep(what="record that agreed action 2 is done", due=None, owed_by="org-1", action=CompleteAction, duty="action-2")
    assert steps.command_for(step, "DR-2026-7KQ3XZ") == "disagreement action-done DR-2026-7KQ3XZ --action 2"
    sent_by_the_product = NextStep(what="send the written outcome", due=None, owed_by="case_officer", action=None, duty="written_outcome")
    assert steps.command_for(sent_by_the_product, "DR-2026-7KQ3XZ") == ""
