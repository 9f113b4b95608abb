"""Every message, for every recipient and channel, reads as a whole message in plain English."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from importlib.resources import files

import pytest

from domain.messages import (
    AUDIENCES,
    NEEDS,
    PART_BREAK,
    MessageError,
    address_lines,
    channels_for,
    long_date,
    long_datetime,
    personalisation,
    render,
)
from domain.models import CaseOutcome, Channel, Contact, PostalAddress, SessionResult
from domain.notifications import MessageFacts, RecipientKind, Template
from tests.notices import PERSONAL_DATA, REFERENCE, SERVICE, full_facts, notice, recipient

SMS_LIMIT = 3 * 153  # three concatenated text messages
GAP = re.compile(r"\S {2,}\S| [.,:;]|\( ")

EVERY_MESSAGE = [
    (template, kind, channel)
    for template, kinds in AUDIENCES.items()
    for kind in sorted(kinds)
    for channel in channels_for(recipient(kind)) or (Channel.email,)
]


def bare_facts(template: Template) -> MessageFacts:
    """Only the facts the template cannot do without: every optional paragraph left out."""
    needed = {name: getattr(full_facts(), name) for name in NEEDS.get(template, ())}
    return MessageFacts(reference=REFERENCE, case_officer="jo.smith", **needed)


def test_every_template_has_readers_and_a_file_for_each() -> None:
    assert set(AUDIENCES) == set(Template)
    root = files("domain") / "templates"
    written = {
        (RecipientKind(folder.name), Template(path.name.removesuffix(".j2")))
        for folder in root.iterdir() if folder.is_dir()
        for path in folder.iterdir()
    }
    assert written == {(kind, template) for template, kinds in AUDIENCES.items() for kind in kinds}


@pytest.mark.parametrize("facts_of", [lambda template: full_facts(), bare_facts], ids=["full-facts", "bare-facts"])
@pytest.mark.parametrize(("template", "kind", "channel"), EVERY_MESSAGE, ids=lambda value: str(value))
def test_every_message_renders_completely(template, kind, channel, facts_of) -> None:
    message = render(notice(template, kind, facts=facts_of(template)), channel, SERVICE)

    for text in (message.subject, message.body):
        assert "{" not in text and "}" not in text and "None" not in text
        assert PART_BREAK not in text, "the subject and the body are told apart by PART_BREAK alone"
        assert not GAP.search(text), "a value left out mid-sentence"
    if channel is Channel.sms:
        assert message.subject == ""
        assert REFERENCE in message.body and len(message.body) <= SMS_LIMIT
    else:
        assert message.subject.endswith(f"case {REFERENCE}")
        greeting = "Hello jo.smith," if kind is RecipientKind.case_officer else f"Dear {recipient(kind).name},"
        # A letter opens with the service's address block (see tests/test_service_contact.py).
        assert message.body.startswith(greeting) or (channel is Channel.letter and f"\n\n{greeting}" in message.body)
        assert REFERENCE in message.body and "\n\n\n" not in message.body


@pytest.mark.parametrize(("template", "kind", "channel"), EVERY_MESSAGE, ids=lambda value: str(value))
def test_subjects_name_the_case_but_nobody_in_it(template, kind, channel) -> None:
    subject = render(notice(template, kind), channel, SERVICE).subject
    assert not [detail for detail in PERSONAL_DATA + ["Hill Top", "Rotherham"] if detail in subject]


def test_an_offer_to_a_family_explains_the_service_and_by_when_to_answer() -> None:
    body = render(notice(Template.resolution_offered), Channel.email, SERVICE).body
    for words in ("a meeting led by a trained, independent mediator", "free", "voluntary", "confidential",
                  "SENDIASS", "Your adviser at SENDIASS is Ali Adviser", "EHC plan (Education, Health and Care plan)",
                  "by Thursday 7 January 2027", "reply to this email",
                  "your appeal must reach the SEND Tribunal by 5pm on Monday 1 March 2027",
                  "does not stop or move this deadline"):
        assert words in body


def test_without_an_adviser_or_appeal_date_the_family_still_hears_of_both() -> None:
    body = render(notice(Template.resolution_offered, facts=bare_facts(Template.resolution_offered)), Channel.letter, SERVICE).body
    assert "SENDIASS" in body and "Your adviser" not in body
    assert "does not stop or move the time you have to appeal" in body
    assert "contact us using the details at the top of this letter" in body and "reply to this email" not in body


CLOSED_WITHOUT_AGREEMENT = [
    (Template.case_declined, {}),
    (Template.no_response, {}),
    (Template.withdrawn, {"outcome": CaseOutcome.withdrawn}),
    (Template.case_closed, {"outcome": CaseOutcome.no_agreement}),
    (Template.case_closed, {"outcome": CaseOutcome.partial_agreement}),
    (Template.case_closed, {"outcome": CaseOutcome.withdrawn}),
    (Template.written_outcome, {"result": SessionResult.no_agreement}),
]


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize(("template", "facts"), CLOSED_WITHOUT_AGREEMENT, ids=lambda value: str(value))
def test_a_closure_without_agreement_signposts_the_other_routes(template, facts, channel) -> None:
    body = render(notice(template, facts=full_facts(**facts)), channel, SERVICE).body
    assert "complain" in body and "SEND Tribunal" in body and "SENDIASS" in body
    assert "Monday 1 March 2027" in body  # the appeal deadline, which mediation does not move
    if channel is not Channel.sms:
        assert "does not stop or move this deadline" in body and "mediation certificate" in body


def test_a_settled_case_does_not_send_the_family_to_the_tribunal() -> None:
    body = render(notice(Template.case_closed, facts=full_facts(outcome=CaseOutcome.resolved_informally)), Channel.email, SERVICE).body
    assert "settled by talking" in body and "What you can do now" not in body


def test_an_action_owned_by_the_reader_is_theirs() -> None:
    body = render(notice(Template.action_due, RecipientKind.organisation), Channel.email, SERVICE).body
    assert "Review speech therapy hours\n   Who: you. By: Monday 1 February 2027." in body


def test_a_withdrawal_says_who_withdrew_and_you_when_it_was_the_reader() -> None:
    to_family = render(notice(Template.withdrawn, facts=full_facts(party_name="Hill Top Primary")), Channel.email, SERVICE).body
    to_school = render(notice(Template.withdrawn, RecipientKind.organisation, facts=full_facts(party_name="Hill Top Primary")), Channel.email, SERVICE).body
    assert "because Hill Top Primary has withdrawn" in to_family
    assert "because you have withdrawn" in to_school


def test_staff_read_deadline_names_in_words() -> None:
    message = render(notice(Template.deadline_missed, RecipientKind.case_officer, facts=full_facts(deadline="action-2")), Channel.email, SERVICE)
    assert message.subject == f"Deadline missed: agreed action 2 - case {REFERENCE}"
    assert f"disagreement extend {REFERENCE} --deadline action-2" in message.body


def test_dates_are_in_words_and_times_in_england() -> None:
    assert long_date(date(2027, 1, 7)) == "Thursday 7 January 2027"
    assert long_datetime(datetime(2027, 7, 1, 13, 0, tzinfo=UTC)) == "Thursday 1 July 2027 at 2pm"  # BST
    assert long_datetime(datetime(2027, 1, 12, 9, 5, tzinfo=UTC)) == "Tuesday 12 January 2027 at 9:05am"
    assert long_datetime(datetime(2027, 1, 12, 12, 0, tzinfo=UTC)) == "Tuesday 12 January 2027 at midday"
    assert long_datetime(datetime(2027, 1, 12, 0, 0, tzinfo=UTC)) == "Tuesday 12 January 2027 at midnight"


def test_a_message_missing_a_fact_it_needs_is_refused_in_words() -> None:
    with pytest.raises(MessageError, match="the session_scheduled message needs session_at"):
        render(notice(Template.session_scheduled, facts=full_facts(session_at=None)), Channel.email, SERVICE)


def test_a_message_nobody_wrote_is_refused() -> None:
    with pytest.raises(MessageError, match="no appeal_warning message for a organisation"):
        render(notice(Template.appeal_warning, RecipientKind.organisation), Channel.email, SERVICE)
    with pytest.raises(MessageError, match="staff go by email only"):
        render(notice(Template.deadline_missed, RecipientKind.case_officer), Channel.sms, SERVICE)


def test_notify_personalisation_is_every_fact_in_words() -> None:
    sent = notice(Template.session_scheduled)
    fields = personalisation(sent, Channel.email, render(sent, Channel.email, SERVICE))
    assert all(isinstance(value, str) for value in fields.values())
    assert fields["name"] == "Sam Parent" and fields["reference"] == REFERENCE
    assert fields["session_at"] == "Tuesday 12 January 2027 at 2:30pm"
    assert fields["other_parties"] == "Hill Top Primary and Rotherham Council"
    assert fields["actions"] == "1. Review speech therapy hours (Hill Top Primary, by Monday 1 February 2027)"
    assert fields["result"] == "partial_agreement"
    assert fields["subject"].startswith("Your disagreement resolution meeting") and fields["body"].startswith("Dear Sam Parent,")
    assert "address_line_1" not in fields
    sent = notice(Template.case_opened, facts=bare_facts(Template.case_opened))
    bare = personalisation(sent, Channel.sms, render(sent, Channel.sms, SERVICE))
    assert bare["due"] == "" and bare["actions"] == "" and bare["subject"] == ""


def test_a_letter_is_addressed_in_at_most_seven_lines_ending_with_the_postcode() -> None:
    sent = notice(Template.case_opened)
    fields = personalisation(sent, Channel.letter, render(sent, Channel.letter, SERVICE))
    assert [fields[f"address_line_{n}"] for n in (1, 2, 3, 4)] == ["Sam Parent", "12 Mill Lane", "Rotherham", "S60 1AA"]
    long_address = Contact(address=PostalAddress(lines=["Flat 1", "Mill House", "12 Mill Lane", "Brinsworth", "Rotherham", "South Yorkshire"], postcode="S60 1AA"))
    lines = address_lines(recipient(RecipientKind.applicant, long_address))
    assert len(lines) == 7 and lines["address_line_6"] == "Rotherham, South Yorkshire" and lines["address_line_7"] == "S60 1AA"


def test_staff_are_reached_by_email_and_others_as_they_prefer() -> None:
    assert channels_for(recipient(RecipientKind.case_officer)) == (Channel.email,)
    prefers_letter = Contact(email="sam.parent@example.org", address=PostalAddress(lines=["1 Road"], postcode="S60 1AA"), prefers=Channel.letter)
    assert channels_for(recipient(RecipientKind.applicant, prefers_letter)) == (Channel.letter, Channel.email)


def test_a_line_ending_in_a_block_tag_keeps_its_line_break() -> None:
    """With trim_blocks, `... text{% endif %}` would swallow the paragraph break after it: write `+%}`."""
    tag = re.compile(r"\{%.*?%\}")
    inline_end = re.compile(r"\{%-? *end(if|for) *%\}$")
    unsafe = []
    for path in (files("domain") / "templates").rglob("*.j2"):
        lines = path.read_text().splitlines()
        for number, (line, following) in enumerate(zip(lines, [*lines[1:], ""]), start=1):
            has_text = tag.sub("", line).strip()
            if has_text and inline_end.search(line) and not following.startswith("{%-"):
                unsafe.append(f"{path.parent.name}/{path.name}:{number}")
    assert not unsafe
