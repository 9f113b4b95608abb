"""A case in words for the party who opened its link: where it is, what happens next and by when,
and, for the family, the appeal deadline and what moves it, in the words the messages use.

Read from the case view alone. Nothing here is staff's wording ("record each party's answer"): a
party reads what it means for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.deadlines import (
    ACTION_PREFIX, APPEAL, CERTIFICATE, CONSENT_WINDOW, MEDIATION_ARRANGEMENT, SESSION_ARRANGEMENT, TALKS_REVIEW,
)
from domain.messages import appeal_words
from domain.models import CaseStage, CaseView, PartyView, Route
from domain.notifications import MessageFacts
from domain.words import APPLICANT, OUTCOME_WORDS, date_and_time, long_date, stage_words


@dataclass(frozen=True)
class CaseWords:
    stage: str  # a heading: "Waiting for every party's consent"
    now: str  # what is going on
    next: str | None  # what happens next, and by when
    appeal: str | None  # the family's appeal deadline and what moves it (the applicant only)


def case_words(case: CaseView, party: PartyView, today: date) -> CaseWords:
    owed = {deadline.name: deadline.due for deadline in case.deadlines if deadline.owed}
    mediation = case.route is Route.mediation
    now, later = _stage(case, owed, mediation)
    return CaseWords(
        stage=stage_words(case.stage), now=now, next=later,
        appeal=_appeal(case, today) if party.id == APPLICANT else None,
    )


def _stage(case: CaseView, owed: dict[str, date], mediation: bool) -> tuple[str, str | None]:
    def by(name: str, words: str) -> str | None:
        return words.format(date=long_date(owed[name])) if name in owed else None

    match case.stage:
        case CaseStage.informal_talks:
            return ("Everyone involved is talking, to try to settle the disagreement without a formal meeting.",
                    by(TALKS_REVIEW, "We will look at how the talks are going by {date}."))
        case CaseStage.awaiting_consent:
            # SEND Code of Practice 11.6: voluntary, and only with every party's agreement.
            return ("We have offered disagreement resolution: a meeting led by a trained, independent mediator. It is "
                    "free and voluntary, and it can only go ahead if every party agrees.",
                    by(CONSENT_WINDOW, "Every party needs to answer by {date}. If anyone says no, or does not reply "
                       "in time, it will not go ahead, and we will write to tell you about your other options."))
        case CaseStage.advice if case.school_only:
            # CFA 2014 s.51(2)(c) and s.55(3): an appeal only about the school named, its type, or that
            # none is named needs no certificate; mediation is still the family's to choose (s.53).
            return ("The council has made a decision that can be appealed. An appeal only about the school named "
                    "in the plan, its type, or that none is named, needs no mediation certificate (Children and "
                    "Families Act 2014, sections 51(2)(c) and 55(3)).",
                    "You can still choose mediation: tell the mediation adviser named in the council's decision "
                    "letter, and us, whether you want it.")
        case CaseStage.advice:
            # SEND Regulations 2014 regs 33 and 34: the family tells the mediation adviser; a "no" gets a certificate.
            return ("The council has made a decision that can be appealed. Before appealing, the family tells the "
                    "mediation adviser named in the council's decision letter whether they want mediation.",
                    "Tell the mediation adviser, and us, whether you want mediation. If you do not want it, the "
                    "adviser gives you a certificate within 3 working days, and you can appeal with it.")
        case CaseStage.arranging_session:
            asked = " We have proposed times for the meeting and asked everyone which they can make." if case.slots else ""
            if mediation:
                return ("Mediation has been chosen and is being arranged." + asked,
                        by(MEDIATION_ARRANGEMENT, "Mediation must take place by {date}."))
            return ("Every party agreed to disagreement resolution. We are arranging the meeting." + asked,
                    by(SESSION_ARRANGEMENT, "We aim to hold the meeting by {date}."))
        case CaseStage.session_scheduled:
            session = case.session
            where = f", at {session.venue}" if session and session.venue else ""
            return ((f"The meeting is booked for {date_and_time(session.at)}{where}." if session else "The meeting is booked."),
                    "After the meeting, we will send everyone the outcome in writing.")
        case CaseStage.monitoring_agreement:
            actions = [due for name, due in owed.items() if name.startswith(ACTION_PREFIX)]
            return ("The meeting reached an agreement. We are checking that what was agreed gets done.",
                    f"The next agreed action is due by {long_date(min(actions))}." if actions else None)
        case CaseStage.certificate_due:
            return ("A mediation certificate is on its way.",
                    by(CERTIFICATE, "It is due by {date}."))
    return (f"This case is closed: {OUTCOME_WORDS[case.outcome].lower()}." if case.outcome else "This case is closed.", None)


def _appeal(case: CaseView, today: date) -> str | None:
    """The appeal clock as the messages put it, while it is still the family's to run."""
    appeal = next((deadline for deadline in case.deadlines if deadline.name == APPEAL), None)
    if case.appeal_status is not None or (appeal is not None and not appeal.owed):
        return None
    certificate = case.certificate.issued_on if case.certificate else None
    facts = MessageFacts(
        reference=case.reference, case_officer=case.case_officer, route=case.route.value,
        appeal_deadline=case.appeal_deadline if case.appeal_deadline and case.appeal_deadline >= today else None,
        school_only=case.school_only, certificate_date=certificate, first_certificate_date=certificate,
        certificate_owed=any(deadline.name == CERTIFICATE and deadline.owed for deadline in case.deadlines),
    )
    return appeal_words(facts)
