"""Subject access: everything held about one person, gathered into one JSON file and a readable
document (UK GDPR art. 15).

A person is found by email or phone: in archived cases (and held copies, records/holding.py) through
the contact index, in open ones by their contact details. In each case found, the export keeps what concerns the person and the case
itself (stage, outcome, deadlines, actions, timeline, messages) and withholds other people's names
and contact details (other parents, supporters, mediators; DPA 2018 Sch. 2 para. 16 protects third
parties), replacing each with `[withheld: third party]`. Organisations are not people and stay.
Free text (notes, reasons) is kept as written, with the third parties' details taken out however
they were typed: an email address in any case (`ALICE.VICTIM@...`), a phone number however spaced
or prefixed (`07700 900123`, `+44 (0)7700 900123`), a name in any case. Text that still has a word
of a third party's name in it (`Alice said...`) is listed in the export's `review` for an officer
to check; an officer reads the document before it is sent, as for any disclosure.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import EmailStr

from domain.models import RECORDED, CaseView, Model, PhoneNumber
from domain.words import (
    DELIVERY_WORDS, OUTCOME_WORDS, counted, date_and_time, event_words, listed, long_date, owner_words, stage_words,
    template_words,
)
from records.contacts import is_person, normalise_email, normalise_phone
from records.models import CaseRecord, Person, PersonRole

if TYPE_CHECKING:
    from cases.client import Cases

WITHHELD = "[withheld: third party]"


class CaseStatus(StrEnum):
    open = "open"
    closed = "closed"
    held_copy = "held_copy"  # open when last copied under a legal hold; its workflow no longer runs


class SubjectCase(Model):
    reference: str
    status: CaseStatus
    your_roles: list[PersonRole]
    your_details: list[Person]
    case: dict[str, Any]  # the case view, other people withheld
    # Where the case's text may still name a third party (`timeline[3].detail`): check before sending.
    review: list[str] = []


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
    """Every case the person is in: archived ones through the contact index, open ones from Temporal,
    and the held copy of an open case on legal hold whose workflow has gone."""
    found = []
    for reference in await cases.records.references_for(email=email, phone=phone):
        if await cases.is_running(reference):
            continue  # still running (its appeal clock): read below, as it stands now
        stored = await cases.records.get(reference)
        if stored is not None:
            found.append(subject_case(reference, CaseStatus.closed, stored.record, email, phone))
            continue
        held = await cases.records.held_copy(reference)
        if held is not None:
            found.append(subject_case(reference, CaseStatus.held_copy, held.record, email, phone))
    for reference, record in await cases.open_case_records():
        found.append(subject_case(reference, CaseStatus.open, record, email, phone))
    return SubjectAccessExport(
        email=email, phone=phone, generated_at=datetime.now(UTC), generated_by=actor,
        cases=sorted((case for case in found if case is not None), key=lambda case: case.reference),
    )


async def export_logged(
    cases: Cases, email: str | None, phone: str | None, actor: str
) -> tuple[SubjectAccessExport, str]:
    """`gather`, kept in the export log: who, when, how many cases, and whom for as the contact index's
    keyed digest (returned, for a log line), never the address."""
    exported = await gather(cases, email, phone, actor)
    subject = await cases.records.log_export(email, phone, actor, exported.generated_at, len(exported.cases))
    return exported, subject


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
    redaction = Redaction(others, theirs)
    roles = {person.role for person in theirs}
    case = record.view.model_dump(mode="json")
    # Contact details the case page shows (a postal address among them): the subject's own only.
    if PersonRole.applicant not in roles:
        case.pop("applicant_contact", None)
    if PersonRole.supporter not in roles:
        case.pop("supporter", None)
    return SubjectCase(
        reference=reference, status=status, your_roles=sorted(roles),
        your_details=theirs, case=redaction.withheld(case),
        review=redaction.flagged,
    )


# Anything shaped like an email address; compared with the third parties' addresses once normalised.
_EMAIL_LIKE = re.compile(r"[^\s<>()\[\]{},;:\"'@]+@[^\s<>()\[\]{},;:\"'@]+")
_SEPARATORS = r"[\s().-]*"  # how people space and bracket a phone number
_MACHINE_WORD = re.compile(r"[a-z0-9_.:+-]*")  # a role, a stage, an id, a date: never what someone wrote


class Redaction:
    """Other people's details taken out of a case, however they were written (DPA 2018 Sch. 2 para.
    16), and the places where a word of their names is still there (`flagged`, for review). What is
    also the subject's own (a shared surname, a shared address) is theirs to see and stays."""

    def __init__(self, others: list[Person], theirs: list[Person]) -> None:
        def emails(people: list[Person]) -> set[str]:
            return {normalise_email(person.email) for person in people if person.email}

        def phones(people: list[Person]) -> set[str]:
            return {normalise_phone(person.phone) for person in people if person.phone}

        own_names = {_words(person.name) for person in theirs}
        names = sorted({person.name for person in others if _words(person.name) not in own_names}, key=len, reverse=True)
        self.emails = emails(others) - emails(theirs)
        self.patterns = [_phone_pattern(phone) for phone in sorted(phones(others) - phones(theirs))] + [
            re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)", re.IGNORECASE) for name in names
        ]
        self.name_words = {word for name in names for word in _words(name)} - {
            word for name in own_names for word in name
        }
        self.flagged: list[str] = []

    def withheld(self, value: Any, where: str = "") -> Any:
        if isinstance(value, str):
            return self.text(value, where)
        if isinstance(value, list):
            return [self.withheld(item, f"{where}[{n}]") for n, item in enumerate(value)]
        if isinstance(value, dict):
            return {key: self.withheld(item, f"{where}.{key}" if where else key) for key, item in value.items()}
        return value

    def text(self, value: str, where: str) -> str:
        value = _EMAIL_LIKE.sub(self._email, value)
        for pattern in self.patterns:
            value = pattern.sub(WITHHELD, value)
        if not _MACHINE_WORD.fullmatch(value) and self.name_words.intersection(_words(value)):
            self.flagged.append(where)
        return value

    def _email(self, found: re.Match[str]) -> str:
        address = found.group().rstrip(".")  # the end of a sentence
        if normalise_email(address) in self.emails:
            return WITHHELD + found.group()[len(address):]
        return found.group()


