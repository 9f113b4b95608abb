"""The console's Reports page (DESIGN section 15), for team managers: the figures of `disagreement
report` for a period, read by the same reader (cases/reports.py), as GOV.UK tables whose every number
links to the cases behind it; two charts drawn on the server as SVG (duties on time by kind, cases open
over time), each beside a table of the same numbers for screen readers; and a CSV download.

URLs hold a figure's name, the period and the route: never a case reference or anything about a
family. The role is checked on every request (`Act.reports`): anyone else gets the 403 page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cases.reports import case_report
from domain.calendar import long_date
from domain.models import Route as CaseRoute, in_service
from domain.report import (
    CHANNEL_NAMES, KIND_WORDS, LATE, MISSED_OPEN, NOT_YET_DUE, ON_TIME, Period, PeriodError, Report, duty_title,
    figure_words, period_asked,
)
from domain.words import ROUTE_WORDS, duty_words, listed, owner_words, template_words
from infra.identity import Act, Staff
from web import auth, presenters
from web.forms import day

if TYPE_CHECKING:
    from web.app import CaseService

DUTY_COLUMNS = (("due", "Due"), (ON_TIME, "On time"), (LATE, "Late"), (MISSED_OPEN, "Missed"), (NOT_YET_DUE, "To come"))
NOT_COUNTS = ("percent_on_time", "median", "p90")  # figures that list no cases of their own
BLUE, BLACK, GREY = "#1d70b8", "#0b0c0c", "#b1b4b6"  # GOV.UK Frontend's blue, text and mid-grey


def routes(page: Callable[..., Response], service: CaseService) -> list[Route]:
    async def asked(request: Request) -> tuple[Report | None, dict[str, str]]:
        """The report the request asks for, once the role and the period are checked."""
        manager(request)
        errors: dict[str, str] = {}
        period, route = _asked(request.query_params, errors)
        if errors:
            return None, errors
        return await case_report(await service.cases(), period, presenters.today(), route), errors

    def refused(request: Request, errors: dict[str, str]) -> Response:
        """The Reports page's form with its error summary: a bad period or route, wherever it was asked."""
        return page(request, "reports.html", 400, title="Reports", errors=errors, filters=request.query_params)

    async def figures(request: Request) -> Response:
        made, errors = await asked(request)
        if made is None:
            return refused(request, errors)
        query = _query(made)
        return page(
            request, "reports.html", title="Reports", errors=errors, filters=request.query_params, report=made, figures=made.as_json(), period_words=_period_words(made),
            link=lambda path: f"/reports/cases?{urlencode({'figure': path, **query})}", csv_link=f"/reports.csv?{urlencode(query)}",
            duty_columns=DUTY_COLUMNS, duty_title=duty_title, bars=bar_chart(made), line=line_chart(made),
            figure_words=figure_words, kind_words=lambda kind: KIND_WORDS.get(kind, kind),
            channel_words=lambda channel: CHANNEL_NAMES.get(channel, channel),
        )

    async def behind(request: Request) -> Response:
        """The cases behind one figure, by reference, each linking to its case page."""
        made, errors = await asked(request)
        if made is None:
            return refused(request, errors)
        path = request.query_params.get("figure", "")
        if path not in {name for name, _ in made.figures() if name.rsplit(".", 1)[-1] not in NOT_COUNTS}:
            raise HTTPException(404)
        return page(
            request, "report_cases.html", title=figure_words(path), count=made.count(path),
            rows=_rows(made.references.get(path, [])), back=f"/reports?{urlencode(_query(made))}",
            period_words=_period_words(made),
        )

    async def download(request: Request) -> Response:
        made, errors = await asked(request)
        if made is None:
            return refused(request, errors)
        route = f"-{made.route.value}" if made.route else ""
        name = f"report-{made.period.start.isoformat()}-to-{made.period.end.isoformat()}{route}.csv"
        return Response(
            made.as_csv(), media_type="text/csv; charset=utf-8", headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    return [Route("/reports", figures), Route("/reports/cases", behind), Route("/reports.csv", download)]


def manager(request: Request) -> Staff:
    staff = auth.staff(request)
    staff.needs(Act.reports)
    return staff


def _asked(params: Mapping[str, str], errors: dict[str, str]) -> tuple[Period, CaseRoute | None]:
    """The period (GOV.UK date inputs `from` and `to`; by default the year to date, `period_asked`) and the route (blank: both) a request asks for; problems in words in `errors`."""
    labels = {"from": "The first day", "to": "The last day"}
    days = {name: day(params, name, errors, label) for name, label in labels.items()}
    for name, value in days.items():
        try:
            days[name] = value and in_service(value)
        except ValueError as error:
            errors[name] = f"{labels[name]} {error}"
            days[name] = None
    route = params.get("route") or None
    if route is not None and route not in CaseRoute.__members__:
        errors["route"] = "Select a route from the list"
    try:
        period = period_asked(presenters.today(), days["from"], days["to"])
    except PeriodError:
        errors["from"] = "The first day must be on or before the last day"
        period = period_asked(presenters.today())
    return period, CaseRoute(route) if route and not errors.get("route") else None


def _query(made: Report) -> dict[str, str]:
    """The period and route as the form sends them: for links to the figures behind and the CSV."""
    query = {}
    for name, value in (("from", made.period.start), ("to", made.period.end)):
        query |= {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}
    return query | {"route": made.route.value if made.route else ""}


def _period_words(made: Report) -> str:
    return (
        f"{long_date(made.period.start)} to {long_date(made.period.end)}, "
        f"{ROUTE_WORDS[made.route].lower() + ' only' if made.route else 'both routes'}, as the cases stood on {long_date(made.today)}"
    )


def _rows(items: list[str]) -> list[dict[str, Any]]:
    """What a figure lists, by case: each case's reference and, for duties and messages, which."""
    cases: dict[str, list[str]] = {}
    for item in items:
        reference, *what = item.split("/")
        found = cases.setdefault(reference, [])
        if len(what) == 1:
            found.append(duty_words(what[0]))
        elif len(what) == 2:
            found.append(f"{template_words(what[0])}, to {owner_words(what[1]).lower()}")
    return [{"reference": reference, "what": what} for reference, what in cases.items()]


# --- Charts: SVG drawn here, with presentation attributes only (the console's CSP allows no inline style) ---


def bar_chart(made: Report) -> Markup | None:
    """Duties on time by kind: one bar per kind with any duty met or missed, its length the percentage."""
    rows = [(duty_title(duty), made.percent_on_time(duty)) for duty in made.duties]
    rows = [(label, percent) for label, percent in rows if percent is not None]
    if not rows:
        return None
    label_width, bar_width, row, top = 320, 300, 30, 10
    height = top + row * len(rows) + 24
    parts = [
        f'<svg class="app-chart" role="img" aria-labelledby="bars-title bars-desc" viewBox="0 0 {label_width + bar_width + 70} {height}"'
        ' width="100%" xmlns="http://www.w3.org/2000/svg">',
        '<title id="bars-title">Duties met on time, by kind of duty</title>',
        f'<desc id="bars-desc">{escape(listed([f"{label}: {percent}%" for label, percent in rows]))}. '
        "The table of duties gives the same figures.</desc>",
    ]
    for number, (label, percent) in enumerate(rows):
        y = top + number * row
        parts += [
            f'<text x="{label_width - 8}" y="{y + 19}" text-anchor="end" font-family="GDS Transport, arial, sans-serif" font-size="15" fill="{BLACK}">{escape(label)}</text>',
            f'<rect x="{label_width}" y="{y + 4}" width="{bar_width}" height="20" fill="{GREY}" fill-opacity="0.35"/>',
            f'<rect x="{label_width}" y="{y + 4}" width="{round(bar_width * percent / 100, 1)}" height="20" fill="{BLUE}"/>',
            f'<text x="{label_width + bar_width + 6}" y="{y + 19}" font-family="GDS Transport, arial, sans-serif" font-size="15" fill="{BLACK}">{percent}%</text>',
        ]
    axis = top + row * len(rows) + 18
    parts += [
        f'<text x="{label_width}" y="{axis}" font-family="GDS Transport, arial, sans-serif" font-size="13" fill="{BLACK}">0%</text>',
        f'<text x="{label_width + bar_width}" y="{axis}" text-anchor="end" font-family="GDS Transport, arial, sans-serif" font-size="13" fill="{BLACK}">100%</text>',
        "</svg>",
    ]
    return Markup("".join(parts))


def line_chart(made: Report) -> Markup | None:
    """Cases open at the end of each day shown, as a line."""
    points = made.open_over_time
    if not points:
        return None
    left, width, top, height = 50, 620, 15, 200
    highest = max(max(count for _, count in points), 1)
    span = max(len(points) - 1, 1)
    xy = [
        (round(left + width * number / span, 1), round(top + height - height * count / highest, 1))
        for number, (_, count) in enumerate(points)
    ]
    first, last = points[0][0], points[-1][0]
    lowest_open, most_open = min(count for _, count in points), max(count for _, count in points)
    parts = [
        f'<svg class="app-chart" role="img" aria-labelledby="line-title line-desc" viewBox="0 0 {left + width + 30} {top + height + 45}"'
        ' width="100%" xmlns="http://www.w3.org/2000/svg">',
        '<title id="line-title">Cases open over the period</title>',
        f"<desc id=\"line-desc\">From {long_date(first)} to {long_date(last)}: {points[0][1]} open at the start, "
        f"{points[-1][1]} at the end, between {lowest_open} and {most_open}. The table below gives each day shown.</desc>",
        f'<line x1="{left}" y1="{top + height}" x2="{left + width}" y2="{top + height}" stroke="{BLACK}"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + height}" stroke="{BLACK}"/>',
        f'<text x="{left - 6}" y="{top + height + 5}" text-anchor="end" font-family="GDS Transport, arial, sans-serif" font-size="13" fill="{BLACK}">0</text>',
        f'<text x="{left - 6}" y="{top + 5}" text-anchor="end" font-family="GDS Transport, arial, sans-serif" font-size="13" fill="{BLACK}">{highest}</text>',
        f'<text x="{left}" y="{top + height + 22}" font-family="GDS Transport, arial, sans-serif" font-size="13" fill="{BLACK}">{escape(long_date(first))}</text>',
        f'<text x="{left + width}" y="{top + height + 22}" text-anchor="end" font-family="GDS Transport, arial, sans-serif" font-size="13" fill="{BLACK}">{escape(long_date(last))}</text>',
        f'<polyline points="{" ".join(f"{x},{y}" for x, y in xy)}" fill="none" stroke="{BLUE}" stroke-width="3"/>',
        "</svg>",
    ]
    return Markup("".join(parts))
