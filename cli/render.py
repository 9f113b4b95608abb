"""What the command line prints: a case or a list of cases, as tables for people or JSON for scripts.

The JSON is the contract of DESIGN section 3 (`CaseView`, `CaseSummary`), printed as pydantic
dumps it. Tables show what a case officer acts on next: warnings first, stage, parties and their
consent, every duty (DESIGN section 11: who owes it, the rule that sets it, the working days left
or when it was settled), and the latest entries of the timeline.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from domain.calendar import LONDON, WorkingCalendar, london_date
from domain.words import counted, duty_words, long_date, words
from domain.models import (
    STAGE_WORDS, ActionView, CaseSummary, CaseView, DeadlineState, DeadlineView, DeliveryStatus, Route,
)

if TYPE_CHECKING:
    from domain.due import DueDuty

LATEST_ENTRIES = 6
APPEAL = "appeal"  # the family's appeal deadline (domain/deadlines.py, not imported: `show` needs no planning)


def case(view: CaseView, as_json: bool, whole_timeline: bool = False) -> None:
    if as_json:
        _print_json(view.model_dump(mode="json"))
        return
    console = _console()
    console.print(Text(f"Case {view.reference} is {STAGE_WORDS[view.stage]}", style="bold"))
    for warning in view.warnings:
        console.print(Text(f"Warning: {warning}", style="bold red"))
    if view.route is Route.mediation:
        facts = [f"officer {view.case_officer}", "statutory mediation", "issues: " + ", ".join(view.mediation_issues)]
        if view.school_only:
            facts.append("school only: no certificate needed")
    else:
        facts = [f"officer {view.case_officer}", ", ".join(view.kinds), f"EHC point: {view.ehc_point.value}"]
    console.print(" · ".join(facts))
    if view.outcome:
        console.print(f"Outcome: {view.outcome.value}")
    if view.decision:
        console.print(f"Local Authority decision: {view.decision.kind.value}, notice sent {view.decision.date}")
    if view.health_provision_sought:
        console.print(f"Health care provision the family wants: {view.health_provision_sought}")
    if view.certificate:
        console.print(
            f"Mediation certificate: {view.certificate.issued_on} ({words(view.certificate.reason)}), "
            f"issued by the {words(view.certificate.issued_by)}"
        )
    if view.appeal_deadline:
        status = f"; appeal {view.appeal_status.value.replace('_', ' ')}" if view.appeal_status else ""
        why = (
            "1 month after the first certificate, if that is later; a later certificate never moves it"
            if view.route is Route.mediation
            else "disagreement resolution does not extend it"
        )
        console.print(f"Appeal deadline {view.appeal_deadline}, 5pm ({why}){status}")
    console.print(_parties(view))
    console.print(_deadlines(view))
    if view.mediator:
        console.print(f"Mediator: {view.mediator.name} <{view.mediator.email}>")
    if view.session:
        where = f", {view.session.venue}" if view.session.venue else ""
        again = " (rescheduled)" if view.session.number > 1 else ""
        console.print(f"Session: {_london(view.session.at)}{where}{again}")
    if view.actions:
        console.print(_actions(view))
    console.print(_timeline(view, whole_timeline))
    for notice in view.notifications:
        if notice.status is DeliveryStatus.failed:
            console.print(f"Not delivered: {notice.template} to {notice.to}: {notice.reason}", style="red")


def cases(summaries: list[CaseSummary], as_json: bool) -> None:
    if as_json:
        _print_json([summary.model_dump(mode="json") for summary in summaries])
        return
    console = _console()
    if not summaries:
        console.print("No cases match.")
        return
    table = _table(
        "Reference", "Stage", "Kinds", "Officer", "Next deadline", "Appeal deadline", "Warnings",
        title=f"{len(summaries)} case(s)",
    )
    for summary in summaries:
        stage = summary.stage.value if summary.stage else ""
        table.add_row(
            summary.reference,
            f"{stage} ({summary.outcome.value})" if summary.outcome else stage,
            ", ".join(summary.kinds),
            summary.case_officer or "",
            _next_deadline(summary),
            summary.appeal_deadline.isoformat() if summary.appeal_deadline else "",
            ", ".join(words(code) for code in summary.warnings),
        )
    console.print(table)


def due(duties: list[DueDuty], as_json: bool, today: date, team: bool = False) -> None:
    """`due`: the duties still owed, overdue first; in words that wrap between words at 80 columns."""
    from domain.due import owed_by_words, time_left_words  # England's holidays load only for `due`

    if as_json:
        _print_json([
            duty.model_dump(mode="json", include={"reference", "route", "stage", "duty", "due", "owed_by", "working_days_left", "overdue"})
            for duty in duties
        ])
        return
    console = _console()
    if not duties:
        console.print("Nothing is due.")
        return
    columns = ("Reference", "Duty", "Due", "Time left", "Owed by", *(("Officer",) if team else ()))
    table = Table(title=Text(counted(len(duties), "duty", "duties") + " owed", style="bold"), title_justify="left",
                  box=box.SIMPLE_HEAD, show_edge=False)
    for column in columns:
        table.add_column(column, no_wrap=column == "Reference", overflow="fold" if column == "Officer" else "ellipsis")
    for duty in duties:
        table.add_row(
            duty.reference, duty_words(duty.duty), long_date(duty.due), time_left_words(duty, today),
            owed_by_words(duty), *((duty.case_officer,) if team else ()),
        )
    console.print(table)


def error(message: str) -> None:
    typer.echo(f"Error: {message}", err=True)


def _parties(view: CaseView) -> Table:
    table = _table("Id", "Party", "Role / kind", "Consent", title="Parties")
    for party in view.parties:
        role = party.role or party.kind
        table.add_row(party.id, party.name, role.value if role else "", party.consent.value)
    return table


def _deadlines(view: CaseView) -> Table | Text:
    """Every duty: those still owed first (by due date), then those settled, each with who owes it
    and the rule that sets it."""
    if not view.deadlines:
        return Text("No deadlines yet.")
    today = london_date(datetime.now(UTC))
    calendar = WorkingCalendar()
    names = {party.id: party.name for party in view.parties}
    table = _table("Deadline", "Owed by", "Due", "State", "Working days left, or settled", "Source", title="Deadlines")
    for deadline in sorted(view.deadlines, key=lambda deadline: (not deadline.owed, deadline.due)):
        table.add_row(
            deadline.name, _owner(deadline.owed_by, names), _due(deadline.due, calendar), deadline.state.value,
            _time_left(deadline, view, today, calendar), deadline.source or "",
        )
    return table


def _owner(owed_by: str | None, names: dict[str, str]) -> str:
    if owed_by is None:
        return ""
    return f"{names[owed_by]} ({owed_by})" if owed_by in names else owed_by.replace("_", " ")


def _due(day: date, calendar: WorkingCalendar) -> str:
    """A due date, saying plainly when it is not a working day (we never move a date given to a
    family, and the law's own dates are not ours to move: see docs/process-and-law.md)."""
    if calendar.is_working_day(day):
        return day.isoformat()
    why = calendar.bank_holiday(day) or f"{day:%A}"
    return f"{day.isoformat()} ({why}: not a working day)"


def _time_left(deadline: DeadlineView, view: CaseView, today: date, calendar: WorkingCalendar) -> str:
    if deadline.owed:
        if deadline.state is DeadlineState.missed:
            return "missed: still to be done"
        if deadline.due == today:
            return "due today"
        return str(calendar.working_days_between(today, deadline.due))
    if deadline.settled_on is None:
        return ""
    entry = f" (timeline entry {deadline.settled_by})" if deadline.settled_by else ""
    return f"on {deadline.settled_on.isoformat()}{entry}"


def _actions(view: CaseView) -> Table:
    calendar = WorkingCalendar()
    names = {party.id: party.name for party in view.parties}
    table = _table("#", "Agreed action", "Owner", "Due", "Due by", "Done", title="Agreed actions")
    for action in view.actions:
        done = "yes" if action.done else "no"
        owner = f"{names[action.owner]} ({action.owner})" if action.owner in names else action.owner
        table.add_row(str(action.number), action.description, owner, _due(action.due, calendar), _due_rule(action), done)
    return table


def _due_rule(action: ActionView) -> str:
    """Where an action's due date comes from: the rule the view names, and whether the family could
    appeal the matter (the reg 44 kind of order)."""
    matter = f"appealable: {words(action.order_kind)}" if action.appealable and action.order_kind else ""
    return "; ".join(part for part in (action.due_source or "", matter) if part)


def _timeline(view: CaseView, whole: bool) -> Table:
    latest = view.timeline if whole else view.timeline[-LATEST_ENTRIES:]
    title = "Timeline"
    if len(view.timeline) > len(latest):
        title = f"Timeline: the latest {len(latest)} of {len(view.timeline)} entries (show {view.reference} --all for every one)"
    table = _table("When (UK)", "By", "What", "Detail", title=title)
    for entry in latest:
        table.add_row(_london(entry.at), entry.actor if entry.verified else f"{entry.actor} (unverified)", entry.event, entry.detail)
    return table


def _next_deadline(summary: CaseSummary) -> str:
    if summary.next_deadline is None:
        return ""
    due = summary.next_deadline.isoformat()
    return f"{due} (overdue)" if summary.overdue else due


def _london(instant: datetime) -> str:
    return instant.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


def _table(*columns: str, title: str) -> Table:
    table = Table(title=Text(title, style="bold"), title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
    for number, column in enumerate(columns):
        # Narrow terminals fold text rather than cut it; the first column (an id) stays whole.
        table.add_column(column, overflow="fold", no_wrap=number == 0)
    return table


def _console() -> Console:
    # Names typed by staff may hold brackets: never read them as rich markup.
    return Console(markup=False, highlight=False)


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