def _words(text: str) -> tuple[str, ...]:
    """A name's or a text's words of two letters or more, case folded (initials say too little)."""
    return tuple(word for word in re.findall(r"\w+", text.casefold()) if len(word) > 1)


def _phone_pattern(phone: str) -> re.Pattern[str]:
    """A phone number (E.164) however it is written: `+447700900123`, `07700 900123`,
    `+44 (0)7700-900-123`, `0044 7700 900123`."""
    import phonenumbers  # here, not at the top: slow to import

    try:
        number = phonenumbers.parse(phone)
        country, national = str(number.country_code), str(number.national_number)
    except phonenumbers.NumberParseException:  # not a number phonenumbers knows: its digits as given
        country, national = "", phone.lstrip("+")

    def spaced(digits: str) -> str:
        return _SEPARATORS.join(digits)

    prefix = rf"(?:(?:\+|00){_SEPARATORS}{spaced(country)}{_SEPARATORS}(?:\(0\){_SEPARATORS})?|0{_SEPARATORS})?"
    return re.compile(rf"(?<![0-9]){prefix}{spaced(national)}(?![0-9])")


# Where each case's record was read from, for a member of the public.
STATUS_WORDS = {
    CaseStatus.open: "The service still holds this case as a running case.",
    CaseStatus.closed: "This case is closed and kept in the service's records.",
    CaseStatus.held_copy: "A copy of this case is kept under a legal hold.",
}
ROLE_WORDS = {
    PersonRole.applicant: "the person who asked for help (the applicant)",
    PersonRole.supporter: "a supporter of the family",
    PersonRole.mediator: "the mediator",
    PersonRole.organisation: "a contact for an organisation",
}


def readable(export: SubjectAccessExport) -> str:
    """The export as a plain-text document a person can read: every code, date and time in words
    (domain/words.py), in England's time."""
    asked = " and ".join(part for part in (export.email, export.phone) if part)
    lines = [
        "Subject access: SEND disagreement resolution records",
        f"About: {asked}",
        f"Prepared on {date_and_time(export.generated_at)} by {export.generated_by}; "
        f"{counted(len(export.cases), 'case')} found.",
        f"Other people's details are shown as {WITHHELD}.",
    ]
    for found in export.cases:
        view = CaseView.model_validate(found.case, context=RECORDED)
        lines += [
            "",
            f"Case {found.reference}",
            f"  {STATUS_WORDS[found.status]}",
            f"  Your part: {listed([ROLE_WORDS[role] for role in found.your_roles])}",
        ]
        for person in found.your_details:
            details = ", ".join(value for value in (person.name, person.email, person.phone) if value)
            lines.append(f"  Details held: {details}")
        outcome = f"; outcome: {OUTCOME_WORDS[view.outcome].lower()}" if view.outcome else ""
        lines.append(f"  Where the case is: {stage_words(view.stage).lower()}{outcome}")
        lines.append("  Parties: " + "; ".join(party.name for party in view.parties))
        if view.mediator:
            lines.append(f"  Mediator: {view.mediator.name}")
        for action in view.actions:
            done = "done" if action.done else "not done yet"
            lines.append(f"  Agreed: {action.description} (due {long_date(action.due)}; {done})")
        lines.append("  What happened:")
        for entry in view.timeline:
            detail = f": {entry.detail}" if entry.detail else ""
            lines.append(f"    {date_and_time(entry.at)}: {event_words(entry.event)}{detail}")
        lines.append("  Messages:")
        names = {party.id: party.name for party in view.parties}
        for message in view.notifications:
            lines.append(
                f"    {template_words(message.template)}, to {owner_words(message.to, names)}: "
                f"{DELIVERY_WORDS[message.status].lower()}"
            )
        if found.review:
            lines.append("  Check before sending: these may still name someone else: " + ", ".join(found.review))
    return "\n".join(lines) + "\n"
