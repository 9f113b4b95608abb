"""The law right in every message (issues 8 and 17): disagreement resolution is never statutory mediation, every
mention of an appeal explains the certificate rule, and each message says what actually happens."""

from __future__ import annotations

from datetime import date
from importlib.resources import files

import pytest

from domain.messages import AUDIENCES, MessageError, channels_for, personalisation, render
from domain.models import Channel
from domain.notifications import AgreedActionFacts, RecipientKind, Template
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


# --- Issue 17, section 2: the law right in every message, in exact words ------------------------------

MEDIATION = dict(route="mediation")
PARTY_CHANNELS = (Channel.email, Channel.sms, Channel.letter)
APPEALABLE = AgreedActionFacts(number=1, description="Amend the EHC plan", owner="Rotherham Council",
                               due=date(2027, 2, 16), appealable=True, due_source="reg 44 period")
TWO_WEEKS = AgreedActionFacts(number=2, description="Send the therapy report", owner="Hill Top Primary",
                              due=date(2027, 1, 26), due_source="2 weeks, reg 42(3)")


def said(template, kind=RecipientKind.applicant, channel=Channel.email, **facts) -> str:
    return render(notice(template, kind, facts=full_facts(**facts)), channel, SERVICE).body


def test_1_the_organisations_are_told_a_certificate_follows_mediation_and_the_month_after_it() -> None:
    text = said(Template.session_scheduled, RecipientKind.organisation, **MEDIATION)
    assert "does not move" not in text
    assert "the mediator issues a mediation certificate within 3 working days (Children and Families Act 2014, section 55(5))" in text
    assert "may appeal to the SEND Tribunal up to 1 month after the certificate" in text and "rule 20(1)(c)" in text
    dr = said(Template.session_scheduled, RecipientKind.organisation)
    assert "It does not move the family's appeal deadline" in dr


@pytest.mark.parametrize("kind", [RecipientKind.applicant, RecipientKind.organisation])
def test_2_only_the_family_may_stop_mediation(kind) -> None:
    text = said(Template.withdrawn, kind, **MEDIATION, party_name="Sam Parent")
    who = "you" if kind is RecipientKind.applicant else "the family"
    assert f"Only {who} can decide to stop mediation: the Local Authority must arrange it and take part (Children and Families Act 2014, sections 53 and 54)." in text
    assert "at any time" not in text and "voluntary" not in text
    assert "anyone can stop at any time" in said(Template.withdrawn, party_name="Sam Parent")  # DR: still true


@pytest.mark.parametrize("channel", PARTY_CHANNELS)
def test_3_a_withdrawal_at_any_stage_says_the_certificate_comes_only_when_it_is_owed(channel) -> None:
    at_advice = dict(MEDIATION, resolution_started=False, session_at=None, certificate_date=None, first_certificate_date=None,
                     certificate_reason=None, outcome="withdrawn", party_name="Sam Parent")
    owed = said(Template.withdrawn, channel=channel, **at_advice, certificate_owed=True)
    assert "The mediation adviser will issue your mediation certificate within 3 working days (SEND Regulations 2014, regulation 34)." in owed
    assert "closed your case" not in owed
    not_owed = said(Template.withdrawn, channel=channel, **at_advice, certificate_owed=False)
    for promise in ("will issue", "within 3 working days", "once your certificate is issued"):
        assert promise not in not_owed
    to_la = said(Template.withdrawn, RecipientKind.organisation, channel=channel, **at_advice, certificate_owed=True)
    assert "The mediation adviser will issue a mediation certificate within 3 working days" in to_la
    closed = said(Template.case_closed, channel=Channel.email, **MEDIATION, outcome="certificate_only", certificate_owed=False)
    assert "will issue" not in closed


def test_4_a_late_opening_is_not_a_missed_appeal_and_needs_no_permission() -> None:
    ahead = said(Template.late_opening, RecipientKind.case_officer, **MEDIATION, appeal_deadline_passed=False)
    assert "Missing that is not the same as missing the appeal deadline." in ahead
    assert "The computed appeal deadline, 5pm on Monday 1 March 2027, is still ahead." in ahead
    gone = said(Template.late_opening, RecipientKind.case_officer, **MEDIATION, appeal_deadline_passed=True, certificate_date=None)
    assert "The computed appeal deadline, 5pm on Monday 1 March 2027, has passed." in gone
    assert "the family may ask the SEND Tribunal to extend the time for appealing" in gone
    assert "if one is issued, the deadline is 1 month after it, if that is later" in gone
    for text in (ahead, gone):
        assert "permission" not in text and "(check)" not in text


