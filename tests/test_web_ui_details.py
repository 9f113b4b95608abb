"""What the Temporal Web UI shows on a case's page, rendered as the UI renders it: CommonMark
without the table extension (the UI's `/render` parses with mdast-util-from-markdown alone).
markdown-it-py's "commonmark" preset is the same dialect."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from markdown_it import MarkdownIt

from domain.resolution import Resolution
from domain.deadlines import PlannedDeadline
from domain.models import OfferResolution
from tests.conftest import open_case, personal_data
from workflows.visibility import case_details, current_details

COMMONMARK = MarkdownIt("commonmark")
OPENED_AT = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def planned(name: str, due: date) -> PlannedDeadline:
    return PlannedDeadline(name=name, due=due, expires_at=datetime(due.year, due.month, due.day, tzinfo=UTC), working_days=True, alarms=[])


def case_awaiting_consent() -> Resolution:
    case = Resolution.open("DR-2026-7KQ3XZ", open_case(), OPENED_AT)
    case.set_deadline(planned("talks_review", date(2026, 12, 18)))
    case.offer_resolution(OfferResolution(actor="jo.smith"), OPENED_AT)
    case.set_deadline(planned("consent_window", date(2026, 12, 11)))
    case.set_deadline(planned("appeal", date(2027, 2, 26)))
    return case


def test_each_deadline_is_its_own_line_in_the_web_ui() -> None:
    html = COMMONMARK.render(current_details(case_awaiting_consent()))
    items = re.findall(r"<li>(.*?)</li>", html)
    assert items == [
        "<strong>Consent window</strong>: due Friday 11 December 2026",
        "<strong>SEND Tribunal appeal deadline</strong>: due Friday 26 February 2027",
    ]
    assert "|" not in html
    assert "<strong>DR-2026-7KQ3XZ</strong>: Case is waiting for every party's consent. 0 of 3 parties have agreed. " \
        "Next: Consent window, due 11 December 2026." in html  # in words, as the pages write them


def test_a_table_would_run_together_in_the_web_ui() -> None:
    """Why a list: the UI's CommonMark turns a table into one paragraph of pipes."""
    html = COMMONMARK.render("**DR-2026-7KQ3XZ**: x\n\n| deadline | due |\n|---|---|\n| consent_window | 2026-12-11 |")
    assert "<table>" not in html and "<li>" not in html


def test_static_details_say_what_the_case_is_and_where_to_read_more_naming_nobody() -> None:
    for reference, route in (("DR-2026-7KQ3XZ", "disagreement resolution"), ("MD-2026-7KQ3XZ", "statutory mediation")):
        text = case_details(reference)
        html = COMMONMARK.render(text)
        assert route in html and "docs/process-and-law.md" in html and f"disagreement show {reference}" in html
        for value in personal_data(open_case()):
            assert value.lower() not in text.lower()
