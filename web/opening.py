"""Opening a case from the console: the form's fields, made into the CLI's `OpenCase` or `OpenMediation`.

The answers travel as a draft (the posted fields, as JSON in one hidden field) from the form to the
check-answers page and back, so nothing about the family is kept on the server or put in a URL
before the case exists. The reference is chosen when the answers are checked: opening twice from
the same page is refused as "already exists", never a second case.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pydantic import BaseModel
from starlette.datastructures import FormData

from domain.calendar import london_date
from domain.models import MEDIATION_PREFIX, REFERENCE_PATTERN, OpenCase, OpenMediation, Route, new_reference
from web.forms import ORGANISATION_ROWS, FormErrors, build, day, first_field, text

DRAFT_FIELD = "draft"
HEALTH_ROWS = 2  # health commissioners on a mediation form
Answers = Mapping[str, "str | list[str]"]

PERSON_LABELS = {
    "applicant_name": "Applicant's name",
    "applicant_role": "Who brings the disagreement",
    "child_date_of_birth": "Child's date of birth",
    "applicant_email": "Applicant's email address",
    "applicant_phone": "Applicant's phone number",
    "applicant_address": "Applicant's address",
    "applicant_postcode": "Postcode",
    "applicant_prefers": "How they prefer to hear from us",
    "supporter_name": "Supporter's name",
    "supporter_email": "Supporter's email address",
}


@dataclass(frozen=True)
class Opening:
    """One route's way in: its form, its check-answers page and the request it builds."""

    route: Route
    path: str
    title: str
    form: str  # template of the form
    lists: tuple[str, ...]  # fields that take several values (checkboxes)
    parse: Callable[[Answers, str], tuple[str, BaseModel]]
    model: type[BaseModel]  # the request `parse` builds
    where: Callable[[tuple, list[int]], str]  # the form field behind a place in it, given the rows sent

    def answers(self, form: FormData) -> dict[str, str | list[str]]:
        return {
            name: form.getlist(name) if name in self.lists else str(form.get(name))
            for name in form.keys() if name not in ("csrf_token", DRAFT_FIELD)
        } | {name: form.getlist(name) for name in self.lists}

    def draft_of(self, answers: Answers, reference: str) -> str:
        """The answers as one hidden field; check-answers and 'change' carry it back."""
        return json.dumps(dict(answers) | {"reference": reference})

    def rows_of(self, draft: str, prefix: str, count: int = ORGANISATION_ROWS) -> list[int]:
        """The form's rows the organisations in a draft came from (empty rows are not sent), so that
        check answers' Change goes back to the right one."""
        return _rows(self.answers_of(draft), prefix, count, kind=False)[1]

    def answers_of(self, draft: str) -> dict[str, str | list[str]]:
        try:
            answers = json.loads(draft)
            return {
                str(name): [str(item) for item in value] if name in self.lists else str(value)
                for name, value in answers.items()
            }
        except (ValueError, AttributeError, TypeError):
            raise FormErrors({"applicant_name": "The answers could not be read: start again"}) from None


def _str(answers: Answers, name: str) -> str | None:
    value = answers.get(name)
    return text({name: value}, name) if isinstance(value, str) else None


def _reference(answers: Answers, prefix: str, errors: dict[str, str]) -> str:
    reference = (_str(answers, "reference") or "").upper() or None
    if reference is not None and not (REFERENCE_PATTERN.fullmatch(reference) and reference.startswith(prefix)):
        errors["reference"] = f"Reference must look like {prefix}2026-7KQ3XZ, or be left blank for a new one"
    return reference or new_reference(prefix, london_date(datetime.now(UTC)))


CONTACT_PARTS = ("email", "phone", "address", "postcode")  # a contact's fields: `<prefix><part>`


def _contact(answers: Answers, prefix: str) -> dict:
    """A `Contact` from its fields on the form: email, phone and/or postal address (DESIGN section 3)."""
    address_lines = [line.strip() for line in str(answers.get(f"{prefix}address") or "").splitlines() if line.strip()]
    postcode = _str(answers, f"{prefix}postcode")
    address = {"lines": address_lines, "postcode": postcode or ""} if address_lines or postcode else None
    return {"email": _str(answers, f"{prefix}email"), "phone": _str(answers, f"{prefix}phone"), "address": address}


