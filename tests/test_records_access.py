"""Subject access redaction, without a server: other people's details are withheld however they
were typed into the case, and text that still names them is flagged for review (records/access.py)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from domain.models import AddNote
from records.access import WITHHELD, CaseStatus, SubjectAccessExport, readable, subject_case
from records.models import CaseRecord, people_of
from tests.records_fixtures import closed_case

SUBJECT_NAME, SUBJECT_EMAIL = "Robin Subject", "robin.subject@example.org"
AT = datetime(2026, 11, 30, 12, tzinfo=UTC)


def exported(*notes: str, subject=(SUBJECT_NAME, SUBJECT_EMAIL)):
    """The subject (the mediator) asks; the parent (Sam Parent, sam.parent@example.org,
    +447700900123) and the supporter (Ali Adviser) are third parties."""
    case = closed_case(mediator=subject)
    for note in notes:
        case.add_note(AddNote(actor="jo.smith", text=note), AT)
    found = subject_case(case.reference, CaseStatus.closed, CaseRecord(view=case.view(), people=people_of(case)), SUBJECT_EMAIL, None)
    assert found is not None
    return found


def texts(found) -> str:
    return json.dumps(found.case)


@pytest.mark.parametrize(
    "note, leaked",
    [
        ("Write to SAM.PARENT@EXAMPLE.ORG about it.", "SAM.PARENT@EXAMPLE.ORG"),
        ("Copy to Sam.Parent@Example.org", "Sam.Parent@Example.org"),
        ("Call 07700 900123 after 3", "07700 900123"),
        ("Call 07700900123", "07700900123"),
        ("Call +44 7700 900123", "+44 7700 900123"),
        ("Call +44 (0)7700-900-123", "+44 (0)7700-900-123"),
        ("Call 0044 7700 900 123", "0044 7700 900 123"),
        ("SAM PARENT rang", "SAM PARENT"),
        ("sam  parent rang", "sam  parent"),
    ],
)
def test_a_third_partys_email_phone_and_name_are_withheld_however_written(note: str, leaked: str) -> None:
    found = exported(note)

    assert leaked not in texts(found) and WITHHELD in texts(found)


def test_other_numbers_addresses_and_words_in_the_text_stay() -> None:
    found = exported("Ring the school on 07700 900456 or senco@hilltop.example.org, ref 2026-12-14; Sam Parenting group")

    for kept in ("07700 900456", "senco@hilltop.example.org", "2026-12-14", "Sam Parenting group"):
        assert kept in texts(found), kept


def test_text_that_still_names_a_third_party_is_flagged_for_review_in_the_export() -> None:
    found = exported("Interpreter booked", "Sam said the school is fine", "Robin will chase it")

    said = next(n for n, entry in enumerate(found.case["timeline"]) if "Sam said" in entry["detail"])
    assert found.review == [f"timeline[{said}].detail"]
    document = readable(SubjectAccessExport(email=SUBJECT_EMAIL, phone=None, generated_at=AT, generated_by="jo.smith", cases=[found]))
    assert f"Check before sending: these may still name someone else: {found.review[0]}" in document


def test_the_subjects_own_name_is_never_a_reason_for_review() -> None:
    # The subject shares the parent's surname: "Parent" alone is theirs too, and is no flag.
    found = exported("Robin Parent will chase it", subject=("Robin Parent", SUBJECT_EMAIL))

    assert found.review == []


def test_the_document_is_in_words_for_a_member_of_the_public() -> None:
    """No `done: True`, no template codes, no ISO times, no "2 case(s)", no "(open)" then "Stage: closed"."""
    found = exported("Interpreter booked")
    document = readable(SubjectAccessExport(email=SUBJECT_EMAIL, phone=None, generated_at=AT, generated_by="jo.smith", cases=[found, found]))
    assert "2 cases found" in document and "case(s)" not in document
    assert "Prepared on 30 November 2026 at 12pm" not in document and "Prepared on 30 November 2026 at midday" in document
    assert "Your part: the mediator" in document and "Where the case is: closed" in document
    assert "(closed)" not in document and "Stage:" not in document
    assert not re.search(r"\d{4}-\d\d-\d\d|T\d\d:\d\d|done: |True|False", document), document
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", document), document  # no codes (consent_recorded, case_opened...)
    assert "Session outcome recorded" in document or "Case opened" in document
