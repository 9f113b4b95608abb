"""The law right in every message (issue 8): disagreement resolution is never statutory mediation, every
mention of an appeal explains the certificate rule, and each message says what actually happens."""

from __future__ import annotations

from importlib.resources import files

import pytest

from domain.messages import AUDIENCES, channels_for, render
from domain.models import Channel
from domain.notifications import RecipientKind, Template
from tests.notices import SERVICE, full_facts, notice, recipient

EVERY_MESSAGE = [
    (template, kind, channel)
    for template, kinds in AUDIENCES.items()
    for kind in sorted(kinds)
    for channel in channels_for(recipient(kind)) or (Channel.email,)
]


def test_no_template_says_mediation_does_not() -> None:
    """Statutory mediation does move the appeal deadline (its certificate); only DR does not."""
    for path in (files("domain") / "templates").rglob("*.j2"):
        assert "mediation does not" not in path.read_text().lower(), path.name


@pytest.mark.parametrize(("template", "kind", "channel"), EVERY_MESSAGE, ids=str)
def test_every_appeal_mention_names_the_certificate_rule(template, kind, channel) -> None:
    text = render(notice(template, kind), channel, SERVICE).body
    if kind is RecipientKind.case_officer or "appeal" not in text.lower():
        return
    # Who gives the certificate: the mediation adviser, or after mediation the mediator (CFA 2014 s.55(5)).
    assert ("mediation adviser" in text or "mediator has issued" in text) and "certificate" in text, text
    assert "mediation does not" not in text.lower()
    if kind is RecipientKind.applicant:
        assert "2 months" in text


@pytest.mark.parametrize(("template", "kind", "channel"), EVERY_MESSAGE, ids=str)
def test_disagreement_resolution_is_never_called_mediation(template, kind, channel) -> None:
    text = render(notice(template, kind), channel, SERVICE).body.lower()
    assert "(mediation)" not in text and "often called mediation" not in text


def test_the_party_who_declined_is_told_the_case_closes() -> None:
    facts = full_facts(answer="declined", waiting_for=[])
    for kind in (RecipientKind.applicant, RecipientKind.organisation):
        for channel in (Channel.email, Channel.sms) if kind is RecipientKind.applicant else (Channel.email,):
            text = render(notice(Template.consent_recorded, kind, facts=facts), channel, SERVICE).body
            assert "waiting" not in text.lower() and "closed" in text


def test_the_last_party_to_agree_is_not_told_to_wait() -> None:
    text = render(notice(Template.consent_recorded, facts=full_facts(answer="agreed", waiting_for=[])), Channel.email, SERVICE).body
    assert "waiting" not in text.lower() and "Everyone has now agreed" in text
    text = render(notice(Template.consent_recorded, facts=full_facts(answer="agreed", waiting_for=["Hill Top Primary"])), Channel.email, SERVICE).body
    assert "We are waiting for Hill Top Primary to reply by Thursday 7 January 2027" in text


def test_declines_and_silence_name_who_and_the_other_routes() -> None:
    declined = render(notice(Template.case_declined, facts=full_facts(party_name="Hill Top Primary")), Channel.email, SERVICE).body
    assert "because Hill Top Primary said no" in declined
    silent = render(notice(Template.no_response, facts=full_facts(waiting_for=["Hill Top Primary", "Rotherham Council"])), Channel.email, SERVICE).body
    assert "did not hear from Hill Top Primary and Rotherham Council" in silent
    for text in (declined, silent):
        assert "complaint" in text and "statutory mediation" in text and "SEND Tribunal" in text


def test_the_written_outcome_promises_only_what_the_service_does() -> None:
    text = render(notice(Template.written_outcome), Channel.email, SERVICE).body
    assert "tell you if one is not" not in text and "follow up any action that is late" in text


def test_a_mediator_assignment_gives_the_date_the_session_should_be_held_by() -> None:
    for kind in (RecipientKind.applicant, RecipientKind.organisation, RecipientKind.mediator):
        text = render(notice(Template.mediator_assigned, kind), Channel.email, SERVICE).body
        assert "held by Thursday 7 January 2027" in text
        assert "NHS England" in text  # independence as CFA 2014 s.57 checks it


def test_a_missed_appeal_deadline_is_not_for_the_officer_to_extend() -> None:
    text = render(notice(Template.deadline_missed, RecipientKind.case_officer, facts=full_facts(deadline="appeal")), Channel.email, SERVICE).body
    assert "disagreement extend" not in text and "cannot be extended" in text and "appeal-status" in text


def test_opening_and_withdrawal_say_what_actually_happened() -> None:
    opened = render(notice(Template.case_opened), Channel.email, SERVICE).body
    assert "SEN support" not in opened
    early = render(notice(Template.withdrawn, facts=full_facts(resolution_started=False)), Channel.email, SERVICE).body
    assert "Disagreement resolution has stopped" not in early and "The case has stopped" in early


def test_a_young_person_is_named_as_the_party() -> None:
    facts = full_facts(applicant_role="young_person")
    for template, kind in ((Template.case_opened, RecipientKind.organisation), (Template.mediator_assigned, RecipientKind.mediator),
                           (Template.case_declined, RecipientKind.organisation)):
        text = render(notice(template, kind, facts=facts), Channel.email, SERVICE).body
        assert "the young person" in text.lower() and "the family" not in text.lower(), (template, text)


@pytest.mark.parametrize(("template", "kind", "channel"), EVERY_MESSAGE, ids=str)
def test_every_message_reads_right_for_statutory_mediation(template, kind, channel) -> None:
    """Each message, rendered for a mediation case, names the service as mediation and never says
    that disagreement resolution leaves the deadline alone (a certificate moves it here)."""
    facts = full_facts(route="mediation", school_only=False)
    text = render(notice(template, kind, facts=facts), channel, SERVICE).body
    assert "{" not in text and "None" not in text
    assert "disagreement resolution does not" not in text.lower() and "disagreement resolution meeting" not in text
    if channel is Channel.sms:
        assert len(text) <= 3 * 153, len(text)
    if kind is RecipientKind.applicant and "appeal" in text.lower():
        assert "certificate" in text, text


@pytest.mark.parametrize("outcome", ["certificate_only", "not_arranged"])
def test_mediation_closures_say_why(outcome) -> None:
    from domain.models import CaseOutcome

    facts = full_facts(route="mediation", outcome=CaseOutcome(outcome))
    for kind in (RecipientKind.applicant, RecipientKind.organisation):
        text = render(notice(Template.case_closed, kind, facts=facts), Channel.email, SERVICE).body
        assert "not going ahead" in text and "without an agreement" not in text