def _contact_field(prefix: str, loc: tuple) -> str:
    """The form field behind a problem inside a contact (`loc` after "contact"); its first way, email,
    for a problem with the contact as a whole."""
    if not loc:
        return f"{prefix}email"
    if loc[0] == "address":
        return f"{prefix}postcode" if len(loc) > 1 and loc[1] == "postcode" else f"{prefix}address"
    if loc[0] == "prefers" and prefix != "applicant_":
        return f"{prefix}email"  # only the applicant is asked how they prefer to hear: never sent for others
    return f"{prefix}{loc[0]}"


def _applicant(answers: Answers) -> dict:
    return {
        "role": _str(answers, "applicant_role") or "",
        "name": _str(answers, "applicant_name") or "",
        "contact": _contact(answers, "applicant_") | {"prefers": _str(answers, "applicant_prefers")},
    }


def _supporter(answers: Answers) -> dict | None:
    name, email = _str(answers, "supporter_name"), _str(answers, "supporter_email")
    return {"name": name or "", "email": email or ""} if name or email else None


def _born(answers: Answers, errors: dict[str, str]) -> date | None:
    """The child's date of birth, optional; never in the future."""
    born = day(answers, "child_date_of_birth", errors, PERSON_LABELS["child_date_of_birth"])
    if born is not None and born > london_date(datetime.now(UTC)):
        errors["child_date_of_birth"] = f"{PERSON_LABELS['child_date_of_birth']} must be in the past"
    return born


def _rows(answers: Answers, prefix: str, count: int, kind: bool) -> tuple[list[dict], list[int]]:
    """Organisations typed into numbered rows, skipping empty rows; and which row each came from."""
    found, rows = [], []
    for row in range(1, count + 1):
        name = _str(answers, f"{prefix}-{row}-name")
        if name is None and not any(_str(answers, f"{prefix}-{row}-{part}") for part in CONTACT_PARTS):
            continue  # its kind alone is no organisation: the select starts blank, but may be left chosen
        entry = {"name": name or "", "contact": _contact(answers, f"{prefix}-{row}-")}
        found.append(entry | {"kind": _str(answers, f"{prefix}-{row}-kind") or ""} if kind else entry)
        rows.append(row)
    return found, rows


def _person_field(loc: tuple) -> str | None:
    """The form field behind a problem with the applicant or supporter, if it is one."""
    head = loc[0] if loc else ""
    if head == "applicant":
        if len(loc) > 1 and loc[1] == "contact":
            return _contact_field("applicant_", loc[2:])
        return f"applicant_{loc[1]}" if len(loc) > 1 else "applicant_name"
    if head == "supporter":
        return f"supporter_{loc[1]}" if len(loc) > 1 else "supporter_name"
    return None


def _built(model: type[BaseModel], where, labels: dict[str, str], order: list[str], errors: dict[str, str], **data):
    try:
        made = build(model, where, labels, **data)
    except FormErrors as problems:
        errors = problems.errors | errors
    if errors:
        raise FormErrors({name: errors[name] for name in order if name in errors} | errors)
    return made


# --- Disagreement resolution ----------------------------------------------------------------------

DR_LABELS = PERSON_LABELS | {
    "kinds": "What the disagreement is about",
    "ehc_point": "Where the family is in the EHC process",
    "summary": "The disagreement in a sentence or two",
    "case_officer": "Case officer",
    "appeal_deadline": "Appeal deadline",
    "reference": "Reference",
}
DR_ORDER = [
    *PERSON_LABELS,
    *(f"org-{row}-{field}" for row in range(1, ORGANISATION_ROWS + 1) for field in ("kind", "name", *CONTACT_PARTS)),
    *(name for name in DR_LABELS if name not in PERSON_LABELS),
]


def case_field(loc: tuple, rows: list[int]) -> str:
    """The form field behind a place in `OpenCase`; `rows`: the form's row of each organisation sent."""
    if loc and loc[0] == "organisations":
        if len(loc) > 2:
            prefix = f"org-{rows[loc[1]]}-"
            return _contact_field(prefix, loc[3:]) if loc[2] == "contact" else f"{prefix}{loc[2]}"
        return "org-1-name"
    return _person_field(loc) or first_field(loc)


