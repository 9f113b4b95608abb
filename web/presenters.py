"""The case view in words for the pages: dates written out, deadlines with the working days left.

Colour is never the only signal: every tag carries its word, and overdue deadlines say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from domain.calendar import LONDON, WorkingCalendar, london_date
from domain.case import STAGE_WORDS
from domain.deadlines import ACTION_PREFIX
from domain.models import CaseStage, CaseView, Consent, DeadlineState, DeliveryStatus

STAGE_TAGS = {
    CaseStage.informal_talks: "govuk-tag--blue",
    CaseStage.awaiting_consent: "govuk-tag--yellow",
    CaseStage.arranging_session: "govuk-tag--purple",
    CaseStage.session_scheduled: "govuk-tag--turquoise",
    CaseStage.monitoring_agreement: "govuk-tag--orange",
    CaseStage.closed: "govuk-tag--grey",
}
CONSENT_TAGS = {
    Consent.pending: "govuk-tag--grey",
    Consent.agreed: "govuk-tag--green",
    Consent.declined: "govuk-tag--red",
    Consent.withdrawn: "govuk-tag--red",
}
DELIVERY_TAGS = {
    DeliveryStatus.pending: "govuk-tag--grey",
    DeliveryStatus.sent: "govuk-tag--green",
    DeliveryStatus.failed: "govuk-tag--red",
}
DEADLINE_WORDS = {
    "talks_review": "Review of informal talks",
    "consent_window": "Consent window",
    "session_arrangement": "Arrange the session",
    "outcome_record": "Record the session outcome",
    "written_outcome": "Send the written outcome",
    "appeal": "SEND Tribunal appeal deadline",
}
_CALENDAR = WorkingCalendar()


def today() -> date:
    return london_date(datetime.now(UTC))


def long_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def moment(value: datetime) -> str:
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def words(value: object) -> str:
    """An enum value as words: `needs_assessment` -> `needs assessment`."""
    return str(getattr(value, "value", value) or "").replace("_", " ")


def deadline_name(name: str) -> str:
    if name.startswith(ACTION_PREFIX):
        return f"Agreed action {name.removeprefix(ACTION_PREFIX)}"
    return DEADLINE_WORDS.get(name, words(name).capitalize())


def stage_words(stage: CaseStage | None) -> str:
    return STAGE_WORDS[stage].capitalize() if stage else "Unknown"


@dataclass(frozen=True)
class DeadlineRow:
    name: str
    due: str
    state: str
    left: str  # working days left, in words
    overdue: bool


def deadline_rows(case: CaseView, on: date | None = None) -> list[DeadlineRow]:
    on = on or today()
    outstanding = case.next_deadline.name if case.next_deadline and case.next_deadline.state is DeadlineState.missed else None
    rows = []
    for deadline in sorted(case.deadlines, key=lambda deadline: deadline.due):
        overdue = deadline.state is DeadlineState.missed and deadline.name == outstanding
        if deadline.state is DeadlineState.open:
            if deadline.due == on:
                left = "Due today"
            else:
                count = _CALENDAR.working_days_between(on, deadline.due)
                left = f"{count} working day{'s' if count != 1 else ''} left"
        elif overdue:
            left = "Overdue: still to be done"
        else:
            left = ""
        rows.append(DeadlineRow(deadline_name(deadline.name), long_date(deadline.due), deadline.state.value, left, overdue))
    return rows


def party_names(case: CaseView) -> dict[str, str]:
    names = {party.id: f"{party.name} ({party.id})" for party in case.parties}
    return names | {"mediator": "The mediator", "case_officer": "The case officer"}


# --- Helpers for the GOV.UK component macros ----------------------------------------------------------


def error_message(errors: dict[str, str], name: str) -> dict | None:
    return {"text": errors[name]} if name in errors else None


def date_items(values, name: str) -> list[dict]:
    """The three boxes of a GOV.UK date input (`<name>-day`, `-month`, `-year`), refilled after an error."""
    widths = {"day": 2, "month": 2, "year": 4}
    return [
        {"name": part, "classes": f"govuk-input--width-{width}", "value": values.get(f"{name}-{part}", "")}
        for part, width in widths.items()
    ]


def options(choices, selected, *, blank: str | None = None) -> list[dict]:
    """Radios, checkboxes or select items from (value, text) pairs, marking what was chosen."""
    chosen = set(selected) if isinstance(selected, (list, tuple, set)) else {selected}
    items = [{"value": "", "text": blank}] if blank is not None else []
    for value, text in choices:
        items.append({"value": value, "text": text, "checked": value in chosen, "selected": value in chosen})
    return items


def enum_choices(kind) -> list[tuple[str, str]]:
    return [(member.value, words(member).capitalize()) for member in kind]
