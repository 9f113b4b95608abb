"""The case view in words for the pages: dates written out, duties (DESIGN section 11) with who owes
them, the rule that sets them, and the working days left or when they were settled.

Colour is never the only signal: every tag carries its word, and overdue deadlines say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from domain.calendar import WorkingCalendar, london_date
from domain.deadlines import MEDIATION_ARRANGEMENT, SESSION_ARRANGEMENT
from domain.models import ActionView, CaseStage, CaseView, Consent, DeadlineState, DeadlineView, DeliveryStatus
from domain.words import (
    ORDER_KIND_WORDS, date_and_time, deadline_state_words, duty_words, long_date, owner_words, words,
)

STAGE_TAGS = {
    CaseStage.advice: "govuk-tag--teal",
    CaseStage.informal_talks: "govuk-tag--blue",
    CaseStage.awaiting_consent: "govuk-tag--yellow",
    CaseStage.arranging_session: "govuk-tag--purple",
    CaseStage.session_scheduled: "govuk-tag--turquoise",
    CaseStage.monitoring_agreement: "govuk-tag--orange",
    CaseStage.certificate_due: "govuk-tag--pink",
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
ORDER_KIND_CHOICES = [(kind.value, text) for kind, text in ORDER_KIND_WORDS.items()]
ARRANGEMENT_DUTIES = (SESSION_ARRANGEMENT, MEDIATION_ARRANGEMENT)
_CALENDAR = WorkingCalendar()


def today() -> date:
    return london_date(datetime.now(UTC))


@dataclass(frozen=True)
class DeadlineRow:
    name: str
    due: str
    state: str  # in words: Open, Met, Met late, Missed, Cancelled
    left: str  # still owed: working days left, in words; settled: when, and by which timeline entry
    overdue: bool
    owed_by: str = ""
    source: str = ""
    owed: bool = True  # still waiting for the act that discharges it


def deadline_rows(case: CaseView, on: date | None = None) -> list[DeadlineRow]:
    """Every duty: those still owed first, by due date, then those settled."""
    on = on or today()
    names = party_names(case)
    rows = []
    for deadline in sorted(case.deadlines, key=lambda deadline: (not deadline.owed, deadline.due)):
        overdue = deadline.state is DeadlineState.missed and deadline.owed
        if _held_when_booked(case, deadline):
            # A booking does not meet the arrangement duty: the session held does, once its outcome is
            # recorded (domain.case.CaseFile._session_held).
            left = f"Session booked for {date_and_time(case.session.at)}: met once its outcome is recorded"
        elif deadline.state is DeadlineState.open:
            if deadline.due == on:
                left = "Due today"
            else:
                count = _CALENDAR.working_days_between(on, deadline.due)
                left = f"{count} working day{'s' if count != 1 else ''} left"
        elif overdue:
            left = "Overdue: still to be done"
        elif deadline.settled_on is not None:
            entry = f" (timeline entry {deadline.settled_by})" if deadline.settled_by else ""
            left = f"On {long_date(deadline.settled_on)}{entry}"
        else:
            left = ""
        rows.append(DeadlineRow(
            duty_words(deadline.name), long_date(deadline.due), deadline_state_words(deadline), left, overdue,
            owner_words(deadline.owed_by, names), deadline.source or "", deadline.owed,
        ))
    return rows


def _held_when_booked(case: CaseView, deadline: DeadlineView) -> bool:
    return (
        deadline.name in ARRANGEMENT_DUTIES and deadline.state is DeadlineState.open and case.session is not None
    )


def due_rule(action: ActionView) -> str:
    """Where an agreed action's due date comes from, and whether the family could appeal the matter."""
    kind = ORDER_KIND_WORDS[action.order_kind] if action.appealable and action.order_kind else ""
    matter = f"Appealable matter: {kind[:1].lower()}{kind[1:]}" if kind else ""
    return ". ".join(part for part in (action.due_source or "", matter) if part)


def action_status(action: ActionView, on: date | None = None) -> tuple[str, str]:
    """An agreed action's status in words and its tag's colour: done, overdue, or not done yet."""
    if action.done:
        return "Done", "govuk-tag--green"
    if action.due < (on or today()):
        return "Overdue", "govuk-tag--red"
    return "Not done yet", "govuk-tag--grey"


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
