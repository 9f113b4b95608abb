"""The service's figures for a period (DESIGN section 15): what a head of SEND is asked by councillors,
inspectors (Ofsted and CQC's area SEND inspections) and families' groups. Pure: case views in, figures
out; reading the cases is cases/reports.py's, printing them the command line's and the console's.

Which case counts where (every date is a day in England; a period runs from its first day to its last,
both included):

- **Opened in the period**: the case's `case_opened` timeline entry falls in it.
- **Closed in the period**: its first `case_closed` entry falls in it (the record's `closed_at`). A case
  whose process has ended but which still owes something is not closed: a statutory mediation case
  waiting for its certificate (`certificate_due`), or following up agreed actions, counts as open, and
  its outcome is counted when it closes. A case closed with its family's appeal clock still running is
  closed.
- **By route**, **by kind**: disagreement resolution by its kinds of disagreement (`kinds`, SEND Code
  11.7: `duties`, `provision`, `health_social_care`); statutory mediation by the kind of Local Authority
  decision it is about (`decision.kind`, CFA 2014 s.51(2): `refusal_to_assess`, ...), not its mediation
  issues, since the decision is what the family could appeal. A case of two kinds counts under each, so
  the kinds add up to more than the total.
- **Outcomes**: of the cases closed in the period.
- **Working days from opening to closure**: of the cases closed in the period, working days in England
  (weekends and bank holidays skipped, domain/calendar.py) after the day it opened up to and including
  the day it closed: closed the day it opened is 0. Median and 90th percentile by the nearest-rank
  method (the value at rank ceil(p/100 x n) of the n values in order): always one case's own figure.
- **Duties**: every duty of every case (DESIGN section 11) whose due date falls in the period, whenever
  the case opened or closed, counted by duty name, the agreed actions (`action-1`, `action-2`, ...)
  together as `action` and the call-backs (`callback-1`, ...) as `callback` (domain/duties.duty_kind). A duty counts against its date as it stands: an extended duty against its
  extended date (the extension and its reason are on the timeline). Left out: the `appeal` deadline,
  which is the family's own clock under HESC Rules 2008 r.20(1)(c), not a duty of the service; and a
  cancelled duty, which the law no longer asked for once the process ended before its date (a case
  withdrawn, a consent window closed by a "no"). Each duty due is one of:
  - `on_time`: met on or before its due date (`settled_on <= due`);
  - `late`: met after it;
  - `missed_open`: never met, and its date has passed: still owed, or missed and no longer owed
    because the case ended;
  - `not_yet_due`: still owed, its date today or later (a period that reaches into the future).
  `percent_on_time` is `on_time` over the duties already decided (due, less `not_yet_due`), to one
  decimal place; none when nothing is decided.
- **Messages**: every message of the cases opened in the period, whenever it went (the case view does
  not date its messages, so each case's are counted with the period it opened in, and consecutive
  periods add up): sent, failed (a permanent failure recorded on the case) and pending, in all and by
  channel. Messages to staff count too.
- **Cases open over time**: at the end of each day shown (every day of a short period, every few days of
  a longer one, never after today), the cases opened by then and not yet closed.

Each figure carries what is behind it, by reference only (`references`, keyed by the figure's path,
e.g. `duties.certificate.late`): a case's reference for a figure of cases, `REF/duty` for a duty
(`DR-2026-7KQ3XZ/action-2`), `REF/template/recipient id` for a message. A figure's number is the
length of its list.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.calendar import WorkingCalendar, london_date
from domain.case import CASE_CLOSED, CASE_OPENED
from domain.deadlines import (
    AGREEMENT_NOTICE, APPEAL, CERTIFICATE, CONSENT_WINDOW, HEALTH_NOTICE, MEDIATION_ARRANGEMENT,
    OUTCOME_RECORD, SESSION_ARRANGEMENT, TALKS_REVIEW, WRITTEN_OUTCOME,
)
from domain.duties import ACTION_KIND, CALLBACK_KIND, duty_kind
from domain.models import (
    CaseOutcome, CaseView, Channel, DeadlineState, DecisionKind, DeliveryStatus, DisagreementKind, Route,
)
from domain.notifications import NO_CHANNEL
from domain.words import (
    CHANNEL_WORDS, DECISION_KIND_WORDS, DELIVERY_WORDS, DISAGREEMENT_KIND_WORDS, OUTCOME_WORDS, ROUTE_WORDS, duty_words,
    long_date,
)

ON_TIME, LATE, MISSED_OPEN, NOT_YET_DUE = "on_time", "late", "missed_open", "not_yet_due"
VERDICTS = (ON_TIME, LATE, MISSED_OPEN, NOT_YET_DUE)
MESSAGE_STATES = (DeliveryStatus.sent.value, DeliveryStatus.failed.value, DeliveryStatus.pending.value)
# The duties of each route, in the order a case meets them; any other name found is counted too.
ROUTE_DUTIES = {
    Route.disagreement_resolution: (
        TALKS_REVIEW, CONSENT_WINDOW, SESSION_ARRANGEMENT, OUTCOME_RECORD, WRITTEN_OUTCOME, ACTION_KIND, CALLBACK_KIND,
    ),
    Route.mediation: (HEALTH_NOTICE, MEDIATION_ARRANGEMENT, CERTIFICATE, ACTION_KIND, AGREEMENT_NOTICE, CALLBACK_KIND),
}
ROUTE_KINDS: dict[Route, tuple[str, ...]] = {
    Route.disagreement_resolution: tuple(kind.value for kind in DisagreementKind),
    Route.mediation: tuple(kind.value for kind in DecisionKind),
}
ROUTE_OUTCOMES = {
    Route.disagreement_resolution: (
        CaseOutcome.resolved_informally, CaseOutcome.declined, CaseOutcome.no_response, CaseOutcome.full_agreement,
        CaseOutcome.partial_agreement, CaseOutcome.no_agreement, CaseOutcome.withdrawn,
    ),
    Route.mediation: (
        CaseOutcome.certificate_only, CaseOutcome.not_arranged, CaseOutcome.full_agreement,
        CaseOutcome.partial_agreement, CaseOutcome.no_agreement, CaseOutcome.withdrawn,
    ),
}
CHART_POINTS = 60  # at most this many days on the line of cases open over time


class PeriodError(ValueError):
    """A period that cannot be reported on, in words."""


@dataclass(frozen=True)
class Period:
    start: date  # "from": its first day
    end: date  # "to": its last day

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise PeriodError(f"the period starts on {long_date(self.start)}, after its last day, {long_date(self.end)}")

    def holds(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def period_asked(today: date, start: date | None = None, end: date | None = None) -> Period:
    """The period a report is asked for, by default the year to date: from 1 January of this year (of
    the last day's year, when that is earlier) to today, both included, so that a report always
    includes what happened today."""
    end = end or today
    this_year = date(today.year, 1, 1)
    return Period(start or (this_year if end >= this_year else date(end.year, 1, 1)), end)


def opened_on(view: CaseView) -> date:
    """The day a case opened: its `case_opened` entry (its first entry, for a case without one)."""
    entry = next((entry for entry in view.timeline if entry.event == CASE_OPENED), view.timeline[0])
    return london_date(entry.at)


def closed_on(view: CaseView) -> date | None:
    """The day a case closed: its first `case_closed` entry; None while it is open."""
    return next((london_date(entry.at) for entry in view.timeline if entry.event == CASE_CLOSED), None)


def kinds_of(view: CaseView) -> list[str]:
    """What a case is about, for `by_kind`: disagreement resolution's kinds, mediation's decision."""
    if view.route is Route.mediation:
        return [view.decision.kind.value] if view.decision else []
    return [kind.value for kind in view.kinds]


def nearest_rank(values: list[int], percentile: int) -> int | None:
    """The value at rank ceil(p/100 x n) of the values in order (1-based); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percentile * len(ordered) / 100)) - 1]


