"""The small helpers messages are written with (domain/messages.py), in exact words.

Written to kill the mutants `make mutate` found surviving (docs/mutation.md).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.messages import MessageError, _in_words, _tidy, address_lines, channels_for, clock_time, names, personalisation, render
from domain.models import Channel, Contact, PostalAddress, SessionResult
from domain.notifications import AgreedActionFacts, RecipientKind, Template
from tests.notices import ADDRESS, SERVICE, full_facts, notice, prefers, recipient


def test_lists_of_names() -> None:
    assert [names([]), names(["A"]), names(["A", "B"]), names(["A", "B", "C"])] == ["", "A", "A and B", "A, B and C"]


def test_times_around_midday_and_midnight() -> None:
    at = lambda hour, minute=0: datetime(2027, 1, 12, hour, minute, tzinfo=UTC)  # noqa: E731
    assert [clock_time(at(0, 30)), clock_time(at(12, 30)), clock_time(at(13)), clock_time(at(11, 5))] == [
        "12:30am", "12:30pm", "1pm", "11:05am"
    ]


def test_facts_in_words() -> None:
    assert _in_words(date(2027, 1, 7)) == "Thursday 7 January 2027"
    assert _in_words(SessionResult.partial_agreement) == "partial_agreement"
    actions = [
        AgreedActionFacts(number=1, description="Plan", owner="Hill Top Primary", due=date(2027, 2, 1)),
        AgreedActionFacts(number=2, description="Review", owner="Rotherham LA", due=date(2027, 2, 2)),
    ]
    assert _in_words(actions) == (
        "1. Plan (Hill Top Primary, by Monday 1 February 2027)\n2. Review (Rotherham LA, by Tuesday 2 February 2027)"
    )


def test_blank_runs_close_up_to_one_blank_line() -> None:
    assert _tidy("a\n\n\n\nb  \n") == "a\n\nb"


def test_a_letter_address_uses_all_seven_lines_before_folding() -> None:
    five = PostalAddress(lines=["Flat 2", "12 Mill Lane", "Kimberworth", "Rotherham", "South Yorkshire"], postcode="S60 1AA")
    lines = address_lines(recipient(RecipientKind.applicant, Contact(address=five)))
    assert list(lines.values()) == ["Sam Parent", "Flat 2", "12 Mill Lane", "Kimberworth", "Rotherham", "South Yorkshire", "S60 1AA"]
    with pytest.raises(MessageError, match="^a letter needs a postal address$"):
        address_lines(recipient(RecipientKind.organisation))


def test_a_letter_personalisation_keeps_the_message_beside_the_address() -> None:
    letter = notice(contact=prefers(Channel.letter))
    fields = personalisation(letter, Channel.letter, render(letter, Channel.letter, SERVICE))
    assert fields["address_line_1"] == "Sam Parent" and fields["address_line_4"] == ADDRESS.postcode
    assert fields["body"] and fields["subject"] and fields["due"] == "Thursday 7 January 2027"


def test_who_can_be_reached_and_what_a_message_lacks_in_words() -> None:
    staff = recipient(RecipientKind.case_officer)
    assert channels_for(staff) == (Channel.email,)
    assert channels_for(staff.model_copy(update={"kind": RecipientKind.applicant})) == ()
    with pytest.raises(MessageError, match="^messages to staff go by email only$"):
        render(notice(Template.deadline_missed, RecipientKind.case_officer), Channel.sms, SERVICE)
    lacking = notice(Template.deadline_reminder, RecipientKind.case_officer, facts=full_facts(deadline=None, due=None))
    with pytest.raises(MessageError, match="^the deadline_reminder message needs deadline, due$"):
        render(lacking, Channel.email, SERVICE)
    with pytest.raises(MessageError, match="^a letter needs a postal address$"):
        address_lines(staff)  # staff have no contact details at all
