"""The case page as work (DESIGN section 13): the next step and the console action that does it,
the warnings an officer must not miss, and the route's stages as a GOV.UK task list.

Read from the case view alone, with `domain.next_step` for the step and `domain.words` for the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.calendar import WorkingCalendar
from domain.deadlines import CERTIFICATE
from domain.models import (
    AssignMediator, CaseStage, CaseView, CompleteAction, DeliveryStatus, IssueCertificate, RecordCallback, RecordChoice,
    RecordConsent, RecordOutcome, RecordTalk, Route, ScheduleSession, StaffAction,
)
from domain.next_step import NextStep, next_step
from domain.words import long_date, owner_words, template_words
from web.forms import ACTION_FORMS, ActionForm
from web.presenters import deadline_rows

# The console form that sends each staff request a next step may name (web/forms.py ACTION_FORMS).
FORM_SLUGS: dict[type[StaffAction], str] = {
    RecordTalk: "talk", RecordConsent: "consent", AssignMediator: "mediator", ScheduleSession: "session",
    RecordOutcome: "outcome", CompleteAction: "action-done", IssueCertificate: "certificate", RecordChoice: "choose",
    RecordCallback: "callback",
}
# The family's right to appeal: HESC Rules 2008 r.20(1)(c), the day moved by r.12. Officers are warned
# within 10 working days of it (issue 19), before the family's own warnings (domain.deadlines).
APPEAL_WARNING_WORKING_DAYS = 10
_CALENDAR = WorkingCalendar()


def page_parts(case: CaseView, today: date, may) -> dict:
    """What the case page shows beyond the case view itself, for its template."""
    return {
        "next_step": next_step_banner(case, today, may), "case_warnings": warnings(case, today),
        "stage_tasks": stage_tasks(case), "deadlines": deadline_rows(case, today),
    }


@dataclass(frozen=True)
class NextStepBanner:
    heading: str  # "Next: record the session outcome by 7 December 2026"
    waiting: str  # "Waiting for the Local Authority." or ""
    form: ActionForm | None  # the console action that does it, when this officer may take it now


def next_step_banner(case: CaseView, today: date, may) -> NextStepBanner | None:
    """The banner at the top of the case page; `may(act)` says whether the signed-in staff member's
    role allows an action."""
    step = next_step(case, today)
    if step is None:
        return None
    when = ""
    if step.due is not None:
        when = f": it was due {long_date(step.due)}" if step.overdue else f" by {long_date(step.due)}"
    form = form_for(step, case)
    return NextStepBanner(
        heading=f"Next: {step.what}{when}",
        waiting=f"Waiting for {_in_a_sentence(step.waiting_for)}." if step.waiting_for else "",
        form=form if form is not None and may(form.act) else None,
    )


def form_for(step: NextStep, case: CaseView) -> ActionForm | None:
    """The console form that takes the step, if the case offers it now."""
    slug = FORM_SLUGS.get(step.action) if step.action else None
    form = ACTION_FORMS.get(slug) if slug else None
    return form if form is not None and form.offered(case) else None


def _in_a_sentence(who: str) -> str:
    """"The Local Authority" inside a sentence: "the Local Authority"; a name stays as written."""
    return "the" + who[3:] if who.startswith("The ") else who


# --- Warnings -------------------------------------------------------------------------------------


def warnings(case: CaseView, today: date) -> list[str]:
    """What the officer must not miss, in words: the case's own warnings (a late opening, a later
    certificate, the end of compulsory school age), the family's appeal deadline passed or near, a
    certificate owed, and every message not delivered."""
    found = list(case.warnings)
    if (appeal := _appeal_warning(case, today)) is not None:
        found.append(appeal)
    certificate = next((d for d in case.deadlines if d.name == CERTIFICATE and d.owed), None)
    if certificate is not None:
        # CFA 2014 s.55(4), (5): the family needs it to appeal (unless only the school is in issue).
        verb = "was due" if certificate.due < today else "is due"
        owner = owner_words(certificate.owed_by)
        found.append(
            f"A mediation certificate is owed: {_in_a_sentence(owner)} must issue it. It {verb} {long_date(certificate.due)}."
        )
    names = {party.id: party.name for party in case.parties}
    for notice in case.notifications:
        if notice.status is DeliveryStatus.failed:
            to = owner_words(notice.to, names)
            reason = f": {notice.reason}" if notice.reason else ""
            found.append(f"The message '{template_words(notice.template)}' to {_in_a_sentence(to)} was not delivered{reason}.")
    return found


def _appeal_warning(case: CaseView, today: date) -> str | None:
    """The family's appeal deadline while nobody has said what they did: passed, or within 10
    working days (HESC Rules 2008 r.20(1)(c); by 5pm on the day, r.12(1))."""
    due = case.appeal_deadline
    if due is None or case.appeal_status is not None:
        return None
    if due < today:
        return (
            f"The family's appeal deadline, {long_date(due)}, has passed. The Tribunal may still extend the time "
            "(HESC Rules 2008 r.5(3)(a))."
        )
    left = _CALENDAR.working_days_between(today, due)
    if left > APPEAL_WARNING_WORKING_DAYS:
        return None
    when = "today" if due == today else f"in {left} working day{'s' if left != 1 else ''}"
    return (
        f"The family's appeal deadline is {long_date(due)} by 5pm, {when} (HESC Rules 2008 r.20(1)(c) and r.12)."
    )


# --- Stages as a task list --------------------------------------------------------------------------

COMPLETED, IN_PROGRESS, NOT_YET_STARTED, CANNOT_START_YET = "Completed", "In progress", "Not yet started", "Cannot start yet"
NOT_NEEDED, NOT_COMPLETED = "Not needed", "Not completed"  # a closed case's stages it never reached, or left


@dataclass(frozen=True)
class Task:
    name: str
    status: str


def stage_tasks(case: CaseView) -> list[Task]:
    """The route's stages, each with its status in words (GOV.UK task list). A stage is completed once
    the case has moved past it, in progress while the case is in it; the next one has not yet
    started and those after it cannot start yet; stages the case's path leaves out are not needed."""
    events = {entry.event for entry in case.timeline}
    closed = case.stage is CaseStage.closed
    held = "outcome_recorded" in events
    if case.route is Route.mediation:
        chose = {"mediation_chosen", "mediation_declined"} & events
        declined = "mediation_declined" in events
        certificate_due = any(d.name == CERTIFICATE for d in case.deadlines) or case.certificate is not None
        stages = [
            ("The family's choice", bool(chose), bool(chose), False),
            ("Arranging mediation", "mediation_chosen" in events, case.session is not None or "cannot_arrange" in events,
             declined),
            ("Mediation", case.session is not None, held, declined or "cannot_arrange" in events and not case.session),
            ("The mediation certificate", certificate_due,
             certificate_due and not any(d.name == CERTIFICATE and d.owed for d in case.deadlines), bool(case.school_only)),
            ("Following up what was agreed", bool(case.actions), bool(case.actions) and all(a.done for a in case.actions),
             declined or (held and not case.actions)),
        ]
    else:
        offered = "resolution_offered" in events
        agreed = any(d.name == "session_arrangement" for d in case.deadlines)
        stages = [
            ("Informal talks", True, offered or case.stage is not CaseStage.informal_talks, False),
            ("Every party's consent", offered, agreed, False),
            ("Arranging the session", agreed, case.session is not None, False),
            ("The session", case.session is not None, held, False),
            ("Following up what was agreed", bool(case.actions), bool(case.actions) and all(a.done for a in case.actions),
             held and not case.actions),
        ]
    tasks, started = [], False
    for name, reached, done, not_needed in stages:
        if done:
            status = COMPLETED
        elif not_needed or (closed and not reached):
            status = NOT_NEEDED
        elif reached:
            status = NOT_COMPLETED if closed else IN_PROGRESS
        elif not started:
            status, started = NOT_YET_STARTED, True
        else:
            status = CANNOT_START_YET
        tasks.append(Task(name, status))
    return tasks
