"""Two routes, never confused (issue 17, section 2, row 1): every template of each route, for every
recipient kind and every channel, with rich facts, says none of the other route's words.

Disagreement resolution (Code 11.6-11.12, CFA 2014 s.57) is voluntary, needs every party and does not
move the appeal deadline. Statutory mediation (CFA 2014 ss.53-56, SEND Regs 2014 regs 32-42) is the
family's to stop, the LA must arrange it and take part, and a certificate follows, from which the appeal
may be made up to 1 month later (HESC Rules 2008 r.20(1)(c)).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.messages import AUDIENCES, NEEDS, render
from domain.models import CaseOutcome, Channel, SessionResult
from domain.notifications import AgreedActionFacts, MessageFacts, RecipientKind, Template
from tests.notices import SERVICE, full_facts, notice

DR = "disagreement_resolution"
MEDIATION = "mediation"

# Templates only one route sends; every other template is sent on both.
DR_ONLY = frozenset({
    Template.case_opened, Template.resolution_offered, Template.consent_reminder, Template.consent_recorded,
    Template.case_declined, Template.no_response,
})
MEDIATION_ONLY = frozenset({
    Template.mediation_opened, Template.mediation_chosen, Template.mediation_declined, Template.certificate_issued,
    Template.cannot_arrange, Template.health_notice, Template.agreement_notice, Template.late_opening,
    Template.later_certificate,
})
ROUTE_TEMPLATES = {DR: set(Template) - MEDIATION_ONLY, MEDIATION: set(Template) - DR_ONLY}

# Words of disagreement resolution that must never reach a statutory mediation case.
DR_PHRASES = [
    "disagreement resolution",  # the service's own name is taken out first (see `words`)
    "does not move the appeal deadline",
    "does not move the family's appeal deadline",
    "does not move the young person's appeal deadline",
    "does not stop or move",
    "Taking part is voluntary",
    "stop at any time",  # only the family may stop mediation (CFA 2014 ss.53-54)
    "can only go ahead if everyone",
    "can only go ahead with the agreement of every party",
    "needs the agreement of all parties",
    "section 57",
    "paragraph 11.6",
    "only a certificate from statutory mediation",
    "ask for statutory mediation",
    "statutory mediation about a council decision that can be appealed",
    "consent window",
]

# Words of statutory mediation that must never reach a disagreement resolution case.
MEDIATION_PHRASES = [
    "mediation meeting",
    "Mediation has stopped",
    "statutory mediation case",
    "This is statutory mediation about a council decision",
    "will issue your mediation certificate",
    "will issue a mediation certificate",
    "has issued your mediation certificate",
    "yours is dated",
    "your first certificate",
    "can decide to stop mediation",
    "regulation 34",
    "regulation 42(4)",
    "section 55(5)",
    "sections 53 to 56",
    "regulations 32 to 42",
    "rule 20(1)(c)",
    "the child's views",
    "travel expenses",
    "disability discrimination claim",
    "health commissioning body",
    "within 30 days",
]

ACTIONS = [
    AgreedActionFacts(number=1, description="Amend the EHC plan", owner="Rotherham Council", due=date(2027, 2, 16),
                      appealable=True, due_source="reg 44 period"),
    AgreedActionFacts(number=2, description="Send the therapy report", owner="Hill Top Primary", due=date(2027, 1, 26),
                      due_source="2 weeks, reg 42(3)"),
]


def variants(route: str) -> list[MessageFacts]:
    """Rich facts for one route: every optional fact set, then each flag and outcome that changes the words."""
    base = dict(route=route, actions=ACTIONS, previous_session_at=datetime(2027, 1, 11, 10, tzinfo=UTC))
    if route == DR:
        outcomes = ["resolved_informally", "full_agreement", "partial_agreement", "no_agreement", "withdrawn",
                    "declined", "no_response"]
        changes = [{}, {"resolution_started": False}, {"by_service": True}, {"party_name": "Sam Parent"},
                   {"answer": "declined", "waiting_for": []}, {"answer": "agreed", "waiting_for": ["Hill Top Primary"]},
                   {"appeal_deadline": None}]
        # A DR case carries none of mediation's facts; then, to be sure, every fact at once.
        realistic = dict(certificate_date=None, certificate_reason=None, first_certificate_date=None,
                         mediation_issues=[], health_provision_sought=None, arranging_body=[])
        facts = [full_facts(**(base | realistic | change)) for change in changes]
        facts.append(full_facts(**base, certificate_owed=True, health_only=True, school_only=True,
                                certificate_issued_by="mediator", appeal_deadline_passed=True))
    else:
        outcomes = ["certificate_only", "not_arranged", "full_agreement", "partial_agreement", "no_agreement", "withdrawn"]
        changes = [{}, {"school_only": True}, {"health_only": True, "arranging_body": ["NHS South Yorkshire ICB"]},
                   {"certificate_owed": True}, {"certificate_owed": True, "certificate_issued_by": "mediator"},
                   {"certificate_owed": True, "certificate_date": None, "first_certificate_date": None},
                   {"certificate_issued_by": "mediation_adviser", "certificate_reason": "no_mediation"},
                   {"first_certificate_date": date(2026, 12, 20)}, {"appeal_deadline_passed": True},
                   {"by_service": True}, {"party_name": "Sam Parent"}, {"resolution_started": False}]
        base |= {"deadline": "certificate"}  # a mediation case has no consent window
        facts = [full_facts(**(base | change)) for change in changes]
    facts += [full_facts(**base, outcome=CaseOutcome(outcome)) for outcome in outcomes]
    facts += [full_facts(**base, result=SessionResult(result)) for result in SessionResult]
    facts += [full_facts(**base, applicant_role=role) for role in ("parent", "young_person", "alternative_person")]
    return facts


def every_message(route: str) -> list[tuple[Template, RecipientKind, Channel]]:
    return [
        (template, kind, channel)
        for template in sorted(ROUTE_TEMPLATES[route])
        for kind in sorted(AUDIENCES[template])
        for channel in ((Channel.email,) if kind is RecipientKind.case_officer else tuple(Channel))
    ]


def can_say(template: Template, facts: MessageFacts) -> bool:
    """A variant without a fact the template cannot do without is never sent (NEEDS): skip it."""
    return all(getattr(facts, name) for name in NEEDS.get(template, ()))


def words(template: Template, kind: RecipientKind, channel: Channel, facts: MessageFacts) -> str:
    if not can_say(template, facts):
        return ""
    message = render(notice(template, kind, facts=facts), channel, SERVICE)
    # The service's name ("... SEND disagreement resolution service") is in every message's footer.
    return f"{message.subject}\n{message.body}".replace(SERVICE.name, "the service")


def test_every_template_belongs_to_a_route() -> None:
    assert ROUTE_TEMPLATES[DR] | ROUTE_TEMPLATES[MEDIATION] == set(Template)
    assert not DR_ONLY & MEDIATION_ONLY


@pytest.mark.parametrize(("template", "kind", "channel"), every_message(MEDIATION), ids=str)
def test_the_mediation_route_never_says_disagreement_resolution_words(template, kind, channel) -> None:
    for facts in variants(MEDIATION):
        text = words(template, kind, channel, facts)
        said = [phrase for phrase in DR_PHRASES if phrase.lower() in text.lower()]
        assert not said, f"{template}/{kind}/{channel} says {said}:\n{text}"


@pytest.mark.parametrize(("template", "kind", "channel"), every_message(DR), ids=str)
def test_the_dr_route_never_says_mediation_only_words(template, kind, channel) -> None:
    for facts in variants(DR):
        text = words(template, kind, channel, facts)
        said = [phrase for phrase in MEDIATION_PHRASES if phrase.lower() in text.lower()]
        assert not said, f"{template}/{kind}/{channel} says {said}:\n{text}"


@pytest.mark.parametrize("route", [DR, MEDIATION])
def test_every_message_of_a_route_renders_on_every_channel(route) -> None:
    """A text message is one line of at most 3 texts; an email or letter has a subject."""
    for template, kind, channel in every_message(route):
        for facts in [facts for facts in variants(route) if can_say(template, facts)]:
            message = render(notice(template, kind, facts=facts), channel, SERVICE)
            if channel is Channel.sms:
                assert "\n" not in message.body and message.subject == ""
                assert len(message.body) <= 3 * 153, (template, kind, len(message.body), message.body)
            else:
                assert message.subject and message.body


def test_the_phrase_lists_catch_what_they_name() -> None:
    """The lists are live: each route's own messages do say some of its phrases."""
    said_on_dr = {phrase for phrase in DR_PHRASES for template, kind, channel in every_message(DR)
                  if phrase.lower() in words(template, kind, channel, variants(DR)[0]).lower()}
    said_on_mediation = {phrase for phrase in MEDIATION_PHRASES for template, kind, channel in every_message(MEDIATION)
                         if phrase.lower() in words(template, kind, channel, variants(MEDIATION)[3]).lower()}
    assert {"disagreement resolution", "does not stop or move", "stop at any time", "section 57"} <= said_on_dr
    assert {"mediation meeting", "will issue your mediation certificate", "travel expenses", "sections 53 to 56"} <= said_on_mediation