@pytest.mark.parametrize("channel", PARTY_CHANNELS)
def test_5_the_health_notice_carries_the_issues_and_the_provision_sought(channel) -> None:
    text = said(Template.health_notice, RecipientKind.organisation, channel, **MEDIATION)
    assert "education and health care" in text and "Weekly speech therapy from an NHS therapist" in text
    if channel is not Channel.sms:
        assert "regulation 32(e)" in text and "within 3 working days" in text
    with pytest.raises(MessageError, match="the health_notice message needs health_provision_sought"):
        said(Template.health_notice, RecipientKind.organisation, **MEDIATION, health_provision_sought=None)
    assert "Weekly speech therapy" not in said(Template.mediation_chosen, RecipientKind.organisation, **MEDIATION)


@pytest.mark.parametrize("kind", [RecipientKind.applicant, RecipientKind.organisation, RecipientKind.mediator])
def test_6_after_mediation_the_mediator_issues_the_certificate(kind) -> None:
    by_mediator = said(Template.certificate_issued, kind, **MEDIATION, certificate_issued_by="mediator")
    assert "mediator has issued" in by_mediator and "mediation adviser has issued" not in by_mediator
    by_adviser = said(Template.certificate_issued, kind, **MEDIATION, certificate_issued_by="mediation_adviser",
                      certificate_reason="no_mediation")
    assert "mediation adviser has issued" in by_adviser
    if kind is not RecipientKind.applicant:  # told why in words, never by the code
        assert "because the family did not want mediation." in by_adviser and "no mediation" not in by_adviser
        assert "after mediation took place." in said(Template.certificate_issued, kind, **MEDIATION,
                                                       certificate_reason="mediation_concluded")


def test_7_a_later_certificate_never_moves_the_appeal_deadline_later() -> None:
    later = dict(MEDIATION, certificate_date=date(2027, 1, 20), first_certificate_date=date(2027, 1, 5))
    officer = said(Template.later_certificate, RecipientKind.case_officer, **later)
    assert "The first certificate, dated Tuesday 5 January 2027, fixed the appeal deadline: 5pm on Monday 1 March 2027." in officer
    assert "The deadline has not been moved later." in officer
    family = said(Template.certificate_issued, **later)
    assert "your first certificate, dated Tuesday 5 January 2027, set this date" in family
    for template in (Template.mediation_opened, Template.mediation_chosen, Template.cannot_arrange, Template.appeal_warning):
        text = said(template, **MEDIATION, certificate_date=None, first_certificate_date=None)
        assert "new date" not in text and "count from the first" in text


@pytest.mark.parametrize(("template", "kind"), [
    (Template.written_outcome, RecipientKind.applicant), (Template.written_outcome, RecipientKind.organisation),
    (Template.written_outcome, RecipientKind.mediator), (Template.action_due, RecipientKind.applicant),
    (Template.action_overdue, RecipientKind.organisation), (Template.action_overdue, RecipientKind.case_officer),
    (Template.agreement_notice, RecipientKind.organisation),
])
def test_8_each_agreed_action_says_where_its_date_comes_from(template, kind) -> None:
    text = said(template, kind, **MEDIATION, actions=[APPEALABLE, TWO_WEEKS], result="full_agreement")
    assert "By: Tuesday 16 February 2027 (reg 44 period)." in text
    assert "By: Tuesday 26 January 2027 (2 weeks, reg 42(3))." in text


def test_8_notify_personalisation_carries_the_due_source_too() -> None:
    sent = notice(Template.action_due, facts=full_facts(actions=[TWO_WEEKS]))
    fields = personalisation(sent, Channel.email, render(sent, Channel.email, SERVICE))
    assert fields["actions"] == "2. Send the therapy report (Hill Top Primary, by Tuesday 26 January 2027; 2 weeks, reg 42(3))"


@pytest.mark.parametrize(("role", "asked"), [("parent", True), ("young_person", False), ("alternative_person", False)])
def test_9_the_childs_views_only_where_a_parent_is_the_party_and_never_section_57(role, asked) -> None:
    text = said(Template.mediator_assigned, RecipientKind.mediator, **MEDIATION, applicant_role=role)
    assert ("take reasonable steps to find out the child's views (Children and Families Act 2014, section 56(1)(e))" in text) is asked
    assert "section 57" not in text and "sections 53 to 56; SEND Regulations 2014, regulations 32 to 42" in text
    for kind in (RecipientKind.organisation, RecipientKind.mediator):
        assert "section 57" not in said(Template.mediator_assigned, kind, **MEDIATION)


