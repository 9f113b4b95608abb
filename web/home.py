"""The console's home page, "Due from you" (DESIGN section 13): the duties still owed on the
signed-in officer's open cases (or every officer's, for a team manager), overdue first, each tagged
by who owes it and linked to the console action that discharges it.

Read from `Cases.due` (one visibility query), so nothing here is personal: who owes a duty is a role
or an organisation's kind, never a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.due import DueDuty, owed_by_words, time_left_words
from domain.duties import CASE_OFFICER, HEALTH_COMMISSIONER, LOCAL_AUTHORITY, MEDIATION_ADVISER, MEDIATOR
from domain.next_step import discharging_action
from domain.words import APPLICANT, duty_words, long_date
from web.case_work import FORM_SLUGS
from web.forms import ACTION_FORMS

# GOV.UK tag colours by who owes a duty; an organisation's (a school's, ...) is yellow.
OWNER_TAGS = {
    CASE_OFFICER: "govuk-tag--grey", LOCAL_AUTHORITY: "govuk-tag--blue", MEDIATION_ADVISER: "govuk-tag--purple",
    MEDIATOR: "govuk-tag--turquoise", HEALTH_COMMISSIONER: "govuk-tag--pink", APPLICANT: "govuk-tag--orange",
}
ORGANISATION_TAG = "govuk-tag--yellow"


@dataclass(frozen=True)
class DueRow:
    reference: str
    duty: str  # in words: "Consent window", "Agreed action 2"
    due: str  # "14 December 2026"
    left: str  # "3 working days left", "Due today", "Overdue by 2 working days"
    overdue: bool
    owed_by: str  # in words, no name: "The Local Authority", "A school"
    tag: str  # the GOV.UK tag's colour class
    href: str  # the action that discharges it, else the case page
    link: str  # the link's words
    officer: str


def due_rows(duties: list[DueDuty], today: date) -> list[DueRow]:
    return [_row(duty, today) for duty in duties]


def _row(duty: DueDuty, today: date) -> DueRow:
    href, link = action_link(duty)
    return DueRow(
        duty.reference, duty_words(duty.duty), long_date(duty.due), time_left_words(duty, today), duty.overdue,
        owed_by_words(duty), ORGANISATION_TAG if duty.organisation_kind else OWNER_TAGS.get(duty.owner, ORGANISATION_TAG),
        href, link, duty.case_officer,
    )


def action_link(duty: DueDuty) -> tuple[str, str]:
    """The console form that discharges the duty (`discharging_action`, through the case page's map
    of forms), or the case page where no staff action does (a message the product sends itself)."""
    action = discharging_action(duty.duty, duty.stage)
    form = ACTION_FORMS.get(FORM_SLUGS.get(action, "")) if action else None
    if form is None or form.route not in (None, duty.route):
        return f"/cases/{duty.reference}", f"View case {duty.reference}"
    return f"/cases/{duty.reference}/{form.slug}", form.title
