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

from cli.app import _new_reference as new_reference
from domain.calendar import london_date  # the CLI's own, so both fronts make alike
from domain.models import MEDIATION_PREFIX, REFERENCE_PATTERN, OpenCase, OpenMediation, Route
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
_CONTACT_FIELDS = {"email": "applicant_email", "phone": "applicant_phone", "address": "applicant_address"}


@dataclass(frozen=True)
class Opening:
    """One route's way in: its form, its check-answers page and the request it builds."""

    route: Route
    path: str
    title: str
    form: str  # template of the form
    lists: tuple[str, ...]  # fields that take several values (checkboxes)
    parse: Callable[[Answers, str], tuple[str, BaseModel]]

    def answers(self, form: FormData) -> dict[str, str | list[str]]:
        return {
            name: form.getlist(name) if name in self.lists else str(form.get(name))
            for name in form.keys() if name not in ("csrf_token", DRAFT_FIELD)
        } | {name: form.getlist(name) for name in self.lists}

    def draft_of(self, answers: Answers, reference: str) -> str:
        """The answers as one hidden field; check-answers and 'change' carry it back."""
        return json.dumps(dict(answers) | {"reference": reference})

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
    return reference or new_reference(prefix)


def _applicant(answers: Answers) -> dict:
    address_lines = [line.strip() for line in str(answers.get("applicant_address") or "").splitlines() if line.strip()]
    postcode = _str(answers, "applicant_postcode")
    address = {"lines": address_lines, "postcode": postcode or ""} if address_lines or postcode else None
    return {
        "role": _str(answers, "applicant_role") or "",
        "name": _str(answers, "applicant_name") or "",
        "contact": {
            "email": _str(answers, "applicant_email"),
            "phone": _str(answers, "applicant_phone"),
            "address": address,
            "prefers": _str(answers, "applicant_prefers"),
        },
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
        name, email = _str(answers, f"{prefix}-{row}-name"), _str(answers, f"{prefix}-{row}-email")
        if name is None and email is None:
            continue
        entry = {"name": name or "", "contact": {"email": email}}
        found.append(entry | {"kind": _str(answers, f"{prefix}-{row}-kind") or ""} if kind else entry)
        rows.append(row)
    return found, rows


def _person_field(loc: tuple) -> str | None:
    """The form field behind a problem with the applicant or supporter, if it is one."""
    head = loc[0] if loc else ""
    if head == "applicant":
        if len(loc) > 2 and loc[1] == "contact":
            if loc[2] == "address" and len(loc) > 3 and loc[3] == "postcode":
                return "applicant_postcode"
            return _CONTACT_FIELDS.get(str(loc[2]), "applicant_prefers")
        if len(loc) == 2 and loc[1] == "contact":
            return "applicant_email"  # "give at least one way to reach them"
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
    *(f"org-{row}-{field}" for row in range(1, ORGANISATION_ROWS + 1) for field in ("kind", "name", "email")),
    *(name for name in DR_LABELS if name not in PERSON_LABELS),
]


def parse_case(answers: Answers, actor: str) -> tuple[str, OpenCase]:
    """The case reference and its `OpenCase`, or FormErrors naming each field to fix."""
    errors: dict[str, str] = {}
    reference = _reference(answers, "DR-", errors)
    appeal_deadline = day(answers, "appeal_deadline", errors, DR_LABELS["appeal_deadline"])
    born = _born(answers, errors)
    organisations, rows = _rows(answers, "org", ORGANISATION_ROWS, kind=True)

    def where(loc: tuple) -> str:
        if loc and loc[0] == "organisations":
            if len(loc) > 2:
                return f"org-{rows[loc[1]]}-{'email' if loc[2] == 'contact' else loc[2]}"
            return "org-1-name"
        return _person_field(loc) or first_field(loc)

    labels = DR_LABELS | {
        f"org-{row}-{field}": f"Organisation {row} {field}" for row in rows for field in ("kind", "name", "email")
    } | {"org-1-name": "At least one organisation"}
    opened = _built(
        OpenCase, where, labels, DR_ORDER, errors,
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
    "la-email": "The Local Authority's email address",
    "decision_kind": "The Local Authority's decision",
    "decision_date": "The date of the decision",
    "mediation_issues": "What mediation would be about",
    "case_officer": "Case officer",
    "reference": "Reference",
}
MD_ORDER = [
    *PERSON_LABELS, "la-name", "la-email",
    *(f"health-{row}-{field}" for row in range(1, HEALTH_ROWS + 1) for field in ("name", "email")),
    "decision_kind", "decision_date", "mediation_issues", "case_officer", "reference",
]


def parse_mediation(answers: Answers, actor: str) -> tuple[str, OpenMediation]:
    """The case reference and its `OpenMediation`, or FormErrors naming each field to fix."""
    errors: dict[str, str] = {}
    reference = _reference(answers, MEDIATION_PREFIX, errors)
    decided = day(answers, "decision_date", errors, MD_LABELS["decision_date"])
    if decided is None and "decision_date" not in errors:
        errors["decision_date"] = "Enter the date the decision's written notice was sent"
    born = _born(answers, errors)
    commissioners, rows = _rows(answers, "health", HEALTH_ROWS, kind=False)

    def where(loc: tuple) -> str:
        if loc and loc[0] == "local_authority":
            return "la-email" if len(loc) > 1 and loc[1] == "contact" else "la-name"
        if loc and loc[0] == "health_commissioners" and len(loc) > 2:
            return f"health-{rows[loc[1]]}-{'email' if loc[2] == 'contact' else loc[2]}"
        return _person_field(loc) or first_field(loc)

    labels = MD_LABELS | {f"health-{row}-{field}": f"Health commissioner {row} {field}" for row in rows for field in ("name", "email")}
    opened = _built(
        OpenMediation, where, labels, MD_ORDER, errors,
        applicant=_applicant(answers),
        local_authority={"name": _str(answers, "la-name") or "", "contact": {"email": _str(answers, "la-email")}},
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
                ("kinds",), parse_case),
        Opening(Route.mediation, "/cases/new-mediation", "Open a statutory mediation case", "open_mediation.html",
                ("mediation_issues",), parse_mediation),
    )
}
