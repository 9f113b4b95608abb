"""Subject access: everything held about one person, gathered into one JSON file and a readable
document (UK GDPR art. 15).

A person is found by email or phone: in archived cases through the contact index, in open ones by
their contact details. In each case found, the export keeps what concerns the person and the case
itself (stage, outcome, deadlines, actions, timeline, messages) and withholds other people's names
and contact details (other parents, supporters, mediators; DPA 2018 Sch. 2 para. 16 protects third
parties), replacing each with `[withheld: third party]`. Organisations are not people and stay.
Free text (notes, reasons) is kept as written, with the third parties' names taken out: an officer
reads the document before it is sent, as for any disclosure.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import EmailStr

from domain.models import Model, PhoneNumber
from records.contacts import is_person
from records.models import CaseRecord, Person, PersonRole

if TYPE_CHECKING:
    from cli.cases import Cases

WITHHELD = "[withheld: third party]"


class CaseStatus(StrEnum):
    open = "open"
    closed = "closed"


class SubjectCase(Model):
    reference: str
    status: CaseStatus
    your_roles: list[PersonRole]
    your_details: list[Person]
    case: dict[str, Any]  # the case view, other people withheld


class SubjectAccessExport(Model):
    email: str | None
    phone: str | None
    generated_at: datetime
    generated_by: str
    cases: list[SubjectCase]


class SubjectAccessRequest(Model):
    """Whom to look for (the console's export form; the CLI checks the same types option by option)."""

    email: EmailStr | None = None
    phone: PhoneNumber | None = None


async def gather(cases: Cases, email: str | None, phone: str | None, actor: str) -> SubjectAccessExport:
    """Every case the person is in: archived ones through the contact index, open ones from Temporal."""
    found = []
    for reference in await cases.records.references_for(email=email, phone=phone):
        if await cases.is_running(reference):
            continue  # still running (its appeal clock): read below, as it stands now
        stored = await cases.records.get(reference)
        if stored is not None:
            found.append(subject_case(reference, CaseStatus.closed, stored.record, email, phone))
    for reference, record in await cases.open_case_records():
        found.append(subject_case(reference, CaseStatus.open, record, email, phone))
    return SubjectAccessExport(
        email=email, phone=phone, generated_at=datetime.now(UTC), generated_by=actor,
        cases=sorted((case for case in found if case is not None), key=lambda case: case.reference),
    )


def subject_case(
    reference: str, status: CaseStatus, record: CaseRecord, email: str | None, phone: str | None
) -> SubjectCase | None:
    """What this case holds about the person, or None if they are not in it."""
    theirs = [person for person in record.people if is_person(person, email, phone)]
    if not theirs:
        return None
    others = [
        person for person in record.people
        if person not in theirs and person.role is not PersonRole.organisation
    ]
    secrets = sorted(
        {value for person in others for value in (person.name, person.email, person.phone) if value}
        - {value for person in theirs for value in (person.name, person.email, person.phone) if value},
        key=len, reverse=True,  # a longer value first, so a name inside an email goes with it
    )
    return SubjectCase(
        reference=reference, status=status, your_roles=sorted({person.role for person in theirs}),
        your_details=theirs, case=_withheld(record.view.model_dump(mode="json"), secrets),
    )


def _withheld(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, WITHHELD)
        return value
    if isinstance(value, list):
        return [_withheld(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: _withheld(item, secrets) for key, item in value.items()}
    return value


def readable(export: SubjectAccessExport) -> str:
    """The export as a plain-text document a person can read."""
    asked = " and ".join(part for part in (export.email, export.phone) if part)
    lines = [
        "Subject access: SEND disagreement resolution records",
        f"About: {asked}",
        f"Prepared {export.generated_at:%d %B %Y} by {export.generated_by}; {len(export.cases)} case(s).",
        f"Other people's details are shown as {WITHHELD}.",
    ]
    for found in export.cases:
        case = found.case
        lines += [
            "",
            f"Case {found.reference} ({found.status.value})",
            f"  Your part: {', '.join(role.value for role in found.your_roles)}",
        ]
        for person in found.your_details:
            details = ", ".join(value for value in (person.name, person.email, person.phone) if value)
            lines.append(f"  Details held: {details}")
        lines.append(f"  Stage: {case['stage']}" + (f"; outcome: {case['outcome']}" if case.get("outcome") else ""))
        lines.append("  Parties: " + "; ".join(f"{party['id']} {party['name']}" for party in case["parties"]))
        if case.get("mediator"):
            lines.append(f"  Mediator: {case['mediator']['name']}")
        for action in case.get("actions", []):
            lines.append(f"  Agreed: {action['description']} (by {action['due']}, done: {action['done']})")
        lines.append("  What happened:")
        for entry in case["timeline"]:
            detail = f": {entry['detail']}" if entry["detail"] else ""
            lines.append(f"    {entry['at'][:16].replace('T', ' ')} {entry['event']}{detail}")
        lines.append("  Messages sent:")
        for message in case["notifications"]:
            lines.append(f"    {message['template']} to {message['to']} ({message['status']})")
    return "\n".join(lines) + "\n"
