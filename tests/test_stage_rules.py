"""The stage rules of a case (domain/case.py) and the checks on what staff type (domain/models.py).

No server here: a case is driven the way the workflow drives it (check, then apply, then plan the
deadline), with the same deadline policy and calendar the activity uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.calendar import WorkingCalendar
from domain.case import OPEN_STAGES, RuleViolation
from domain.resolution import Resolution
from domain.deadlines import (
    APPEAL,
    CONSENT_WINDOW,
    OUTCOME_RECORD,
    SESSION,
    SESSION_ARRANGEMENT,
    TALKS_REVIEW,
    WRITTEN_OUTCOME,
    AlarmPurpose,
    DeadlinePolicy,
    DeadlineRequest,
    PlannedDeadline,
    action_deadline,
    plan_deadline,
)
from domain.models import (
    AddNote,
    AgreedActionInput,
    AssignMediator,
    CaseOutcome,
    CaseStage,
    Channel,
    CompleteAction,
    Consent,
    Contact,
    DeadlineState,
    ExtendDeadline,
    OfferResolution,
    PostalAddress,
    RecordConsent,
    RecordOutcome,
    RecordTalk,
    ScheduleSession,
    SessionResult,
    TalkOutcome,
    Withdraw,
)
from domain.words import long_date
from tests.conftest import MEDIATOR_EMAIL, MEDIATOR_NAME, open_case, personal_data

OFFICER = "jo.smith"
REFERENCE = "DR-2026-7KQ3XZ"
PARTIES = ["applicant", "org-1", "org-2"]

# A quiet stretch of November 2026 (no bank holidays): every step of a case a day or so apart.
OPENED = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)  # Monday
OFFERED = OPENED + timedelta(days=1)
AGREED = OPENED + timedelta(days=2)
SCHEDULED = OPENED + timedelta(days=3)
SESSION_AT = datetime(2026, 11, 16, 10, 0, tzinfo=timezone.utc)
HELD = SESSION_AT + timedelta(hours=3)
LATER = HELD + timedelta(days=1)

POLICY = DeadlinePolicy()
CALENDAR = WorkingCalendar()


# --- Driving a case as the workflow does ------------------------------------------------------------


def plan(name: str, now: datetime, **request) -> PlannedDeadline:
    return plan_deadline(DeadlineRequest(name=name, now=now, **request), POLICY, CALENDAR)


def new_case(**overrides) -> Resolution:
    opened = open_case(**overrides)
    case = Resolution.open(REFERENCE, opened, OPENED)
    case.set_deadline(plan(TALKS_REVIEW, OPENED))
    if opened.appeal_deadline:
        case.set_deadline(plan(APPEAL, OPENED, due=opened.appeal_deadline))
    return case


def offer(case: Resolution, at: datetime = OFFERED) -> None:
    request = OfferResolution(actor=OFFICER)
    case.check_offer_resolution(request)
    case.offer_resolution(request, at)
    case.set_deadline(plan(CONSENT_WINDOW, at))


def consent(case: Resolution, party: str, agree: bool = True, at: datetime = AGREED) -> None:
    request = RecordConsent(actor=OFFICER, party=party, agree=agree)
    case.check_record_consent(request)
    case.record_consent(request, at)
    if case.stage is CaseStage.arranging_session:
        case.set_deadline(plan(SESSION_ARRANGEMENT, at))


def assign(case: Resolution, at: datetime = SCHEDULED) -> None:
    request = AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=True)
    case.check_assign_mediator(request)
    case.assign_mediator(request, at)


def schedule(case: Resolution, session_at: datetime = SESSION_AT, at: datetime = SCHEDULED) -> None:
    request = ScheduleSession(actor=OFFICER, at=session_at, venue="Town Hall")
    case.check_schedule_session(request, at)
    case.schedule_session(request, at)
    for name in (SESSION, OUTCOME_RECORD, WRITTEN_OUTCOME):
        case.set_deadline(plan(name, at, start=session_at))


def record_outcome(case: Resolution, result: SessionResult, actions: list[AgreedActionInput], at: datetime = HELD) -> None:
    request = RecordOutcome(actor=OFFICER, result=result, actions=actions)
    case.check_record_outcome(request, at)
    planned = [plan(action_deadline(n), at, due=action.agreed_due) for n, action in enumerate(actions, start=1)]
    case.record_outcome(request, at, [deadline.due for deadline in planned])
    if not case.is_closed:
        for deadline in planned:
            case.set_deadline(deadline)
    case.written_outcome_sent()


def complete(case: Resolution, number: int, at: datetime = LATER) -> None:
    request = CompleteAction(actor=OFFICER, number=number)
    case.check_complete_action(request)
    case.complete_action(request, at)


def two_actions() -> list[AgreedActionInput]:
    return [
        AgreedActionInput(description="Send the therapy report", owner="org-1"),
        AgreedActionInput(description="Review the EHC plan", owner="org-2", agreed_due=date(2026, 12, 4)),
    ]


def case_in(stage: CaseStage, **overrides) -> Resolution:
    """A case brought to `stage` step by step; `monitoring_agreement` has two open actions."""
    case = new_case(**overrides)
    if stage is CaseStage.informal_talks:
        return case
    offer(case)
    if stage is CaseStage.awaiting_consent:
        return case
    for party in PARTIES:
        consent(case, party)
    if stage is CaseStage.arranging_session:
        return case
    assign(case)
    schedule(case)
    if stage is CaseStage.session_scheduled:
        return case
    record_outcome(case, SessionResult.partial_agreement, two_actions())
    if stage is CaseStage.monitoring_agreement:
        return case
    withdraw(case, "applicant")
    return case


def withdraw(case: Resolution, party: str, at: datetime = LATER) -> None:
    request = Withdraw(actor=OFFICER, party=party, reason="moved out of the area")
    case.check_withdraw(request)
    case.withdraw(request, at)


def deadline_state(case: Resolution, name: str) -> DeadlineState:
    deadline = case.deadline(name)
    assert deadline is not None, f"no deadline {name}"
    return deadline.state


def expire(case: Resolution, name: str) -> None:
    """Ring the expiry alarm of a deadline, as its timer would."""
    alarm = next(a for a in case.alarms if a.deadline == name and a.purpose is AlarmPurpose.expiry)
    case.ring(alarm)


def rejected(check: Callable[[], None], *words: str) -> str:
    """The check raises a RuleViolation whose message holds each of `words` (case-insensitive)."""
    with pytest.raises(RuleViolation) as raised:
        check()
    message = str(raised.value)
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
    return message


# --- Each action only in its stages -----------------------------------------------------------------

# What each staff action is called in a rejection, how to check it, and the stages it fits.
ACTIONS: dict[str, tuple[Callable[[Resolution], None], set[CaseStage]]] = {
    "record a talk": (
        lambda case: case.check_record_talk(RecordTalk(actor=OFFICER, outcome=TalkOutcome.unresolved)),
        {CaseStage.informal_talks},
    ),
    "offer disagreement resolution": (
        lambda case: case.check_offer_resolution(OfferResolution(actor=OFFICER)),
        {CaseStage.informal_talks},
    ),
    "record consent": (
        lambda case: case.check_record_consent(RecordConsent(actor=OFFICER, party="applicant", agree=True)),
        {CaseStage.awaiting_consent},
    ),
    "assign a mediator": (
        lambda case: case.check_assign_mediator(
            AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=True)
        ),
        {CaseStage.arranging_session, CaseStage.session_scheduled},
    ),
    "schedule a session": (
        lambda case: case.check_schedule_session(
            ScheduleSession(actor=OFFICER, at=LATER + timedelta(days=7)), LATER
        ),
        {CaseStage.arranging_session, CaseStage.session_scheduled},
    ),
    "record a session outcome": (
        lambda case: case.check_record_outcome(RecordOutcome(actor=OFFICER, result=SessionResult.full_agreement), LATER),
        {CaseStage.session_scheduled},
    ),
    "complete an agreed action": (
        lambda case: case.check_complete_action(CompleteAction(actor=OFFICER, number=1)),
        {CaseStage.monitoring_agreement},
    ),
}
ANY_TIME: dict[str, Callable[[Resolution], None]] = {
    "withdraw": lambda case: case.check_withdraw(Withdraw(actor=OFFICER, party="org-1", reason="no longer needed")),
    "extend a deadline": lambda case: case.check_extend_deadline(
        ExtendDeadline(actor=OFFICER, deadline=TALKS_REVIEW, days=5, reason="school closed"), LATER.date()
    ),
    "add a note": lambda case: case.check_add_note(AddNote(actor=OFFICER, text="rang the SENCO")),
}

WRONG_STAGES = [
    pytest.param(doing, stage, id=f"{doing}-in-{stage.value}")
    for doing, (_, allowed) in ACTIONS.items()
    for stage in OPEN_STAGES
    if stage not in allowed
]


@pytest.mark.parametrize("doing, stage", WRONG_STAGES)
def test_an_action_out_of_its_stage_is_rejected_naming_the_stages(doing: str, stage: CaseStage) -> None:
    check, _ = ACTIONS[doing]
    case = case_in(stage)
    rejected(lambda: check(case), f"cannot {doing} while the case is", "only while it is")


@pytest.mark.parametrize("doing", [*ACTIONS, *ANY_TIME])
def test_nothing_can_be_recorded_on_a_closed_case(doing: str) -> None:
    check = ACTIONS[doing][0] if doing in ACTIONS else ANY_TIME[doing]
    case = case_in(CaseStage.closed)
    rejected(lambda: check(case), "closed", "withdrawn", REFERENCE)


@pytest.mark.parametrize("stage", OPEN_STAGES)
def test_notes_and_withdrawal_fit_every_open_stage(stage: CaseStage) -> None:
    case = case_in(stage)
    ANY_TIME["add a note"](case)
    ANY_TIME["withdraw"](case)


def test_talks_and_the_offer_fit_informal_talks() -> None:
    case = case_in(CaseStage.informal_talks)
    ACTIONS["record a talk"][0](case)
    ACTIONS["offer disagreement resolution"][0](case)


# --- Consent ----------------------------------------------------------------------------------------


def test_consent_before_the_offer_is_rejected() -> None:
    case = case_in(CaseStage.informal_talks)
    rejected(
        lambda: case.check_record_consent(RecordConsent(actor=OFFICER, party="applicant", agree=True)),
        "cannot record consent", "informal talks",
    )


def test_consent_from_an_unknown_party_names_the_known_parties() -> None:
    case = case_in(CaseStage.awaiting_consent)
    rejected(
        lambda: case.check_record_consent(RecordConsent(actor=OFFICER, party="org-7", agree=True)),
        "no party 'org-7'", "applicant, org-1, org-2",
    )


def test_consent_cannot_be_recorded_twice_for_a_party() -> None:
    case = case_in(CaseStage.awaiting_consent)
    consent(case, "org-1")
    rejected(
        lambda: case.check_record_consent(RecordConsent(actor=OFFICER, party="org-1", agree=False)),
        "org-1 has already agreed", "withdraw",
    )


def test_every_party_agreeing_moves_on_to_arranging_the_session() -> None:
    case = case_in(CaseStage.awaiting_consent)
    consent(case, "applicant")
    consent(case, "org-1")
    assert case.stage is CaseStage.awaiting_consent
    assert [party.id for party in case.silent_parties()] == ["org-2"]
    consent(case, "org-2")
    assert case.stage is CaseStage.arranging_session
    assert [party.consent for party in case.parties] == [Consent.agreed] * 3
    assert deadline_state(case, CONSENT_WINDOW) is DeadlineState.met
    assert not [alarm for alarm in case.alarms if alarm.deadline == CONSENT_WINDOW]


def test_one_decline_closes_the_case_as_declined() -> None:
    case = case_in(CaseStage.awaiting_consent)
    consent(case, "applicant")
    consent(case, "org-2", agree=False)
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.declined)
    assert case.party("org-2").consent is Consent.declined
    assert case.party("org-1").consent is Consent.pending
    assert deadline_state(case, CONSENT_WINDOW) is DeadlineState.cancelled
    assert [entry.event for entry in case.timeline][-2:] == ["consent_recorded", "case_closed"]


# --- Informal talks ---------------------------------------------------------------------------------


def test_a_resolved_talk_closes_the_case_as_resolved_informally() -> None:
    case = case_in(CaseStage.informal_talks)
    request = RecordTalk(actor=OFFICER, outcome=TalkOutcome.resolved, notes="plan agreed with the school")
    case.check_record_talk(request)
    case.record_talk(request, OFFERED)
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.resolved_informally)
    assert deadline_state(case, TALKS_REVIEW) is DeadlineState.met
    assert "plan agreed with the school" in case.timeline[-2].detail


def test_an_unresolved_talk_keeps_the_case_in_informal_talks_and_counts_it() -> None:
    case = case_in(CaseStage.informal_talks)
    for _ in range(2):
        case.record_talk(RecordTalk(actor=OFFICER, outcome=TalkOutcome.unresolved), OFFERED)
    assert (case.stage, case.outcome, case.talks) == (CaseStage.informal_talks, None, 2)
    assert case.timeline[-1].detail == "Talk 2: not resolved"


def test_the_offer_moves_to_awaiting_consent_and_meets_the_talks_review() -> None:
    case = case_in(CaseStage.informal_talks)
    offer(case)
    assert case.stage is CaseStage.awaiting_consent
    assert deadline_state(case, TALKS_REVIEW) is DeadlineState.met
    assert deadline_state(case, CONSENT_WINDOW) is DeadlineState.open


# --- The mediator and the session -------------------------------------------------------------------


def test_a_mediator_not_declared_independent_is_rejected() -> None:
    case = case_in(CaseStage.arranging_session)
    request = AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=False)
    rejected(lambda: case.check_assign_mediator(request), "independent", "Local Authority")


def test_a_mediator_may_be_replaced_after_the_session_is_scheduled() -> None:
    case = case_in(CaseStage.session_scheduled)
    assign(case)
    assert case.timeline[-1].detail == "mediator replaced"


def test_a_session_needs_a_mediator_first() -> None:
    case = case_in(CaseStage.arranging_session)
    request = ScheduleSession(actor=OFFICER, at=SESSION_AT)
    rejected(lambda: case.check_schedule_session(request, SCHEDULED), "assign a mediator")


@pytest.mark.parametrize("session_at", [SCHEDULED - timedelta(minutes=1), SCHEDULED], ids=["past", "now"])
def test_a_session_in_the_past_is_rejected(session_at: datetime) -> None:
    case = case_in(CaseStage.arranging_session)
    assign(case)
    rejected(lambda: case.check_schedule_session(ScheduleSession(actor=OFFICER, at=session_at), SCHEDULED), "in the past")


def test_a_session_more_than_a_year_ahead_is_rejected() -> None:
    case = case_in(CaseStage.arranging_session)
    assign(case)
    request = ScheduleSession(actor=OFFICER, at=SCHEDULED + timedelta(days=367))
    rejected(lambda: case.check_schedule_session(request, SCHEDULED), "within a year")


def test_scheduling_moves_on_and_rescheduling_counts_sessions() -> None:
    case = case_in(CaseStage.arranging_session)
    assign(case)
    schedule(case)
    assert case.stage is CaseStage.session_scheduled
    assert deadline_state(case, SESSION_ARRANGEMENT) is DeadlineState.open  # met once the session is held
    assert case.deadline(SESSION) is None  # the session date carries a reminder, not a deadline
    assert [a.purpose for a in case.alarms if a.deadline == SESSION] == [AlarmPurpose.reminder]
    schedule(case, session_at=SESSION_AT + timedelta(days=2))
    assert (case.session.number, case.timeline[-1].event) == (2, "session_rescheduled")
    assert case.session.at == SESSION_AT + timedelta(days=2)


# --- The outcome ------------------------------------------------------------------------------------


def outcome_check(case: Resolution, now: datetime, result: SessionResult, *actions: AgreedActionInput) -> Callable[[], None]:
    return lambda: case.check_record_outcome(RecordOutcome(actor=OFFICER, result=result, actions=list(actions)), now)


def test_an_outcome_before_a_session_is_scheduled_is_rejected() -> None:
    case = case_in(CaseStage.arranging_session)
    rejected(outcome_check(case, LATER, SessionResult.full_agreement), "cannot record a session outcome", "arranging the session")


def test_an_outcome_before_the_session_time_is_rejected() -> None:
    case = case_in(CaseStage.session_scheduled)
    check = outcome_check(case, SESSION_AT - timedelta(minutes=5), SessionResult.full_agreement)
    rejected(check, "once it has been held", "16 November 2026 at 10am")


def test_an_outcome_at_the_session_time_is_allowed() -> None:
    case = case_in(CaseStage.session_scheduled)
    outcome_check(case, SESSION_AT, SessionResult.full_agreement)()


def test_an_agreed_action_for_an_unknown_party_is_rejected() -> None:
    case = case_in(CaseStage.session_scheduled)
    action = AgreedActionInput(description="Fund a laptop", owner="org-3")
    rejected(outcome_check(case, HELD, SessionResult.full_agreement, action), "action 1", "no party 'org-3'")


def test_an_agreed_action_due_in_the_past_is_rejected() -> None:
    case = case_in(CaseStage.session_scheduled)
    action = AgreedActionInput(description="Fund a laptop", owner="org-2", agreed_due=HELD.date() - timedelta(days=1))
    rejected(outcome_check(case, HELD, SessionResult.full_agreement, action), "date agreed in writing", "in the past", "The earliest date is")


def test_no_agreement_cannot_have_agreed_actions() -> None:
    case = case_in(CaseStage.session_scheduled)
    action = AgreedActionInput(description="Fund a laptop", owner="org-2")
    rejected(outcome_check(case, HELD, SessionResult.no_agreement, action), "no agreement", "no agreed actions")


def test_a_partial_agreement_needs_an_action_to_follow_up() -> None:
    case = case_in(CaseStage.session_scheduled)
    rejected(outcome_check(case, HELD, SessionResult.partial_agreement), "partial agreement", "at least one")


@pytest.mark.parametrize("result", [SessionResult.full_agreement, SessionResult.partial_agreement])
def test_an_agreement_with_actions_is_monitored(result: SessionResult) -> None:
    case = case_in(CaseStage.session_scheduled)
    record_outcome(case, result, two_actions())
    assert (case.stage, case.outcome, case.result) == (CaseStage.monitoring_agreement, None, result)
    assert [(a.number, a.owner, a.done) for a in case.actions] == [(1, "org-1", False), (2, "org-2", False)]
    assert case.actions[0].due == HELD.date() + timedelta(days=POLICY.action_default_days)
    assert case.actions[1].due == date(2026, 12, 4)
    assert deadline_state(case, OUTCOME_RECORD) is DeadlineState.met
    assert deadline_state(case, WRITTEN_OUTCOME) is DeadlineState.met
    assert deadline_state(case, "action-1") is DeadlineState.open


@pytest.mark.parametrize("result", [SessionResult.full_agreement, SessionResult.no_agreement])
def test_an_outcome_with_nothing_to_follow_up_closes_the_case(result: SessionResult) -> None:
    case = case_in(CaseStage.session_scheduled)
    record_outcome(case, result, [])
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome(result.value))
    assert not case.alarms


# --- Agreed actions ---------------------------------------------------------------------------------


def test_completing_an_unknown_action_names_the_actions() -> None:
    case = case_in(CaseStage.monitoring_agreement)
    rejected(lambda: case.check_complete_action(CompleteAction(actor=OFFICER, number=3)), "no agreed action 3", "1, 2")


def test_completing_an_action_twice_is_rejected() -> None:
    case = case_in(CaseStage.monitoring_agreement)
    complete(case, 1)
    rejected(lambda: case.check_complete_action(CompleteAction(actor=OFFICER, number=1)), "action 1 is already done")


def test_completing_the_last_action_closes_with_the_session_result() -> None:
    case = case_in(CaseStage.monitoring_agreement)
    complete(case, 2)
    assert case.stage is CaseStage.monitoring_agreement
    assert deadline_state(case, "action-2") is DeadlineState.met
    assert deadline_state(case, "action-1") is DeadlineState.open
    complete(case, 1)
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.partial_agreement)
    assert deadline_state(case, "action-1") is DeadlineState.met


# --- Withdrawal -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", OPEN_STAGES)
def test_withdrawal_from_any_open_stage_closes_the_case(stage: CaseStage) -> None:
    case = case_in(stage)
    withdraw(case, "org-1")
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.withdrawn)
    assert case.party("org-1").consent is Consent.withdrawn
    assert all(d.state is not DeadlineState.open for d in case.deadlines)
    assert not case.alarms
    assert [entry.event for entry in case.timeline][-2:] == ["withdrawn", "case_closed"]
    assert "moved out of the area" in case.timeline[-2].detail


def test_withdrawal_by_an_unknown_party_is_rejected() -> None:
    case = case_in(CaseStage.awaiting_consent)
    request = Withdraw(actor=OFFICER, party="mediator", reason="no longer needed")
    rejected(lambda: case.check_withdraw(request), "no party 'mediator'")


# --- Extending deadlines ----------------------------------------------------------------------------


def extension(deadline: str, **how) -> ExtendDeadline:
    return ExtendDeadline(actor=OFFICER, deadline=deadline, reason="family on holiday", **how)


def test_an_open_deadline_may_be_extended_and_the_move_is_recorded() -> None:
    case = case_in(CaseStage.awaiting_consent)
    request = extension(CONSENT_WINDOW, days=5)
    case.check_extend_deadline(request, LATER.date())
    before = case.deadline(CONSENT_WINDOW).due
    planned = plan(CONSENT_WINDOW, LATER, due=before, extend_by=5)
    case.extend_deadline(request, planned, LATER)
    assert case.deadline(CONSENT_WINDOW).due == planned.due > before
    assert [d.name for d in case.deadlines].count(CONSENT_WINDOW) == 1
    entry = case.timeline[-1]
    assert (entry.event, entry.actor) == ("deadline_extended", OFFICER)
    assert long_date(before) in entry.detail and long_date(planned.due) in entry.detail
    assert "family on holiday" in entry.detail


def test_a_missed_deadline_other_than_the_consent_window_may_be_extended() -> None:
    case = case_in(CaseStage.informal_talks)
    expire(case, TALKS_REVIEW)
    case.check_extend_deadline(extension(TALKS_REVIEW, days=3), LATER.date())


def test_the_appeal_deadline_cannot_be_extended() -> None:
    case = case_in(CaseStage.informal_talks, appeal_deadline=date(2027, 2, 1))
    rejected(lambda: case.check_extend_deadline(extension(APPEAL, days=5), LATER.date()), "appeal", "set by law")


def test_extending_an_unknown_deadline_lists_the_deadlines_of_the_case() -> None:
    case = case_in(CaseStage.awaiting_consent, appeal_deadline=date(2027, 2, 1))
    message = rejected(
        lambda: case.check_extend_deadline(extension("session_arrangement", days=5), LATER.date()),
        "no deadline 'session_arrangement'", "talks_review, consent_window",
    )
    assert "appeal" not in message  # offered names are those that can be extended


@pytest.mark.parametrize("days", [0, 1], ids=["same-day", "earlier"])
def test_extending_to_a_date_not_after_the_current_one_is_rejected(days: int) -> None:
    case = case_in(CaseStage.awaiting_consent)
    due = case.deadline(CONSENT_WINDOW).due
    request = extension(CONSENT_WINDOW, until=due - timedelta(days=days))
    rejected(lambda: case.check_extend_deadline(request, LATER.date()), "must be after", f"{due.day} {due:%B %Y}", "The earliest date is")


def test_extending_a_missed_deadline_to_a_date_already_past_is_rejected() -> None:
    case = case_in(CaseStage.informal_talks)
    expire(case, TALKS_REVIEW)
    due = case.deadline(TALKS_REVIEW).due
    request = extension(TALKS_REVIEW, until=due + timedelta(days=1))
    rejected(lambda: case.check_extend_deadline(request, due + timedelta(days=5)), "in the past")


def test_closing_leaves_the_appeal_deadline_standing_but_nothing_outstanding() -> None:
    case = case_in(CaseStage.awaiting_consent, appeal_deadline=date(2027, 2, 1))
    withdraw(case, "applicant")
    assert deadline_state(case, APPEAL) is DeadlineState.open
    assert deadline_state(case, CONSENT_WINDOW) is DeadlineState.cancelled
    assert case.next_deadline() is None


def test_a_met_deadline_cannot_be_extended() -> None:
    case = case_in(CaseStage.awaiting_consent)
    rejected(lambda: case.check_extend_deadline(extension(TALKS_REVIEW, days=5), LATER.date()), "talks_review is met")


def test_a_cancelled_deadline_cannot_be_extended() -> None:
    # Only closing cancels deadlines today; the rule guards against any other way in.
    case = case_in(CaseStage.monitoring_agreement)
    case.deadline("action-1").state = DeadlineState.cancelled
    rejected(lambda: case.check_extend_deadline(extension("action-1", days=5), LATER.date()), "action-1 is cancelled")


def test_a_consent_window_that_has_closed_cannot_be_extended() -> None:
    case = case_in(CaseStage.awaiting_consent)
    expire(case, CONSENT_WINDOW)
    rejected(lambda: case.check_extend_deadline(extension(CONSENT_WINDOW, days=5), LATER.date()), "consent window has already closed")


# --- Settling deadlines -----------------------------------------------------------------------------


def test_a_step_taken_in_time_meets_its_deadline_and_silences_its_alarms() -> None:
    case = case_in(CaseStage.informal_talks)
    assert [a.deadline for a in case.alarms] == [TALKS_REVIEW]
    offer(case)
    assert deadline_state(case, TALKS_REVIEW) is DeadlineState.met
    assert TALKS_REVIEW not in {alarm.deadline for alarm in case.alarms}


def test_an_expired_deadline_is_missed_and_stays_outstanding() -> None:
    case = case_in(CaseStage.informal_talks)
    expire(case, TALKS_REVIEW)
    deadline = case.deadline(TALKS_REVIEW)
    assert (deadline.state, deadline.outstanding) == (DeadlineState.missed, True)
    assert case.next_deadline() is deadline
    assert not case.alarms


def test_a_step_taken_late_keeps_the_deadline_missed_but_no_longer_outstanding() -> None:
    case = case_in(CaseStage.informal_talks)
    expire(case, TALKS_REVIEW)
    offer(case, at=OPENED + timedelta(days=40))
    deadline = case.deadline(TALKS_REVIEW)
    assert (deadline.state, deadline.outstanding) == (DeadlineState.missed, False)
    assert case.next_deadline().name == CONSENT_WINDOW


def test_a_reminder_ringing_leaves_its_deadline_open() -> None:
    case = case_in(CaseStage.awaiting_consent)
    reminder = next(a for a in case.alarms if a.purpose is AlarmPurpose.reminder)
    case.ring(reminder)
    assert deadline_state(case, CONSENT_WINDOW) is DeadlineState.open
    assert reminder not in case.alarms
    assert [a.purpose for a in case.alarms if a.deadline == CONSENT_WINDOW] == [AlarmPurpose.expiry]


def test_a_passed_appeal_deadline_is_missed_but_never_outstanding() -> None:
    case = case_in(CaseStage.informal_talks, appeal_deadline=date(2026, 11, 3))
    expire(case, APPEAL)
    appeal = case.deadline(APPEAL)
    assert (appeal.state, appeal.outstanding) == (DeadlineState.missed, False)
    assert case.next_deadline().name == TALKS_REVIEW


def test_closing_cancels_open_deadlines_and_clears_every_alarm() -> None:
    case = case_in(CaseStage.monitoring_agreement)
    expire(case, "action-1")
    withdraw(case, "applicant")
    states = {d.name: d.state for d in case.deadlines}
    assert states["action-1"] is DeadlineState.missed
    assert states["action-2"] is DeadlineState.cancelled
    assert states[OUTCOME_RECORD] is DeadlineState.met
    assert not any(d.outstanding for d in case.deadlines)
    assert not case.alarms
    assert case.next_deadline() is None


def test_setting_a_deadline_again_replaces_it_and_its_alarms() -> None:
    case = case_in(CaseStage.informal_talks)
    case.set_deadline(plan(TALKS_REVIEW, OPENED + timedelta(days=7)))
    assert [d.name for d in case.deadlines] == [TALKS_REVIEW]
    assert len([a for a in case.alarms if a.deadline == TALKS_REVIEW]) == 1
    # 15 working days from Monday 9 November 2026, with no bank holiday in November: three weeks.
    assert case.deadline(TALKS_REVIEW).due == date(2026, 11, 30)


# --- The next deadline ------------------------------------------------------------------------------


def test_the_next_deadline_is_the_earliest_still_to_act_on() -> None:
    case = case_in(CaseStage.informal_talks, appeal_deadline=date(2026, 11, 10))
    assert case.next_deadline().name == APPEAL  # 10 November, before the talks review on the 23rd
    expire(case, APPEAL)
    assert case.next_deadline().name == TALKS_REVIEW


def test_a_missed_deadline_stays_next_until_it_is_caught_up() -> None:
    case = case_in(CaseStage.monitoring_agreement)  # action-1 due 30 November, action-2 4 December
    expire(case, "action-1")
    assert (case.next_deadline().name, case.next_deadline().state) == ("action-1", DeadlineState.missed)
    complete(case, 1)
    assert (case.next_deadline().name, case.next_deadline().state) == ("action-2", DeadlineState.open)


def test_met_deadlines_are_never_next() -> None:
    case = case_in(CaseStage.arranging_session)  # talks review and consent window met, earlier
    assert [d.state for d in case.deadlines[:2]] == [DeadlineState.met, DeadlineState.met]
    assert case.next_deadline().name == SESSION_ARRANGEMENT


# --- Describing the case to operators ---------------------------------------------------------------


@pytest.mark.parametrize("stage", list(CaseStage))
def test_describe_names_nobody(stage: CaseStage) -> None:
    case = case_in(stage, appeal_deadline=date(2027, 3, 1))
    text = case.describe()
    for value in personal_data(case.opened):
        assert value.lower() not in text.lower(), f"{value!r} in {text!r}"
    assert text  # it says something


def test_describe_says_where_the_case_is_and_what_is_due() -> None:
    case = case_in(CaseStage.awaiting_consent)
    consent(case, "org-1")
    due = long_date(case.deadline(CONSENT_WINDOW).due)
    assert case.describe() == (
        f"Case is waiting for every party's consent. 1 of 3 parties have agreed. Next: Consent window, due {due}."
    )
    expire(case, CONSENT_WINDOW)
    assert f"Consent window, due {due} (missed)." in case.describe()


def test_describe_counts_done_actions_and_says_how_a_case_closed() -> None:
    case = case_in(CaseStage.monitoring_agreement)
    complete(case, 2)
    assert "1 of 2 agreed actions done" in case.describe()
    complete(case, 1)
    assert case.describe() == "Closed: Partial agreement."


# --- Checked input (domain/models.py) ---------------------------------------------------------------


def invalid(build: Callable[[], object], *words: str) -> None:
    with pytest.raises(ValidationError) as raised:
        build()
    message = str(raised.value).lower()
    for word in words:
        assert word.lower() in message, f"{word!r} not in {message!r}"


def test_a_contact_needs_a_way_to_reach_them() -> None:
    invalid(lambda: Contact(), "at least one way to reach them")


@pytest.mark.parametrize(
    "details, prefers",
    [({"email": "a@example.org"}, Channel.sms), ({"phone": "07700 900123"}, Channel.letter), ({"phone": "07700 900123"}, Channel.email)],
)
def test_a_preferred_channel_needs_its_details(details: dict, prefers: Channel) -> None:
    invalid(lambda: Contact(**details, prefers=prefers), f"prefers {prefers.value}")


def test_the_preferred_channel_comes_first() -> None:
    address = PostalAddress(lines=["1 High Street", "Rotherham"], postcode="s60 1aa")
    contact = Contact(email="a@example.org", address=address, prefers=Channel.letter)
    assert contact.channels() == [Channel.letter, Channel.email]
    assert contact.address.postcode == "S60 1AA"
    assert Contact(phone="07700 900123", email="a@example.org").channels() == [Channel.email, Channel.sms]


@pytest.mark.parametrize("phone", ["07700 900123", "+44 7700 900123", "0114 273 4567"])
def test_uk_phone_numbers_are_accepted_in_international_form(phone: str) -> None:
    assert re.fullmatch(r"\+44\d{10}", Contact(phone=phone).phone)


def test_the_notify_test_number_is_accepted() -> None:
    assert Contact(phone="07700 900123").phone == "+447700900123"


@pytest.mark.parametrize("phone", ["123", "+44 12", "not a number", "077009001234567", "07700"])
def test_impossible_phone_numbers_are_rejected(phone: str) -> None:
    invalid(lambda: Contact(phone=phone), "phone number")


@pytest.mark.parametrize("email", ["sam.parent", "sam@", "sam parent@example.org"])
def test_a_bad_email_is_rejected(email: str) -> None:
    invalid(lambda: Contact(email=email), "email")


@pytest.mark.parametrize("how", [{}, {"days": 5, "until": date(2027, 1, 8)}], ids=["neither", "both"])
def test_an_extension_needs_days_or_a_date_but_not_both(how: dict) -> None:
    invalid(lambda: ExtendDeadline(actor=OFFICER, deadline=TALKS_REVIEW, reason="r", **how), "either a number of days or a new date")


@pytest.mark.parametrize("days", [0, -3, 366])
def test_an_extension_is_between_1_and_365_days(days: int) -> None:
    invalid(lambda: ExtendDeadline(actor=OFFICER, deadline=TALKS_REVIEW, reason="r", days=days), "between 1 and 365")


@pytest.mark.parametrize("actor", ["jo.smith", "k2", "a-b_c.d9"])
def test_well_formed_staff_ids_are_accepted(actor: str) -> None:
    assert AddNote(actor=actor, text="checked").actor == actor


@pytest.mark.parametrize("actor", ["Jo.Smith", "jo smith", "j", "jo@council.gov.uk", ".jo", "x" * 65])
def test_malformed_staff_ids_are_rejected(actor: str) -> None:
    invalid(lambda: AddNote(actor=actor, text="checked"), "staff id")


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_a_note_is_between_1_and_2000_characters(text: str) -> None:
    invalid(lambda: AddNote(actor=OFFICER, text=text), "string should have")


def test_unknown_fields_are_refused() -> None:
    invalid(lambda: AddNote(actor=OFFICER, text="hello", urgent=True), "extra inputs are not permitted")


def test_repeated_kinds_are_kept_once() -> None:
    assert open_case(kinds=["provision", "duties", "provision"]).kinds == ["provision", "duties"]
