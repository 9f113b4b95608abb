"""Working days in England and the deadlines planned on them (domain/calendar.py, domain/deadlines.py)."""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.calendar import LONDON, WorkingCalendar, london_date, london_time
from domain.deadlines import (
    APPEAL,
    CERTIFICATE,
    CONSENT_WINDOW,
    HEALTH_NOTICE,
    MEDIATION_ARRANGEMENT,
    OUTCOME_RECORD,
    SESSION,
    SESSION_ARRANGEMENT,
    SESSION_NOTICE,
    TALKS_REVIEW,
    WRITTEN_OUTCOME,
    AlarmPurpose,
    DeadlinePolicy,
    DeadlineRequest,
    PlannedDeadline,
    action_deadline,
    plan_deadline,
)
from infra.settings import Settings, SettingsError, load_settings

CALENDAR = WorkingCalendar()
UTC = timezone.utc
GMT, BST = timedelta(0), timedelta(hours=1)


def plan(name: str, now: datetime, policy: DeadlinePolicy | None = None, **request) -> PlannedDeadline:
    return plan_deadline(DeadlineRequest(name=name, now=now, **request), policy or DeadlinePolicy(), CALENDAR)


def reminders(planned: PlannedDeadline) -> list[datetime]:
    return [alarm.at for alarm in planned.alarms if alarm.purpose is AlarmPurpose.reminder]


def expiries(planned: PlannedDeadline) -> list[datetime]:
    return [alarm.at for alarm in planned.alarms if alarm.purpose is AlarmPurpose.expiry]


def at_london(day: date, hour: int, offset: timedelta) -> datetime:
    """The instant of `hour`:00 in England on `day`, asserting England is at `offset` from UTC then."""
    instant = datetime.combine(day, time(hour), tzinfo=LONDON)
    assert instant.utcoffset() == offset, f"{day} is not at UTC+{offset} in England"
    return instant


# --- Working days -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 12, 24), True),  # Thursday
        (date(2026, 12, 25), False),  # Christmas Day, a Friday
        (date(2026, 12, 26), False),  # Boxing Day, a Saturday
        (date(2026, 12, 28), False),  # Boxing Day (substitute day), Monday
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),  # New Year's Day, Friday
        (date(2027, 3, 26), False),  # Good Friday 2027
        (date(2027, 3, 29), False),  # Easter Monday 2027
        (date(2027, 8, 30), False),  # Summer bank holiday in England: last Monday of August
        (date(2026, 11, 28), False),  # a Saturday
        (date(2026, 11, 29), False),  # a Sunday
    ],
)
def test_weekends_and_england_bank_holidays_are_not_working_days(day: date, working: bool) -> None:
    assert CALENDAR.is_working_day(day) is working


@pytest.mark.parametrize(
    "day, holiday_elsewhere",
    [
        (date(2026, 1, 2), "New Year holiday, Scotland"),
        (date(2027, 1, 4), "New Year holiday (substitute), Scotland"),
        (date(2026, 11, 30), "St Andrew's Day, Scotland"),
        (date(2026, 8, 3), "Summer bank holiday, Scotland"),
        (date(2027, 3, 17), "St Patrick's Day, Northern Ireland"),
        (date(2027, 7, 12), "Battle of the Boyne, Northern Ireland"),
    ],
)
def test_holidays_of_other_nations_are_working_days_in_england(day: date, holiday_elsewhere: str) -> None:
    assert CALENDAR.is_working_day(day), holiday_elsewhere
    assert CALENDAR.bank_holiday(day) is None


def test_a_bank_holiday_has_its_name() -> None:
    assert CALENDAR.bank_holiday(date(2026, 12, 28)) == "Boxing Day (observed)"
    assert CALENDAR.bank_holiday(date(2027, 3, 26)) == "Good Friday"


