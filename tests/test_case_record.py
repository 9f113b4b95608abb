"""What a case records and shows, step by step, in exact words and dates (domain/case.py).

Written to kill the mutants `make mutate` found surviving (docs/mutation.md): every view field,
timeline entry and refusal is pinned here, and each boundary (a session a year ahead, an action
due today, an extension to today, a reminder on the due day) is tried on both sides.
Dates are hand-worked for November 2026, which has no bank holiday in England.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.calendar import LONDON, WorkingCalendar
from domain.case import NotificationRecord, RuleViolation
from domain.resolution import Resolution
from domain.deadlines import CONSENT_WINDOW, TALKS_REVIEW, Alarm, AlarmPurpose, is_known_deadline
from domain.models import (
    AddNote,
    AgreedActionInput,
    AssignMediator,
    CaseOutcome,
    CaseStage,
    Channel,
    Contact,
    DeliveryStatus,
    ExtendDeadline,
    RecordConsent,
    RecordOutcome,
    RecordTalk,
    ScheduleSession,
    SessionResult,
    TalkOutcome,
)
from tests.conftest import MEDIATOR_EMAIL, MEDIATOR_NAME, open_case
from tests.test_stage_rules import (
    AGREED,
    HELD,
    OFFERED,
    OFFICER,
    OPENED,
    PARTIES,
    REFERENCE,
    SCHEDULED,
    SESSION_AT,
    assign,
    complete,
    consent,
    new_case,
    offer,
    plan,
    record_outcome,
    schedule,
    two_actions,
)


def following_up() -> Resolution:
    """Opened Monday 2 November 2026, offered the 3rd, agreed the 4th, session on the 16th, action 1 done."""
    case = new_case(appeal_deadline=date(2027, 2, 26))
    offer(case)
    for party in PARTIES:
        consent(case, party)
    assign(case)
    schedule(case)
    record_outcome(case, SessionResult.partial_agreement, two_actions())
    complete(case, 1)
    return case


def test_the_view_of_a_case_following_up_its_agreement() -> None:
    case = following_up()
    case.notifications.append(
        NotificationRecord(key="k", to="org-1", template="written_outcome", channel=Channel.email, status=DeliveryStatus.failed, reason="bounced")
    )
    view = case.view()
    assert (view.reference, view.stage, view.outcome, view.case_officer) == (REFERENCE, CaseStage.monitoring_agreement, None, OFFICER)
    assert (view.kinds, view.ehc_point, view.appeal_deadline) == (case.opened.kinds, case.opened.ehc_point, date(2027, 2, 26))
    assert [(p.id, p.name, p.role, p.kind, p.consent.value) for p in view.parties] == [
        ("applicant", "Sam Parent", case.opened.applicant.role, None, "agreed"),
        ("org-1", "Hill Top Primary", None, case.opened.organisations[0].kind, "agreed"),
        ("org-2", "Rotherham LA", None, case.opened.organisations[1].kind, "agreed"),
    ]
    assert [(d.name, d.due, d.state.value) for d in view.deadlines] == [
        ("talks_review", date(2026, 11, 23), "met"),  # 15 working days from Monday 2nd: three weeks
        ("appeal", date(2027, 2, 26), "open"),
        ("consent_window", date(2026, 11, 17), "met"),  # 10 working days from Tuesday 3rd: two weeks
        ("session_arrangement", date(2026, 12, 4), "met"),  # 30 days from the 4th
        ("outcome_record", date(2026, 11, 18), "met"),  # 2 working days after Monday 16th
        ("written_outcome", date(2026, 11, 23), "met"),  # 5 working days after Monday 16th
        ("action-1", date(2026, 11, 30), "met"),  # 14 days after the session
        ("action-2", date(2026, 12, 4), "open"),  # its own date
    ]
    assert (view.next_deadline.name, view.next_deadline.due, view.next_deadline.state.value) == ("action-2", date(2026, 12, 4), "open")
    assert view.mediator.model_dump() == {"name": MEDIATOR_NAME, "email": MEDIATOR_EMAIL, "independent": True}
    assert (view.session.at, view.session.venue) == (SESSION_AT, "Town Hall")
    assert [(a.number, a.description, a.owner, a.due, a.done) for a in view.actions] == [
        (1, "Send the therapy report", "org-1", date(2026, 11, 30), True),
        (2, "Review the EHC plan", "org-2", date(2026, 12, 4), False),
    ]
    assert [n.model_dump() for n in view.notifications] == [
        {"to": "org-1", "template": "written_outcome", "channel": Channel.email, "status": DeliveryStatus.failed, "reason": "bounced"}
    ]
    assert case.describe() == "Case is following up what was agreed. 1 of 2 agreed actions done. Next: Agreed action 2, due 4 December 2026."


def test_the_timeline_names_each_step_its_actor_and_detail() -> None:
    case = new_case()
    case.record_talk(RecordTalk(actor="eve.fox", outcome=TalkOutcome.unresolved, notes="call with SENCO"), OPENED)
    case.add_note(AddNote(actor="eve.fox", text="family asked for mediation"), OPENED)
    offer(case)
    case.record_consent(RecordConsent(actor="eve.fox", party="applicant", agree=True, notes="prefers evenings"), AGREED)
    consent(case, "org-1")
    consent(case, "org-2")
    assign(case)
    case.assign_mediator(AssignMediator(actor="eve.fox", name="Kim Other", email="kim@accord.example.org", independent=True), SCHEDULED)
    schedule(case)
    case.schedule_session(ScheduleSession(actor="eve.fox", at=SESSION_AT + timedelta(days=1), venue="Library"), SCHEDULED)
    record_outcome(case, SessionResult.partial_agreement, two_actions(), at=HELD + timedelta(days=1))
    complete(case, 1)
    complete(case, 2)
    assert [(entry.actor, entry.event, entry.detail) for entry in case.timeline] == [
        (OFFICER, "case_opened", "Disagreement resolution with 2 organisations; case officer jo.smith"),
        ("eve.fox", "talk_recorded", "Talk 1: not resolved. call with SENCO"),
        ("eve.fox", "note", "family asked for mediation"),
        (OFFICER, "resolution_offered", "Disagreement resolution offered to every party"),
        ("eve.fox", "consent_recorded", "Sam Parent agreed. prefers evenings"),
        (OFFICER, "consent_recorded", "Hill Top Primary agreed"),
        (OFFICER, "consent_recorded", "Rotherham LA agreed"),
        (OFFICER, "mediator_assigned", "mediator assigned"),
        ("eve.fox", "mediator_assigned", "mediator replaced"),
        (OFFICER, "session_scheduled", "Session booked for 16 November 2026 at 10am"),
        ("eve.fox", "session_rescheduled", "Session moved from 16 November 2026 at 10am to 17 November 2026 at 10am"),
        (OFFICER, "outcome_recorded", "Partial agreement, 2 agreed actions"),
        (OFFICER, "action_completed", "Agreed action 1 done"),
        (OFFICER, "action_completed", "Agreed action 2 done"),
        (OFFICER, "case_closed", "Partial agreement"),
    ]
    assert (case.session.venue, case.session.number) == ("Library", 2)
    assert case.describe() == "Closed: Partial agreement."
    assert case.view().outcome is CaseOutcome.partial_agreement


def test_a_closed_case_without_an_outcome_says_so_and_a_new_one_waits_for_nothing() -> None:
    case = Resolution.open(REFERENCE, open_case(), OPENED)
    assert case.next_deadline() is None and case.next_alarm() is None  # nothing planned yet
    view = case.view()
    assert (view.mediator, view.session, view.next_deadline, view.outcome) == (None, None, None, None)
    case.record(OPENED, "system", "checked")
    assert case.timeline[-1].detail == ""
    case.stage = CaseStage.closed
    assert case.describe() == "Closed."


def test_the_next_alarm_is_the_earliest() -> None:
    case = new_case()
    offer(case)
    assert [a.purpose for a in case.alarms if a.deadline == CONSENT_WINDOW] == [AlarmPurpose.reminder, AlarmPurpose.expiry]
    # Five working days after Tuesday 3 November, at 09:00 in England (GMT in November).
    assert case.next_alarm() == Alarm(
        deadline=CONSENT_WINDOW, purpose=AlarmPurpose.reminder, at=datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)
    )


def test_known_deadline_names() -> None:
    assert all(is_known_deadline(name) for name in ("talks_review", "consent_window", "appeal", "action-1", "action-12"))
    assert not any(is_known_deadline(name) for name in ("session", "action-", "action-x", "Talks_review", ""))


def test_a_reminder_that_falls_on_the_due_day_still_rings() -> None:
    # The consent reminder comes 5 working days after the start; a window given that very day as
    # its end (Tuesday 10 November) keeps the reminder at 09:00 and expires at midnight after.
    planned = plan(CONSENT_WINDOW, OFFERED, due=date(2026, 11, 10))
    assert [(a.purpose, a.at) for a in planned.alarms] == [
        (AlarmPurpose.reminder, datetime(2026, 11, 10, 9, 0, tzinfo=LONDON)),
        (AlarmPurpose.expiry, datetime(2026, 11, 11, 0, 0, tzinfo=LONDON)),
    ]


def test_a_fresh_calendar_holds_the_bank_holidays_of_england_only() -> None:
    calendar = WorkingCalendar()
    assert calendar.bank_holiday(date(2027, 8, 30)) == "Late Summer Bank Holiday"  # last Monday of August
    assert calendar.bank_holiday(date(2027, 3, 29)) == "Easter Monday"  # not a holiday in Scotland
    assert calendar.is_working_day(date(2026, 11, 30))  # St Andrew's Day: Scotland's, not England's
    assert calendar.is_working_day(date(2027, 8, 2))  # Scotland's summer holiday, not England's
    assert calendar.add_working_days(date(2026, 11, 2), 0) == date(2026, 11, 2)


def refusal(check) -> str:
    with pytest.raises(RuleViolation) as refused:
        check()
    return str(refused.value)


def test_refusals_say_what_cannot_be_done_in_which_stage_in_words() -> None:
    case = new_case()
    assert refusal(lambda: case.check_record_consent(RecordConsent(actor=OFFICER, party="applicant", agree=True))) == (
        "cannot record consent while the case is in informal talks; only while it is waiting for every party's consent"
    )
    assert refusal(lambda: case.check_schedule_session(ScheduleSession(actor=OFFICER, at=SESSION_AT), OPENED)) == (
        "cannot schedule a session while the case is in informal talks; only while it is arranging the session or waiting for its session"
    )
    offer(case)
    for check, doing in [
        (lambda: case.check_record_talk(RecordTalk(actor=OFFICER, outcome=TalkOutcome.resolved)), "record a talk"),
        (lambda: case.check_offer_resolution(None), "offer disagreement resolution"),
        (lambda: case.check_assign_mediator(AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=True)), "assign a mediator"),
        (lambda: case.check_record_outcome(RecordOutcome(actor=OFFICER, result=SessionResult.full_agreement), HELD), "record a session outcome"),
        (lambda: case.check_complete_action(None), "complete an agreed action"),
    ]:
        assert refusal(check).startswith(f"cannot {doing} while the case is waiting for every party's consent; only while it is ")
    case.close(CaseOutcome.no_response, AGREED, "system")
    for check in (
        lambda: case.check_withdraw(None),
        lambda: case.check_extend_deadline(ExtendDeadline(actor=OFFICER, deadline=TALKS_REVIEW, days=1, reason="r"), date(2026, 11, 4)),
        lambda: case.check_add_note(AddNote(actor=OFFICER, text="t")),
    ):
        assert refusal(check) == f"case {REFERENCE} is closed (no_response); nothing more can be recorded"


def test_refusals_of_a_mediator_a_session_and_an_outcome_in_words() -> None:
    case = new_case()
    offer(case)
    for party in PARTIES:
        consent(case, party)
    not_independent = AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=False)
    assert refusal(lambda: case.check_assign_mediator(not_independent)) == (
        "the mediator must be declared independent: nobody employed by the Local Authority, an integrated care "
        "board or NHS England may provide disagreement resolution (Children and Families Act 2014 s.57; SEND Code 11.6)"
    )
    assert refusal(lambda: case.check_schedule_session(ScheduleSession(actor=OFFICER, at=SESSION_AT), SCHEDULED)) == (
        "assign a mediator before scheduling the session"
    )
    assign(case)
    case.check_schedule_session(ScheduleSession(actor=OFFICER, at=SCHEDULED + timedelta(days=365, hours=23)), SCHEDULED)
    assert refusal(lambda: case.check_schedule_session(ScheduleSession(actor=OFFICER, at=SCHEDULED + timedelta(days=366)), SCHEDULED)) == (
        "the session must be within a year"
    )
    schedule(case)
    assert refusal(lambda: case.check_record_outcome(
        RecordOutcome(actor=OFFICER, result=SessionResult.no_agreement, actions=two_actions()), HELD
    )) == "a session with no agreement has no agreed actions"
    assert refusal(lambda: case.check_record_outcome(RecordOutcome(actor=OFFICER, result=SessionResult.partial_agreement), HELD)) == (
        "a partial agreement needs at least one agreed action to follow up"
    )
    stranger = [AgreedActionInput(description="Visit", owner="org-9")]
    assert refusal(lambda: case.check_record_outcome(
        RecordOutcome(actor=OFFICER, result=SessionResult.partial_agreement, actions=stranger), HELD
    )) == "action 1: there is no party 'org-9'; parties are applicant, org-1, org-2"
    due_today = [AgreedActionInput(description="Visit", owner="org-1", agreed_due=HELD.date())]
    case.check_record_outcome(RecordOutcome(actor=OFFICER, result=SessionResult.partial_agreement, actions=due_today), HELD)
    with pytest.raises(ValueError):  # one due date per agreed action, planned by the caller
        case.record_outcome(RecordOutcome(actor=OFFICER, result=SessionResult.partial_agreement, actions=two_actions()), HELD, [date(2026, 12, 1)])


def test_refusals_of_an_extension_in_words() -> None:
    case = new_case()
    extend = lambda name, **change: ExtendDeadline(actor=OFFICER, deadline=name, reason="r", **change)  # noqa: E731
    assert refusal(lambda: case.check_extend_deadline(extend("appeal", days=1), OPENED.date())) == (
        "the appeal deadline is set by law (SEND Tribunal) and cannot be extended here"
    )
    bare = Resolution.open(REFERENCE, open_case(), OPENED)
    assert refusal(lambda: bare.check_extend_deadline(extend(CONSENT_WINDOW, days=1), OPENED.date())) == (
        "there is no deadline 'consent_window' in this case; its deadlines are none"
    )
    # talks_review (due Monday 23 November) has passed unmet: it may still be moved to today.
    [expiry] = [a for a in case.alarms if a.deadline == TALKS_REVIEW]
    case.ring(expiry)
    case.check_extend_deadline(extend(TALKS_REVIEW, until=date(2026, 11, 25)), date(2026, 11, 25))
    offer(case, at=datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc))
    [window_expiry] = [a for a in case.alarms if a.deadline == CONSENT_WINDOW and a.purpose is AlarmPurpose.expiry]
    case.ring(window_expiry)
    assert refusal(lambda: case.check_extend_deadline(extend(CONSENT_WINDOW, days=1), date(2026, 12, 10))) == (
        "the consent window has already closed"
    )


def test_what_staff_type_is_refused_in_words() -> None:
    with pytest.raises(ValidationError, match=r"Value error, a staff id is 2 to 64 lower-case letters, digits, dots, dashes or underscores \["):
        RecordTalk(actor="Jo Smith", outcome=TalkOutcome.resolved)
    with pytest.raises(ValidationError, match=r"is not a phone number \[type=phone_number"):
        Contact(phone="call the school")
    with pytest.raises(ValidationError, match=r"is not a possible phone number \[type=phone_number"):
        Contact(phone="0770")
