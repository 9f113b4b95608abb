"""What a party can answer through its link, as GOV.UK question pages: the answers typed, checked,
and made into the update the case receives (`domain.models`, one input per update).

Each answer is kept as the form's own values (`Answers`: field name -> text or list of texts), so
that the check-answers page can carry them in hidden fields, send them back to the question to
change them, and send them to the case: nothing is stored between pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from domain.deadlines import callback_deadline
from domain.models import (
    CaseStage,
    CaseView,
    Consent,
    MediationIssue,
    PartyView,
    RecordAvailability,
    RecordChoice,
    RecordConsent,
    RequestCallback,
    StaffAction,
    party_actor,
)
from domain.notifications import AnswerPurpose
from domain.words import MEDIATION_ISSUE_WORDS, date_and_time, issues_words, listed
from web.forms import NONE_SUIT, FormErrors, build, first_field, several, text
from workflows import names

Answers = dict[str, str | list[str]]
YES, NO = "yes", "no"
CHOSEN, DECLINED = "mediation_chosen", "mediation_declined"  # the timeline's events of the family's choice


@dataclass(frozen=True)
class Question:
    """One thing a link asks: its page, the update it sends, and its words."""

    slug: str  # the page's path under the link: /<token>/<slug>
    update: str
    template: str
    title: str  # the question page's heading
    fields: tuple[str, ...]  # the form's fields, in page order (the first one gets the error link)
    lists: tuple[str, ...] = ()  # fields given several times (checkboxes)

    def answers(self, form: Mapping) -> Answers:
        """The values posted, as they will be shown again and carried."""
        return {name: several(form, name) if name in self.lists else (form.get(name) or "").strip() for name in self.fields}


CONSENT = Question("answer", names.RECORD_CONSENT, "consent.html", "Do you agree to take part in disagreement resolution?",
                   ("agree", "reason"))
CHOICE = Question("answer", names.RECORD_CHOICE, "mediation_choice.html", "Do you want mediation?",
                  ("mediate", "issues", "health_provision", "supporter"), lists=("issues",))
AVAILABILITY = Question("answer", names.RECORD_AVAILABILITY, "availability.html", "Which of these times can you make?",
                        ("slots", "notes"), lists=("slots",))
CALLBACK = Question("call-back", names.REQUEST_CALLBACK, "callback.html", "Ask us to call you back", ("note",))
QUESTIONS = {AnswerPurpose.consent: CONSENT, AnswerPurpose.mediation_choice: CHOICE, AnswerPurpose.availability: AVAILABILITY}


def request_of(question: Question, answers: Answers, party: str, case: CaseView) -> StaffAction:
    """The update's input, or FormErrors in words, each on its field."""
    actor = party_actor(party)
    one = {name: value for name, value in answers.items() if isinstance(value, str)}
    if question is CONSENT:
        if one.get("agree") not in (YES, NO):
            raise FormErrors({"agree": "Select yes if you agree to take part, or no if you do not"})
        return build(RecordConsent, first_field, {"notes": "Your reason"}, actor=actor, party=party,
                     agree=one["agree"] == YES, notes=text(one, "reason"))
    if question is CHOICE:
        if one.get("mediate") not in (YES, NO):
            raise FormErrors({"mediate": "Select yes if you want mediation, or no if you do not"})
        if one["mediate"] == NO:
            return build(RecordChoice, first_field, {}, actor=actor, mediate=False)
        issues = [MediationIssue(issue) for issue in answers.get("issues", []) if issue in MediationIssue.__members__]
        if not issues:
            raise FormErrors({"issues": "Select what mediation should be about"})
        if MediationIssue.health in issues and not text(one, "health_provision"):
            # SEND Regulations 2014 reg 32(e): the council's notice to the health commissioners carries it.
            raise FormErrors({"health_provision": "Enter the health care provision you want in the EHC plan"})
        return build(
            RecordChoice, _choice_field, {"health_provision": "The health care provision you want", "supporter": "Who will come with you"},
            actor=actor, mediate=True, mediation_issues=issues,
            health_provision_sought=text(one, "health_provision") if MediationIssue.health in issues else None,
            supporter_attending=text(one, "supporter"),
        )
    if question is AVAILABILITY:
        chosen = answers.get("slots", [])
        numbers = [int(number) for number in chosen if number.isdigit() and 1 <= int(number) <= len(case.slots)]
        if not chosen or (NONE_SUIT in chosen and numbers) or len(numbers) != len([c for c in chosen if c != NONE_SUIT]):
            raise FormErrors({"slots": "Select each time you can make, or select that none of them suit you"})
        return build(RecordAvailability, first_field, {"notes": "Anything we should know"}, actor=actor, party=party,
                     slots=numbers, notes=text(one, "notes"))
    return build(RequestCallback, first_field, {"note": "What you want to talk about"}, actor=actor, party=party,
                 note=text(one, "note"))