def test_the_england_calendar_loads_its_own_module_when_none_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every other test finds the module already loaded: this one sees the first load, as a fresh
    # staff command does, and that it is England's calendar (Scotland's 2 January is a working day).
    monkeypatch.delitem(sys.modules, "holidays.countries.united_kingdom")

    calendar = WorkingCalendar()

    assert sys.modules["holidays.countries.united_kingdom"].UnitedKingdom is type(calendar._bank_holidays)
    assert calendar.bank_holiday(date(2027, 8, 30)) == "Late Summer Bank Holiday"
    assert calendar.is_working_day(date(2026, 1, 2)) and not calendar.is_working_day(date(2026, 1, 1))


@pytest.mark.parametrize(
    "start, count, expected",
    [
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday to Monday (St Andrew's Day counts)
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # from a Saturday
        (date(2026, 12, 24), 1, date(2026, 12, 29)),  # past Christmas and the Boxing Day substitute
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # past New Year's Day; 4 January counts in England
        (date(2026, 12, 21), 10, date(2027, 1, 7)),
        (date(2027, 3, 25), 1, date(2027, 3, 30)),  # past Good Friday and Easter Monday
        (date(2025, 12, 31), 1, date(2026, 1, 2)),  # 2 January is a holiday in Scotland only
        (date(2026, 12, 25), 0, date(2026, 12, 25)),  # no days: the same day, even a holiday
    ],
)
def test_adding_working_days(start: date, count: int, expected: date) -> None:
    assert CALENDAR.add_working_days(start, count) == expected


@pytest.mark.parametrize(
    "start, count, expected",
    [
        (date(2026, 11, 30), -1, date(2026, 11, 27)),
        (date(2026, 12, 29), -1, date(2026, 12, 24)),
        (date(2027, 1, 4), -2, date(2026, 12, 30)),
        (date(2027, 3, 30), -1, date(2027, 3, 25)),
        (date(2027, 1, 7), -10, date(2026, 12, 21)),
    ],
)
def test_negative_counts_go_back_over_the_same_days(start: date, count: int, expected: date) -> None:
    assert CALENDAR.add_working_days(start, count) == expected


def test_calendar_days_are_plain_days() -> None:
    assert CALENDAR.add_days(date(2026, 12, 24), 3, working=False) == date(2026, 12, 27)
    assert CALENDAR.add_days(date(2026, 12, 24), 3, working=True) == date(2026, 12, 31)
    assert CALENDAR.add_days(date(2026, 12, 24), -3, working=False) == date(2026, 12, 21)


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2026, 12, 21), date(2027, 1, 7), 10),
        (date(2027, 1, 7), date(2026, 12, 21), -10),
        (date(2026, 12, 24), date(2026, 12, 28), 0),  # Christmas, weekend, Boxing Day substitute
        (date(2026, 12, 24), date(2026, 12, 29), 1),
        (date(2026, 11, 2), date(2026, 11, 2), 0),
        (date(2026, 11, 27), date(2026, 11, 30), 1),
    ],
)
def test_working_days_between_counts_after_the_start_up_to_the_end(start: date, end: date, expected: int) -> None:
    assert CALENDAR.working_days_between(start, end) == expected


@pytest.mark.parametrize("count", [1, 5, 10, 20, 45])
def test_counting_between_undoes_adding(count: int) -> None:
    start = date(2026, 12, 18)
    assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, count)) == count
    assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, -count)) == -count


def test_the_date_in_england_is_taken_at_london_time() -> None:
    late_evening_utc = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 June in BST
    assert london_date(late_evening_utc) == date(2026, 6, 2)
    assert london_date(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == date(2026, 12, 1)  # GMT
    assert london_time(date(2026, 6, 2), time(9)) == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)


# --- Planning deadlines -----------------------------------------------------------------------------


