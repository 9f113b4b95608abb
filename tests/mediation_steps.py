"""Statutory mediation driven on the domain alone, step for step as `workflows.mediation.MediationCase`
(and the shared `workflows.machinery.CaseWorkflow`) drives it: check the action (the update's
validator), plan the deadlines the domain asks for with the workflow's own planning activity (the
real `domain.deadlines.plan_deadline` on England's calendar), apply the action, and queue what it
announces as notification records. Nothing runs on a server, so the fast tests and `make mutate`
can use it.

Times are the caller's `now`; "today" is its date in England, as `today_in_england()` gives it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from datetime import date, datetime
from typing import Any, TypeVar

import pytest

from activities.deadlines import DeadlineActivities
from domain.calendar import WorkingCalendar, london_date
from domain.case import NotificationRecord, RuleViolation
from domain.deadlines import (
    SESSION,
    SESSION_NOTICE,
    AppealPlan,
    AppealRequest,
    DeadlinePolicy,
    DeadlineRequest,
    PlannedDeadline,
)
from domain.mediation import Mediation
from domain.models import (
    AddNote,
    AssignMediator,
    CompleteAction,
    DeliveryStatus,
    ExtendDeadline,
    IssueCertificate,
    ProposeSlots,
    RecordAppealStatus,
    RecordAvailability,
    RecordCallback,
    RecordChoice,
    RecordOutcome,
    ReportCannotArrange,
    RequestCallback,
    ScheduleSession,
    StaffAction,
    Withdraw,
)
from domain.notifications import MEDIATOR, Announcement, Template, notice_key
from tests.journeys import open_mediation

T = TypeVar("T")
REFERENCE = "MD-2026-STEPS1"  # what `open_on_the_rules` calls a case unless told otherwise
CALENDAR = WorkingCalendar()  # England's bank holidays, as the worker has them
PLANNING = DeadlineActivities(DeadlinePolicy(), CALENDAR)  # the workflow's planning activities, run here
# The workflow's own refusal when the calendar (bank holidays included) finds less than 5 working
# days' notice; the update's validator counts weekdays only (`Mediation.check_schedule_session`).
SHORT_NOTICE = (
    "the family must have at least 5 working days' notice: for this date, notice was due by {due}; book a "
    "later date, or record that they consented to shorter notice"
)


def answer(planning: Coroutine[None, None, T]) -> T:
    """The planning activity's answer: it never waits, so one step of the coroutine finishes it."""
    try:
        planning.send(None)
    except StopIteration as finished:
        return finished.value
    raise AssertionError("a planning activity waited")


def plan(request: DeadlineRequest) -> PlannedDeadline:
    """One `DeadlineRequest` planned as the workflow's activity plans it (`plan_deadline`, England)."""
    return answer(PLANNING.plan_deadline(request))


def plan_each(requests: Iterable[DeadlineRequest]) -> list[PlannedDeadline]:
    """What the domain asked an action to plan, in its order (the workflow's `_plan_each`)."""
    return [plan(request) for request in requests]


def planned(name: str, now: datetime, **when: Any) -> PlannedDeadline:
    """The deadline `name` planned at `now`; `when` as `DeadlineRequest` takes it (start, start_day,
    days, due, extend_by)."""
    return plan(DeadlineRequest(name=name, now=now, **when))


def appeal_plan(case: Mediation, now: datetime, certificate: date | None) -> AppealPlan:
    """The appeal clock worked out as the workflow's activity does: from the decision and, when it
    counts, the certificate."""
    request = AppealRequest(now=now, decision_date=case.opened.decision_date, certificate_date=certificate)
    return answer(PLANNING.plan_appeal_deadline(request))


def send(case: Mediation, announcements: Iterable[Announcement]) -> list[Announcement]:
    """Queue what the domain announced as the workflow's `_notify` does: one record per recipient,
    keyed by event and recipient, none to a mediator not yet assigned, none twice. Returns the
    announcements, for the test to compare."""
    told = list(announcements)
    known = {record.key for record in case.notifications}
    for announcement in told:
        for recipient in announcement.to:
            if recipient == MEDIATOR and case.mediator is None:
                continue
            key = notice_key(case.reference, announcement.event or announcement.template.value, recipient)
            if key not in known:
                known.add(key)
                case.notifications.append(NotificationRecord(key=key, to=recipient, template=announcement.template.value))
    return told


def deliver(case: Mediation, template: Template, now: datetime, *, to: Iterable[str] | None = None) -> None:
    """Messages of `template` still pending (to every recipient, or only to `to`) are delivered: each
    is recorded as sent and the case told, one delivery at a time, as the workflow's `_delivered`
    does (a notice the law asks for meets its duty once it has gone to every recipient)."""
    recipients = None if to is None else set(to)
    for record in case.notifications:
        if record.template != template.value or record.status is not DeliveryStatus.pending:
            continue
        if recipients is not None and record.to not in recipients:
            continue
        record.status = DeliveryStatus.sent
        case.notice_delivered(record.template, now)