@dataclass
class Report:
    period: Period
    today: date
    route: Route | None
    references: dict[str, list[str]]  # a figure's path -> what is behind it (its number is the length)
    routes: tuple[Route, ...]
    kinds: list[str]
    outcomes: list[str]
    duties: list[str]
    channels: list[str]
    durations: list[int]
    open_over_time: list[tuple[date, int]]
    unreadable: list[str] = field(default_factory=list)  # references whose record could not be read

    def count(self, path: str) -> int:
        return len(self.references.get(path, []))

    def percent_on_time(self, duty: str) -> float | None:
        decided = self.count(f"duties.{duty}.due") - self.count(f"duties.{duty}.{NOT_YET_DUE}")
        return round(100 * self.count(f"duties.{duty}.{ON_TIME}") / decided, 1) if decided else None

    def as_json(self) -> dict[str, Any]:
        """The report as DESIGN section 15 names its keys, every figure's references beside it."""
        both = ("opened", "closed")
        return {
            "period": {
                "from": self.period.start.isoformat(), "to": self.period.end.isoformat(),
                "as_of": self.today.isoformat(), "route": self.route.value if self.route else None,
            },
            "cases": {
                **{which: self.count(f"cases.{which}") for which in both},
                "by_route": {
                    route.value: {which: self.count(f"cases.by_route.{route.value}.{which}") for which in both}
                    for route in self.routes
                },
                "by_kind": {kind: {which: self.count(f"cases.by_kind.{kind}.{which}") for which in both} for kind in self.kinds},
            },
            "outcomes": {outcome: self.count(f"outcomes.{outcome}") for outcome in self.outcomes},
            "duration_working_days": {
                "cases": len(self.durations), "median": nearest_rank(self.durations, 50),
                "p90": nearest_rank(self.durations, 90), "method": "nearest rank",
            },
            "duties": {
                duty: {
                    "due": self.count(f"duties.{duty}.due"),
                    **{verdict: self.count(f"duties.{duty}.{verdict}") for verdict in VERDICTS},
                    "percent_on_time": self.percent_on_time(duty),
                }
                for duty in self.duties
            },
            "messages": {
                **{state: self.count(f"messages.{state}") for state in MESSAGE_STATES},
                "by_channel": {
                    channel: {state: self.count(f"messages.by_channel.{channel}.{state}") for state in MESSAGE_STATES}
                    for channel in self.channels
                },
            },
            "open_over_time": [{"on": day.isoformat(), "open": count} for day, count in self.open_over_time],
            "references": {path: items for path, items in sorted(self.references.items())},
            "unreadable": self.unreadable,
        }

    def figures(self) -> list[tuple[str, int | float | None]]:
        """Every number of the report by its path, in the order of the JSON: the CSV's rows."""
        rows: list[tuple[str, int | float | None]] = []

        def walk(prefix: str, value: Any) -> None:
            if isinstance(value, dict):
                for key, inner in value.items():
                    walk(f"{prefix}.{key}" if prefix else key, inner)
            elif isinstance(value, (int, float)) or value is None:
                rows.append((prefix, value))

        data = self.as_json()
        for section in ("cases", "outcomes", "duration_working_days", "duties", "messages"):
            walk(section, data[section])
        return rows

    def as_csv(self) -> str:
        """One row per figure: its path, its words, its number and the references behind it."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["figure", "meaning", "value", "references"])
        writer.writerow(["period.from", "First day of the period", self.period.start.isoformat(), ""])
        writer.writerow(["period.to", "Last day of the period", self.period.end.isoformat(), ""])
        writer.writerow(["period.route", "Route", self.route.value if self.route else "both", ""])
        for path, value in self.figures():
            writer.writerow([path, figure_words(path), "" if value is None else value, " ".join(self.references.get(path, []))])
        return out.getvalue()


def report(
    views: Iterable[CaseView], period: Period, today: date, route: Route | None = None,
    calendar: WorkingCalendar | None = None, unreadable: Iterable[str] = (),
) -> Report:
    """The figures of `period` over these case views (every case that may count: the reader gives
    open ones and closed ones alike), as the cases stand on `today`."""
    calendar = calendar or WorkingCalendar()
    routes = (route,) if route else tuple(Route)
    found: dict[str, list[str]] = {}
    durations: list[int] = []
    lives: list[tuple[date, date | None]] = []
    kinds = [kind for each in routes for kind in ROUTE_KINDS[each]]
    outcomes = list(dict.fromkeys(outcome.value for each in routes for outcome in ROUTE_OUTCOMES[each]))
    duties = list(dict.fromkeys(duty for each in routes for duty in ROUTE_DUTIES[each]))
    channels = [channel.value for channel in Channel]

    def add(path: str, item: str) -> None:
        found.setdefault(path, []).append(item)

    for view in sorted(views, key=lambda view: view.reference):
        if view.route not in routes:
            continue
        reference = view.reference
        opened, closed = opened_on(view), closed_on(view)
        lives.append((opened, closed))
        for which, day in (("opened", opened), ("closed", closed)):
            if period.holds(day):
                add(f"cases.{which}", reference)
                add(f"cases.by_route.{view.route.value}.{which}", reference)
                for kind in kinds_of(view):
                    add(f"cases.by_kind.{kind}.{which}", reference)
        if period.holds(closed):
            assert closed is not None
            if view.outcome is not None:
                if view.outcome.value not in outcomes:
                    outcomes.append(view.outcome.value)
                add(f"outcomes.{view.outcome.value}", reference)
            durations.append(calendar.working_days_between(opened, closed))
            add("duration_working_days.cases", reference)
        for deadline in view.deadlines:
            if deadline.name == APPEAL or deadline.state is DeadlineState.cancelled or not period.holds(deadline.due):
                continue
            duty = duty_kind(deadline.name)
            if duty not in duties:
                duties.append(duty)
            item = f"{reference}/{deadline.name}"
            add(f"duties.{duty}.due", item)
            add(f"duties.{duty}.{_verdict(deadline.state, deadline.due, deadline.settled_on, today)}", item)
        if period.holds(opened):
            for message in view.notifications:
                channel = message.channel.value if message.channel else NO_CHANNEL
                if channel not in channels:
                    channels.append(channel)
                item = f"{reference}/{message.template}/{message.to}"
                add(f"messages.{message.status.value}", item)
                add(f"messages.by_channel.{channel}.{message.status.value}", item)
    return Report(
        period=period, today=today, route=route, references=found, routes=routes, kinds=kinds, outcomes=outcomes,
        duties=duties, channels=channels, durations=durations, open_over_time=_open_over_time(lives, period, today),
        unreadable=sorted(unreadable),
    )


def _verdict(state: DeadlineState, due: date, settled_on: date | None, today: date) -> str:
    """How a duty due in the period stands (the module's rules). A duty met is met by the act on
    `settled_on`; `met` without a day (a case from before duties were dated) was met in time."""
    if state is DeadlineState.met:
        return LATE if settled_on is not None and settled_on > due else ON_TIME
    if state is DeadlineState.missed and settled_on is not None:
        return LATE
    return MISSED_OPEN if due < today else NOT_YET_DUE


def _open_over_time(lives: list[tuple[date, date | None]], period: Period, today: date) -> list[tuple[date, int]]:
    """Cases open at the end of each day shown: opened by then, not closed by then."""
    last = min(period.end, today)
    if last < period.start:
        return []
    days = (last - period.start).days + 1
    step = max(1, math.ceil(days / CHART_POINTS))
    shown = [period.start + timedelta(days=offset) for offset in range(0, days, step)]
    if shown[-1] != last:
        shown.append(last)
    return [
        (day, sum(1 for opened, closed in lives if opened <= day and (closed is None or closed > day)))
        for day in shown
    ]


# --- Words ------------------------------------------------------------------------------------------

VERDICT_WORDS = {
    "due": "Due in the period",
    ON_TIME: "Met on time",
    LATE: "Met late",
    MISSED_OPEN: "Missed, or still owed after its date",
    NOT_YET_DUE: "Not yet due",
    "percent_on_time": "Percentage on time",
}
KIND_WORDS = {kind.value: text for kind, text in {**DISAGREEMENT_KIND_WORDS, **DECISION_KIND_WORDS}.items()}
MESSAGE_WORDS = {state.value: DELIVERY_WORDS[state] for state in DeliveryStatus}
CHANNEL_NAMES = {channel.value: text for channel, text in CHANNEL_WORDS.items()} | {NO_CHANNEL: "No channel"}


def figure_words(path: str) -> str:
    """A figure's path in words: `duties.certificate.late` -> "Issue the mediation certificate: met late"."""
    parts = path.split(".")
    section, rest = parts[0], parts[1:]
    if section == "cases":
        which = {"opened": "Cases opened", "closed": "Cases closed"}[rest[-1]]
        if rest[0] == "by_route":
            return f"{which}: {ROUTE_WORDS[Route(rest[1])].lower()}"
        if rest[0] == "by_kind":
            return f"{which}: {KIND_WORDS.get(rest[1], rest[1]).lower()}"
        return which
    if section == "outcomes":
        return f"Cases closed: {OUTCOME_WORDS[CaseOutcome(rest[0])].lower()}"
    if section == "duration_working_days":
        return {
            "cases": "Cases closed, with their working days from opening",
            "median": "Median working days from opening to closure",
            "p90": "90th percentile of working days from opening to closure",
        }[rest[0]]
    if section == "duties":
        return f"{duty_title(rest[0])}: {VERDICT_WORDS[rest[1]].lower()}"
    if section == "messages":
        if rest[0] == "by_channel":
            return f"Messages {MESSAGE_WORDS[rest[2]].lower()}: {CHANNEL_NAMES.get(rest[1], rest[1]).lower()}"
        return f"Messages {MESSAGE_WORDS[rest[0]].lower()}"
    raise KeyError(path)


KIND_TITLES = {ACTION_KIND: "Agreed actions", CALLBACK_KIND: "Call-backs"}


def duty_title(duty: str) -> str:
    return KIND_TITLES.get(duty) or duty_words(duty)
