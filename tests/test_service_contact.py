"""Every message carries what it promises: the service's contact details (settings
`DISAGREEMENT_SERVICE_*`) on every channel, and nothing that points to details it does not hold."""

from __future__ import annotations

import re

import pytest

from domain.messages import AUDIENCES, channels_for, render
from domain.models import Channel
from domain.notifications import RecipientKind
from tests.notices import SERVICE, notice, prefers, recipient

EVERY_MESSAGE = [
    (template, kind, channel)
    for template, kinds in AUDIENCES.items()
    for kind in sorted(kinds)
    for channel in (channels_for(recipient(kind, prefers(Channel.email))) if kind is RecipientKind.applicant
                    else channels_for(recipient(kind)))
]
BLOCK = [SERVICE.name, *SERVICE.postal_address, SERVICE.phone, SERVICE.email, SERVICE.web_page]
# Words that send the reader to our details, and where those details must then be.
POINTERS = {
    r"details at the top of this letter": "above",
    r"details below": "below",
    r"\b(call|phone|ring) us\b": "phone",
    r"\b(contact|ask|tell) us\b|\blet us know\b": "any",
}


def test_every_channel_of_every_recipient_is_covered() -> None:
    assert {channel for _, _, channel in EVERY_MESSAGE} == set(Channel)
    assert {kind for _, kind, _ in EVERY_MESSAGE} == set(RecipientKind)


@pytest.mark.parametrize(("template", "kind", "channel"), EVERY_MESSAGE, ids=str)
def test_every_message_says_how_to_reach_the_service(template, kind, channel) -> None:
    body = render(notice(template, kind), channel, SERVICE).body
    assert SERVICE.phone in body
    if channel is not Channel.sms and kind is not RecipientKind.case_officer:
        missing = [detail for detail in BLOCK if detail not in body]
        assert not missing, f"the contact block lacks {missing}"


def unkept_promises(body: str) -> list[str]:
    """Each place the text points to our details that are not where it says."""
    broken = []
    for pointer, where in POINTERS.items():
        for found in re.finditer(pointer, body, re.IGNORECASE):
            before, after = body[: found.start()], body[found.end():]
            kept = {
                "above": all(detail in before for detail in BLOCK),
                "below": all(detail in after for detail in BLOCK),
                "phone": SERVICE.phone in body,
                "any": SERVICE.phone in body or SERVICE.email in body,
            }[where]
            if not kept:
                broken.append(found.group())
    return broken


@pytest.mark.parametrize(("template", "kind", "channel"), EVERY_MESSAGE, ids=str)
def test_a_message_holds_the_details_it_refers_to(template, kind, channel) -> None:
    assert unkept_promises(render(notice(template, kind), channel, SERVICE).body) == []


def test_the_check_catches_details_that_are_not_there() -> None:
    """The letter as it was: it promised details at the top, and had none."""
    old_letter = (
        "Dear Sam Parent,\n\nIf you have any questions, please contact us using the details at the top of "
        f"this letter.\n\nYours sincerely,\n\n{SERVICE.name}"
    )
    assert sorted(unkept_promises(old_letter)) == ["contact us", "details at the top of this letter"]
    assert unkept_promises(f"Please call us.\n{SERVICE.email}") == ["call us"]
