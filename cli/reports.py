"""`disagreement report`: the service's figures for a period (DESIGN section 15), for team managers.

The figures and the rules of which case counts where are domain/report.py's; the cases are read by
cases/reports.py, as the console's Reports page reads them, so both show the same numbers.
"""

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from cli import parsing
from cli.common import INVALID, Actor, Roles, acting, app, stop, with_cases
from cli.render import Column, _console, _print_json, fitted
from domain.calendar import london_date
from domain.models import Route
from infra.identity import Act

if TYPE_CHECKING:
    from domain.report import Report

REPORTS = "The service's figures"


@app.command(rich_help_panel=REPORTS)
def report(
    start: Annotated[
        date | None,
        typer.Option("--from", metavar="DATE", parser=parsing.filter_day, help="The period's first day; default: 1 January this year (of --to's year, if earlier)."),
    ] = None,
    end: Annotated[
        date | None, typer.Option("--to", metavar="DATE", parser=parsing.filter_day, help="The period's last day; default: today."),
    ] = None,
    route: Annotated[Route | None, typer.Option(help="Only cases on this route.")] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", metavar="",
            help="Print the figures as JSON (period, cases, outcomes, duration_working_days, duties, messages, "
            "and the references behind each figure).",
        ),
    ] = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", metavar="", help="Print one CSV row per figure, with the references behind it."),
    ] = False,
    actor: Actor = None,
    role: Roles = None,
) -> None:
    """The service's figures for a period, by default the year to date (1 January to today, both
    included): cases opened and closed, by route, kind and outcome; working days from opening to
    closure; each kind of duty due, met on time, met late, missed or still owed; messages sent and
    failed. Open cases are read from Temporal, closed ones from the records. Needs the team_manager
    role. Shows no personal details; the JSON and CSV list the case references behind each figure."""
    from domain.report import PeriodError, period_asked

    if as_json and as_csv:
        stop("give --json or --csv, not both", INVALID)
    acting(actor, role, Act.reports)
    today = london_date(datetime.now(UTC))
    try:
        period = period_asked(today, start, end)
    except PeriodError as problem:
        hint = "give --from on or before --to" if end else "give an earlier --from (the period ends today unless --to says when)"
        stop(f"{problem}: {hint}", INVALID)

    async def reading(cases):
        from cases.reports import case_report  # the Temporal client: only once the command is checked

        return await case_report(cases, period, today, route)

    found = with_cases(reading)
    if as_json:
        _print_json(found.as_json())
    elif as_csv:
        typer.echo(found.as_csv(), nl=False)
    else:
        _print_report(found)


def _print_report(found: "Report") -> None:
    from domain.report import (
        CHANNEL_NAMES, KIND_WORDS, MESSAGE_STATES, NOT_YET_DUE, ON_TIME, LATE, MISSED_OPEN, duty_title,
    )
    from domain.models import Route
    from domain.words import OUTCOME_WORDS, ROUTE_WORDS, long_date

    figures = found.as_json()
    console = _console()
    route = ROUTE_WORDS[found.route].lower() if found.route else "both routes"
    console.print(
        f"Report for {long_date(found.period.start)} to {long_date(found.period.end)} ({route}), "
        f"as the cases stood on {long_date(found.today)}."
    )
    cases = figures["cases"]
    rows = [["All cases", str(cases["opened"]), str(cases["closed"])]]
    rows += [[ROUTE_WORDS[Route(name)], str(n["opened"]), str(n["closed"])] for name, n in cases["by_route"].items()]
    rows += [[KIND_WORDS.get(kind, kind), str(n["opened"]), str(n["closed"])] for kind, n in cases["by_kind"].items()]
    console.print(fitted(console, "Cases", [Column("", 0), Column("Opened", 0), Column("Closed", 0)], rows))
    outcomes = [[OUTCOME_WORDS[name], str(n)] for name, n in figures["outcomes"].items()]
    console.print(fitted(console, "Outcomes of the cases closed", [Column("Outcome", 0), Column("Cases", 0)], outcomes))
    duration = figures["duration_working_days"]
    if duration["cases"]:
        console.print(
            f"Working days from opening to closure, of {duration['cases']} cases closed: median {duration['median']}, "
            f"90th percentile {duration['p90']} (nearest rank; England's working days)."
        )
    else:
        console.print("No case closed in the period: no working days from opening to closure.")
    duties = [
        [
            duty_title(name), str(n["due"]), str(n[ON_TIME]), str(n[LATE]), str(n[MISSED_OPEN]), str(n[NOT_YET_DUE]),
            "" if n["percent_on_time"] is None else f"{n['percent_on_time']}%",
        ]
        for name, n in figures["duties"].items()
    ]
    console.print(fitted(
        console, "Duties due in the period",
        [Column("Duty", 0), Column("Due", 0), Column("On time", 0), Column("Late", 0), Column("Missed", 0),
         Column("To come", 1), Column("% on time", 0)],
        duties,
    ))
    console.print(
        "Missed: its date has passed and it was never met. To come: still owed, due today or later. "
        "% on time: of those met or missed."
    )
    messages = figures["messages"]
    rows = [["All channels", *(str(messages[state]) for state in MESSAGE_STATES)]]
    rows += [
        [CHANNEL_NAMES.get(channel, channel), *(str(n[state]) for state in MESSAGE_STATES)]
        for channel, n in messages["by_channel"].items()
    ]
    console.print(fitted(
        console, "Messages of the cases opened in the period",
        [Column("Channel", 0), Column("Sent", 0), Column("Failed", 0), Column("Waiting", 0)], rows,
    ))
    if found.unreadable:
        console.print(
            f"Not counted: {len(found.unreadable)} closed cases whose records this terminal cannot decrypt "
            f"(a key missing from the key ring): {', '.join(found.unreadable)}."
        )
    console.print("--json or --csv lists the case references behind each figure.")