def _choice_field(loc: tuple) -> str:
    return {"health_provision_sought": "health_provision", "supporter_attending": "supporter", "mediation_issues": "issues"}.get(
        str(loc[0]) if loc else "", "mediate",
    )


def rows(question: Question, answers: Answers, case: CaseView) -> list[tuple[str, str, str]]:
    """The check-answers page: (question, answer in words, the field its Change goes to)."""
    one = {name: value for name, value in answers.items() if isinstance(value, str)}
    if question is CONSENT:
        found = [("Do you agree to take part?", "Yes" if one.get("agree") == YES else "No", "agree")]
        return found + [("Your reason", one["reason"], "reason")] if one.get("reason") else found
    if question is CHOICE:
        if one.get("mediate") != YES:
            return [("Do you want mediation?", "No", "mediate")]
        issues = [MediationIssue(issue) for issue in answers.get("issues", []) if issue in MediationIssue.__members__]
        found = [("Do you want mediation?", "Yes", "mediate"), ("What it should be about", issues_words(issues).capitalize(), "issues")]
        if MediationIssue.health in issues:
            found.append(("The health care provision you want", one.get("health_provision", ""), "health_provision"))
        return found + [("Who will come with you", one.get("supporter") or "Nobody named", "supporter")]
    if question is AVAILABILITY:
        numbers = [int(number) for number in answers.get("slots", []) if number.isdigit()]
        found = [("Times you can make", slots_words(numbers, case) or "None of them suit", "slots")]
        return found + [("Anything we should know", one["notes"], "notes")] if one.get("notes") else found
    return [("What you want to talk about", one.get("note") or "Nothing given", "note")]


def slots_words(numbers: list[int], case: CaseView) -> str:
    by_number = {slot.number: slot.at for slot in case.slots}
    return listed([f"{date_and_time(by_number[n])}" for n in numbers if n in by_number])


def given(purpose: AnswerPurpose, party: PartyView, case: CaseView) -> str | None:
    """The answer already recorded for this question, in words (by staff or online); None: not yet."""
    if purpose is AnswerPurpose.consent:
        return {Consent.agreed: "You agreed to take part in disagreement resolution.",
                Consent.declined: "You said no to disagreement resolution.",
                Consent.withdrawn: "You withdrew from disagreement resolution."}.get(party.consent)
    if purpose is AnswerPurpose.mediation_choice:
        events = {entry.event for entry in case.timeline}
        if CHOSEN in events:
            said = f"You chose mediation, about {issues_words(case.mediation_issues)}."
            if case.health_provision_sought:
                said += f" The health care provision you want: {case.health_provision_sought}."
            return said + (f" {case.supporter_attending} will come with you." if case.supporter_attending else "")
        return "You chose not to have mediation." if DECLINED in events else None
    if party.availability is None:
        return None
    times = slots_words(party.availability, case)
    return f"You can make {times}." if times else "None of the proposed times suit you."


def still_asked(purpose: AnswerPurpose, party: PartyView, case: CaseView) -> bool:
    """Whether the case still waits for this answer from this party (and none is recorded)."""
    if given(purpose, party, case) is not None:
        return False
    if purpose is AnswerPurpose.consent:
        return case.stage is CaseStage.awaiting_consent
    if purpose is AnswerPurpose.mediation_choice:
        return case.stage is CaseStage.advice
    return case.availability_asked and bool(case.slots)


def call_back_by(party: PartyView, case: CaseView) -> date | None:
    """The day the party's call-back is due (its duty `callback-N`), while it is owed."""
    numbers = {callback_deadline(callback.number) for callback in case.callbacks if callback.party == party.id}
    return next((deadline.due for deadline in case.deadlines if deadline.name in numbers and deadline.owed), None)


ISSUE_CHOICES = [(issue.value, MEDIATION_ISSUE_WORDS[issue]) for issue in MediationIssue]
