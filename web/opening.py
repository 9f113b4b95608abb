"""Opening a case from the console: the form's fields, made into the CLI's `OpenCase`.

The answers travel as a draft (the posted fields, as JSON in one hidden field) from the form to the
check-answers page and back, so nothing about the family is kept on the server or put in a URL
before the case exists. The reference is chosen when the answers are checked: opening twice from
the same page is refused as "already exists", never a second case.
"""

from __future__ import annotations

import json

from cli.app import _new_reference as new_reference  # the CLI's own, so both fronts make alike
from domain.models import REFERENCE_PATTERN, OpenCase
from web.forms import ORGANISATION_ROWS, Fields, FormErrors, build, day, text

DRAFT_FIELD = "draft"
LABELS = {
    "applicant_name": "Applicant's name",
    "applicant_role": "Who brings the disagreement",
    "applicant_email": "Applicant's email address",
    "applicant_phone": "Applicant's phone number",
    "applicant_address": "Applicant's address",
    "applicant_postcode": "Postcode",
    "applicant_prefers": "How they prefer to hear from us",
    "supporter_name": "Supporter's name",
    "supporter_email": "Supporter's email address",
    "kinds": "What the disagreement is about",
    "ehc_point": "Where the family is in the EHC process",
    "summary": "The disagreement in a sentence or two",
    "case_officer": "Case officer",
    "appeal_deadline": "Appeal deadline",
    "reference": "Reference",
}
PAGE_ORDER = [
    *(name for name in LABELS if name.startswith(("applicant", "supporter"))),
    *(f"org-{row}-{field}" for row in range(1, ORGANISATION_ROWS + 1) for field in ("kind", "name", "email")),
    *(name for name in LABELS if not name.startswith(("applicant", "supporter"))),
]
_CONTACT_FIELDS = {"email": "applicant_email", "phone": "applicant_phone", "address": "applicant_address"}


def draft_of(fields: Fields, kinds: list[str]) -> str:
    """The posted answers as one hidden field; check-answers and 'change' carry it back."""
    answers = {name: value for name, value in fields.items() if name not in ("csrf_token", DRAFT_FIELD, "kinds")}
    return json.dumps(answers | {"kinds": kinds})


def answers_of(draft: str) -> tuple[dict[str, str], list[str]]:
    try:
        answers = json.loads(draft)
        kinds = [str(kind) for kind in answers.pop("kinds", [])]
        return {str(name): str(value) for name, value in answers.items()}, kinds
    except (ValueError, AttributeError, TypeError):
        raise FormErrors({"applicant_name": "The answers could not be read: start again"}) from None


def parse(fields: Fields, kinds: list[str], actor: str) -> tuple[str, OpenCase]:
    """The case reference and its `OpenCase`, or FormErrors naming each field to fix."""
    errors: dict[str, str] = {}
    reference = (text(fields, "reference") or "").upper() or None
    if reference is not None and not REFERENCE_PATTERN.match(reference):
        errors["reference"] = "Reference must look like DR-2026-7KQ3XZ, or be left blank for a new one"
    appeal_deadline = day(fields, "appeal_deadline", errors, LABELS["appeal_deadline"])

    address_lines = [line.strip() for line in (fields.get("applicant_address") or "").splitlines() if line.strip()]
    postcode = text(fields, "applicant_postcode")
    address = {"lines": address_lines, "postcode": postcode or ""} if address_lines or postcode else None

    organisations, rows = [], []
    for row in range(1, ORGANISATION_ROWS + 1):
        name, email = text(fields, f"org-{row}-name"), text(fields, f"org-{row}-email")
        if name is None and email is None:
            continue
        organisations.append(
            {"kind": text(fields, f"org-{row}-kind") or "", "name": name or "", "contact": {"email": email}}
        )
        rows.append(row)
    supporter = None
    if text(fields, "supporter_name") or text(fields, "supporter_email"):
        supporter = {"name": text(fields, "supporter_name") or "", "email": text(fields, "supporter_email") or ""}

    def where(loc: tuple) -> str:
        head = loc[0] if loc else ""
        if head == "applicant":
            if len(loc) > 2 and loc[1] == "contact":
                if loc[2] == "address" and len(loc) > 3 and loc[3] == "postcode":
                    return "applicant_postcode"
                return _CONTACT_FIELDS.get(str(loc[2]), "applicant_prefers")
            if len(loc) == 2 and loc[1] == "contact":
                return "applicant_email"  # "give at least one way to reach them"
            return f"applicant_{loc[1]}" if len(loc) > 1 else "applicant_name"
        if head == "organisations":
            if len(loc) > 2:
                field = "email" if loc[2] == "contact" else loc[2]
                return f"org-{rows[loc[1]]}-{field}"
            return "org-1-name"
        if head == "supporter":
            return f"supporter_{loc[1]}" if len(loc) > 1 else "supporter_name"
        return str(head)

    labels = LABELS | {
        f"org-{row}-{field}": f"Organisation {row} {field}" for row in rows for field in ("kind", "name", "email")
    } | {"org-1-name": "At least one organisation"}
    try:
        opened = build(
            OpenCase, where, labels,
            applicant={
                "role": text(fields, "applicant_role") or "",
                "name": text(fields, "applicant_name") or "",
                "contact": {
                    "email": text(fields, "applicant_email"),
                    "phone": text(fields, "applicant_phone"),
                    "address": address,
                    "prefers": text(fields, "applicant_prefers"),
                },
            },
            organisations=organisations,
            kinds=kinds,
            ehc_point=text(fields, "ehc_point") or "",
            summary=text(fields, "summary") or "",
            case_officer=text(fields, "case_officer") or actor,
            opened_by=actor,
            appeal_deadline=appeal_deadline,
            supporter=supporter,
        )
    except FormErrors as problems:
        errors = problems.errors | errors
        opened = None
    if errors:
        raise FormErrors({name: errors[name] for name in PAGE_ORDER if name in errors} | errors)
    return reference or new_reference(), opened
