"""What the command line prints: what an action did and the next step, a case, or a list of cases, as
tables for people or JSON for scripts.

The JSON is the contract of DESIGN section 3 (`CaseView`, `CaseSummary`), printed as pydantic
dumps it, codes and all. Tables show what a case officer acts on next, every code in words
(domain/words.py) and every date in England's time: warnings first, stage, parties (and, on
disagreement resolution, their consent), every duty (DESIGN section 11: who owes it, the rule that
sets it, the working days left or when it was settled), and the latest entries of the timeline.
Tables fit the terminal without breaking a word: the least needed columns go first when it is narrow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cli import steps
from domain.calendar import WorkingCalendar, london_date
from domain.words import counted
from domain.models import (
    STAGE_WORDS, ActionView, ApplicantRole, CaseStage, CaseSummary, CaseView, DeadlineState, DeadlineView, DeliveryStatus,
    OrganisationKind, Route,
)
from domain.words import (
    APPEAL_STATUS_WORDS, APPLICANT_ROLE_WORDS, CERTIFICATE_ISSUER_WORDS, CERTIFICATE_REASON_WORDS, CHANNEL_WORDS,
    CONSENT_WORDS, DECISION_KIND_WORDS, EHC_POINT_WORDS, ORDER_KIND_WORDS, OUTCOME_WORDS, date_and_time, deadline_state_words,
    duty_words, event_words, issues_words, kinds_words, listed, long_date, organisation_kind_words, owner_words, stage_words,
    template_words,
)

if TYPE_CHECKING:
    from domain.due import DueDuty

LATEST_ENTRIES = 6
APPEAL = "appeal"  # the family's appeal deadline (domain/deadlines.py's name)


def result(view: CaseView, request: type, as_json: bool, verbose: bool) -> None:
    """What an action command prints (DESIGN section 13): for people, one line saying what it did and
    the next step, with the command that takes it; the whole case with --verbose; the case view with --json."""
    if as_json or verbose:
        case(view, as_json)
        return
    typer.echo(f"{steps.done(request, view.reference)} {_next(view)}")


def _next(view: CaseView) -> str:
    """The next step (domain/next_step.py), by when, whom the case waits for and the command that takes it."""
    from domain.next_step import next_step  # here: it reads the deadline planning's names, which `show` never loads

    step = next_step(view, london_date(datetime.now(UTC)))
    if step is None:
        if view.stage is CaseStage.closed:
            return f"The case is closed: {OUTCOME_WORDS[view.outcome]}." if view.outcome else "The case is closed."
        return "Nothing is due on the case now."
    when = ""
    if step.due is not None:
        when = f", overdue since {long_date(step.due)}" if step.overdue else f" by {long_date(step.due)}"
    lines = [f"Next: {step.what}{when}."]
    if step.waiting_for:
        lines.append(f"Waiting for: {step.waiting_for}.")
    command = steps.command_for(step, view.reference)
    if command:
        lines.append(f"Command: {command}")
    return "\n".join(lines)


def case(view: CaseView, as_json: bool, whole_timeline: bool = False) -> None:
    if as_json:
        _print_json(view.model_dump(mode="json"))
        return
    console = _console()
    console.print(Text(f"Case {view.reference} is {STAGE_WORDS[view.stage]}", style="bold"))
    for warning in view.warnings:
        console.print(Text(f"Warning: {warning}", style="bold red"))
    if view.route is Route.mediation:
        facts = [f"officer {view.case_officer}", "statutory mediation", f"about {issues_words(view.mediation_issues)}"]
        if view.school_only:
            facts.append("school only: no certificate needed")
    else:
        facts = [f"officer {view.case_officer}", kinds_words(view.kinds)]
        if view.ehc_point:
            facts.append(f"EHC point: {EHC_POINT_WORDS[view.ehc_point]}")
    console.print(" · ".join(facts))
    if view.outcome:
        console.print(f"Outcome: {OUTCOME_WORDS[view.outcome]}")
    if view.decision:
        console.print(
            f"Local Authority decision: {DECISION_KIND_WORDS[view.decision.kind]}, notice sent {long_date(view.decision.date)}"
        )
    if view.health_provision_sought:
        console.print(f"Health care provision the family wants: {view.health_provision_sought}")
    if view.certificate:
        console.print(
            f"Mediation certificate: {long_date(view.certificate.issued_on)} "
            f"({CERTIFICATE_REASON_WORDS[view.certificate.reason]}), "
            f"issued by {CERTIFICATE_ISSUER_WORDS[view.certificate.issued_by].lower()}"
        )
    if view.appeal_deadline:
        status = f". {APPEAL_STATUS_WORDS[view.appeal_status]}" if view.appeal_status else ""
        why = (
            "1 month after the first certificate, if that is later; a later certificate never moves it"
            if view.route is Route.mediation
            else "disagreement resolution does not extend it"
        )
        console.print(f"Appeal deadline {long_date(view.appeal_deadline)} at 5pm ({why}){status}")
    console.print(_parties(view, console))
    console.print(_deadlines(view, console))
    if view.mediator:
        console.print(f"Mediator: {view.mediator.name} <{view.mediator.email}>")
    if view.session:
        where = f", {view.session.venue}" if view.session.venue else ""
        again = " (moved)" if view.session.number > 1 else ""
        console.print(f"Session: {date_and_time(view.session.at)}{where}{again}")
    if view.slots:
        console.print(_slots(view, console))
    if view.actions:
        console.print(_actions(view, console))
    console.print(_timeline(view, whole_timeline, console))
    for notice in view.notifications:
        if notice.status is DeliveryStatus.failed:
            by = f" by {CHANNEL_WORDS[notice.channel].lower()}" if notice.channel else ""
            console.print(f"Not delivered: {template_words(notice.template)}{by} to {notice.to}: {notice.reason}", style="red")


def cases(summaries: list[CaseSummary], as_json: bool) -> None:
    if as_json:
        _print_json([summary.model_dump(mode="json") for summary in summaries])
        return
    console = _console()
    if not summaries:
        console.print("No cases match.")
        return
    rows = []
    for summary in summaries:
        stage = stage_words(summary.stage) if summary.stage else ""
        rows.append([
            summary.reference,
            f"{stage}: {OUTCOME_WORDS[summary.outcome]}" if summary.outcome else stage,
            kinds_words(summary.kinds),
            summary.case_officer or "",
            _next_deadline(summary),
            long_date(summary.appeal_deadline),
            ", ".join(event_words(code) for code in summary.warnings),
        ])
    title = f"{len(summaries)} case" if len(summaries) == 1 else f"{len(summaries)} cases"
    console.print(fitted(
        console, title,
        [Column("Reference", 0), Column("Stage", 0), Column("Kinds", 3, spare=True), Column("Officer", 1),
         Column("Next deadline", 0), Column("Appeal deadline", 1), Column("Warnings", 1)],
        rows,
    ))


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
    columns = [Column("Reference", 0), Column("Duty", 0), Column("Due", 0), Column("Time left", 0), Column("Owed by", 0)]
    rows = [
        [duty.reference, duty_words(duty.duty), long_date(duty.due), time_left_words(duty, today), owed_by_words(duty)]
        + ([duty.case_officer or ""] if team else [])
        for duty in duties
    ]
    title = counted(len(duties), "duty", "duties") + " owed"
    console.print(fitted(console, title, columns + ([Column("Officer", 0)] if team else []), rows))


def error(message: str) -> None:
    typer.echo(f"Error: {message}", err=True)


@dataclass(frozen=True)
class Column:
    name: str
    drop: int  # 0: always shown; else shown while its words fit, the highest going first
    spare: bool = False  # shown only while the table needs no wrapping


def fitted(console: Console, title: str, columns: list[Column], rows: list[list[str]]) -> Table:
    """A table as wide as the terminal allows without breaking a word. A column for room to spare
    goes as soon as the table would wrap; then, while the longest words of the columns cannot all
    fit, the column most ready to go (the highest `drop`) goes. Each column gets its longest word's
    width, and the room left is shared as each needs it. (rich's own narrowing takes from the
    widest columns and would cut their words.)"""
    # A column that may go and has nothing to say goes at once.
    shown = [number for number, column in enumerate(columns) if not column.drop or any(row[number] for row in rows)]
    while True:
        cells = [[columns[number].name, *(row[number] for row in rows)] for number in shown]
        # Between columns one space, and each column padded by one space either side (`_table`).
        room = console.width - (len(shown) - 1) - 2 * len(shown)
        least = [max(len(word) for cell in column for word in cell.split() or [""]) for column in cells]
        most = [max(len(cell) for cell in column) for column in cells]
        words_fit = sum(least) <= room
        ready = [number for number in shown if (columns[number].spare if words_fit else columns[number].drop)]
        if sum(most) <= room or not ready:
            break
        shown.remove(max(reversed(ready), key=lambda number: columns[number].drop))
    table = _table(*(columns[number].name for number in shown), title=title)
    for row in rows:
        table.add_row(*(row[number] for number in shown))
    if sum(most) > room >= sum(least):
        for column, width in zip(table.columns, _shared(least, most, room)):
            column.width = width
    return table


def _shared(least: list[int], most: list[int], room: int) -> list[int]:
    """Widths from `least` up: the columns that want least more are given it whole first (a date or a
    name on one line), then the spare room is shared in proportion to what the others still want."""
    widths = list(least)
    spare = room - sum(least)
    wanting = sorted(range(len(widths)), key=lambda number: most[number] - least[number])
    while wanting and most[wanting[0]] - widths[wanting[0]] <= spare:
        number = wanting.pop(0)
        spare -= most[number] - widths[number]
        widths[number] = most[number]
    wants = {number: most[number] - widths[number] for number in wanting}
    for number, want in wants.items():
        widths[number] += spare * want // sum(wants.values())
    return widths


def _parties(view: CaseView, console: Console) -> Table:
    """Disagreement resolution needs every party's agreement (SEND Code 11.6), so each party's answer
    shows; statutory mediation is the family's choice and the Local Authority cannot refuse it
    (CFA 2014 ss.53-54): there each party shows its part in the case, and no consent."""
    if view.route is Route.mediation:
        rows = [[party.id, party.name + (" (chose online)" if party.answered_online else ""), _part(party.role, party.kind)]
                for party in view.parties]
        return fitted(console, "Parties", [Column("Id", 0), Column("Party", 0), Column("Part in the case", 1)], rows)
    rows = [
        [party.id, party.name, _part(party.role, party.kind),
         CONSENT_WORDS[party.consent] + (" (answered online)" if party.answered_online else "")]
        for party in view.parties
    ]
    columns = [Column("Id", 0), Column("Party", 0), Column("Who they are", 1), Column("Answer to the offer", 0)]
    return fitted(console, "Parties", columns, rows)


def _slots(view: CaseView, console: Console) -> Table:
    """The session times proposed, who can make each, and those that suit everyone (DESIGN section 14)."""
    names = {party.id: party.name for party in view.parties}
    rows = [
        [str(slot.number), date_and_time(slot.at), listed([names[id] for id in slot.available]) or "Nobody yet",
         "Yes" if slot.suits_everyone else "No"]
        for slot in view.slots
    ]
    silent = [party.name for party in view.parties if party.availability is None]
    title = "Session times proposed" + (f" (still to answer: {listed(silent)})" if silent else " (every party has answered)")
    columns = [Column("Time", 0), Column("When", 0), Column("Who can make it", 1), Column("Suits everyone", 0)]
    return fitted(console, title, columns, rows)


def _part(role: ApplicantRole | None, kind: OrganisationKind | None) -> str:
    if role is not None:
        return f"The family: {APPLICANT_ROLE_WORDS[role].lower()}"
    return organisation_kind_words(kind)


def _deadlines(view: CaseView, console: Console) -> Table | Text:
    """Every duty: those still owed first (by due date), then those settled, each with who owes it
    and the rule that sets it. The id is the name `extend --deadline` takes."""
    if not view.deadlines:
        return Text("No deadlines yet.")
    today = london_date(datetime.now(UTC))
    calendar = WorkingCalendar()
    names = {party.id: party.name for party in view.parties}
    rows = [
        [
            deadline.name, duty_words(deadline.name), owner_words(deadline.owed_by, names), _due(deadline.due, calendar),
            deadline_state_words(deadline), _time_left(deadline, today, calendar), deadline.source or "",
        ]
        for deadline in sorted(view.deadlines, key=lambda deadline: (not deadline.owed, deadline.due))
    ]
    columns = [
        Column("Id", 0), Column("Duty", 1), Column("Owed by", 1), Column("Due", 0), Column("State", 0),
        Column("Working days left, or settled", 2), Column("Source", 3),
    ]
    return fitted(console, "Deadlines", columns, rows)


def _due(day: date, calendar: WorkingCalendar) -> str:
    """A due date, saying plainly when it is not a working day (we never move a date given to a
    family, and the law's own dates are not ours to move: see docs/process-and-law.md)."""
    if calendar.is_working_day(day):
        return long_date(day)
    why = calendar.bank_holiday(day) or f"{day:%A}"
    return f"{long_date(day)} ({why}: not a working day)"


def _time_left(deadline: DeadlineView, today: date, calendar: WorkingCalendar) -> str:
    if deadline.owed:
        if deadline.state is DeadlineState.missed:
            return "missed: still to be done"
        if deadline.due == today:
            return "due today"
        return str(calendar.working_days_between(today, deadline.due))
    if deadline.settled_on is None:
        return ""
    entry = f" (timeline entry {deadline.settled_by})" if deadline.settled_by else ""
    return f"on {long_date(deadline.settled_on)}{entry}"


def _actions(view: CaseView, console: Console) -> Table:
    calendar = WorkingCalendar()
    names = {party.id: party.name for party in view.parties}
    rows = [
        [
            str(action.number), action.description, owner_words(action.owner, names), _due(action.due, calendar),
            _due_rule(action), "yes" if action.done else "no",
        ]
        for action in view.actions
    ]
    columns = [
        Column("#", 0), Column("Agreed action", 0), Column("Owner", 0), Column("Due", 0), Column("Due by", 1),
        Column("Done", 0),
    ]
    return fitted(console, "Agreed actions", columns, rows)


def _due_rule(action: ActionView) -> str:
    """Where an action's due date comes from: the rule the view names, and whether the family could
    appeal the matter (the reg 44 kind of order)."""
    matter = f"appealable: {ORDER_KIND_WORDS[action.order_kind]}" if action.appealable and action.order_kind else ""
    return "; ".join(part for part in (action.due_source or "", matter) if part)


def _timeline(view: CaseView, whole: bool, console: Console) -> Table:
    latest = view.timeline if whole else view.timeline[-LATEST_ENTRIES:]
    title = "Timeline"
    if len(view.timeline) > len(latest):
        title = f"Timeline: the latest {len(latest)} of {len(view.timeline)} entries (show {view.reference} --all for every one)"
    rows = [
        [date_and_time(entry.at), entry.actor if entry.verified else f"{entry.actor} (unverified)", event_words(entry.event), entry.detail]
        for entry in latest
    ]
    columns = [Column("When", 0), Column("By", 1), Column("What", 0), Column("Detail", 0)]
    return fitted(console, title, columns, rows)


def _next_deadline(summary: CaseSummary) -> str:
    if summary.next_deadline is None:
        return ""
    due = long_date(summary.next_deadline)
    return f"{due} (overdue)" if summary.overdue else due


def _table(*columns: str, title: str) -> Table:
    table = Table(title=Text(title, style="bold"), title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
    for column in columns:
        # Words wrap whole, at spaces only, so an id or a reference stays in one piece; only a token
        # longer than the terminal could fold (`fitted` drops columns before that happens).
        table.add_column(column, overflow="fold")
    return table


def _console() -> Console:
    # Names typed by staff may hold brackets: never read them as rich markup.
    return Console(markup=False, highlight=False)


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
