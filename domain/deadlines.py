"""Deadline policy: how long each stage may take and when people are reminded.

The numbers are the defaults of DOMAIN.md ("Defaults for disagreement resolution"), overridable in
settings. Planning turns a rule into a due date and the alarms that will ring for it:
reminders at 09:00 in England on their day, and the expiry at midnight after the due date.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from enum import StrEnum

from pydantic import AwareDatetime

from domain.calendar import WorkingCalendar, london_date, london_time
from domain.duties import (  # noqa: F401  (re-exported: the deadlines are the duties by name)
    ACTION_PREFIX, AGREEMENT_NOTICE, APPEAL, CALLBACK_PREFIX, CERTIFICATE, CONSENT_WINDOW, HEALTH_NOTICE,
    MEDIATION_ARRANGEMENT, OUTCOME_RECORD, SESSION_ARRANGEMENT, TALKS_REVIEW, WRITTEN_OUTCOME,
)
from domain.models import Model

REMINDER_TIME = time(9, 0)

# Not a deadline of its own: the date of the session, which carries the session reminder.
SESSION = "session"
# Not a deadline of its own: the end of the child's compulsory school age, when the officer is told.
SCHOOL_AGE = "school_age"
# Reg 42(4): the commissioning body tells the LA of an agreement it was not a party to.
AGREEMENT_NOTICE_DAYS = 7
# Not a deadline of its own: the last day notice of the session may be given (5 working days before).
SESSION_NOTICE = "session_notice"
# The law's periods, not policy (SEND Regs 2014; see domain/mediation.py for each source).
CERTIFICATE_WORKING_DAYS = 3
HEALTH_NOTICE_WORKING_DAYS = 3
MEDIATION_ARRANGEMENT_DAYS = 30
SESSION_NOTICE_WORKING_DAYS = 5


def action_deadline(number: int) -> str:
    return f"{ACTION_PREFIX}{number}"


def callback_deadline(number: int) -> str:
    return f"{CALLBACK_PREFIX}{number}"


class AlarmPurpose(StrEnum):
    reminder = "reminder"  # ahead of the due date, to whoever still has to act
    expiry = "expiry"  # the due date has passed


class Alarm(Model):
    deadline: str
    purpose: AlarmPurpose
    at: AwareDatetime
    working_days_before: int | None = None  # for reminders counted back from the due date


class ReminderRule(Model):
    days: int
    working: bool
    after_start: bool  # counted from the start of the clock, else back from the due date


class DeadlineRule(Model):
    days: int
    working: bool
    reminders: tuple[ReminderRule, ...] = ()
    expires: bool = True


class PlannedDeadline(Model):
    name: str
    due: date
    expires_at: AwareDatetime  # midnight in England after the due date
    working_days: bool
    alarms: list[Alarm]


class DeadlinePolicy(Model):
    talks_review_working_days: int = 15
    consent_window_working_days: int = 10
    consent_reminder_working_days: int = 5
    session_arrangement_days: int = 30
    session_arrangement_reminder_days: int = 20
    session_reminder_working_days: int = 2
    outcome_record_working_days: int = 2
    written_outcome_working_days: int = 5
    action_default_days: int = 14
    action_reminder_working_days: int = 2
    appeal_warning_working_days: tuple[int, ...] = (20, 5)
    mediation_arrangement_reminder_days: int = 20
    # [policy] a service standard, not law: a party who asks is called back within 2 working days.
    callback_working_days: int = 2

    def rule(self, name: str) -> DeadlineRule:
        if name.startswith(ACTION_PREFIX):
            return DeadlineRule(
                days=self.action_default_days,
                working=False,
                reminders=(ReminderRule(days=self.action_reminder_working_days, working=True, after_start=False),),
            )
        if name.startswith(CALLBACK_PREFIX):
            return DeadlineRule(days=self.callback_working_days, working=True)
        if name == TALKS_REVIEW:
            return DeadlineRule(days=self.talks_review_working_days, working=True)
        if name == CONSENT_WINDOW:
            return DeadlineRule(
                days=self.consent_window_working_days,
                working=True,
                reminders=(ReminderRule(days=self.consent_reminder_working_days, working=True, after_start=True),),
            )
        if name == SESSION_ARRANGEMENT:
            return DeadlineRule(
                days=self.session_arrangement_days,
                working=False,
                reminders=(ReminderRule(days=self.session_arrangement_reminder_days, working=False, after_start=True),),
            )
        if name == OUTCOME_RECORD:
            return DeadlineRule(days=self.outcome_record_working_days, working=True)
        if name == WRITTEN_OUTCOME:
            return DeadlineRule(days=self.written_outcome_working_days, working=True)
        if name == APPEAL:
            return DeadlineRule(
                days=0,
                working=False,
                reminders=tuple(
                    ReminderRule(days=days, working=True, after_start=False)
                    for days in self.appeal_warning_working_days
                ),
            )
        if name == CERTIFICATE:
            return DeadlineRule(days=CERTIFICATE_WORKING_DAYS, working=True)
        if name == HEALTH_NOTICE:
            return DeadlineRule(days=HEALTH_NOTICE_WORKING_DAYS, working=True)
        if name == MEDIATION_ARRANGEMENT:
            return DeadlineRule(
                days=MEDIATION_ARRANGEMENT_DAYS,
                working=False,
                reminders=(
                    ReminderRule(days=self.mediation_arrangement_reminder_days, working=False, after_start=True),
                ),
            )
        if name == SESSION_NOTICE:
            return DeadlineRule(days=-SESSION_NOTICE_WORKING_DAYS, working=True, expires=False)
        if name == AGREEMENT_NOTICE:
            return DeadlineRule(days=AGREEMENT_NOTICE_DAYS, working=False)
        if name == SCHOOL_AGE:  # the officer is told on the day itself
            return DeadlineRule(
                days=0, working=False, reminders=(ReminderRule(days=0, working=False, after_start=False),), expires=False,
            )
        if name == SESSION:
            return DeadlineRule(
                days=0,
                working=False,
                reminders=(ReminderRule(days=self.session_reminder_working_days, working=True, after_start=False),),
                expires=False,
            )
        raise ValueError(f"there is no deadline called {name!r}")


class DeadlineRequest(Model):
    """Ask for a deadline to be planned (or re-planned).

    The clock starts on the date in England at `start` (default `now`). A given `due` is used as it
    is, or moved on by `extend_by` days of the deadline's own kind (working or calendar).
    Reminders that would ring before `now` are left out; an expiry already past rings at once.
    """

    name: str
    now: AwareDatetime
    start: AwareDatetime | None = None
    start_day: date | None = None  # or the clock starts on this date in England (a date staff gave)
    days: int | None = None  # the period the law gives this one (e.g. a reg 44 period), in place of the rule's
    due: date | None = None
    extend_by: int | None = None


def plan_deadline(request: DeadlineRequest, policy: DeadlinePolicy, calendar: WorkingCalendar) -> PlannedDeadline:
    rule = policy.rule(request.name)
    start = request.start_day or london_date(request.start or request.now)
    if request.due is None:
        due = calendar.add_days(start, rule.days if request.days is None else request.days, working=rule.working)
    elif request.extend_by is not None:
        due = calendar.add_days(request.due, request.extend_by, working=rule.working)
    else:
        due = request.due

    alarms = []
    for reminder in rule.reminders:
        if reminder.after_start:
            day = calendar.add_days(start, reminder.days, working=reminder.working)
        else:
            day = calendar.add_days(due, -reminder.days, working=reminder.working)
        if day > due:
            continue  # counted from a late start (a re-planned deadline): a reminder comes before, or not at all
        alarms.append(
            Alarm(
                deadline=request.name,
                purpose=AlarmPurpose.reminder,
                at=london_time(day, REMINDER_TIME),
                working_days_before=None if reminder.after_start else reminder.days,
            )
        )
    expires_at = london_time(due + timedelta(days=1), time(0, 0))
    if rule.expires:
        alarms.append(Alarm(deadline=request.name, purpose=AlarmPurpose.expiry, at=expires_at))
    now = request.now
    return PlannedDeadline(
        name=request.name,
        due=due,
        expires_at=expires_at,
        working_days=rule.working,
        alarms=sorted(
            (alarm for alarm in alarms if alarm.at > now or alarm.purpose is AlarmPurpose.expiry),
            key=lambda alarm: alarm.at,
        ),
    )


class AppealRequest(Model):
    """Ask for the appeal deadline to be computed from the decision (and any certificate)."""

    now: AwareDatetime
    decision_date: date
    certificate_date: date | None = None  # None for DR and for a school_only mediation


class AppealPlan(Model):
    deadline: PlannedDeadline
    steps: list[str]  # how the date was worked out, for the timeline


def is_known_deadline(name: str) -> bool:
    return name in {
        TALKS_REVIEW, CONSENT_WINDOW, SESSION_ARRANGEMENT, OUTCOME_RECORD, WRITTEN_OUTCOME, APPEAL,
        CERTIFICATE, HEALTH_NOTICE, MEDIATION_ARRANGEMENT, AGREEMENT_NOTICE,
    } or any(
        name.startswith(prefix) and name[len(prefix):].isdigit() for prefix in (ACTION_PREFIX, CALLBACK_PREFIX)
    )
