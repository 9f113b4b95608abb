"""What the command line prints for people: help without stray labels, the timeline and its
limits, agreed actions by owner name, and due dates that are not working days said plainly."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli import render
from cli.main import app
from domain.resolution import Resolution
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


def busy_case() -> Resolution:
    case = Resolution.open("DR-2026-7KQ3XZ", open_case(), OPENED_AT)
    for minute in range(1, 10):
        case.add_note(AddNote(actor="jo.smith", text=f"note {minute}"), OPENED_AT + timedelta(minutes=minute))
    return case


def test_the_table_says_when_it_shows_only_the_latest_entries(capsys, monkeypatch) -> None:
    view = busy_case().view()
    shown = printed(view, capsys, monkeypatch)
    assert f"the latest {render.LATEST_ENTRIES} of 10 entries" in shown and "--all" in shown
    assert "note 9" in shown and "Case opened" not in shown
    whole = printed(view, capsys, monkeypatch, whole_timeline=True)
    assert "Case opened" in whole and "latest" not in whole


def test_the_timeline_says_which_actors_no_one_vouched_for(capsys, monkeypatch) -> None:
    case = busy_case()
    case.vouched(len(case.timeline) - 1, "jo.smith")  # only the last note came with a trusted signature
    rows = [line for line in printed(case.view(), capsys, monkeypatch).splitlines() if "note " in line]
    assert ["(unverified)" in row for row in rows] == [True] * (len(rows) - 1) + [False]


def test_timeline_times_are_in_words_in_englands_time(capsys, monkeypatch) -> None:
    case = Resolution.open("DR-2026-7KQ3XZ", open_case(), datetime(2026, 7, 1, 9, 5, tzinfo=UTC))  # BST: 10:05 in England
    shown = printed(case.view(), capsys, monkeypatch)
    assert "1 July 2026 at 10:05am" in shown and "Case opened" in shown
    assert "case_opened" not in shown and "2026-07-01" not in shown


def test_actions_are_owned_by_organisation_name_and_weekend_dues_are_said(capsys, monkeypatch) -> None:
    saturday, christmas = date(2027, 1, 16), date(2026, 12, 25)
    view = busy_case().view().model_copy(update={"actions": [
        ActionView(number=1, description="Share the report", owner="org-1", due=saturday, done=False),
        ActionView(number=2, description="Fund therapy", owner="org-2", due=christmas, done=False),
    ]})
    shown = printed(view, capsys, monkeypatch)
    assert "Hill Top Primary" in shown and "Rotherham LA" in shown
    assert "16 January 2027 (Saturday: not a working day)" in shown
    assert "25 December 2026 (Christmas Day: not a working day)" in shown


# --- Duties (DESIGN section 11) ------------------------------------------------------------------------


def duties_view():
    """A case owing its certificate, with one duty met, one cancelled and one overdue."""
    from domain.models import CertificateIssuer, CertificateReason, CertificateView, DeadlineState, DeadlineView

    today = date.today()
    certificate = DeadlineView(
        name="certificate", due=today + timedelta(days=14), state=DeadlineState.open,
        owed_by="mediation_adviser", source="SEND Regs 2014 reg 34",
    )
    health = DeadlineView(
        name="health_notice", due=date(2026, 11, 5), state=DeadlineState.met, owed_by="org-2",
        source="SEND Regs 2014 reg 32(e)", settled_on=date(2026, 11, 4), settled_by=3,
    )
    arranging = DeadlineView(
        name="mediation_arrangement", due=date(2026, 11, 30), state=DeadlineState.cancelled,
        owed_by="local_authority", source="SEND Regs 2014 reg 37", settled_on=date(2026, 11, 10), settled_by=5,
    )
    late = DeadlineView(
        name="written_outcome", due=date(2026, 11, 20), state=DeadlineState.missed, owed_by="case_officer",
        source="[policy] DOMAIN defaults", owed=True,
    )
    return busy_case().view().model_copy(update={
        "deadlines": [health, certificate, arranging, late], "next_deadline": late,
        "warnings": ["Opened more than 2 months after the decision: the appeal deadline is still ahead."],
        "certificate": CertificateView(issued_on=date(2026, 11, 12), reason=CertificateReason.mediation_concluded,
                                       issued_by=CertificateIssuer.mediator),
        "health_provision_sought": "Speech and language therapy",
    })


def test_warnings_come_first_and_say_so(capsys, monkeypatch) -> None:
    shown = printed(duties_view(), capsys, monkeypatch)
    lines = shown.splitlines()
    assert lines[1] == "Warning: Opened more than 2 months after the decision: the appeal deadline is still ahead."


def test_every_duty_shows_who_owes_it_its_source_and_when_it_was_settled(capsys, monkeypatch) -> None:
    shown = printed(duties_view(), capsys, monkeypatch)
    rows = {line.split()[0]: line for line in shown.splitlines() if line.split() and line.split()[0] in
            {"certificate", "health_notice", "mediation_arrangement", "written_outcome"}}
    assert "The mediation adviser" in rows["certificate"] and "SEND Regs 2014 reg 34" in rows["certificate"]
    assert "Issue the mediation certificate" in rows["certificate"]
    assert "Rotherham LA" in rows["health_notice"]
    assert " Met " in rows["health_notice"] and "on 4 November 2026 (timeline entry 3)" in rows["health_notice"]
    assert " Cancelled " in rows["mediation_arrangement"] and "on 10 November 2026 (timeline entry 5)" in rows["mediation_arrangement"]
    assert "The case officer" in rows["written_outcome"] and "missed: still to be done" in rows["written_outcome"]
    # Still owed first, the overdue one at the top; settled ones after.
    order = [line.split()[0] for line in shown.splitlines() if line.split() and line.split()[0] in rows]
    assert order == ["written_outcome", "certificate", "health_notice", "mediation_arrangement"]


def test_the_certificates_issuer_and_the_health_provision_are_shown(capsys, monkeypatch) -> None:
    shown = printed(duties_view(), capsys, monkeypatch)
    assert "Mediation certificate: 12 November 2026 (Mediation has taken place), issued by the mediator" in shown
    assert "Health care provision the family wants: Speech and language therapy" in shown


def test_each_action_says_where_its_due_date_comes_from(capsys, monkeypatch) -> None:
    from domain.models import OrderKind

    view = busy_case().view().model_copy(update={"actions": [
        ActionView(number=1, description="Assess", owner="org-2", due=date(2027, 3, 1), done=False, appealable=True,
                   order_kind=OrderKind.assess, due_source="SEND Regs 2014 reg 44(2)(b): 2 weeks"),
        ActionView(number=2, description="Send notes", owner="org-1", due=date(2027, 1, 18), done=False,
                   due_source="SEND Regs 2014 reg 42(3): 2 weeks from the agreement"),
    ]})
    shown = printed(view, capsys, monkeypatch)
    assert "SEND Regs 2014 reg 44(2)(b): 2 weeks; appealable: Make an EHC needs assessment" in shown
    assert "SEND Regs 2014 reg 42(3): 2 weeks from the agreement" in shown


def test_the_list_names_each_cases_warnings(capsys, monkeypatch) -> None:
    from domain.models import CaseStage, CaseSummary

    monkeypatch.setattr(render, "_console", lambda: Console(markup=False, highlight=False, width=250))
    render.cases([CaseSummary(reference="MD-2026-7KQ3XZ", stage=CaseStage.advice, outcome=None, kinds=[],
                              case_officer="jo.smith", next_deadline=None,
                              warnings=["late_opening", "school_age_reached"])], as_json=False)
    row = next(line for line in capsys.readouterr().out.splitlines() if "MD-2026-7KQ3XZ" in line)
    assert row.rstrip().endswith("Opened late, End of compulsory school age")


def test_a_column_for_room_to_spare_goes_before_the_table_wraps(capsys, monkeypatch) -> None:
    from domain.models import CaseStage, CaseSummary, DisagreementKind

    summary = CaseSummary(reference="DR-2026-7KQ3XZ", stage=CaseStage.awaiting_consent, outcome=None,
                          kinds=[DisagreementKind.provision], case_officer="jo.smith", next_deadline=date(2026, 12, 18))
    for width, kinds_shown in ((250, True), (80, False)):
        monkeypatch.setattr(render, "_console", lambda: Console(markup=False, highlight=False, width=width))
        render.cases([summary], as_json=False)
        shown = capsys.readouterr().out
        assert ("Kinds" in shown.split()) is kinds_shown, shown
        assert "18 December 2026" in shown and {"Waiting", "party's", "consent"} <= set(shown.split())
        assert "Appeal deadline" not in shown  # nothing to say: the column goes