def test_the_consent_window_over_christmas_gmt() -> None:
    offered = datetime(2026, 12, 21, 10, 0, tzinfo=UTC)
    planned = plan(CONSENT_WINDOW, offered)
    assert (planned.name, planned.due, planned.working_days) == (CONSENT_WINDOW, date(2027, 1, 7), True)
    # The reminder after 5 working days: 22, 23, 24, 29 and 30 December, at 09:00 (GMT).
    assert reminders(planned) == [at_london(date(2026, 12, 30), 9, GMT)]
    assert reminders(planned)[0] == datetime(2026, 12, 30, 9, 0, tzinfo=UTC)
    # The whole of the due date counts: expiry at midnight after it.
    assert planned.expires_at == datetime(2027, 1, 8, 0, 0, tzinfo=UTC)
    assert expiries(planned) == [planned.expires_at]
    assert [alarm.deadline for alarm in planned.alarms] == [CONSENT_WINDOW, CONSENT_WINDOW]


def test_the_consent_window_in_summer_uses_british_summer_time() -> None:
    offered = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # Monday
    planned = plan(CONSENT_WINDOW, offered)
    assert planned.due == date(2026, 6, 15)
    assert reminders(planned) == [datetime(2026, 6, 8, 8, 0, tzinfo=UTC)]  # 09:00 BST
    assert planned.expires_at == datetime(2026, 6, 15, 23, 0, tzinfo=UTC)  # midnight BST
    assert planned.expires_at.utcoffset() == BST


def test_the_clock_starts_on_the_date_in_england() -> None:
    # 23:30 UTC on Sunday 31 May is 00:30 on Monday 1 June in England.
    planned = plan(CONSENT_WINDOW, datetime(2026, 5, 31, 23, 30, tzinfo=UTC))
    assert planned.due == date(2026, 6, 15)


def test_expiry_across_the_clocks_going_back() -> None:
    # Clocks go back on Sunday 25 October 2026: reminder in BST, expiry in GMT.
    planned = plan(CONSENT_WINDOW, datetime(2026, 10, 19, 10, 0, tzinfo=UTC))
    assert planned.due == date(2026, 11, 2)
    assert reminders(planned) == [at_london(date(2026, 10, 26), 9, GMT)]
    assert planned.expires_at == at_london(date(2026, 11, 3), 0, GMT)
    planned = plan(CONSENT_WINDOW, datetime(2026, 10, 5, 10, 0, tzinfo=UTC))
    assert reminders(planned) == [at_london(date(2026, 10, 12), 9, BST)]
    assert planned.expires_at == at_london(date(2026, 10, 20), 0, BST)


def test_talks_review_is_15_working_days_without_reminder() -> None:
    planned = plan(TALKS_REVIEW, datetime(2026, 12, 14, 10, 0, tzinfo=UTC))
    assert planned.due == date(2027, 1, 7)  # 14 Dec + 15 working days, three holidays skipped
    assert reminders(planned) == []
    assert expiries(planned) == [at_london(date(2027, 1, 8), 0, GMT)]


def test_session_arrangement_counts_30_calendar_days_with_a_reminder_at_20() -> None:
    agreed = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    planned = plan(SESSION_ARRANGEMENT, agreed)
    assert (planned.due, planned.working_days) == (date(2026, 12, 31), False)
    assert reminders(planned) == [at_london(date(2026, 12, 21), 9, GMT)]
    assert planned.alarms[0].working_days_before is None


def test_the_session_reminder_is_two_working_days_before_and_nothing_expires() -> None:
    scheduled = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    session_at = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # Monday after New Year
    planned = plan(SESSION, scheduled, start=session_at)
    assert planned.due == date(2027, 1, 4)
    # 31 December is one working day before (1 January is a holiday), 30 December two.
    assert reminders(planned) == [at_london(date(2026, 12, 30), 9, GMT)]
    assert planned.alarms[0].working_days_before == 2
    assert expiries(planned) == []


