"""What the records store keeps and gives back. Pure pydantic: the workflow sandbox may import it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from domain.case import CASE_CLOSED, CaseFile
from domain.models import CaseSummary, CaseView, Model, StaffId, Text


class Archived(StrEnum):
    """What an archive write did."""

    written = "written"
    unchanged = "unchanged"  # this version (or a newer one) is already there
    deleted = "deleted"  # the record was erased or purged: it is not brought back


class HeldCopied(StrEnum):
    """What a held copy write did (records/holding.py)."""

    written = "written"
    unchanged = "unchanged"  # this version (or a newer one) is already there
    not_held = "not_held"  # the case is not on legal hold: nothing written, and the copying stops
    closed = "closed"  # the case's closed record is there, and keeps it (records/archiving.py)


class PersonRole(StrEnum):
    applicant = "applicant"
    supporter = "supporter"
    mediator = "mediator"
    organisation = "organisation"


class Person(Model):
    """Someone a case holds contact details for: whom a subject access request may be about."""

    role: PersonRole
    party: str | None = None  # the party id (applicant, org-1, ...), where the person is a party
    name: str
    email: str | None = None
    phone: str | None = None


class CaseRecord(Model):
    """The sealed (encrypted) part of a record: the case view and everyone's contact details."""

    view: CaseView
    people: list[Person]


class ArchiveCase(Model):
    """The archive activity's input: the case as it stands, version `version` of its record."""

    reference: str
    version: int = Field(ge=1)  # grows with every archived change; a write is idempotent by it
    closed_at: datetime
    record: CaseRecord
    child_date_of_birth: date | None = None


class CopyHeldCase(Model):
    """The held copy activity's input: an open case on legal hold as it stood at `at`."""

    reference: str
    version: int = Field(ge=1)  # `record_version`, as for an archive write
    at: datetime
    record: CaseRecord


class ArchivedCaseView(CaseView):
    """A closed case as `show` prints it from the archive: the case view plus its record dates."""

    closed_at: datetime
    delete_after: date


class ClosedCaseSummary(CaseSummary):
    """`list --closed`: from the record's plain columns, nothing decrypted."""

    closed_at: datetime
    delete_after: date
    on_hold: bool = False


class DeletionEntry(Model):
    """One line of the deletion log: no personal data (reference, dates, rule, who)."""

    reference: str
    deleted_at: datetime
    delete_after: date
    rule: str  # the retention rule, or `erased: <reason>` for an erasure
    deleted_by: str  # `purge`, or the records officer who approved the erasure
    requested_by: str | None = None  # an erasure: the records officer who asked for it


class MissingCase(Model):
    """A held case gone from Temporal that never closed: the hold keeps only its held copy, if any."""

    reference: str
    missing_since: date  # the day a purge first found it gone
    held_copy_from: datetime | None  # when its view was last copied; None if it never was


class PurgeReport(Model):
    """A purge run: what it deleted, and the held cases staff must look into."""

    deleted: list[DeletionEntry]
    missing: list[MissingCase] = []


class LegalHold(Model):
    reference: str
    reason: str
    placed_by: str
    placed_at: datetime
    held_copy_from: datetime | None = None  # an open case's view, as last copied while held
    missing_since: date | None = None  # see MissingCase


class ErasureRequest(Model):
    """An erasure one records officer asked for; a second one approves it (DESIGN section 12)."""

    reference: str
    reason: str
    requested_by: str
    requested_at: datetime


class ExportEntry(Model):
    """One subject access export: who, when, how many cases, and whom for as a keyed digest."""

    exported_by: str
    exported_at: datetime
    subject: str
    cases: int


def people_of(case: CaseFile) -> list[Person]:
    """Everyone a case holds contact details for, with the part they have in it."""
    people = [
        Person(
            role=PersonRole.applicant if party.role else PersonRole.organisation, party=party.id, name=party.name,
            email=party.contact.email, phone=party.contact.phone,
        )
        for party in case.parties
    ]
    if case.opened.supporter:
        supporter = case.opened.supporter
        people.append(Person(role=PersonRole.supporter, name=supporter.name, email=supporter.email))
    if case.mediator:
        people.append(Person(role=PersonRole.mediator, name=case.mediator.name, email=case.mediator.email))
    return people


def closed_at(case: CaseFile) -> datetime | None:
    """When the case closed: its first closure on the timeline (later events do not move it)."""
    return next((entry.at for entry in case.timeline if entry.event == CASE_CLOSED), None)


def archive_of(case: CaseFile, version: int) -> ArchiveCase:
    """What the workflow hands the archive activity for a closed case."""
    closed = closed_at(case)
    if closed is None:
        raise ValueError(f"case {case.reference} has not closed: only closed cases are archived")
    view = case.view()
    return ArchiveCase(
        reference=case.reference, version=version, closed_at=closed,
        record=CaseRecord(view=view, people=people_of(case)),
    )


def held_copy_of(case: CaseFile, version: int, at: datetime) -> CopyHeldCase:
    """What the workflow hands the held copy activity for an open case on legal hold."""
    return CopyHeldCase(
        reference=case.reference, version=version, at=at, record=CaseRecord(view=case.view(), people=people_of(case)),
    )


class RecordsRequest(Model):
    """A staff decision about a record (hold, release, erase): who, and why, in words."""

    actor: StaffId
    reason: Text