def open_case(decided: date, now: datetime, reference: str = REFERENCE, **overrides: Any) -> tuple[Mediation, list[Announcement]]:
    """Open a case as `MediationCase._open` does, and say what the opening announced: check it,
    work out the appeal clock, plan what opening asks for (the end of compulsory school age), then
    announce (late opening, a child already past school age)."""
    case = Mediation.open(reference, open_mediation(decided, **overrides), now)
    case.check_open(london_date(now))
    case.set_appeal(appeal_plan(case, now, certificate=None), now)
    for deadline in plan_each(case.plan_opening(now)):
        case.set_deadline(deadline)
    return case, send(case, case.announce_opening(now, london_date(now)))


def open_on_the_rules(decided: date, now: datetime, **overrides: Any) -> Mediation:
    """Open a case as the workflow does (`open_case`), for a test that needs only the case."""
    return open_case(decided, now, **overrides)[0]


def apply(case: Mediation, request: StaffAction, now: datetime) -> list[Announcement]:
    """One staff action as `MediationCase`'s update does it: check (raising `RuleViolation` with the
    refusal's words, having changed nothing), plan what the domain asks for, apply, and queue what
    it announces. Returns the announcements."""
    today = london_date(now)
    match request:
        case RecordChoice():
            case.check_record_choice(request, today)
            if case.repeats(request):
                return []
            choice = plan_each(case.plan_choice(request, now, today))
            return send(case, case.record_choice(request, choice, now, today))
        case IssueCertificate():
            case.check_issue_certificate(request, today)
            issued = request.issued_on or today
            appeal = appeal_plan(case, now, issued) if case.certificate_moves_appeal() else None
            return send(case, case.issue_certificate(request, appeal, now, today))
        case ReportCannotArrange():
            case.check_report_cannot_arrange(request, today)
            certificate = plan_each(case.plan_cannot_arrange(request, now, today))
            return send(case, case.report_cannot_arrange(request, certificate, now))
        case ScheduleSession():
            case.check_schedule_session(request, now)
            notice = planned(SESSION_NOTICE, now, start=request.at)
            if not request.short_notice_agreed and today > notice.due:
                raise RuleViolation(SHORT_NOTICE.format(due=notice.due.isoformat()))
            reminder = planned(SESSION, now, start=request.at)
            told = case.schedule_session(request, now)
            case.set_deadline(reminder)
            return send(case, told)
        case RecordOutcome():
            case.check_record_outcome(request, now)
            outcome = plan_each(case.plan_outcome(request, now))
            return send(case, case.record_outcome(request, outcome, now))
        case Withdraw():
            case.check_withdraw(request)
            certificate = plan_each(case.plan_certificate_on_withdrawal(now))
            return send(case, case.withdraw(request, certificate, now))
        case ExtendDeadline():
            case.check_extend_deadline(request, today)
            current = case.deadline(request.deadline)
            assert current is not None
            extended = planned(request.deadline, now, due=request.until or current.due, extend_by=request.days)
            case.extend_deadline(request, extended, now)
            return []
        case AssignMediator():
            case.check_assign_mediator(request)
            return send(case, case.assign_mediator(request, now))
        case CompleteAction():
            case.check_complete_action(request)
            return send(case, case.complete_action(request, now))
        case AddNote():
            case.check_add_note(request)
            case.add_note(request, now)
            return []
        case RecordAppealStatus():
            case.check_record_appeal_status(request)
            case.record_appeal_status(request, now)
            return []
        case ProposeSlots():  # `MediationCase._check_slots_notice`: the exact count, with the calendar
            case.check_propose_slots(request, now)
            for index, at in enumerate(request.slots):
                notice = planned(SESSION_NOTICE, now, start=at)
                Mediation.check_notice(at, notice.due, today, ("slots", index), proposed=True)
            return send(case, case.propose_slots(request, now))
        case RecordAvailability():
            case.check_record_availability(request)
            return [] if case.repeats(request) else send(case, case.record_availability(request, now))
        case RequestCallback():
            case.check_request_callback(request)
            return send(case, case.request_callback(request, plan_each(case.plan_callback(request, now)), now))
        case RecordCallback():
            case.check_record_callback(request)
            case.record_callback(request, now)
            return []
    raise AssertionError(f"no mediation update takes {type(request).__name__}")


def withdraw_for_service(case: Mediation, now: datetime) -> list[Announcement]:
    """Cancellation requested in Temporal, as `MediationCase._withdraw_for_service` answers it: plan
    any certificate the family is still owed, then the service withdraws the case."""
    certificate = plan_each(case.plan_certificate_on_withdrawal(now))
    return send(case, case.withdrawn_by_service(certificate, now))


def ring_until(case: Mediation, now: datetime) -> list[Announcement]:
    """Time passes to `now`: every alarm due by then rings in order, at its own time, as the
    workflow's alarm loop rings them. Returns what they announced."""
    told: list[Announcement] = []
    while (alarm := case.next_alarm()) is not None and alarm.at <= now:
        told += send(case, case.alarm_rang(alarm, alarm.at))
    return told


def rejected(check: Callable[[], None]) -> str:
    """The words of the `RuleViolation` that `check` raises."""
    with pytest.raises(RuleViolation) as raised:
        check()
    return str(raised.value)