def test_outcome_deadlines_count_working_days_from_the_session() -> None:
    scheduled = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    session_at = datetime(2026, 12, 23, 10, 0, tzinfo=UTC)  # Wednesday before Christmas
    assert plan(OUTCOME_RECORD, scheduled, start=session_at).due == date(2026, 12, 29)
    assert plan(WRITTEN_OUTCOME, scheduled, start=session_at).due == date(2027, 1, 4)


def test_an_agreed_action_defaults_to_14_calendar_days_with_a_reminder() -> None:
    recorded = datetime(2027, 3, 16, 12, 0, tzinfo=UTC)
    planned = plan(action_deadline(1), recorded)
    assert (planned.name, planned.due, planned.working_days) == ("action-1", date(2027, 3, 30), False)
    # 2 working days before Tuesday 30 March, over Easter: Thursday 25th and Wednesday 24th.
    assert reminders(planned) == [at_london(date(2027, 3, 24), 9, GMT)]


def test_an_agreed_action_keeps_its_own_due_date() -> None:
    planned = plan(action_deadline(3), datetime(2027, 3, 16, 12, 0, tzinfo=UTC), due=date(2027, 4, 20))
    assert planned.due == date(2027, 4, 20)
    assert reminders(planned) == [at_london(date(2027, 4, 16), 9, BST)]


def test_appeal_warnings_come_20_and_5_working_days_before() -> None:
    opened = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    appeal = date(2027, 1, 29)  # Friday
    planned = plan(APPEAL, opened, due=appeal)
    assert planned.due == appeal
    warnings = [(a.at, a.working_days_before) for a in planned.alarms if a.purpose is AlarmPurpose.reminder]
    # 19 working days in January before the 29th (New Year's Day is not one), then 31 December.
    assert warnings == [(at_london(date(2026, 12, 31), 9, GMT), 20), (at_london(date(2027, 1, 22), 9, GMT), 5)]
    assert expiries(planned) == [at_london(date(2027, 1, 30), 0, GMT)]


# --- Statutory mediation's periods (SEND Regulations 2014; sources in domain/mediation.py) -------------


def test_a_certificate_is_due_3_working_days_after_the_adviser_is_told() -> None:
    # Told Wed 23 Dec 2026: Thu 24 (1); 25-28 Christmas, weekend, Boxing Day observed; Tue 29 (2), Wed 30 (3).
    planned = plan(CERTIFICATE, datetime(2026, 12, 23, 15, 0, tzinfo=UTC))
    assert (planned.due, planned.working_days) == (date(2026, 12, 30), True)
    assert reminders(planned) == [] and expiries(planned) == [at_london(date(2026, 12, 31), 0, GMT)]


def test_health_commissioners_are_told_within_3_working_days() -> None:
    # The LA hears on Thu 31 Dec 2026: 1 January and the weekend pass; Mon 4 (1), Tue 5 (2), Wed 6 Jan (3).
    planned = plan(HEALTH_NOTICE, datetime(2027, 1, 4, 10, 0, tzinfo=UTC), start_day=date(2026, 12, 31))
    assert (planned.due, planned.working_days) == (date(2027, 1, 6), True)


