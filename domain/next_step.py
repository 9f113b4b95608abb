"""What is next on a case, and by when, read from the case view alone (DESIGN sections 11 and 13).

The next step is the owed duty due first (an overdue one first of all), said as the act that
discharges it: the staff request that records that act (`discharging_action`), or nothing when the
product sends it itself (the health notice, the written outcome, the notice of an agreement) or
when nobody on staff can do it (the family's appeal). Who owes the duty may be someone else (the
Local Authority arranges statutory mediation, a school does its agreed action): the officer still
records the act when it is done, and the step says whom the case waits for.

The family's appeal deadline is their own clock (HESC Rules 2008 r.20(1)(c), moved by r.12), not a
step of the case: it is shown as a warning, never as the next step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.deadlines import (
    ACTION_PREFIX, AGREEMENT_NOTICE, CALLBACK_PREFIX, APPEAL, CERTIFICATE, CONSENT_WINDOW, HEALTH_NOTICE, MEDIATION_ARRANGEMENT,
    OUTCOME_RECORD, SESSION_ARRANGEMENT, TALKS_REVIEW, WRITTEN_OUTCOME,
)
from domain.duties import CASE_OFFICER
from domain.models import (
    AssignMediator,
    CaseStage,
    CaseView,
    CompleteAction,
    Consent,
    DeadlineView,
    IssueCertificate,
    RecordCallback,
    RecordChoice,
    RecordConsent,
    RecordOutcome,
    RecordTalk,
    Route,
    ScheduleSession,
    StaffAction,
)
from domain.words import APPLICANT, listed, owner_words


@dataclass(frozen=True)
class NextStep:
    what: str  # e.g. "record the session outcome", to follow "Next: "
    due: date | None
    owed_by: str  # duty owner code (case_officer, local_authority, mediation_adviser, mediator, health_commissioner, or a party id)
    action: type[StaffAction] | None  # the staff request that does it; None when the product or someone else does it unrecorded
    duty: str | None  # the duty it discharges (a deadline name), None when no duty is yet running
    waiting_for: str = ""  # whom the case waits on, in words ("The Local Authority"); "" when it is the officer's own step
    overdue: bool = False  # the duty's due date has passed


# The duties staff record the act of, and the step in words (lower case, to follow "Next: ").
# Booking a session does not meet the arrangement duty: the outcome recorded does
# (domain.case.CaseFile._session_held), hence RecordOutcome once a session is booked.
_STEPS = {
    TALKS_REVIEW: "record an informal talk, or offer disagreement resolution",
    CONSENT_WINDOW: "record each party's answer to the offer",
    OUTCOME_RECORD: "record the session outcome",
    CERTIFICATE: "issue the mediation certificate",
    HEALTH_NOTICE: "send the notice to the health commissioners",
    WRITTEN_OUTCOME: "send the written outcome of the session",
    AGREEMENT_NOTICE: "tell the Local Authority of the agreement",
}
_ARRANGING = {  # the arrangement duties, by what the stage still needs
    AssignMediator: "assign the mediator",
    ScheduleSession: "book the session",
    RecordOutcome: "hold the session and record its outcome",
}


def discharging_action(duty: str, stage: CaseStage) -> type[StaffAction] | None:
    """The staff action that discharges (or moves on) the open duty `duty` in `stage`.

    - talks_review: a talk recorded (or the offer made, which also settles it; `RecordTalk` is the
      one that reviews the talks). Service policy after SEND Code 11.3 (`domain.duties.DR_DUTIES`).
    - consent_window: each party's answer (SEND Code 11.6: every party must agree).
    - session_arrangement, mediation_arrangement: the session held, which the outcome records
      (`RecordOutcome`) once a session is booked; while arranging, booking it (`ScheduleSession`)
      is what moves the case on. The stage alone cannot tell whether a mediator is assigned yet,
      and the booking form says so when none is; `next_step`, which sees the case, asks for the
      mediator first. Statutory mediation is held within 30 days (CFA 2014 ss.53-54, regs 32-42).
    - outcome_record: the outcome (service policy, 2 working days after the session).
    - certificate: its issue (CFA 2014 s.55(4), (5); SEND Regs 2014 reg 34).
    - action-N: the agreed action done (SEND Regs 2014 reg 42 on mediation; policy on DR).
    - callback-N: the party called back, which the officer records ([policy], a service standard).
    - appeal: nobody on staff; the family appeals or not (HESC Rules 2008 r.20(1)(c)).
    - health_notice (reg 32(e)), written_outcome, agreement_notice (reg 42(4)): the product sends them.
    """
    if duty.startswith(ACTION_PREFIX):
        return CompleteAction
    if duty.startswith(CALLBACK_PREFIX):
        return RecordCallback
    if duty in (SESSION_ARRANGEMENT, MEDIATION_ARRANGEMENT):
        return {CaseStage.arranging_session: ScheduleSession, CaseStage.session_scheduled: RecordOutcome}.get(stage)
    return _DISCHARGED_BY.get(duty)


_DISCHARGED_BY: dict[str, type[StaffAction]] = {
    TALKS_REVIEW: RecordTalk, CONSENT_WINDOW: RecordConsent, OUTCOME_RECORD: RecordOutcome, CERTIFICATE: IssueCertificate,
}


def next_step(case: CaseView, today: date) -> NextStep | None:
    """The step the case waits for, by when, and from whom; None for a closed case."""
    if case.stage is CaseStage.closed:
        return None
    owed = [deadline for deadline in case.deadlines if deadline.owed and deadline.name != APPEAL]
    if case.stage is CaseStage.session_scheduled and any(d.name == OUTCOME_RECORD for d in owed):
        # The outcome discharges the arrangement duty too: its own deadline is the date to give.
        owed = [deadline for deadline in owed if deadline.name != SESSION_ARRANGEMENT]
    if not owed:
        return _before_any_duty(case)
    duty = min(owed, key=lambda deadline: deadline.due)
    return _step(case, duty, today)


def _step(case: CaseView, duty: DeadlineView, today: date) -> NextStep:
    action = discharging_action(duty.name, case.stage)
    if duty.name in (SESSION_ARRANGEMENT, MEDIATION_ARRANGEMENT):
        if action is ScheduleSession and case.mediator is None:
            action = AssignMediator  # a session is booked with a mediator (CaseFile.check_schedule_session)
        what = _ARRANGING.get(action, "hold the session")  # type: ignore[arg-type]
    elif duty.name.startswith(ACTION_PREFIX):
        what = f"record that agreed action {duty.name.removeprefix(ACTION_PREFIX)} is done"
    elif duty.name.startswith(CALLBACK_PREFIX):
        what = f"call {_called(case, duty.name)} back, as they asked"
    else:
        what = _STEPS.get(duty.name, duty.name.replace("_", " "))
    owed_by = duty.owed_by or CASE_OFFICER
    return NextStep(
        what=what, due=duty.due, owed_by=owed_by, action=action, duty=duty.name,
        waiting_for=_waiting_for(case, duty, owed_by), overdue=duty.due < today,
    )


def _called(case: CaseView, duty: str) -> str:
    """Who asked for the call-back `duty`, by name."""
    number = int(duty.removeprefix(CALLBACK_PREFIX))
    party = next((callback.party for callback in case.callbacks if callback.number == number), None)
    return next((p.name for p in case.parties if p.id == party), "the party")


def _waiting_for(case: CaseView, duty: DeadlineView, owed_by: str) -> str:
    if duty.name == CONSENT_WINDOW:  # the parties who have not answered (silence is not consent, Code 11.6)
        return listed([party.name for party in case.parties if party.consent is Consent.pending])
    if owed_by == CASE_OFFICER:
        return ""
    return owner_words(owed_by, {party.id: party.name for party in case.parties})


def _before_any_duty(case: CaseView) -> NextStep | None:
    """An open case with no duty running: statutory mediation before the family's choice (SEND
    Regs 2014 regs 32(e), 33, 34: the family tells the mediation adviser whether they want it)."""
    if case.route is Route.mediation and case.stage is CaseStage.advice:
        return NextStep(
            what="record the family's choice about mediation", due=None, owed_by=APPLICANT, action=RecordChoice,
            duty=None, waiting_for=owner_words(APPLICANT),
        )
    return None