def parse_case(answers: Answers, actor: str) -> tuple[str, OpenCase]:
    """The case reference and its `OpenCase`, or FormErrors naming each field to fix."""
    errors: dict[str, str] = {}
    reference = _reference(answers, "DR-", errors)
    appeal_deadline = day(answers, "appeal_deadline", errors, DR_LABELS["appeal_deadline"])
    born = _born(answers, errors)
    organisations, rows = _rows(answers, "org", ORGANISATION_ROWS, kind=True)

    labels = DR_LABELS | {
        f"org-{row}-{field}": f"Organisation {row} {field}" for row in rows for field in ("name", *CONTACT_PARTS)
    } | {f"org-{row}-kind": "the kind of organisation" + (f" {row}" if row > 1 else "") for row in rows} | {
        f"org-{row}-email": f"Organisation {row}" for row in rows  # said of the contact as a whole
    } | {
        "org-1-name": "At least one organisation",
    }
    opened = _built(
        OpenCase, lambda loc: case_field(loc, rows), labels, DR_ORDER, errors,
        applicant=_applicant(answers),
        organisations=organisations,
        kinds=answers.get("kinds") or [],
        ehc_point=_str(answers, "ehc_point") or "",
        summary=_str(answers, "summary") or "",
        case_officer=_str(answers, "case_officer") or actor,
        opened_by=actor,
        appeal_deadline=appeal_deadline,
        supporter=_supporter(answers),
        child_date_of_birth=born,
    )
    return reference, opened


# --- Statutory mediation ----------------------------------------------------------------------------

MD_LABELS = PERSON_LABELS | {
    "la-name": "The Local Authority's name",
    "la-email": "The Local Authority",  # said of its contact as a whole: a wrong address has its own words
    "la-phone": "The Local Authority's phone number",
    "la-address": "The Local Authority's address",
    "la-postcode": "The Local Authority's postcode",
    "decision_kind": "The Local Authority's decision",
    "decision_date": "The date of the decision",
    "mediation_issues": "What mediation would be about",
    "case_officer": "Case officer",
    "reference": "Reference",
}
MD_ORDER = [
    *PERSON_LABELS, "la-name", *(f"la-{part}" for part in CONTACT_PARTS),
    *(f"health-{row}-{field}" for row in range(1, HEALTH_ROWS + 1) for field in ("name", *CONTACT_PARTS)),
    "decision_kind", "decision_date", "mediation_issues", "case_officer", "reference",
]


def mediation_field(loc: tuple, rows: list[int]) -> str:
    """The form field behind a place in `OpenMediation`; `rows`: the form's row of each health commissioner sent."""
    if loc and loc[0] == "local_authority":
        return _contact_field("la-", loc[2:]) if len(loc) > 1 and loc[1] == "contact" else "la-name"
    if loc and loc[0] == "health_commissioners" and len(loc) > 2:
        prefix = f"health-{rows[loc[1]]}-"
        return _contact_field(prefix, loc[3:]) if loc[2] == "contact" else f"{prefix}{loc[2]}"
    return _person_field(loc) or first_field(loc)


def parse_mediation(answers: Answers, actor: str) -> tuple[str, OpenMediation]:
    """The case reference and its `OpenMediation`, or FormErrors naming each field to fix."""
    errors: dict[str, str] = {}
    reference = _reference(answers, MEDIATION_PREFIX, errors)
    decided = day(answers, "decision_date", errors, MD_LABELS["decision_date"])
    if decided is None and "decision_date" not in errors:
        errors["decision_date"] = "Enter the date the decision's written notice was sent"
    born = _born(answers, errors)
    commissioners, rows = _rows(answers, "health", HEALTH_ROWS, kind=False)

    labels = MD_LABELS | {
        f"health-{row}-{field}": f"Health commissioner {row} {field}" for row in rows for field in ("name", *CONTACT_PARTS)
    } | {f"health-{row}-email": f"Health commissioner {row}" for row in rows}  # said of the contact as a whole
    opened = _built(
        OpenMediation, lambda loc: mediation_field(loc, rows), labels, MD_ORDER, errors,
        applicant=_applicant(answers),
        local_authority={"name": _str(answers, "la-name") or "", "contact": _contact(answers, "la-")},
        health_commissioners=commissioners,
        decision_kind=_str(answers, "decision_kind") or "",
        decision_date=decided,
        mediation_issues=answers.get("mediation_issues") or [],
        school_only=answers.get("school_only") == "yes",
        case_officer=_str(answers, "case_officer") or actor,
        opened_by=actor,
        supporter=_supporter(answers),
        child_date_of_birth=born,
    )
    return reference, opened


OPENINGS = {
    opening.route: opening
    for opening in (
        Opening(Route.disagreement_resolution, "/cases/new", "Open a disagreement resolution case", "open.html",
                ("kinds",), parse_case, OpenCase, case_field),
        Opening(Route.mediation, "/cases/new-mediation", "Open a statutory mediation case", "open_mediation.html",
                ("mediation_issues",), parse_mediation, OpenMediation, mediation_field),
    )
}
