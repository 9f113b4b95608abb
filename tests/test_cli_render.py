"""What the command line prints for people: help without stray labels, the timeline and its
limits, agreed actions by owner name, and due dates that are not working days said plainly."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli import render
from cli.app import app
from domain.case import Case
from domain.models import ActionView, AddNote
from tests.conftest import open_case

COMMANDS = sorted(command.name or command.callback.__name__.replace("_", "-") for command in app.registered_commands)
OPENED_AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_shows_no_stray_labels(command: str) -> None:
    shown = CliRunner().invoke(app, [*filter(None, [command]), "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert not re.search(r"<\w+>|\{\w+\}", shown.output), shown.output


def test_list_help_describes_its_json() -> None:
    shown = CliRunner().invoke(app, ["list", "--help"], env={"COLUMNS": "200"}).output
    assert "JSON list" in shown and "next_deadline" in shown
    assert "Print the case as JSON" not in shown


def printed(view, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, **options) -> str:
    monkeypatch.setattr(render, "_console", lambda: Console(markup=False, highlight=False, width=250))
    render.case(view, as_json=False, **options)
    return capsys.readouterr().out


def busy_case() -> Case:
    case = Case.open("DR-2026-7KQ3XZ", open_case(), OPENED_AT)
    for minute in range(1, 10):
        case.add_note(AddNote(actor="jo.smith", text=f"note {minute}"), OPENED_AT + timedelta(minutes=minute))
    return case


def test_the_table_says_when_it_shows_only_the_latest_entries(capsys, monkeypatch) -> None:
    view = busy_case().view()
    shown = printed(view, capsys, monkeypatch)
    assert f"the latest {render.LATEST_ENTRIES} of 10 entries" in shown and "--all" in shown
    assert "note 9" in shown and "case_opened" not in shown
    whole = printed(view, capsys, monkeypatch, whole_timeline=True)
    assert "case_opened" in whole and "latest" not in whole


def test_timeline_times_are_uk_local_in_the_header_format(capsys, monkeypatch) -> None:
    case = Case.open("DR-2026-7KQ3XZ", open_case(), datetime(2026, 7, 1, 9, 5, tzinfo=UTC))  # BST: 10:05 in England
    assert "2026-07-01 10:05" in printed(case.view(), capsys, monkeypatch)


def test_actions_are_owned_by_organisation_name_and_weekend_dues_are_said(capsys, monkeypatch) -> None:
    saturday, christmas = date(2027, 1, 16), date(2026, 12, 25)
    view = busy_case().view().model_copy(update={"actions": [
        ActionView(number=1, description="Share the report", owner="org-1", due=saturday, done=False),
        ActionView(number=2, description="Fund therapy", owner="org-2", due=christmas, done=False),
    ]})
    shown = printed(view, capsys, monkeypatch)
    assert "Hill Top Primary (org-1)" in shown and "Rotherham LA (org-2)" in shown
    assert "2027-01-16 (Saturday: not a working day)" in shown
    assert "2026-12-25 (Christmas Day: not a working day)" in shown