def test_mediation_is_arranged_within_30_calendar_days_with_a_reminder_20_days_in() -> None:
    planned = plan(MEDIATION_ARRANGEMENT, datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    assert (planned.due, planned.working_days) == (date(2026, 12, 31), False)
    # 20 calendar days after the start, not 20 before the end (11 December) nor 20 working days.
    assert reminders(planned) == [at_london(date(2026, 12, 21), 9, GMT)]
    assert expiries(planned) == [at_london(date(2027, 1, 1), 0, GMT)]


def test_notice_of_the_session_is_due_5_working_days_before_and_never_expires() -> None:
    # Session Mon 4 Jan 2027: back over Thu 31 (1), Wed 30 (2), Tue 29 (3), then Christmas and the
    # weekend, Thu 24 (4), Wed 23 Dec 2026 (5).
    planned = plan(SESSION_NOTICE, datetime(2026, 12, 1, 15, 0, tzinfo=UTC), start=datetime(2027, 1, 4, 10, 0, tzinfo=UTC))
    assert (planned.due, planned.working_days) == (date(2026, 12, 23), True)
    assert planned.alarms == []


def test_alarms_are_in_time_order() -> None:
    planned = plan(APPEAL, datetime(2026, 11, 2, 10, 0, tzinfo=UTC), due=date(2027, 1, 29))
    times = [alarm.at for alarm in planned.alarms]
    assert times == sorted(times) and len(times) == 3


def test_reminders_already_past_are_dropped() -> None:
    now = datetime(2027, 1, 14, 10, 0, tzinfo=UTC)
    planned = plan(APPEAL, now, due=date(2027, 1, 29))  # 20 working days before was 31 December
    assert [a.working_days_before for a in planned.alarms if a.purpose is AlarmPurpose.reminder] == [5]


def test_a_reminder_due_later_today_is_kept() -> None:
    planned = plan(CONSENT_WINDOW, datetime(2027, 1, 11, 8, 59, tzinfo=UTC), start=datetime(2027, 1, 4, 8, 0, tzinfo=UTC))
    assert reminders(planned) == [datetime(2027, 1, 11, 9, 0, tzinfo=UTC)]
    planned = plan(CONSENT_WINDOW, datetime(2027, 1, 11, 9, 0, tzinfo=UTC), start=datetime(2027, 1, 4, 8, 0, tzinfo=UTC))
    assert reminders(planned) == []


def test_an_expiry_already_past_is_kept_so_it_rings_at_once() -> None:
    now = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)
    planned = plan(APPEAL, now, due=date(2027, 1, 29))
    assert [a.purpose for a in planned.alarms] == [AlarmPurpose.expiry]
    assert planned.alarms[0].at < now


def test_extending_by_working_days_counts_from_the_current_due_date() -> None:
    now = datetime(2026, 12, 22, 10, 0, tzinfo=UTC)
    planned = plan(CONSENT_WINDOW, now, due=date(2026, 12, 23), extend_by=3)
    assert planned.due == date(2026, 12, 30)  # 24, 29, 30 December
    assert planned.expires_at == at_london(date(2026, 12, 31), 0, GMT)


def test_extending_a_calendar_day_deadline_counts_calendar_days() -> None:
    now = datetime(2026, 12, 22, 10, 0, tzinfo=UTC)
    assert plan(SESSION_ARRANGEMENT, now, due=date(2026, 12, 23), extend_by=3).due == date(2026, 12, 26)
    assert plan(action_deadline(2), now, due=date(2026, 12, 23), extend_by=3).due == date(2026, 12, 26)


def test_extending_to_a_date_uses_that_date() -> None:
    now = datetime(2026, 12, 22, 10, 0, tzinfo=UTC)
    planned = plan(CONSENT_WINDOW, now, due=date(2027, 1, 15))
    assert planned.due == date(2027, 1, 15)
    assert planned.expires_at == at_london(date(2027, 1, 16), 0, GMT)


def test_a_replanned_deadline_never_reminds_after_it_is_due() -> None:
    # Extended on day 25 of 30 by 3 days: the reminder "20 days after the start" counted from the
    # extension would come after the new due date. A reminder is ahead of its deadline or not at all.
    now = datetime(2026, 12, 26, 10, 0, tzinfo=UTC)
    planned = plan(SESSION_ARRANGEMENT, now, due=date(2026, 12, 31), extend_by=3)
    assert planned.due == date(2027, 1, 3)
    assert all(at <= planned.expires_at for at in reminders(planned)), reminders(planned)
    consent = plan(CONSENT_WINDOW, datetime(2027, 1, 18, 10, 0, tzinfo=UTC), due=date(2027, 1, 19), extend_by=1)
    assert all(at <= consent.expires_at for at in reminders(consent)), reminders(consent)