HEALTH_ONLY = dict(MEDIATION, health_only=True, arranging_body=["NHS South Yorkshire ICB"], mediation_issues=["health"])


@pytest.mark.parametrize(("template", "kind"), [
    (Template.mediation_opened, RecipientKind.applicant), (Template.mediation_opened, RecipientKind.organisation),
    (Template.mediation_chosen, RecipientKind.applicant), (Template.mediation_chosen, RecipientKind.organisation),
    (Template.cannot_arrange, RecipientKind.applicant), (Template.cannot_arrange, RecipientKind.organisation),
    (Template.mediator_assigned, RecipientKind.organisation), (Template.withdrawn, RecipientKind.organisation),
])
@pytest.mark.parametrize("channel", PARTY_CHANNELS)
def test_10_the_health_commissioning_body_arranges_health_only_mediation(template, kind, channel) -> None:
    text = said(template, kind, channel, **HEALTH_ONLY)
    for wrong in ("The council could not", "The council has told", "the Local Authority must arrange",
                  "the Local Authority cannot refuse", "council must make sure"):
        assert wrong not in text
    if template in (Template.cannot_arrange, Template.mediation_chosen) and kind is RecipientKind.applicant:
        assert "NHS South Yorkshire ICB" in text


def test_10_the_commissioning_body_tells_the_la_of_the_agreement_within_a_week() -> None:
    text = said(Template.agreement_notice, RecipientKind.organisation, **HEALTH_ONLY, result="full_agreement", actions=[TWO_WEEKS])
    assert "We are writing for NHS South Yorkshire ICB, the health commissioning body that arranged the mediation" in text
    assert "the Local Authority was not a party" in text and "within 1 week (SEND Regulations 2014, regulation 42(4))" in text
    assert "2. Send the therapy report" in text


SCHOOL_ONLY = ("No mediation certificate is needed for an appeal only about the school or other institution named in the EHC plan, "
               "its type, or that none is named (Children and Families Act 2014, sections 51(2)(c) and 55(3)).")


def test_11_the_school_only_exception_in_one_wording_with_one_citation() -> None:
    for template, kind in ((Template.mediation_opened, RecipientKind.applicant), (Template.mediation_opened, RecipientKind.organisation),
                           (Template.appeal_warning, RecipientKind.applicant), (Template.case_closed, RecipientKind.applicant)):
        assert SCHOOL_ONLY in said(template, kind, **MEDIATION, school_only=True)
    assert SCHOOL_ONLY in said(Template.resolution_offered)  # the DR certificate rule says it the same way
    assert "(CFA 2014 s.51(2)(c), s.55(3))" in said(Template.appeal_warning, channel=Channel.sms, **MEDIATION, school_only=True)
    for path in (files("domain") / "templates").rglob("*.j2"):
        assert "or its type." not in path.read_text(), path.name  # the old wording, which left out "none named"


RIGHTS = [
    "Reasonable travel expenses for going to mediation are paid (Children and Families Act 2014, section 56).",
    "You can bring an advocate or supporter of your choice, and that can be a lawyer (SEND Regulations 2014, regulation 38).",
    "A disability discrimination claim to the SEND Tribunal does not need a mediation certificate.",
]


def test_12_travel_supporter_and_discrimination_claims_said_once_at_opening_and_choice() -> None:
    for template in (Template.mediation_opened, Template.mediation_chosen):
        for channel in (Channel.email, Channel.letter):
            text = said(template, channel=channel, **MEDIATION)
            assert [text.count(sentence) for sentence in RIGHTS] == [1, 1, 1], template
    assert "travel expenses" not in said(Template.session_scheduled, **MEDIATION)


def test_13_the_officer_is_told_when_the_child_reaches_the_end_of_compulsory_school_age() -> None:
    message = render(notice(Template.school_age_reached, RecipientKind.case_officer), Channel.email, SERVICE)
    assert "reached the end of compulsory school age on Friday 25 June 2027" in message.body
    assert "the last Friday in June of the school year in which they turn 16" in message.body
    assert "section 83(2)" in message.body and "sections 51 and 53" in message.body
    assert "Please confirm who the party is now" in message.body
    assert message.subject.startswith("The child has reached the end of compulsory school age: who is the party?")
