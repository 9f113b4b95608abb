"""Hostile and impossible input, refused in words where it enters (see docs/bad-input.md), and what
delivery does with what older cases may still hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from activities.delivery.outbox import OutboxBackend
from activities.notifications import NotificationActivities
from domain.models import _control_free
from domain.models import AddNote, AgreedActionInput, Applicant, AssignMediator, Contact, DeliveryStatus, Organisation, PostalAddress, RecordOutcome, RecordTalk, Supporter
from infra.settings import SettingsError, load_settings
from tests.conftest import open_case
from tests.delivery_servers import Mailbox, smtp_settings
from tests.notices import notice


def refusal(build) -> str:
    with pytest.raises(ValidationError) as refused:
        build()
    return str(refused.value)


# --- Email addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda email: Contact(email=email),
        lambda email: Supporter(name="Ali Adviser", email=email),
        lambda email: AssignMediator(actor="jo.smith", name="Pat Mediator", email=email, independent=True),
    ],
    ids=["contact", "supporter", "mediator"],
)
def test_a_non_ascii_local_part_is_refused_at_input_in_words(build) -> None:
    message = refusal(lambda: build("jösé@example.org"))

    assert (
        "the part before @ has characters other than plain letters, digits and punctuation, "
        "which most mail servers cannot deliver to: give another address"
    ) in message


def test_a_plain_ascii_address_is_still_accepted() -> None:
    assert Contact(email="jose@example.org").email == "jose@example.org"


async def test_smtp_refuses_a_non_ascii_local_part_for_good_instead_of_retrying_for_days(
    tmp_path: Path, smtp_port: int, mailbox: Mailbox
) -> None:
    # A case opened before input checks refused these addresses.
    older = notice(contact=Contact.model_construct(email="jösé@example.org", phone=None, address=None, prefers=None))

    delivery = await NotificationActivities(smtp_settings(tmp_path, smtp_port)).send_notification(older)

    assert delivery.status is DeliveryStatus.failed and "email header" in delivery.reason
    assert mailbox.received == []


# --- Control characters ---------------------------------------------------------------------------

ESCAPE = "\x1b[2J\x1b[31m"  # clear the screen, turn red


NAME_REFUSAL = "must not contain control characters or line breaks"
TEXT_REFUSAL = "must not contain control characters"  # line breaks and tabs are allowed in text


@pytest.mark.parametrize(
    "build, words",
    [
        (lambda: Applicant(role="parent", name=f"Sam {ESCAPE}Parent", contact=Contact(email="sam@example.org")), NAME_REFUSAL),
        (lambda: Applicant(role="parent", name="Sam Parent\nBcc: everyone@example.org", contact=Contact(email="sam@example.org")), NAME_REFUSAL),
        (lambda: Organisation(kind="school", name="Hill Top\rPrimary", contact=Contact(email="senco@example.org")), NAME_REFUSAL),
        (lambda: Organisation(kind="school", name="Hill Top\tPrimary", contact=Contact(email="senco@example.org")), NAME_REFUSAL),
        (lambda: open_case(summary=f"Therapy hours {ESCAPE}"), TEXT_REFUSAL),
        (lambda: AddNote(actor="jo.smith", text=f"Called the family{ESCAPE}"), TEXT_REFUSAL),
        (lambda: RecordTalk(actor="jo.smith", outcome="unresolved", notes="nul\x00byte"), TEXT_REFUSAL),
    ],
    ids=["escape-in-name", "newline-in-name", "carriage-return-in-name", "tab-in-name", "escape-in-summary", "escape-in-note", "nul-in-notes"],
)
def test_control_characters_are_refused_in_names_summaries_and_notes(build, words: str) -> None:
    message = refusal(build)

    assert words in message
    assert (words == NAME_REFUSAL) == ("line breaks" in message)


def test_the_control_character_check_itself_names_what_each_kind_of_text_may_hold() -> None:
    # Built once per kind of text when the models are defined, so the models alone never show a
    # change to the check (mutation testing): asked directly, as a name's and a note's are built.
    with pytest.raises(ValueError, match=f"^{NAME_REFUSAL}$"):
        _control_free("")("Sam\tParent")
    with pytest.raises(ValueError, match=f"^{TEXT_REFUSAL}$"):
        _control_free("\n\t")("Called\x1b")
    assert _control_free("\n\t")("First line\n\tsecond") == "First line\n\tsecond"


def test_notes_may_still_have_line_breaks_and_tabs() -> None:
    assert AddNote(actor="jo.smith", text="First line\n\tsecond line").text == "First line\n\tsecond line"


# --- Invisible and direction-changing characters; browsers' line breaks -----------------------------

HIDDEN_REFUSAL = "must not contain invisible formatting characters or Unicode line separators"


@pytest.mark.parametrize(
    "character",
    ["\u202e", "\u2028", "\u2029", "\u200b", "\ufeff", "\u2066", "\u00ad"],
    ids=["right-to-left-override", "line-separator", "paragraph-separator", "zero-width-space", "byte-order-mark", "isolate", "soft-hyphen"],
)
@pytest.mark.parametrize(
    "build",
    [
        lambda text: Applicant(role="parent", name=text, contact=Contact(email="sam@example.org")),
        lambda text: open_case(summary=text),
        lambda text: AddNote(actor="jo.smith", text=text),
        lambda text: RecordTalk(actor="jo.smith", outcome="unresolved", notes=text),
    ],
    ids=["name", "summary", "note", "talk-notes"],
)
def test_format_and_separator_characters_are_refused_in_names_and_texts(build, character: str) -> None:
    message = refusal(lambda: build(f"Sam {character}Parent"))

    assert HIDDEN_REFUSAL in message and f"U+{ord(character):04X}" in message


def test_a_note_typed_in_a_browser_keeps_its_line_breaks_as_plain_newlines() -> None:
    # Browsers post a textarea's line breaks as CRLF (HTML's form encoding); old Macs wrote a lone CR.
    assert AddNote(actor="jo.smith", text="First line\r\n\tsecond\r\nthird").text == "First line\n\tsecond\nthird"
    assert open_case(summary="One\rtwo\r\n\r\nthree").summary == "One\ntwo\n\nthree"
    assert RecordTalk(actor="jo.smith", outcome="unresolved", notes="a\r\nb").notes == "a\nb"


def test_a_postcode_is_held_to_a_names_rules() -> None:
    assert NAME_REFUSAL in refusal(lambda: PostalAddress(lines=["1 High Street"], postcode="S1\n2AB"))
    assert HIDDEN_REFUSAL in refusal(lambda: PostalAddress(lines=["1 High Street"], postcode="S1\u202e 2AB"))
    assert PostalAddress(lines=["1 High Street"], postcode="s1 2ab").postcode == "S1 2AB"


def test_a_name_still_refuses_any_line_break_crlf_included() -> None:
    assert NAME_REFUSAL in refusal(lambda: Applicant(role="parent", name="Sam\r\nParent", contact=Contact(email="sam@example.org")))


async def test_a_case_recorded_before_these_rules_is_read_back_as_written_so_it_still_replays() -> None:
    # Release 1.0.0 took format characters: a note and a name holding them are in running cases.
    from infra.converter import data_converter
    from infra.settings import Settings
    from tests.conftest import TEST_KEYS

    note = AddNote.model_construct(actor="jo.smith", text="Pasted from an email\u200b\ufeff")
    opened = open_case().model_copy(update={"summary": "Therapy\u2028hours"})
    converter = data_converter(Settings(encryption_keys=TEST_KEYS))

    assert await converter.decode(await converter.encode([note, opened]), [AddNote, type(opened)]) == [note, opened]
    assert HIDDEN_REFUSAL in refusal(lambda: AddNote(actor="jo.smith", text=note.text))  # new input: refused


# --- Outbox files ---------------------------------------------------------------------------------


def test_look_alike_keys_never_share_an_outbox_file(tmp_path: Path) -> None:
    outbox = OutboxBackend(tmp_path)
    plain = "DR-2026-7KQ3XZ.case_opened.applicant"
    # Mathematical digits 𝟸𝟶𝟸𝟼 and 𝟸𝟶𝟸𝟽, and characters the old name made `_`: each its own file.
    keys = [plain, plain.replace("2026", "\U0001d7f8\U0001d7f6\U0001d7f8\U0001d7fc"),
            plain.replace("2026", "\U0001d7f8\U0001d7f6\U0001d7f8\U0001d7fd"), plain.replace("2026", "____"),
            plain.replace("2026", "20/6"), plain.replace("2026", "20%2F6")]

    paths = [outbox.path_of(key) for key in keys]

    assert len(set(paths)) == len(keys)
    assert all(path.parent == tmp_path for path in paths)
    assert paths[0].name == f"{plain}.txt"  # a checked reference's file keeps its name


def test_erasing_a_look_alike_case_deletes_its_own_outbox_files_and_no_others(tmp_path: Path) -> None:
    outbox = OutboxBackend(tmp_path)
    look_alike = "DR-\U0001d7f8\U0001d7f6\U0001d7f8\U0001d7fc-7KQ3XZ"  # opened before references were checked
    for key in (f"{look_alike}.case_opened.applicant", "DR-2026-7KQ3XZ.case_opened.applicant", "DR-____-7KQ3XZ.case_opened.applicant"):
        outbox.path_of(key).write_text(key)

    assert outbox.erase_case(look_alike) == 1
    assert sorted(path.read_text() for path in tmp_path.iterdir()) == ["DR-2026-7KQ3XZ.case_opened.applicant", "DR-____-7KQ3XZ.case_opened.applicant"]


# --- Oversized input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, words",
    [
        (lambda: AddNote(actor="jo.smith", text="x" * 2001), "at most 2000 characters"),
        (lambda: Applicant(role="parent", name="x" * 121, contact=Contact(email="sam@example.org")), "at most 120 characters"),
        (lambda: open_case(summary="x" * 501), "at most 500 characters"),
        (lambda: open_case(organisations=open_case().organisations * 5), "at most 9 items"),
        (lambda: RecordOutcome(actor="jo.smith", result="full_agreement", actions=[AgreedActionInput(description="x", owner="org-1")] * 51), "at most 50 items"),
    ],
    ids=["note", "name", "summary", "organisations", "agreed-actions"],
)
def test_oversized_input_is_refused_in_words(build, words: str) -> None:
    assert words in refusal(build)


# --- Settings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DISAGREEMENT_SENT_LOG_URL", "mysql://db.example/sent"),
        ("DISAGREEMENT_DELIVERY_TIME_LIMIT_SECONDS", "120"),
        ("DISAGREEMENT_CODEC_JWT_ISSUER", "not a url"),
    ],
)
def test_a_bad_hardening_setting_stops_start_up_naming_it(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings.__wrapped__()  # not the process-wide cache


# --- A case that would outgrow Temporal's payload limit --------------------------------------------


def test_notes_past_what_a_case_can_carry_are_refused_in_words_and_the_case_still_fits() -> None:
    from datetime import UTC, datetime

    from domain.case import TIMELINE_TEXT_LIMIT, RuleViolation
    from domain.resolution import Resolution
    from domain.models import ExtendDeadline

    case = Resolution.open("DR-2026-NOTES1", open_case(), datetime(2026, 11, 30, 10, tzinfo=UTC))
    note = AddNote(actor="jo.smith", text="x" * 2000)
    added = 0
    with pytest.raises(RuleViolation, match="the most a case can carry") as refused:
        while True:  # about 200 of the longest notes, then no more
            case.check_add_note(note)
            case.add_note(note, datetime(2026, 11, 30, 11, tzinfo=UTC))
            added += 1
    assert added == TIMELINE_TEXT_LIMIT // 2000 - 1  # the opening entry's few bytes take the last place
    assert "xxxx" not in str(refused.value)
    with pytest.raises(RuleViolation, match="the most a case can carry"):
        case.check_record_talk(RecordTalk(actor="jo.smith", outcome="unresolved", notes="y" * 2000))
    with pytest.raises(RuleViolation, match="the most a case can carry"):
        case.check_extend_deadline(
            ExtendDeadline(actor="jo.smith", deadline="talks_review", days=5, reason="z" * 2000), case.timeline[0].at.date()
        )
    # What the case carries stays far inside the 2 MB a Temporal payload may hold.
    assert len(case.model_dump_json().encode()) < 1_000_000
