"""Each request the command line sends, as the command that sends it and what it did, in words: the
one place in cli/ that maps a request model to its command (DESIGN section 13: action commands print
one line and the next step). The next step itself is `domain.next_step.next_step`; this says which
command takes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.models import (
    AddNote,
    AssignMediator,
    CompleteAction,
    ExtendDeadline,
    IssueCertificate,
    OfferResolution,
    OpenCase,
    OpenMediation,
    ProposeSlots,
    ReassignOfficer,
    RecordAppealStatus,
    RecordAvailability,
    RecordCallback,
    RecordChoice,
    RecordConsent,
    RecordDecision,
    RecordOutcome,
    RecordTalk,
    ReportCannotArrange,
    ScheduleSession,
    Withdraw,
)
from domain.words import ACTION_PREFIX, CALLBACK_PREFIX

if TYPE_CHECKING:
    from domain.next_step import NextStep


@dataclass(frozen=True)
class Step:
    done: str  # what the command did, a sentence with {reference} in it
    command: str  # how to type it: `disagreement ` then this, with {reference} (and {number}) filled in


STEPS: dict[type, Step] = {
    OpenCase: Step("Case {reference} opened; every party is told.", "open ..."),
    OpenMediation: Step("Statutory mediation case {reference} opened.", "open-mediation ..."),
    RecordTalk: Step("Informal talk recorded on {reference}.", "talk {reference} --outcome resolved|unresolved"),
    OfferResolution: Step("Disagreement resolution offered to every party on {reference}.", "offer {reference}"),
    RecordConsent: Step(
        "Answer to the offer recorded on {reference}.", "consent {reference} --party PARTY_ID --agree|--decline"
    ),
    AssignMediator: Step(
        "Mediator assigned on {reference}.",
        "assign {reference} --mediator-name NAME --mediator-email EMAIL --independent",
    ),
    ScheduleSession: Step("Session date set on {reference}; every party and the mediator are told.", "schedule {reference} --at DATETIME"),
    RecordOutcome: Step("Session outcome recorded on {reference}.", "outcome {reference} --result RESULT"),
    CompleteAction: Step("Agreed action marked done on {reference}.", "action-done {reference} --action {number}"),
    RecordChoice: Step("The family's choice recorded on {reference}.", "choose {reference} --mediate|--no-mediation"),
    IssueCertificate: Step("Mediation certificate recorded on {reference}.", "certificate {reference}"),
    ReportCannotArrange: Step(
        "Recorded on {reference} that mediation cannot be arranged in time.", "cannot-arrange {reference} --reason TEXT"
    ),
    Withdraw: Step("Withdrawal recorded on {reference}.", "withdraw {reference} --party PARTY_ID --reason TEXT"),
    ExtendDeadline: Step("Deadline moved on {reference}.", "extend {reference} --deadline NAME --days N --reason TEXT"),
    AddNote: Step("Note added to {reference}.", "note {reference} --text TEXT"),
    ReassignOfficer: Step("Case {reference} moved to another case officer.", "reassign {reference} --to STAFF_ID --reason TEXT"),
    RecordDecision: Step(
        "Local Authority decision recorded on {reference}; the appeal deadline is worked out from it.",
        "decision {reference} --kind KIND --date DATE",
    ),
    ProposeSlots: Step(
        "Session times proposed on {reference}; every party is asked which it can make.",
        "propose-slots {reference} --slot DATETIME --slot DATETIME --slot DATETIME",
    ),
    RecordAvailability: Step(
        "The times a party can make recorded on {reference}.", "availability {reference} --party PARTY_ID --slot N|--none"
    ),
    RecordCallback: Step("Call-back recorded on {reference}.", "callback-done {reference} --callback {number}"),
    RecordAppealStatus: Step("The family's appeal recorded on {reference}.", "appeal-status {reference} --lodged|--not-appealing"),
}


def done(request: type, reference: str) -> str:
    return STEPS[request].done.format(reference=reference)


def command_for(step: NextStep, reference: str) -> str:
    """The command that takes the next step, or "" when the product or someone else does it."""
    if step.action is None:
        return ""
    number = step.duty.removeprefix(ACTION_PREFIX).removeprefix(CALLBACK_PREFIX) if step.duty else ""
    return "disagreement " + STEPS[step.action].command.format(reference=reference, number=number)
