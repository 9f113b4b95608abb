"""Answers given online (DESIGN section 14), on the domain alone: a party answering for itself
(`party:<id>`), the same answer again changing nothing, a different one refused, staff correcting
an answer given online, session times proposed and answered, and a call-back owed by the officer.

Driven as the workflows drive them (check, plan, apply), with the real deadline policy and calendar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from domain.deadlines import CONSENT_WINDOW, SESSION_ARRANGEMENT, AlarmPurpose
from domain.models import (
    AddNote,
    CaseStage,
    Consent,
    DeadlineState,
    IssueCertificate,
    ProposeSlots,
    RecordAvailability,
    RecordCallback,
    RecordChoice,
    RecordConsent,
    RequestCallback,
    Withdraw,
    acting_party,
    party_actor,
)
from domain.next_step import next_step
from domain.notifications import Announcement, AnswerPurpose, Template
from domain.resolution import Resolution
from tests.mediation_steps import apply, open_on_the_rules, rejected
from tests.test_stage_rules import AGREED, OFFERED, OFFICER, consent, new_case, offer, plan

APPLICANT, SCHOOL = party_actor("applicant"), party_actor("org-1")
SLOTS = [datetime(2026, 11, 23, 10, tzinfo=UTC), datetime(2026, 11, 24, 14, tzinfo=UTC), datetime(2026, 11, 26, 10, tzinfo=UTC)]


def act(case: Resolution, request, now: datetime) -> list[Announcement]:
    """One update on a disagreement resolution case, as `DisagreementCase` and the shared machinery
    run it: check, skip a repeated answer, plan, apply; what it announces."""
    match request:
        case RecordConsent():
            case.check_record_consent(request)
            if case.repeats(request):
                return []
            told = case.record_consent(request, now)
            if case.stage is CaseStage.arranging_session and case.deadline(SESSION_ARRANGEMENT) is None:
                case.set_deadline(plan(SESSION_ARRANGEMENT, now))
            return told
        case ProposeSlots():
            case.check_propose_slots(request, now)
            return case.propose_slots(request, now)
        case RecordAvailability():
            case.check_record_availability(request)
            return [] if case.repeats(request) else case.record_availability(request, now)
        case RequestCallback():
            case.check_request_callback(request)
            return case.request_callback(request, [plan(r.name, now) for r in case.plan_callback(request, now)], now)
        case RecordCallback():
            case.check_record_callback(request)
            case.record_callback(request, now)
            return []
    raise AssertionError(type(request).__name__)


def offered() -> Resolution:
    case = new_case()
    offer(case)
    return case


def arranging() -> Resolution:
    """Every party agreed on Wed 4 Nov 2026: the session is to be held by Fri 4 Dec."""
    case = offered()
    for party in ("applicant", "org-1", "org-2"):
        consent(case, party)
    return case


def last(case: Resolution) -> tuple[str, str, str]:
    entry = case.timeline[-1]
    return entry.actor, entry.event, entry.detail


# --- Who may answer ------------------------------------------------------------------------------


def test_a_party_actor_is_party_and_an_id_and_never_a_staff_id() -> None:
    assert (party_actor("org-2"), acting_party("party:org-2"), acting_party(OFFICER)) == ("party:org-2", "org-2", None)
    for bad in ("party:", "party:org-0", "party:jo.smith", "party:Applicant"):
        with pytest.raises(ValidationError, match="party:applicant or party:org-N"):
            RecordConsent(actor=bad, party="applicant", agree=True)
    with pytest.raises(ValidationError, match="staff id"):  # only the four answers take a party actor
        AddNote(actor=APPLICANT, text="hello")


def test_a_party_answers_online_for_itself_the_timeline_says_so_and_the_officer_is_told() -> None:
    case = offered()
    told = act(case, RecordConsent(actor=SCHOOL, party="org-1", agree=True), AGREED)
    assert last(case) == (SCHOOL, "consent_recorded", "Hill Top Primary agreed; answered online")
    party = case.view().parties[1]
    assert (party.consent, party.answered_online) == (Consent.agreed, True)
    assert told[-1] == Announcement(
        Template.answered_online, ("case_officer",), f"answered_online-{len(case.timeline)}",
        {"party_name": "Hill Top Primary", "online_answer": "agreed to disagreement resolution"},
    )
    act(case, RecordConsent(actor=OFFICER, party="org-2", agree=True), AGREED)  # staff: nobody else told
    assert case.view().parties[2].answered_online is False


def test_a_party_cannot_answer_for_another() -> None:
    case = offered()
    words = rejected(lambda: case.check_record_consent(RecordConsent(actor=SCHOOL, party="applicant", agree=True)))
    assert words == "an answer given online is the party's own: party:org-1 cannot answer for applicant"


def test_a_party_cannot_learn_anothers_answer_by_sending_it_again() -> None:
    case = offered()
    act(case, RecordConsent(actor=APPLICANT, party="applicant", agree=True), AGREED)
    for agree in (True, False):  # the same refusal whatever the family said: nothing is given away
        words = rejected(lambda: case.check_record_consent(RecordConsent(actor=SCHOOL, party="applicant", agree=agree)))
        assert words == "an answer given online is the party's own: party:org-1 cannot answer for applicant"


def test_the_same_answer_again_from_a_link_changes_nothing_and_a_different_one_is_refused() -> None:
    case = offered()
    act(case, RecordConsent(actor=APPLICANT, party="applicant", agree=True), AGREED)
    before = case.model_dump()
    assert act(case, RecordConsent(actor=APPLICANT, party="applicant", agree=True), AGREED) == []
    assert case.model_dump() == before
    words = rejected(lambda: case.check_record_consent(RecordConsent(actor=APPLICANT, party="applicant", agree=False)))
    assert words == (
        "applicant has already agreed: a different answer cannot be given online; contact the case officer to change it"
    )


def test_staff_correct_an_answer_given_online_and_the_timeline_shows_the_correction() -> None:
    case = offered()
    act(case, RecordConsent(actor=APPLICANT, party="applicant", agree=True), AGREED)
    told = act(case, RecordConsent(actor=OFFICER, party="applicant", agree=False, notes="pressed the wrong button"), AGREED)
    assert last(case)[:2] == (OFFICER, "case_closed")
    correction = case.timeline[-2]
    assert (correction.actor, correction.event, correction.detail) == (
        OFFICER, "consent_corrected",
        "corrected by staff: Sam Parent declined (answered online: agreed). pressed the wrong button",
    )
    assert case.view().parties[0].answered_online is False
    assert told[0].template is Template.consent_recorded and told[0].event.startswith("consent_corrected-")


def test_an_answer_staff_recorded_stays_as_it_was() -> None:
    case = offered()
    act(case, RecordConsent(actor=OFFICER, party="applicant", agree=True), AGREED)
    words = rejected(lambda: case.check_record_consent(RecordConsent(actor=OFFICER, party="applicant", agree=False)))
    assert words.startswith("applicant has already agreed: an answer is recorded once")


def test_messages_that_ask_for_consent_say_so_until_the_window_ends() -> None:
    case = new_case()
    offer(case)
    window = case.deadline(CONSENT_WINDOW).due  # Tue 17 Nov: 10 working days after Tue 3 Nov
    [offer_message] = case.announce_offer()
    assert offer_message.facts == {"due": window, "asks": AnswerPurpose.consent, "answer_until": window}
    reminder = next(alarm for alarm in case.alarms if alarm.deadline == CONSENT_WINDOW and alarm.purpose is AlarmPurpose.reminder)
    [reminded] = case.alarm_rang(reminder, reminder.at)
    assert (reminded.template, reminded.facts["asks"], reminded.facts["answer_until"]) == (
        Template.consent_reminder, AnswerPurpose.consent, window,
    )
    [extended] = case.announce_consent_extended(date(2026, 11, 24))
    assert extended.facts["answer_until"] == date(2026, 11, 24)


# --- Session times --------------------------------------------------------------------------------


def test_times_are_proposed_only_once_everyone_has_agreed() -> None:
    case = offered()
    words = rejected(lambda: case.check_propose_slots(ProposeSlots(actor=OFFICER, slots=SLOTS), OFFERED))
    assert words == (
        "cannot propose session times while the case is waiting for every party's consent; only while it is "
        "arranging the session"
    )


@pytest.mark.parametrize(("slots", "words"), [
    (SLOTS[:2], "propose 3 to 6 session times, not 2"),
    (SLOTS * 2 + SLOTS[:1], "propose 3 to 6 session times, not 7"),
    ([SLOTS[0], SLOTS[0], SLOTS[1]], "each proposed time must be different"),
    (["2026-11-23T10:00:00", *SLOTS[1:]], "Input should have timezone info"),
])
def test_three_to_six_distinct_times_in_england_or_any_given_zone(slots, words) -> None:
    with pytest.raises(ValidationError, match=words):
        ProposeSlots(actor=OFFICER, slots=slots)


def test_a_time_in_the_past_is_refused_with_its_number() -> None:
    case = arranging()
    past = [AGREED - timedelta(hours=1), *SLOTS[1:]]
    words = rejected(lambda: case.check_propose_slots(ProposeSlots(actor=OFFICER, slots=past), AGREED))
    assert words.startswith("time 1, ") and words.endswith("is in the past: propose times still to come")


def test_proposing_asks_every_party_until_the_eve_of_the_first_time_and_again_replaces_the_answers() -> None:
    case = arranging()
    told = act(case, ProposeSlots(actor=OFFICER, slots=list(reversed(SLOTS)), venue="Town Hall"), AGREED)
    assert told == [Announcement(
        Template.availability_requested, ("applicant", "org-1", "org-2"), "availability_requested-1",
        {"slots": SLOTS, "venue": "Town Hall", "due": date(2026, 11, 22),
         "asks": AnswerPurpose.availability, "answer_until": date(2026, 11, 22)},
    )]
    assert case.view().availability_asked and [slot.at for slot in case.view().slots] == SLOTS  # in time order

    act(case, RecordAvailability(actor=APPLICANT, party="applicant", slots=[1, 3]), AGREED)
    act(case, RecordAvailability(actor=SCHOOL, party="org-1", slots=[3]), AGREED)
    act(case, RecordAvailability(actor=OFFICER, party="org-2", slots=[2, 3], notes="rang the LA"), AGREED)
    assert last(case) == (OFFICER, "availability_recorded", "Rotherham LA can make times 2 and 3. rang the LA")
    view = case.view()
    assert [(s.number, s.available, s.suits_everyone) for s in view.slots] == [
        (1, ["applicant"], False), (2, ["org-2"], False), (3, ["applicant", "org-1", "org-2"], True),
    ]
    assert [party.availability for party in view.parties] == [[1, 3], [3], [2, 3]]

    again = act(case, ProposeSlots(actor=OFFICER, slots=[s + timedelta(days=7) for s in SLOTS]), AGREED)
    assert again[0].event == "availability_requested-2"
    assert [party.availability for party in case.view().parties] == [None, None, None]
    assert last(case)[2].endswith("the times proposed before, and the answers to them, are replaced")


def test_answers_are_wanted_by_the_arrangement_duty_when_that_comes_before_the_first_time() -> None:
    case = arranging()  # the session must be held by Fri 4 Dec
    late = [datetime(2026, 12, 10, 10, tzinfo=UTC) + timedelta(days=n) for n in range(3)]
    [asked] = act(case, ProposeSlots(actor=OFFICER, slots=late), AGREED)
    assert asked.facts["answer_until"] == case.deadline(SESSION_ARRANGEMENT).due == date(2026, 12, 4)


def test_availability_names_proposed_times_and_a_link_cannot_change_it() -> None:
    case = arranging()
    act(case, ProposeSlots(actor=OFFICER, slots=SLOTS), AGREED)
    words = rejected(lambda: case.check_record_availability(RecordAvailability(actor=APPLICANT, party="applicant", slots=[4])))
    assert words == "there is no proposed time 4: the times are numbered 1 to 3"
    act(case, RecordAvailability(actor=APPLICANT, party="applicant", slots=[]), AGREED)
    assert last(case) == (APPLICANT, "availability_recorded", "none of the proposed times suit Sam Parent; answered online")
    assert act(case, RecordAvailability(actor=APPLICANT, party="applicant", slots=[]), AGREED) == []  # the same: nothing
    words = rejected(lambda: case.check_record_availability(RecordAvailability(actor=APPLICANT, party="applicant", slots=[2])))
    assert words.startswith("applicant has already said which times it can make; a different answer cannot be given online")
    act(case, RecordAvailability(actor=OFFICER, party="applicant", slots=[2]), AGREED)  # staff can change it
    assert last(case)[2] == "changed by staff: Sam Parent can make time 2 (before: none)"


def test_no_availability_before_times_are_proposed() -> None:
    case = arranging()
    words = rejected(lambda: case.check_record_availability(RecordAvailability(actor=OFFICER, party="org-1", slots=[1])))
    assert words == "no session times have been proposed yet: propose 3 to 6 times first"


# --- Call-backs -----------------------------------------------------------------------------------


def test_a_call_back_is_the_officers_duty_for_2_working_days_met_when_they_record_it() -> None:
    case = offered()
    friday = datetime(2026, 11, 6, 16, tzinfo=UTC)
    told = act(case, RequestCallback(actor=APPLICANT, party="applicant", note="what happens at the meeting?"), friday)
    duty = case.deadline("callback-1")
    # [policy] 2 working days: Mon 9, Tue 10 Nov.
    assert (duty.due, duty.owed_by, duty.source) == (
        date(2026, 11, 10), "case_officer",
        "[policy] call back within 2 working days of the request (a service standard, not law)",
    )
    assert last(case) == (
        APPLICANT, "callback_requested",
        "Sam Parent asked to be called back (call-back 1, by 10 November 2026); answered online: what happens at the meeting?",
    )
    assert told[0].facts == {"party_name": "Sam Parent", "online_answer": "asked to be called back"}

    step = next_step(case.view(), date(2026, 11, 9))
    assert (step.what, step.due, step.action) == ("call Sam Parent back, as they asked", date(2026, 11, 10), RecordCallback)

    act(case, RequestCallback(actor=APPLICANT, party="applicant"), friday)  # asked again: still one call owed
    assert [d.name for d in case.deadlines if d.name.startswith("callback-")] == ["callback-1"]
    assert last(case)[2].startswith("Sam Parent asked again to be called back (call-back 1")

    words = rejected(lambda: case.check_record_callback(RecordCallback(actor=OFFICER, number=2)))
    assert words == "there is no call-back 2 waiting; call-backs waiting: 1"
    act(case, RecordCallback(actor=OFFICER, number=1, notes="explained the meeting"), datetime(2026, 11, 9, 11, tzinfo=UTC))
    assert (case.deadline("callback-1").state, last(case)[1:]) == (
        DeadlineState.met, ("callback_made", "Called Sam Parent back (call-back 1). explained the meeting"),
    )
    act(case, RequestCallback(actor=OFFICER, party="org-1"), friday)  # a new request: a new duty
    assert case.deadline("callback-2").owed and case.view().callbacks[1].party == "org-1"


# --- Statutory mediation --------------------------------------------------------------------------

DECIDED = date(2026, 11, 2)
CHOOSING = datetime(2026, 11, 16, 10, tzinfo=UTC)


def test_the_family_chooses_online_with_who_comes_as_their_supporter() -> None:
    case = open_on_the_rules(DECIDED, datetime(2026, 11, 9, 10, tzinfo=UTC))
    words = rejected(lambda: case.check_record_choice(RecordChoice(actor=SCHOOL, mediate=False), CHOOSING.date()))
    assert words == "only the family chooses whether to mediate (SEND Regulations 2014 reg 33): party:org-1 cannot answer"
    dated = RecordChoice(actor=APPLICANT, mediate=True, la_notified_on=date(2026, 11, 10))
    assert rejected(lambda: case.check_record_choice(dated, CHOOSING.date())) == "a choice given online is dated the day it is given"

    choice = RecordChoice(
        actor=APPLICANT, mediate=True, health_provision_sought="weekly speech therapy", supporter_attending="Ali Adviser",
    )
    told = apply(case, choice, CHOOSING)
    assert case.timeline[-1].detail == (
        "Local Authority told on 16 November 2026; issues: education and health; health care provision sought recorded; "
        "a supporter will attend; answered online"
    )
    assert case.view().supporter_attending == "Ali Adviser" and case.view().parties[0].answered_online
    [said] = [announcement for announcement in told if announcement.template is Template.answered_online]
    assert said.to == ("case_officer",) and said.facts["online_answer"] == "chose mediation"
    assert apply(case, choice, CHOOSING) == []  # the same again: nothing
    words = rejected(lambda: apply(case, RecordChoice(actor=APPLICANT, mediate=False), CHOOSING))
    assert words == "the family's choice is already recorded; a different answer cannot be given online: contact the case officer"


def test_mediation_times_give_5_working_days_notice_bank_holidays_counted() -> None:
    case = open_on_the_rules(DECIDED, datetime(2026, 12, 1, 10, tzinfo=UTC))
    apply(case, RecordChoice(actor=OFFICER, mediate=True, mediation_issues=["education"]), datetime(2026, 12, 14, 10, tzinfo=UTC))
    monday = datetime(2026, 12, 21, 10, tzinfo=UTC)
    soon = [datetime(2026, 12, 23, 10, tzinfo=UTC), datetime(2027, 1, 6, 10, tzinfo=UTC), datetime(2027, 1, 7, 10, tzinfo=UTC)]
    words = rejected(lambda: apply(case, ProposeSlots(actor=OFFICER, slots=soon), monday))
    assert words.startswith("time 1: the family must have at least 5 working days' notice of the date and place")
    assert words.endswith("The earliest date is 26 December 2026, a working day later for each bank holiday before it")
    # Mon 28 Dec: 5 weekdays on from Mon 21 Dec, but Christmas Day and Boxing Day (moved to Mon 28) are bank holidays.
    holidays = [datetime(2026, 12, 28, 10, tzinfo=UTC), *soon[1:]]
    words = rejected(lambda: apply(case, ProposeSlots(actor=OFFICER, slots=holidays), monday))
    # Counted by hand, back from Mon 28 Dec (itself a bank holiday): Thu 24, Wed 23, Tue 22, Mon 21, Fri 18 Dec.
    assert words.startswith("time 1, ") and "notice was due by 18 December 2026; propose a later time" in words
    apply(case, ProposeSlots(actor=OFFICER, slots=soon[1:] + [datetime(2027, 1, 8, 10, tzinfo=UTC)]), monday)
    assert case.view().availability_asked


def test_a_call_back_asked_for_after_a_withdrawal_goes_with_the_case_once_its_certificate_is_issued() -> None:
    """The process ended (withdrawn: a certificate owed, reg 34); the family asks to be called back
    meanwhile. Issuing the certificate closes the case, the call-back cancelled as `close` cancels
    one asked for before: the case never waits on for ever in a stage with nothing left to do."""
    case = open_on_the_rules(DECIDED, datetime(2026, 11, 9, 10, tzinfo=UTC))
    apply(case, RecordChoice(actor=OFFICER, mediate=True, health_provision_sought="weekly speech therapy"), CHOOSING)
    apply(case, Withdraw(actor=OFFICER, party="applicant", reason="the family no longer wants mediation"), CHOOSING)
    assert case.stage is CaseStage.certificate_due
    apply(case, RequestCallback(actor=APPLICANT, party="applicant"), CHOOSING)
    assert case.deadline("callback-1").owed
    apply(case, IssueCertificate(actor=OFFICER), datetime(2026, 11, 17, 10, tzinfo=UTC))
    callback = case.deadline("callback-1")
    assert (case.stage, case.timeline[-1].event) == (CaseStage.closed, "case_closed")
    assert (callback.state, callback.owed, callback.settled_on) == (DeadlineState.cancelled, False, date(2026, 11, 17))
    assert callback.settled_by == len(case.timeline) and all(alarm.deadline != "callback-1" for alarm in case.alarms)
