"""What a disagreement resolution case announces, to whom, and what each step leaves on the case
(domain/case.py), on the domain alone: no server, no clock (every instant is given).

Written for the functions `make mutate` found run by no fast test (only workflow tests on a server
reached them) and for its survivors: each announcement is pinned whole (template, recipients in
order, event key, facts), each refusal word for word, each deadline and timeline entry exactly.
The case is the one of tests/test_stage_rules.py: opened Monday 2 November 2026, offered Tuesday
3rd, every consent Wednesday 4th, session Monday 16th at 10:00 UTC (GMT in November). Dates are
worked by hand; November 2026 has no bank holiday in England, and Christmas 2026 has three:
Christmas Day (Friday 25th), Boxing Day substituted on Monday 28th (the 26th is a Saturday), and
New Year's Day (Friday 1 January 2027).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.appeal import reckon_appeal_deadline
from domain.calendar import LONDON
from domain.case import OPEN_STAGES, route_action_stages
from domain.resolution import Resolution
from domain.deadlines import (
    APPEAL,
    CONSENT_WINDOW,
    OUTCOME_RECORD,
    SESSION,
    SESSION_ARRANGEMENT,
    TALKS_REVIEW,
    WRITTEN_OUTCOME,
    Alarm,
    AlarmPurpose,
    AppealPlan,
)
from domain.models import (
    ProposeSlots,
    RecordAvailability,
    RecordCallback,
    RequestCallback,
    AddNote,
    AppealStatus,
    Applicant,
    ApplicantRole,
    AssignMediator,
    CaseOutcome,
    CaseStage,
    CompleteAction,
    Consent,
    Contact,
    DeadlineState,
    DecisionKind,
    DecisionView,
    DisagreementKind,
    EhcPoint,
    ExtendDeadline,
    OfferResolution,
    ReassignOfficer,
    RecordAppealStatus,
    RecordConsent,
    RecordDecision,
    RecordOutcome,
    RecordTalk,
    ScheduleSession,
    SessionResult,
    TalkOutcome,
    TimelineEntry,
    Withdraw,
)
from domain.notifications import (
    CASE_OFFICER,
    AnswerPurpose,
    MEDIATOR,
    AgreedActionFacts,
    Announcement,
    MessageFacts,
    Recipient,
    RecipientKind,
    Template,
)
from domain.words import APPEAL_STATUS_WORDS, date_and_time
from tests.conftest import MEDIATOR_EMAIL, MEDIATOR_NAME, open_case
from tests.notices import APPLICANT_EMAIL, ORGANISATION_EMAIL, SUPPORTER_EMAIL
from tests.test_case_file import EVERYONE, FULL
from tests.test_case_record import following_up, refusal
from tests.test_stage_rules import (
    CALENDAR,
    LATER,
    OFFICER,
    OPENED,
    PARTIES,
    REFERENCE,
    SCHEDULED,
    SESSION_AT,
    case_in,
    consent,
    deadline_state,
    expire,
    new_case,
    plan,
    record_outcome,
    two_actions,
)

APPEAL_DUE = date(2027, 2, 26)  # a Friday, typed at opening
# The two agreed actions of tests/test_stage_rules.py, as messages tell them: action 1 is due 14
# days after the session (Monday 30 November), action 2 on its own date.
ACTION_1 = AgreedActionFacts(number=1, description="Send the therapy report", owner="Hill Top Primary", due=date(2026, 11, 30))
ACTION_2 = AgreedActionFacts(number=2, description="Review the EHC plan", owner="Rotherham LA", due=date(2026, 12, 4))


def alarm_of(case: Resolution, name: str, purpose: AlarmPurpose, working_days_before: int | None = None) -> Alarm:
    [alarm] = [
        a for a in case.alarms
        if a.deadline == name and a.purpose is purpose and a.working_days_before == working_days_before
    ]
    return alarm


def london(*when: int) -> datetime:
    return datetime(*when, tzinfo=LONDON)


def entries(case: Resolution, count: int) -> list[tuple[datetime, str, str, str]]:
    """The last `count` timeline entries, whole."""
    return [(e.at, e.actor, e.event, e.detail) for e in case.timeline[-count:]]


# --- Reminders and expiries (CaseFile.alarm_rang, ring, _reminded, _expired; Case's own) ---------


def test_the_consent_reminder_goes_to_the_parties_still_silent_and_leaves_the_window_open() -> None:
    case = case_in(CaseStage.awaiting_consent)
    consent(case, "org-1")
    reminder = alarm_of(case, CONSENT_WINDOW, AlarmPurpose.reminder)
    assert reminder.at == london(2026, 11, 10, 9, 0)  # 5 working days after Tuesday 3rd, 09:00
    before = list(case.timeline)
    told = case.alarm_rang(reminder, reminder.at)
    # The window is 10 working days from Tuesday 3rd: Tuesday 17 November.
    assert told == [Announcement(
        Template.consent_reminder, ("applicant", "org-2"), "consent_reminder-consent_window-20261117", asking_consent(date(2026, 11, 17)),
    )]
    assert deadline_state(case, CONSENT_WINDOW) is DeadlineState.open
    assert case.deadline(CONSENT_WINDOW).outstanding is True
    assert [a.purpose for a in case.alarms if a.deadline == CONSENT_WINDOW] == [AlarmPurpose.expiry]
    assert case.timeline == before  # a reminder changes nothing on the record
    assert case.stage is CaseStage.awaiting_consent


def test_a_consent_window_ending_with_parties_silent_closes_the_case_as_no_response() -> None:
    # Use of disagreement resolution "is voluntary and has to be with the agreement of all parties"
    # (SEND Code of Practice 2015, para 11.6): silence is not consent.
    case = case_in(CaseStage.awaiting_consent)
    consent(case, "org-1")
    expiry = alarm_of(case, CONSENT_WINDOW, AlarmPurpose.expiry)
    assert expiry.at == london(2026, 11, 18, 0, 0)  # midnight after Tuesday 17th
    told = case.alarm_rang(expiry, expiry.at)
    assert told == [Announcement(
        Template.no_response, EVERYONE, None,
        {"outcome": CaseOutcome.no_response, "waiting_for": ["Sam Parent", "Rotherham LA"], "due": date(2026, 11, 17)},
    )]
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.no_response)
    window = case.deadline(CONSENT_WINDOW)
    assert (window.state, window.outstanding) == (DeadlineState.missed, False)
    assert entries(case, 2) == [
        (expiry.at, "system", "deadline_missed", "Consent window was due 17 November 2026"),
        (expiry.at, "system", "case_closed", "Not every party answered the offer in time"),
    ]
    assert case.alarms == []


def test_a_consent_window_ending_with_nobody_silent_closes_nothing() -> None:
    # Every answer in settles the window and drops its alarms; the rule still guards a late alarm.
    case = case_in(CaseStage.awaiting_consent)
    for party in case.parties:
        party.consent = Consent.agreed
    expiry = alarm_of(case, CONSENT_WINDOW, AlarmPurpose.expiry)
    assert case.alarm_rang(expiry, expiry.at) == []
    assert (case.stage, case.outcome) == (CaseStage.awaiting_consent, None)
    assert entries(case, 1) == [(expiry.at, "system", "deadline_missed", "Consent window was due 17 November 2026")]


def test_the_appeal_warnings_go_to_the_applicant_20_and_5_working_days_before() -> None:
    # DESIGN section 8 and DOMAIN defaults: warnings 20 and 5 working days before the appeal deadline.
    case = new_case(appeal_deadline=APPEAL_DUE)
    assert [(a.purpose, a.working_days_before, a.at) for a in case.alarms if a.deadline == APPEAL] == [
        (AlarmPurpose.reminder, 20, london(2027, 1, 29, 9, 0)),  # Friday 29 January: 4 weeks of working days back
        (AlarmPurpose.reminder, 5, london(2027, 2, 19, 9, 0)),  # Friday 19 February: one week back
        (AlarmPurpose.expiry, None, london(2027, 2, 27, 0, 0)),
    ]
    first, second = alarm_of(case, APPEAL, AlarmPurpose.reminder, 20), alarm_of(case, APPEAL, AlarmPurpose.reminder, 5)
    assert case.alarm_rang(first, first.at) == [
        Announcement(Template.appeal_warning, ("applicant",), "appeal_warning-20-appeal-20270226", {"due": APPEAL_DUE})
    ]
    assert case.alarm_rang(second, second.at) == [
        Announcement(Template.appeal_warning, ("applicant",), "appeal_warning-5-appeal-20270226", {"due": APPEAL_DUE})
    ]
    appeal = case.deadline(APPEAL)
    assert (appeal.state, appeal.outstanding) == (DeadlineState.open, True)
    assert [a.purpose for a in case.alarms if a.deadline == APPEAL] == [AlarmPurpose.expiry]


def test_the_appeal_warnings_go_on_after_the_case_has_closed() -> None:
    # DESIGN section 8: the applicant is warned "also after the case has closed" (DOMAIN: using
    # disagreement resolution does not stop the Tribunal appeal clock).
    case = case_in(CaseStage.awaiting_consent, appeal_deadline=APPEAL_DUE)
    case.withdraw(Withdraw(actor=OFFICER, party="org-1", reason="moved out of the area"), LATER)
    assert case.describe() == "Closed: Withdrawn. Appeal deadline 26 February 2027: warnings continue."
    assert [a.deadline for a in case.alarms] == [APPEAL, APPEAL, APPEAL]
    warning = alarm_of(case, APPEAL, AlarmPurpose.reminder, 20)
    assert case.alarm_rang(warning, warning.at) == [
        Announcement(Template.appeal_warning, ("applicant",), "appeal_warning-20-appeal-20270226", {"due": APPEAL_DUE})
    ]
    expiry = alarm_of(case, APPEAL, AlarmPurpose.expiry)
    case.alarm_rang(expiry, expiry.at)
    assert case.describe() == "Closed: Withdrawn."  # the clock has run out: nothing more to warn of


def test_the_warnings_before_a_recomputed_appeal_deadline_are_new_messages() -> None:
    # DESIGN section 8: "The applicant is warned 20 and 5 working days before it". A warning already
    # sent for the date typed at opening must not stand for the new date's (the workflow sends a
    # message keyed as one already sent only once).
    case = new_case(appeal_deadline=APPEAL_DUE)  # typed at opening: Friday 26 February 2027
    first = alarm_of(case, APPEAL, AlarmPurpose.reminder, 20)  # Friday 29 January 2027
    [sent] = case.alarm_rang(first, first.at)
    # Then the decision is recorded: notice sent Monday 1 February 2027 + 2 months = Thursday 1 April
    # 2027 (HESC r.20(1)(c)(i)), a working day (Good Friday is 26 March 2027).
    at = datetime(2027, 2, 1, 12, 0, tzinfo=timezone.utc)
    request = RecordDecision(actor=OFFICER, kind=DecisionKind.refusal_to_assess, date=date(2027, 2, 1))
    case.record_decision(request, appeal_plan(request.date, at), at)
    second = alarm_of(case, APPEAL, AlarmPurpose.reminder, 20)

    [warned] = case.alarm_rang(second, second.at)

    assert (sent.event, warned.event) == ("appeal_warning-20-appeal-20270226", "appeal_warning-20-appeal-20270401")
    assert warned.facts == {"due": date(2027, 4, 1)}


def test_a_passed_appeal_deadline_tells_the_case_officer_and_is_never_outstanding() -> None:
    case = new_case(appeal_deadline=APPEAL_DUE)
    expiry = alarm_of(case, APPEAL, AlarmPurpose.expiry)
    assert case.alarm_rang(expiry, expiry.at) == [Announcement(
        Template.deadline_missed, (CASE_OFFICER,), "deadline_missed-appeal-20270226", {"deadline": APPEAL, "due": APPEAL_DUE},
    )]
    appeal = case.deadline(APPEAL)
    assert (appeal.state, appeal.outstanding) == (DeadlineState.missed, False)
    assert entries(case, 1) == [(expiry.at, "system", "deadline_missed", "SEND Tribunal appeal deadline was due 26 February 2027")]
    assert case.stage is CaseStage.informal_talks


def test_the_session_reminder_goes_to_everyone_at_the_table_numbered_by_session() -> None:
    case = case_in(CaseStage.session_scheduled)
    reminder = alarm_of(case, SESSION, AlarmPurpose.reminder, 2)
    assert reminder.at == london(2026, 11, 12, 9, 0)  # Thursday: 2 working days before Monday 16th
    before = list(case.timeline)
    assert case.alarm_rang(reminder, reminder.at) == [Announcement(
        Template.session_reminder, EVERYONE, "session_reminder-1", {"session_at": SESSION_AT, "venue": "Town Hall"},
    )]
    assert case.timeline == before
    moved_to = datetime(2026, 11, 19, 14, 0, tzinfo=timezone.utc)  # Thursday 19th
    case.schedule_session(ScheduleSession(actor=OFFICER, at=moved_to, venue="Library"), reminder.at)
    case.set_deadline(plan(SESSION, reminder.at, start=moved_to))
    moved = alarm_of(case, SESSION, AlarmPurpose.reminder, 2)
    assert moved.at == london(2026, 11, 17, 9, 0)  # Tuesday 17th
    assert case.alarm_rang(moved, moved.at) == [Announcement(
        Template.session_reminder, EVERYONE, "session_reminder-2", {"session_at": moved_to, "venue": "Library"},
    )]


def test_an_action_reminder_goes_to_its_owner_with_the_action_in_words() -> None:
    case = case_in(CaseStage.monitoring_agreement)
    first = alarm_of(case, "action-1", AlarmPurpose.reminder, 2)
    second = alarm_of(case, "action-2", AlarmPurpose.reminder, 2)
    # 2 working days before Monday 30 November and before Friday 4 December.
    assert (first.at, second.at) == (london(2026, 11, 26, 9, 0), london(2026, 12, 2, 9, 0))
    assert case.alarm_rang(first, first.at) == [Announcement(
        Template.action_due, ("org-1",), "action_due-action-1-20261130", {"due": date(2026, 11, 30), "actions": [ACTION_1]},
    )]
    assert case.alarm_rang(second, second.at) == [Announcement(
        Template.action_due, ("org-2",), "action_due-action-2-20261204", {"due": date(2026, 12, 4), "actions": [ACTION_2]},
    )]
    assert [deadline_state(case, name) for name in ("action-1", "action-2")] == [DeadlineState.open] * 2


def test_an_overdue_action_tells_its_owner_and_the_case_officer_and_stays_outstanding() -> None:
    case = case_in(CaseStage.monitoring_agreement)
    expiry = alarm_of(case, "action-2", AlarmPurpose.expiry)
    assert expiry.at == london(2026, 12, 5, 0, 0)
    assert case.alarm_rang(expiry, expiry.at) == [Announcement(
        Template.action_overdue, ("org-2", CASE_OFFICER), "action_overdue-action-2-20261204",
        {"due": date(2026, 12, 4), "actions": [ACTION_2]},
    )]
    action = case.deadline("action-2")
    assert (action.state, action.outstanding) == (DeadlineState.missed, True)
    assert entries(case, 1) == [(expiry.at, "system", "deadline_missed", "Agreed action 2 was due 4 December 2026")]
    assert case.stage is CaseStage.monitoring_agreement
    assert deadline_state(case, "action-1") is DeadlineState.open


def test_the_service_deadlines_remind_and_escalate_to_the_case_officer_only() -> None:
    case = case_in(CaseStage.arranging_session)
    # The session within 30 days of the last consent (Wednesday 4th): Friday 4 December; reminder at 20 days.
    reminder = alarm_of(case, SESSION_ARRANGEMENT, AlarmPurpose.reminder)
    assert reminder.at == london(2026, 11, 24, 9, 0)
    assert case.alarm_rang(reminder, reminder.at) == [Announcement(
        Template.deadline_reminder, (CASE_OFFICER,), "deadline_reminder-session_arrangement-20261204",
        {"deadline": SESSION_ARRANGEMENT, "due": date(2026, 12, 4)},
    )]
    assert deadline_state(case, SESSION_ARRANGEMENT) is DeadlineState.open
    expiry = alarm_of(case, SESSION_ARRANGEMENT, AlarmPurpose.expiry)
    assert case.alarm_rang(expiry, expiry.at) == [Announcement(
        Template.deadline_missed, (CASE_OFFICER,), "deadline_missed-session_arrangement-20261204",
        {"deadline": SESSION_ARRANGEMENT, "due": date(2026, 12, 4)},
    )]
    arrangement = case.deadline(SESSION_ARRANGEMENT)
    assert (arrangement.state, arrangement.outstanding) == (DeadlineState.missed, True)
    assert case.stage is CaseStage.arranging_session
    assert case.describe() == "Case is arranging the session. Next: Arrange the session, due 4 December 2026 (missed)."


def test_a_missed_talks_review_is_escalated_and_the_case_stays_in_talks() -> None:
    case = new_case()
    expiry = alarm_of(case, TALKS_REVIEW, AlarmPurpose.expiry)
    assert expiry.at == london(2026, 11, 24, 0, 0)  # 15 working days from Monday 2nd: Monday 23rd
    assert case.alarm_rang(expiry, expiry.at) == [Announcement(
        Template.deadline_missed, (CASE_OFFICER,), "deadline_missed-talks_review-20261123",
        {"deadline": TALKS_REVIEW, "due": date(2026, 11, 23)},
    )]
    assert entries(case, 1) == [(expiry.at, "system", "deadline_missed", "Review of informal talks was due 23 November 2026")]
    assert (case.stage, case.alarms) == (CaseStage.informal_talks, [])


def test_an_alarm_whose_deadline_is_gone_is_keyed_by_its_name_alone() -> None:
    # A guard: setting or settling a deadline drops its alarms, so only a stray alarm gets here.
    case = new_case()
    stray = Alarm(deadline=OUTCOME_RECORD, purpose=AlarmPurpose.reminder, at=london(2026, 11, 20, 9, 0))
    case.alarms.append(stray)
    assert case.alarm_rang(stray, stray.at) == [Announcement(
        Template.deadline_reminder, (CASE_OFFICER,), "deadline_reminder-outcome_record", {"deadline": OUTCOME_RECORD, "due": None},
    )]
    assert stray not in case.alarms


def test_an_expiry_leaves_a_deadline_already_met_as_it_is() -> None:
    case = case_in(CaseStage.awaiting_consent)  # the talks review was met by the offer
    late = Alarm(deadline=TALKS_REVIEW, purpose=AlarmPurpose.expiry, at=london(2026, 11, 24, 0, 0))
    case.alarms.append(late)
    case.ring(late)
    review = case.deadline(TALKS_REVIEW)
    assert (review.state, review.outstanding) == (DeadlineState.met, False)
    assert late not in case.alarms


# --- The written outcome (CaseFile.announce_outcome) ---------------------------------------------


def test_the_written_outcome_goes_to_everyone_at_the_table_with_the_agreed_actions() -> None:
    case = case_in(CaseStage.session_scheduled)
    record_outcome(case, SessionResult.partial_agreement, two_actions())
    assert case.announce_outcome() == [Announcement(
        Template.written_outcome, EVERYONE, None,
        {"result": SessionResult.partial_agreement, "session_at": SESSION_AT, "actions": [ACTION_1, ACTION_2]},
    )]


@pytest.mark.parametrize("result", [SessionResult.full_agreement, SessionResult.no_agreement])
def test_an_outcome_with_nothing_to_follow_up_is_written_then_the_case_closes(result: SessionResult) -> None:
    case = case_in(CaseStage.session_scheduled)
    record_outcome(case, result, [])
    assert case.announce_outcome() == [
        Announcement(Template.written_outcome, EVERYONE, None, {"result": result, "session_at": SESSION_AT, "actions": []}),
        Announcement(Template.case_closed, EVERYONE, None, {"outcome": CaseOutcome(result.value)}),
    ]


# --- Withdrawal, by a party or by the service ----------------------------------------------------


@pytest.mark.parametrize("stage, started", [(CaseStage.informal_talks, False), (CaseStage.awaiting_consent, True)])
def test_a_party_withdrawing_closes_the_case_and_everyone_hears_who(stage: CaseStage, started: bool) -> None:
    case = case_in(stage)
    request = Withdraw(actor=OFFICER, party="org-1", reason="moved out of the area")
    case.check_withdraw(request)
    told = case.withdraw(request, LATER)
    assert told == [Announcement(
        Template.withdrawn, EVERYONE, None,
        {"outcome": CaseOutcome.withdrawn, "party_name": "Hill Top Primary", "resolution_started": started},
    )]
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.withdrawn)
    assert [party.consent for party in case.parties] == [Consent.pending, Consent.withdrawn, Consent.pending]
    assert entries(case, 2) == [
        (LATER, OFFICER, "withdrawn", "Hill Top Primary withdrew: moved out of the area"),
        (LATER, OFFICER, "case_closed", "Withdrawn"),
    ]


def test_each_staff_action_has_its_stages_and_a_route_adds_its_own() -> None:
    # DESIGN section 3: the mediator and the session while arranging or waiting for it, the outcome
    # once it is scheduled, actions while following up; withdrawal, extensions, notes and (section 12)
    # a move to another officer at any open stage.
    route = (CaseStage.informal_talks, CaseStage.awaiting_consent)
    own = {RecordTalk: (CaseStage.informal_talks,), Withdraw: (CaseStage.awaiting_consent,)}
    session = (CaseStage.arranging_session, CaseStage.session_scheduled)
    assert route_action_stages(route, own) == {
        AssignMediator: session, ScheduleSession: session,
        RecordOutcome: (CaseStage.session_scheduled,), CompleteAction: (CaseStage.monitoring_agreement,),
        Withdraw: (CaseStage.awaiting_consent,),  # the route's own rule wins over the shared one
        ExtendDeadline: route, AddNote: route, ReassignOfficer: route, RecordTalk: (CaseStage.informal_talks,),
        # Answers online (DESIGN section 14): times while arranging; a call-back at any open stage.
        ProposeSlots: (CaseStage.arranging_session,), RecordAvailability: (CaseStage.arranging_session,),
        RequestCallback: route, RecordCallback: route,
    }
    assert Resolution.action_stages == route_action_stages(OPEN_STAGES, {
        RecordTalk: (CaseStage.informal_talks,), OfferResolution: (CaseStage.informal_talks,),
        RecordConsent: (CaseStage.awaiting_consent,),
    })


def test_withdrawal_refusals_in_words() -> None:
    case = case_in(CaseStage.awaiting_consent)
    assert refusal(lambda: case.check_withdraw(Withdraw(actor=OFFICER, party="mediator", reason="r"))) == (
        f"there is no party 'mediator' in case {REFERENCE}; its parties are applicant, org-1, org-2"
    )
    case.stage = CaseStage.advice  # a stage of statutory mediation, never of this route
    assert refusal(lambda: case.check_withdraw(Withdraw(actor=OFFICER, party="org-1", reason="r"))) == (
        "cannot withdraw while the case is with the family deciding whether to mediate; only while it is in informal "
        "talks or waiting for every party's consent or arranging the session or waiting for its session or "
        "following up what was agreed"
    )


@pytest.mark.parametrize("stage, started", [(CaseStage.informal_talks, False), (CaseStage.session_scheduled, True)])
def test_the_service_withdrawing_an_open_case_tells_everyone(stage: CaseStage, started: bool) -> None:
    case = case_in(stage)
    told = case.withdrawn_by_service(LATER)
    assert told == [Announcement(
        Template.withdrawn, EVERYONE, None,
        {"outcome": CaseOutcome.withdrawn, "by_service": True, "resolution_started": started},
    )]
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.withdrawn)
    assert entries(case, 2) == [
        (LATER, "system", "withdrawn_by_service", "cancellation requested in Temporal (Web UI or CLI): the service withdrew the case"),
        (LATER, "system", "case_closed", "Withdrawn"),
    ]
    assert all(party.consent is not Consent.withdrawn for party in case.parties)  # no party withdrew


@pytest.mark.parametrize(
    "appeal_deadline, detail",
    [
        (None, "cancellation requested in Temporal; the case was already closed"),
        (APPEAL_DUE, "cancellation requested in Temporal; the case was already closed; the family's appeal warnings continue"),
    ],
    ids=["no-appeal", "appeal-clock-running"],
)
def test_cancelling_a_closed_case_only_records_the_request(appeal_deadline: date | None, detail: str) -> None:
    case = case_in(CaseStage.awaiting_consent, appeal_deadline=appeal_deadline)
    case.withdraw(Withdraw(actor=OFFICER, party="applicant", reason="moved out of the area"), LATER)
    alarms = list(case.alarms)
    at = LATER + timedelta(days=1)
    assert case.withdrawn_by_service(at) == []
    assert entries(case, 1) == [(at, "system", "cancellation_requested", detail)]
    assert (case.outcome, case.alarms) == (CaseOutcome.withdrawn, alarms)


# --- Who a message goes to and what it may say (recipient, message_facts, delivery_failed) ---------


def test_each_recipient_is_addressed_by_their_own_details() -> None:
    case = case_in(CaseStage.session_scheduled)
    assert case.recipient("applicant") == Recipient(
        id="applicant", kind=RecipientKind.applicant, name="Sam Parent",
        contact=Contact(email=APPLICANT_EMAIL, phone="07700 900123"), supporter_email=SUPPORTER_EMAIL,
    )
    assert case.recipient("org-1") == Recipient(
        id="org-1", kind=RecipientKind.organisation, name="Hill Top Primary", contact=Contact(email=ORGANISATION_EMAIL),
    )
    assert case.recipient("org-2").supporter_email is None  # the SENDIASS adviser helps the family only
    assert case.recipient(MEDIATOR) == Recipient(
        id=MEDIATOR, kind=RecipientKind.mediator, name=MEDIATOR_NAME, contact=Contact(email=MEDIATOR_EMAIL),
    )
    assert case.recipient(CASE_OFFICER) == Recipient(id=CASE_OFFICER, kind=RecipientKind.case_officer, name=OFFICER)


def test_message_facts_carry_the_case_and_the_event() -> None:
    case = following_up()  # appeal deadline typed at opening: 26 February 2027
    assert case.message_facts(due=date(2026, 12, 4), party_name="Rotherham LA") == MessageFacts(
        reference=REFERENCE, case_officer=OFFICER, appeal_deadline=APPEAL_DUE, supporter_name="Ali Adviser",
        other_parties=["Hill Top Primary", "Rotherham LA"], applicant_role="parent",
        due=date(2026, 12, 4), party_name="Rotherham LA",
    )


def test_a_young_person_without_a_supporter_copies_nobody() -> None:
    young_person = Applicant(role=ApplicantRole.young_person, name="Alex Young", contact=Contact(email="alex@example.org"))
    case = new_case(applicant=young_person, supporter=None)
    assert case.recipient("applicant").supporter_email is None
    assert case.message_facts() == MessageFacts(
        reference=REFERENCE, case_officer=OFFICER, other_parties=["Hill Top Primary", "Rotherham LA"],
        applicant_role="young_person",
    )


def test_a_failed_message_to_a_party_is_recorded_and_the_case_officer_told() -> None:
    case = case_in(CaseStage.session_scheduled)
    assert case.delivery_failed(Template.resolution_offered, case.recipient("org-1"), "address rejected", LATER) == [Announcement(
        Template.notification_failed, (CASE_OFFICER,), "notification_failed-resolution_offered-org-1",
        {"party_name": "Hill Top Primary", "reason": "the message “Offer of disagreement resolution”: address rejected"},
    )]
    assert case.timeline[-1] == TimelineEntry(
        at=LATER, actor="system", event="notification_failed", detail="Offer of disagreement resolution to organisation 1: address rejected",
        verified=True,  # the workflow's own entry
    )
    assert case.delivery_failed(Template.session_scheduled, case.recipient(MEDIATOR), "mailbox full", LATER) == [Announcement(
        Template.notification_failed, (CASE_OFFICER,), "notification_failed-session_scheduled-mediator",
        {"party_name": MEDIATOR_NAME, "reason": "the message “Session booked”: mailbox full"},
    )]


def test_a_failed_message_to_the_case_officer_is_only_recorded() -> None:
    case = new_case()
    officer = case.recipient(CASE_OFFICER)
    assert case.delivery_failed(Template.deadline_reminder, officer, "no such staff id", LATER) == []
    assert entries(case, 1) == [(LATER, "system", "notification_failed", "Deadline reminder to the case officer: no such staff id")]


def test_an_agreed_action_is_found_by_its_deadline_and_told_by_its_owners_name() -> None:
    case = case_in(CaseStage.monitoring_agreement)
    assert case.action_of("action-2") is case.actions[1]
    assert case.action_of("action-1") is case.actions[0]
    assert (case.action_facts(1), case.action_facts(2)) == (ACTION_1, ACTION_2)
    case.actions[1].owner = "org-9"  # a guard: outcomes are checked to name parties of the case
    assert case.action_facts(2) == ACTION_2.model_copy(update={"owner": "org-9"})


# --- The LA's decision and the appeal clock (record_decision, record_appeal_status) --------------


def decision(on: date, kind: DecisionKind = DecisionKind.refusal_to_assess) -> RecordDecision:
    return RecordDecision(actor=OFFICER, kind=kind, date=on)


def appeal_plan(decided_on: date, now: datetime) -> AppealPlan:
    """The appeal clock as its activity works it out (DR gives no certificate)."""
    reckoning = reckon_appeal_deadline(decided_on, None, CALENDAR)
    return AppealPlan(deadline=plan(APPEAL, now, due=reckoning.due), steps=reckoning.steps)


def test_a_decision_dated_in_the_future_is_refused_in_words() -> None:
    case = new_case()
    case.check_record_decision(decision(date(2026, 11, 17)), date(2026, 11, 17))  # notice sent today
    assert refusal(lambda: case.check_record_decision(decision(date(2026, 11, 18)), date(2026, 11, 17))) == (
        "the decision date, 18 November 2026, is in the future: give the date the Local Authority's written notice was sent"
    )


def test_a_decision_after_the_familys_appeal_is_recorded_is_refused() -> None:
    case = new_case(appeal_deadline=APPEAL_DUE)
    case.record_appeal_status(RecordAppealStatus(actor=OFFICER, status=AppealStatus.lodged), LATER)
    assert refusal(lambda: case.check_record_decision(decision(date(2026, 11, 2)), date(2026, 11, 17))) == (
        "the family's appeal is already recorded as lodged"
    )


def test_recording_the_decision_sets_the_computed_appeal_deadline_and_its_warnings() -> None:
    # HESC Tribunal Rules 2008 r.20(1)(c)(i): within 2 months after written notice of the decision
    # was sent: Friday 30 October 2026 + 2 months = Wednesday 30 December, in the Christmas break;
    # r.12(3)(a) (as amended 2020): then in time on the first working day after 1 January, which is
    # Monday 4 January 2027 (2nd and 3rd are a weekend).
    case = new_case(appeal_deadline=date(2027, 3, 1))  # typed at opening; the decision replaces it
    request = decision(date(2026, 10, 30))
    case.check_record_decision(request, LATER.date())
    case.record_decision(request, appeal_plan(request.date, LATER), LATER)
    assert case.decision == DecisionView(kind=DecisionKind.refusal_to_assess, date=date(2026, 10, 30))
    appeal = case.deadline(APPEAL)
    assert (appeal.due, appeal.state, appeal.outstanding) == (date(2027, 1, 4), DeadlineState.open, True)
    # Warnings 20 and 5 working days before, skipping 1 January, 28 December (Boxing Day's
    # substitute) and Christmas Day: Wednesday 23 December is the 5th, Wednesday 2 December the 20th.
    assert [(a.purpose, a.working_days_before, a.at) for a in case.alarms if a.deadline == APPEAL] == [
        (AlarmPurpose.reminder, 20, london(2026, 12, 2, 9, 0)),
        (AlarmPurpose.reminder, 5, london(2026, 12, 23, 9, 0)),
        (AlarmPurpose.expiry, None, london(2027, 1, 5, 0, 0)),
    ]
    assert entries(case, 2) == [
        (LATER, OFFICER, "decision_recorded", "Refusal to carry out an EHC needs assessment, notice sent 30 October 2026; appeal deadline 4 January 2027"),
        (LATER, "system", "appeal_deadline_computed",
         "decision notice sent 30 October 2026 + 2 months = 30 December 2026 (r.20(1)(c)(i)); 30 December 2026 is in the Christmas "
         "or August break: first working day after 1 January 2027 = 4 January 2027 (r.12(3)(a))"),
    ]
    assert [d.name for d in case.deadlines].count(APPEAL) == 1
    view = case.view()
    assert (view.appeal_deadline, view.decision) == (date(2027, 1, 4), case.decision)
    assert (view.kinds, view.ehc_point) == ([DisagreementKind.provision], EhcPoint.needs_assessment)
    assert case.message_facts().appeal_deadline == date(2027, 1, 4)


def test_an_appeal_deadline_typed_at_opening_is_shown_until_one_is_planned() -> None:
    case = Resolution.open(REFERENCE, open_case(appeal_deadline=date(2027, 3, 1)), OPENED)
    assert case.deadline(APPEAL) is None
    assert case.view().appeal_deadline == date(2027, 3, 1)
    assert case.message_facts().appeal_deadline == date(2027, 3, 1)


@pytest.mark.parametrize("status, state", [(AppealStatus.lodged, DeadlineState.met), (AppealStatus.not_appealing, DeadlineState.cancelled)])
def test_the_familys_appeal_status_settles_the_deadline_and_stops_the_warnings(status: AppealStatus, state: DeadlineState) -> None:
    case = new_case(appeal_deadline=APPEAL_DUE)
    request = RecordAppealStatus(actor=OFFICER, status=status)
    case.check_record_appeal_status(request)
    case.record_appeal_status(request, LATER)
    appeal = case.deadline(APPEAL)
    assert (case.appeal_status, appeal.state, appeal.outstanding, appeal.due) == (status, state, False, APPEAL_DUE)
    assert (appeal.settled_on, case.timeline[appeal.settled_by - 1].event) == (LATER.date(), "appeal_status_recorded")
    assert case.alarms == [Alarm(deadline=TALKS_REVIEW, purpose=AlarmPurpose.expiry, at=london(2026, 11, 24, 0, 0))]
    assert entries(case, 1) == [(LATER, OFFICER, "appeal_status_recorded", APPEAL_STATUS_WORDS[status])]
    assert case.appeal_clock_running is False
    assert refusal(lambda: case.check_record_appeal_status(request)) == f"the family's appeal is already recorded as {status.value.replace('_', ' ')}"


def test_an_appeal_status_after_the_deadline_passed_keeps_it_missed() -> None:
    case = new_case(appeal_deadline=APPEAL_DUE)
    expire(case, APPEAL)
    case.record_appeal_status(RecordAppealStatus(actor=OFFICER, status=AppealStatus.lodged), LATER)
    appeal = case.deadline(APPEAL)
    assert (appeal.state, appeal.outstanding, case.appeal_status) == (DeadlineState.missed, False, AppealStatus.lodged)


def test_an_appeal_status_needs_an_appeal_deadline_first() -> None:
    case = new_case()
    request = RecordAppealStatus(actor=OFFICER, status=AppealStatus.not_appealing)
    assert refusal(lambda: case.check_record_appeal_status(request)) == (
        "this case has no appeal deadline: record the Local Authority's decision first"
    )


# --- Opening, the offer, consent and extensions --------------------------------------------------


def test_the_opening_is_announced_to_every_party() -> None:
    assert new_case().announce_opening() == [Announcement(Template.case_opened, tuple(PARTIES), None, {})]
    one = new_case(organisations=open_case().organisations[:1])
    assert one.announce_opening() == [Announcement(Template.case_opened, ("applicant", "org-1"), None, {})]


def test_the_offer_tells_every_party_when_the_consent_window_ends() -> None:
    case = case_in(CaseStage.awaiting_consent)  # offered Tuesday 3rd: 10 working days, Tuesday 17th
    assert case.announce_offer() == [
        Announcement(Template.resolution_offered, tuple(PARTIES), None, asking_consent(date(2026, 11, 17)))
    ]


def test_each_answer_is_acknowledged_to_its_party_with_whom_we_still_wait_for() -> None:
    case = case_in(CaseStage.awaiting_consent)
    at = datetime(2026, 11, 4, 11, 0, tzinfo=timezone.utc)
    told = case.record_consent(RecordConsent(actor=OFFICER, party="applicant", agree=True, notes="prefers evenings"), at)
    assert told == [Announcement(
        Template.consent_recorded, ("applicant",), None, {"answer": "agreed", "waiting_for": ["Hill Top Primary", "Rotherham LA"]},
    )]
    assert entries(case, 1) == [(at, OFFICER, "consent_recorded", "Sam Parent agreed. prefers evenings")]
    assert case.stage is CaseStage.awaiting_consent
    assert deadline_state(case, CONSENT_WINDOW) is DeadlineState.open
    assert case.describe() == (
        "Case is waiting for every party's consent. 1 of 3 parties have agreed. Next: Consent window, due 17 November 2026."
    )
    told = case.record_consent(RecordConsent(actor=OFFICER, party="org-2", agree=True), at)
    assert told == [Announcement(Template.consent_recorded, ("org-2",), None, {"answer": "agreed", "waiting_for": ["Hill Top Primary"]})]
    assert entries(case, 1) == [(at, OFFICER, "consent_recorded", "Rotherham LA agreed")]


def test_the_last_agreement_moves_on_to_arranging_the_session() -> None:
    case = case_in(CaseStage.awaiting_consent)
    consent(case, "applicant")
    consent(case, "org-2")
    at = datetime(2026, 11, 6, 11, 0, tzinfo=timezone.utc)
    told = case.record_consent(RecordConsent(actor=OFFICER, party="org-1", agree=True), at)
    assert told == [Announcement(Template.consent_recorded, ("org-1",), None, {"answer": "agreed", "waiting_for": []})]
    assert case.stage is CaseStage.arranging_session
    window = case.deadline(CONSENT_WINDOW)
    assert (window.state, window.outstanding) == (DeadlineState.met, False)
    assert [a.deadline for a in case.alarms] == []  # the arrangement deadline is planned by the caller


def test_a_decline_closes_the_case_and_everybody_hears_who_declined() -> None:
    case = case_in(CaseStage.awaiting_consent)
    consent(case, "applicant")
    at = datetime(2026, 11, 6, 11, 0, tzinfo=timezone.utc)
    told = case.record_consent(RecordConsent(actor="eve.fox", party="org-2", agree=False, notes="prefers to wait"), at)
    assert told == [
        Announcement(Template.consent_recorded, ("org-2",), None, {"answer": "declined", "waiting_for": []}),
        Announcement(Template.case_declined, EVERYONE, None, {"outcome": CaseOutcome.declined, "party_name": "Rotherham LA"}),
    ]
    assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.declined)
    assert [party.consent for party in case.parties] == [Consent.agreed, Consent.pending, Consent.declined]
    assert entries(case, 2) == [
        (at, "eve.fox", "consent_recorded", "Rotherham LA declined. prefers to wait"),
        (at, "eve.fox", "case_closed", "A party declined disagreement resolution"),
    ]
    window = case.deadline(CONSENT_WINDOW)
    assert (window.state, window.outstanding) == (DeadlineState.cancelled, False)


def test_consent_refusals_in_words() -> None:
    case = case_in(CaseStage.awaiting_consent)
    consent(case, "org-1")
    assert refusal(lambda: case.check_record_consent(RecordConsent(actor=OFFICER, party="org-1", agree=False))) == (
        "org-1 has already agreed: an answer is recorded once; to leave the process, record a withdrawal"
    )
    assert refusal(lambda: case.check_record_consent(RecordConsent(actor=OFFICER, party="org-7", agree=True))) == (
        f"there is no party 'org-7' in case {REFERENCE}; its parties are applicant, org-1, org-2"
    )


def extension(name: str, **how) -> ExtendDeadline:
    return ExtendDeadline(actor=OFFICER, deadline=name, reason="family on holiday", **how)


def test_an_extension_moves_the_deadline_and_says_from_when_to_when() -> None:
    case = new_case(appeal_deadline=APPEAL_DUE)
    request = extension(TALKS_REVIEW, days=5)
    at = datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc)
    case.check_extend_deadline(request, at.date())
    # 5 working days after Monday 23 November: Monday 30th.
    case.extend_deadline(request, plan(TALKS_REVIEW, at, due=date(2026, 11, 23), extend_by=5), at)
    review = case.deadline(TALKS_REVIEW)
    assert (review.due, review.state, review.extended) == (date(2026, 11, 30), DeadlineState.open, True)
    assert case.deadline(APPEAL).extended is False
    assert [d.name for d in case.deadlines] == [APPEAL, TALKS_REVIEW]
    assert [a.at for a in case.alarms if a.deadline == TALKS_REVIEW] == [london(2026, 12, 1, 0, 0)]
    assert entries(case, 1) == [(at, OFFICER, "deadline_extended", "Review of informal talks moved from 23 November 2026 to 30 November 2026: family on holiday")]


def test_a_missed_deadline_extended_is_open_again() -> None:
    case = new_case()
    expire(case, TALKS_REVIEW)
    at = datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)
    request = extension(TALKS_REVIEW, until=date(2026, 11, 27))
    case.check_extend_deadline(request, at.date())
    case.extend_deadline(request, plan(TALKS_REVIEW, at, due=date(2026, 11, 27)), at)
    review = case.deadline(TALKS_REVIEW)
    assert (review.due, review.state, review.outstanding, review.extended) == (date(2026, 11, 27), DeadlineState.open, True, True)
    assert case.describe() == "Case is in informal talks. Next: Review of informal talks, due 27 November 2026."


def test_parties_still_silent_hear_the_consent_window_was_extended() -> None:
    case = case_in(CaseStage.awaiting_consent)
    consent(case, "org-2")
    # 3 working days after Tuesday 17 November: Friday 20th.
    assert case.announce_consent_extended(date(2026, 11, 20)) == [Announcement(
        Template.consent_reminder, ("applicant", "org-1"), "consent_extended-20261120", asking_consent(date(2026, 11, 20)),
    )]


# --- Talks ---------------------------------------------------------------------------------------


def test_a_talk_outside_informal_talks_or_past_the_timelines_room_is_refused() -> None:
    case = new_case()
    used = len(case.timeline[0].detail.encode())  # "Disagreement resolution with 2 organisations; case officer jo.smith"
    assert used == 67
    case.record(OPENED, OFFICER, "note", "x" * (400_000 - used - 10))  # 10 bytes of room left
    case.check_record_talk(RecordTalk(actor=OFFICER, outcome=TalkOutcome.unresolved))
    case.check_record_talk(RecordTalk(actor=OFFICER, outcome=TalkOutcome.unresolved, notes="x" * 10))
    assert refusal(lambda: case.check_record_talk(RecordTalk(actor=OFFICER, outcome=TalkOutcome.unresolved, notes="x" * 11))) == FULL
    talks = case_in(CaseStage.awaiting_consent)
    assert refusal(lambda: talks.check_record_talk(RecordTalk(actor=OFFICER, outcome=TalkOutcome.resolved))) == (
        "cannot record a talk while the case is waiting for every party's consent; only while it is in informal talks"
    )


# --- A session moved after staff extended a deadline counted from it (replan_after_session) ------


def extended(name: str = WRITTEN_OUTCOME, until: date = date(2026, 11, 27)) -> Resolution:
    """A session on Monday 16 November (outcome record due 2 working days after: Wednesday 18th;
    written outcome 5: Monday 23rd), one of them extended by staff on Thursday 5th (by default the
    written outcome, to Friday 27th)."""
    case = case_in(CaseStage.session_scheduled)
    request = extension(name, until=until)
    case.check_extend_deadline(request, SCHEDULED.date())
    case.extend_deadline(request, plan(name, SCHEDULED, due=until), SCHEDULED)
    return case


MOVED = datetime(2026, 11, 9, 10, 0, tzinfo=timezone.utc)  # Monday 9th, when the session is moved


def move_session(case: Resolution, to: datetime) -> None:
    """Move the session as the workflow does: plan from the new time, book it, then re-plan."""
    planned = [plan(name, MOVED, start=to) for name in (SESSION, OUTCOME_RECORD, WRITTEN_OUTCOME)]
    request = ScheduleSession(actor="eve.fox", at=to, venue="Town Hall")
    case.check_schedule_session(request, MOVED)
    case.schedule_session(request, MOVED)
    case.replan_after_session(planned, MOVED, "eve.fox")


@pytest.mark.parametrize(
    "to, new_plan",
    [
        (datetime(2026, 11, 19, 10, 0, tzinfo=timezone.utc), "26 November 2026"),  # Thursday 19th + 5 working days
        (datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc), "27 November 2026"),  # Friday 20th + 5: the same day
    ],
    ids=["earlier", "same-day"],
)
def test_an_extension_still_giving_as_much_time_stands_when_the_session_moves(to: datetime, new_plan: str) -> None:
    case = extended()
    move_session(case, to)
    written = case.deadline(WRITTEN_OUTCOME)
    assert (written.due, written.extended, written.state) == (date(2026, 11, 27), True, DeadlineState.open)
    assert entries(case, 2) == [
        (MOVED, "eve.fox", "session_rescheduled", f"Session moved from 16 November 2026 at 10am to {date_and_time(to)}"),
        (MOVED, "eve.fox", "extension_kept",
         f"Send the written outcome stays 27 November 2026 as extended: still no earlier than the {new_plan} the new session time gives"),
    ]
    # The deadline not extended follows the session: 2 working days after it.
    assert case.deadline(OUTCOME_RECORD).due == {"26 November 2026": date(2026, 11, 23), "27 November 2026": date(2026, 11, 24)}[new_plan]
    assert [a.at for a in case.alarms if a.deadline == WRITTEN_OUTCOME] == [london(2026, 11, 28, 0, 0)]


def test_an_extension_kept_still_lets_the_later_deadlines_follow_the_session() -> None:
    case = extended(OUTCOME_RECORD, until=date(2026, 11, 20))  # Wednesday 18th moved to Friday 20th
    move_session(case, datetime(2026, 11, 17, 10, 0, tzinfo=timezone.utc))  # Tuesday 17th
    assert entries(case, 1) == [(
        MOVED, "eve.fox", "extension_kept",
        "Record the session outcome stays 20 November 2026 as extended: still no earlier than the 19 November 2026 the new session time gives",
    )]
    assert case.deadline(OUTCOME_RECORD).due == date(2026, 11, 20)
    assert case.deadline(WRITTEN_OUTCOME).due == date(2026, 11, 24)  # 5 working days after Tuesday 17th


def test_an_extension_giving_less_time_than_the_moved_session_is_replaced_and_the_timeline_says_why() -> None:
    case = extended()
    to = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)  # Monday 23rd + 5 working days: Monday 30th
    move_session(case, to)
    written = case.deadline(WRITTEN_OUTCOME)
    assert (written.due, written.extended, written.state) == (date(2026, 11, 30), False, DeadlineState.open)
    assert entries(case, 2) == [
        (MOVED, "eve.fox", "session_rescheduled", "Session moved from 16 November 2026 at 10am to 23 November 2026 at 10am"),
        (MOVED, "eve.fox", "extension_replaced",
         "Send the written outcome extended to 27 November 2026 is now 30 November 2026: the session moved to 23 November 2026 at 10am, "
         "and the usual time after it ends later"),
    ]
    assert [a.at for a in case.alarms if a.deadline == WRITTEN_OUTCOME] == [london(2026, 12, 1, 0, 0)]
    assert case.deadline(OUTCOME_RECORD).due == date(2026, 11, 25)  # 2 working days after Monday 23rd


def test_a_moved_session_replans_deadlines_nobody_extended_in_silence() -> None:
    case = case_in(CaseStage.session_scheduled)
    move_session(case, datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))
    assert [(d.name, d.due) for d in case.deadlines if d.name in (OUTCOME_RECORD, WRITTEN_OUTCOME)] == [
        (OUTCOME_RECORD, date(2026, 11, 25)), (WRITTEN_OUTCOME, date(2026, 11, 30)),
    ]
    assert case.timeline[-1].event == "session_rescheduled"
    assert case.deadline(SESSION) is None  # the session date carries a reminder, not a deadline
    assert [a.at for a in case.alarms if a.deadline == SESSION] == [london(2026, 11, 19, 9, 0)]  # Thursday 19th


def test_an_extended_deadline_already_missed_follows_the_moved_session() -> None:
    case = extended()
    expire(case, WRITTEN_OUTCOME)
    move_session(case, datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))
    written = case.deadline(WRITTEN_OUTCOME)
    assert (written.due, written.state, written.extended) == (date(2026, 11, 30), DeadlineState.open, False)
    assert case.timeline[-1].event == "session_rescheduled"  # nothing said of an extension no longer open


# --- Where the case is, in words (describe) ------------------------------------------------------


@pytest.mark.parametrize(
    "stage, words",
    [
        (CaseStage.informal_talks, "Case is in informal talks. Next: Review of informal talks, due 23 November 2026."),
        (CaseStage.awaiting_consent,
         "Case is waiting for every party's consent. 0 of 3 parties have agreed. Next: Consent window, due 17 November 2026."),
        (CaseStage.arranging_session, "Case is arranging the session. Next: Arrange the session, due 4 December 2026."),
        (CaseStage.session_scheduled, "Case is waiting for its session. Next: Record the session outcome, due 18 November 2026."),
        (CaseStage.monitoring_agreement,
         "Case is following up what was agreed. 0 of 2 agreed actions done. Next: Agreed action 1, due 30 November 2026."),
        (CaseStage.closed, "Closed: Withdrawn."),
    ],
)
def test_describe_says_where_the_case_is_in_exact_words(stage: CaseStage, words: str) -> None:
    assert case_in(stage).describe() == words


def test_describe_a_case_with_nothing_planned_names_only_its_stage() -> None:
    assert Resolution.open(REFERENCE, open_case(), OPENED).describe() == "Case is in informal talks."


def test_describe_an_appeal_decided_closes_the_warnings_sentence() -> None:
    case = case_in(CaseStage.awaiting_consent, appeal_deadline=APPEAL_DUE)
    case.withdraw(Withdraw(actor=OFFICER, party="org-2", reason="moved out of the area"), LATER)
    case.record_appeal_status(RecordAppealStatus(actor=OFFICER, status=AppealStatus.not_appealing), LATER)
    assert case.describe() == "Closed: Withdrawn."


def asking_consent(due: date) -> dict:
    """A message that asks for consent by the consent window's last day, and may be answered online until then."""
    return {"due": due, "asks": AnswerPurpose.consent, "answer_until": due}