def test_an_unknown_deadline_cannot_be_planned() -> None:
    with pytest.raises(ValueError, match="no deadline called 'hearing'"):
        plan("hearing", datetime(2026, 12, 1, tzinfo=UTC))


# --- Policy from settings ---------------------------------------------------------------------------


def test_settings_override_the_deadline_policy() -> None:
    policy = Settings(
        consent_window_working_days=3,
        consent_reminder_working_days=1,
        talks_review_working_days=2,
        session_arrangement_days=10,
        session_arrangement_reminder_days=4,
        session_reminder_working_days=1,
        action_default_days=7,
        appeal_warning_working_days=[3, 10],
    ).deadline_policy
    offered = datetime(2026, 12, 22, 10, 0, tzinfo=UTC)
    consent = plan(CONSENT_WINDOW, offered, policy)
    assert consent.due == date(2026, 12, 29)  # 23, 24, 29 December
    assert reminders(consent) == [at_london(date(2026, 12, 23), 9, GMT)]
    assert plan(TALKS_REVIEW, offered, policy).due == date(2026, 12, 24)
    arrangement = plan(SESSION_ARRANGEMENT, offered, policy)
    assert (arrangement.due, reminders(arrangement)) == (date(2027, 1, 1), [at_london(date(2026, 12, 26), 9, GMT)])
    assert plan(action_deadline(1), offered, policy).due == date(2026, 12, 29)
    session = plan(SESSION, offered, policy, start=datetime(2027, 1, 5, 10, 0, tzinfo=UTC))
    assert reminders(session) == [at_london(date(2027, 1, 4), 9, GMT)]
    appeal = plan(APPEAL, offered, policy, due=date(2027, 1, 29))
    assert [a.working_days_before for a in appeal.alarms if a.purpose is AlarmPurpose.reminder] == [10, 3]


def test_default_settings_give_the_documented_defaults() -> None:
    assert Settings().deadline_policy == DeadlinePolicy()
    assert DeadlinePolicy().consent_window_working_days == 10
    assert DeadlinePolicy().appeal_warning_working_days == (20, 5)


@pytest.mark.parametrize("reminder", [10, 12])
def test_settings_reject_a_consent_reminder_not_before_the_window_ends(reminder: int) -> None:
    with pytest.raises(ValidationError, match="DISAGREEMENT_CONSENT_REMINDER_WORKING_DAYS"):
        Settings(consent_window_working_days=10, consent_reminder_working_days=reminder)


@pytest.fixture
def fresh_settings():
    load_settings.cache_clear()
    yield load_settings
    load_settings.cache_clear()


def test_a_bad_reminder_in_the_environment_stops_start_up_naming_the_variable(monkeypatch, fresh_settings) -> None:
    monkeypatch.setenv("DISAGREEMENT_CONSENT_WINDOW_WORKING_DAYS", "6")
    monkeypatch.setenv("DISAGREEMENT_CONSENT_REMINDER_WORKING_DAYS", "8")
    with pytest.raises(SettingsError, match="DISAGREEMENT_CONSENT_REMINDER_WORKING_DAYS"):
        fresh_settings()


def test_a_policy_in_the_environment_is_used(monkeypatch, fresh_settings) -> None:
    monkeypatch.setenv("DISAGREEMENT_CONSENT_WINDOW_WORKING_DAYS", "6")
    monkeypatch.setenv("DISAGREEMENT_CONSENT_REMINDER_WORKING_DAYS", "2")
    policy = fresh_settings().deadline_policy
    assert plan(CONSENT_WINDOW, datetime(2026, 12, 21, 10, 0, tzinfo=UTC), policy).due == date(2026, 12, 31)


def test_every_deadline_rule_has_a_setting() -> None:
    assert set(DeadlinePolicy.model_fields) <= set(Settings.model_fields)
    assert Settings(action_default_days=21, talks_review_working_days=3).deadline_policy.model_dump() == {
        **DeadlinePolicy().model_dump(), "action_default_days": 21, "talks_review_working_days": 3,
    }
