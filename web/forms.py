"""What staff type into the console's forms, turned into the same domain requests the CLI sends.

Each staff action is one `ActionForm`: the update it sends, the stages it is offered at, and a
`parse` that builds the domain model (domain/models.py) from the posted fields. Anything the model
rejects comes back as `FormErrors`, one message per form field, shown in a GOV.UK error summary
before anything reaches the case. The mediation route adds its forms to `ACTION_FORMS` the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from pydantic import BaseModel, ValidationError


from domain.calendar import LONDON
from domain.case import CaseFile
from domain.resolution import Resolution
from domain.models import (
    AddNote,
    PHONE_NUMBER,
    long_date,
    FieldRuleError,
    AssignMediator,
    CaseView,
    CompleteAction,
    DeadlineState,
    ExtendDeadline,
    IssueCertificate,
    OfferResolution,
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
    Route,
    ScheduleSession,
    StaffAction,
    Withdraw,
)
from domain.deadlines import APPEAL, CERTIFICATE, callback_deadline
from domain.mediation import Mediation
from infra.identity import Act
from workflows import names

# Rows for agreed actions and organisations: a form without JavaScript cannot add rows.
ACTION_ROWS = 5
SLOT_ROWS = 6  # proposed session times: 3 to 6 (domain.models.SLOTS_MAX)
ORGANISATION_ROWS = 4

Fields = Mapping[str, str]


class FormErrors(Exception):
    """Field id -> what is wrong with it, in the order the fields appear on the page."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def build(model: type[BaseModel], where: Callable[[tuple], str], labels: Mapping[str, str], /, **data: object):
    """Make a domain request, or raise FormErrors naming the field behind each problem."""
    try:
        return model(**data)
    except ValidationError as error:
        errors: dict[str, str] = {}
        for item in error.errors():
            rule = (item.get("ctx") or {}).get("error")
            # A model-level rule names its field (domain.models.about); pydantic places it on the model.
            loc = (*item["loc"], rule.field) if isinstance(rule, FieldRuleError) else item["loc"]
            field = where(loc)  # "" when no one field fits: the problem is shown in the summary only
            label = labels.get(field, field.replace("_", " ").capitalize())
            errors.setdefault(field, problem_words(item, label))
        raise FormErrors(errors) from None


def problem_words(item: Mapping, label: str) -> str:
    """One pydantic problem as a GOV.UK error message: what to do, in words, never the library's own."""
    kind, detail = item["type"], str(item["msg"]).removeprefix("Value error, ")
    if item.get("input") in ("", [], None) and kind != "value_error":
        # Left blank: say what to do, as GOV.UK error messages do.
        verb = "Enter" if kind.startswith("string") or kind == "missing" else "Select"
        return f"{verb} {label[0].lower()}{label[1:]}"
    if kind == "value_error" and detail.startswith("value is not a valid email address"):
        # email-validator's own words ("The part after the @-sign is not valid...") are not for a page.
        return "Enter an email address in the correct format, like name@example.com"
    if kind == PHONE_NUMBER:
        return "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
    ctx = item.get("ctx") or {}
    if kind == "string_too_long":
        return f"{label} must be {ctx['max_length']} characters or fewer"
    if kind in ("greater_than_equal", "less_than_equal") and isinstance(ctx.get("ge", ctx.get("le")), date):
        bound = ctx.get("ge", ctx.get("le"))
        return f"{label} must be on or {'after' if kind == 'greater_than_equal' else 'before'} {long_date(bound)}"
    if kind in ("int_parsing", "int_type"):
        return f"{label} must be a whole number, for example 5"
    if kind in ("enum", "literal_error"):
        return f"Select {label[0].lower()}{label[1:]}"
    if not label:
        return detail[:1].upper() + detail[1:]
    return f"{label}: {detail}"


def first_field(loc: tuple) -> str:
    return str(loc[0]) if loc else ""


def text(fields: Fields, name: str) -> str | None:
    """A text field; blank is None, so that optional fields stay unset."""
    value = (fields.get(name) or "").strip()
    return value or None


def several(fields: Fields, name: str) -> list[str]:
    """Every value of a field that may be given several times (checkboxes); none left blank."""
    values = fields.getlist(name) if hasattr(fields, "getlist") else fields.get(name) or []
    return [value for value in ([values] if isinstance(values, str) else values) if value]


def day(fields: Fields, name: str, errors: dict[str, str], label: str) -> date | None:
    """A GOV.UK date input (`<name>-day`, `-month`, `-year`); blank is None."""
    parts = [(fields.get(f"{name}-{part}") or "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    try:
        d, m, y = (int(part) for part in parts)
        if y < 1000:
            raise ValueError
        return date(y, m, d)
    except ValueError:
        errors[name] = f"{label} must be a real date, for example 14 12 2026"
        return None


def whole_number(value: str, digits: int = 6) -> int | None:
    """Plain digits 0-9, at most `digits` of them, as a number; anything else None. `isdigit` and
    `int` alone take other scripts' digits, and `isdigit` takes `²`, which `int` then refuses."""
    if value.isascii() and value.isdigit() and len(value) <= digits:
        return int(value)
    return None


def clock_time(fields: Fields, name: str, errors: dict[str, str], label: str) -> time | None:
    value = (fields.get(name) or "").strip().replace(".", ":")
    if not value:
        errors[name] = f"Enter the {label}"
        return None
    try:
        return time.fromisoformat(value if len(value) > 2 else f"{int(value):02d}:00")
    except ValueError:
        errors[name] = f"{label.capitalize()} must be a time on the 24-hour clock, for example 14:30"
        return None


def choice(fields: Fields, name: str, errors: dict[str, str], message: str) -> str | None:
    value = text(fields, name)
    if value is None:
        errors[name] = message
    return value


def finish(errors: dict[str, str], order: Iterable[str], make: Callable[[], StaffAction]) -> StaffAction:
    """Raise the problems found so far (in page order) or make the request, which may add its own."""
    if errors:
        raise FormErrors({name: errors[name] for name in order if name in errors} | errors)
    return make()


# --- One form per staff action ------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionForm:
    slug: str  # the page: /cases/<reference>/<slug>
    update: str  # the workflow update it sends (workflows/names.py; the same on both routes)
    title: str  # heading and link text
    button: str
    available: Callable[[CaseView], bool]  # offered only then; the workflow checks again in any case
    parse: Callable[[Fields, CaseView, str], StaffAction]
    done: str  # said on the case page afterwards (no personal data)
    route: Route | None = None  # only this route's workflow has the update; None: both
    act: Act = Act.case_work  # what a member of staff's role must allow (infra/identity.py)
    model: type[StaffAction] = StaffAction  # the request `parse` builds
    # The form field behind a place in the request (a problem's `loc`, a refusal's `field`), given the
    # posted fields (rows); "" for the request as a whole, shown in the error summary only.
    where: Callable[[tuple, Fields], str] = lambda loc, fields: first_field(loc)

    @property
    def page(self) -> str:
        return f"actions/{self.slug}.html"

    def fits(self, case: CaseView) -> bool:
        """The case's workflow has this action at all (the stage is for the workflow to judge)."""
        return self.route in (None, case.route)

    def offered(self, case: CaseView) -> bool:
        return self.fits(case) and self.available(case)

    def field_of(self, loc: tuple, fields: Fields) -> str:
        return self.where(tuple(loc), fields)


# Each route's stage rules (domain/), asked which stages an action may be taken in.
CASE_FILES: dict[Route, type[CaseFile]] = {Route.disagreement_resolution: Resolution, Route.mediation: Mediation}


def in_its_stages(action: type[StaffAction]) -> Callable[[CaseView], bool]:
    """Offered in the stages the case's route allows the action (`action_stages`, which its check requires)."""
    return lambda case: case.stage in CASE_FILES[case.route].action_stages[action]


def _talk(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    outcome = choice(fields, "outcome", errors, "Select whether the talk resolved the disagreement")
    return finish(
        errors, ["outcome", "notes"],
        lambda: build(RecordTalk, first_field, {"notes": "Notes"}, actor=actor, outcome=outcome, notes=text(fields, "notes")),
    )


def _offer(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    return OfferResolution(actor=actor)


def _consent(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    party = choice(fields, "party", errors, "Select the party who answered")
    answer = choice(fields, "agree", errors, "Select whether they agree to disagreement resolution")
    return finish(
        errors, ["party", "agree", "notes"],
        lambda: build(
            RecordConsent, first_field, {"notes": "Notes"},
            actor=actor, party=party, agree=answer == "yes", notes=text(fields, "notes"),
        ),
    )


def _mediator(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    return build(
        AssignMediator, first_field, {"name": "Mediator's name", "email": "Mediator's email address"},
        actor=actor, name=text(fields, "name") or "", email=text(fields, "email") or "",
        independent=fields.get("independent") == "yes",
    )


def _session(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    on = day(fields, "at", errors, "The session date")
    if on is None and "at" not in errors:
        errors["at"] = "Enter the date of the session"
    starts = clock_time(fields, "time", errors, "start time")
    return finish(
        errors, ["at", "time", "venue"],
        lambda: build(
            ScheduleSession, first_field,
            {"at": "Session date", "venue": "Venue", "la_attendee": "Who attends for the Local Authority"},
            actor=actor, at=datetime.combine(on, starts, tzinfo=LONDON), venue=text(fields, "venue"),
            short_notice_agreed=fields.get("short_notice_agreed") == "yes", la_attendee=text(fields, "la_attendee"),
        ),
    )


def _outcome(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    result = choice(fields, "result", errors, "Select what the session achieved")
    actions, rows = [], []
    for row in range(1, ACTION_ROWS + 1):
        description = text(fields, f"action-{row}-description")
        owner = text(fields, f"action-{row}-owner")
        due = day(fields, f"action-{row}-due", errors, f"Action {row}'s date agreed in writing")
        appealable = fields.get(f"action-{row}-appealable") == "yes"
        kind = text(fields, f"action-{row}-order_kind")
        if not _row_used(fields, row):
            continue  # an unused row (an owner chosen alone does not make one)
        if description is None:
            errors[f"action-{row}-description"] = f"Describe action {row}, or clear the rest of its row"
        if owner is None:
            errors[f"action-{row}-owner"] = f"Select who does action {row}"
        if appealable and kind is None:
            errors[f"action-{row}-order_kind"] = f"Select the kind of order action {row} is, as it is an appealable matter"
        elif kind is not None and not appealable:
            errors[f"action-{row}-order_kind"] = (
                f"Action {row}: a kind of order is only for an appealable matter: tick that it is one, or select none"
            )
        actions.append({
            "description": description or "", "owner": owner or "", "agreed_due": due,
            "appealable": appealable, "order_kind": kind,
        })
        rows.append(row)

    views = text(fields, "child_views_sought")
    labels = {f"action-{row}-{field}": f"Action {row}'s {label}" for row in rows for field, label in (
        ("description", "description"), ("owner", "owner"), ("due", "date agreed in writing"),
        ("order_kind", "kind of order"), ("appealable", "appealable matter"),
    )}
    return finish(
        errors, [f"action-{row}-{field}" for row in rows for field in ("description", "owner", "due", "order_kind")],
        lambda: build(
            RecordOutcome, lambda loc: _outcome_field(loc, fields), labels, actor=actor, result=result, actions=actions,
            child_views_sought=None if views is None else views == "yes",
        ),
    )


def _row_used(fields: Fields, row: int) -> bool:
    """An agreed action's row with anything typed in it; its owner alone does not count, as a select
    left chosen from an earlier try is easily missed."""
    return any(text(fields, f"action-{row}-{part}") for part in ("description", "due-day", "due-month", "due-year",
                                                                 "order_kind")) or fields.get(f"action-{row}-appealable") == "yes"


def _outcome_field(loc: tuple, fields: Fields) -> str:
    """The row's field behind the n-th agreed action sent (rows left empty are not sent)."""
    if loc and loc[0] == "actions" and len(loc) > 1:
        rows = [row for row in range(1, ACTION_ROWS + 1) if _row_used(fields, row)] or [1]
        field = {"agreed_due": "due"}.get(str(loc[2]), str(loc[2])) if len(loc) > 2 else "order_kind"
        return f"action-{rows[min(loc[1], len(rows) - 1)]}-{field}"
    return first_field(loc)


def _action_done(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    number = choice(fields, "number", errors, "Select the agreed action that is done")
    return finish(
        errors, ["number"], lambda: build(CompleteAction, first_field, {"number": "Action"}, actor=actor, number=number)
    )


def _withdraw(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    party = choice(fields, "party", errors, "Select the party who withdraws")
    return finish(
        errors, ["party", "reason"],
        lambda: build(Withdraw, first_field, {"reason": "Reason"}, actor=actor, party=party, reason=text(fields, "reason") or ""),
    )


def _extend(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    deadline = choice(fields, "deadline", errors, "Select the deadline to move")
    until = day(fields, "until", errors, "The new date")
    days = text(fields, "days")
    if days is not None and whole_number(days) is None:
        errors["days"] = "Number of days must be a whole number, for example 5"

    return finish(
        errors, ["deadline", "days", "until", "reason"],
        lambda: build(
            ExtendDeadline, first_field, {"days": "Extension", "until": "New date", "reason": "Reason"},
            actor=actor, deadline=deadline, days=whole_number(days) if days else None, until=until,
            reason=text(fields, "reason") or "",
        ),
    )


def _note(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    return build(AddNote, first_field, {"text": "Note"}, actor=actor, text=text(fields, "text") or "")


def _decision(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    kind = choice(fields, "kind", errors, "Select the Local Authority's decision")
    on = day(fields, "date", errors, "The date of the decision")
    if on is None and "date" not in errors:
        errors["date"] = "Enter the date the decision's written notice was sent"
    return finish(
        errors, ["kind", "date"], lambda: build(RecordDecision, first_field, {"date": "Decision date"}, actor=actor, kind=kind, date=on)
    )


def _appeal_status(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    status = choice(fields, "status", errors, "Select what the family decided about an appeal")
    return finish(errors, ["status"], lambda: build(RecordAppealStatus, first_field, {}, actor=actor, status=status))


def _choose(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    mediate = choice(fields, "mediate", errors, "Select whether the family wants mediation")
    told_adviser = day(fields, "adviser_told_on", errors, "The date the family told the mediation adviser")
    told = day(fields, "la_notified_on", errors, "The date the Local Authority was told")
    issues = several(fields, "mediation_issues")
    return finish(
        errors, CHOOSE_ORDER,
        lambda: build(
            RecordChoice, first_field,
            {
                "adviser_told_on": "Date the family told the mediation adviser",
                "la_notified_on": "Date the Local Authority was told",
                "mediation_issues": "What mediation is about",
                "health_provision_sought": "The health care provision the family wants",
            },
            actor=actor, mediate=mediate == "yes", adviser_told_on=told_adviser, la_notified_on=told,
            mediation_issues=issues or None, health_provision_sought=text(fields, "health_provision_sought"),
        ),
    )


CHOOSE_ORDER = ["mediate", "adviser_told_on", "la_notified_on", "mediation_issues", "health_provision_sought"]


def _certificate(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    issued = day(fields, "issued_on", errors, "The date of the certificate")
    return finish(
        errors, ["issued_on", "issued_by"],
        lambda: build(
            IssueCertificate, first_field, {"issued_on": "Certificate date", "issued_by": "Who issued it"},
            actor=actor, issued_on=issued, issued_by=text(fields, "issued_by"),
        ),
    )


def _cannot_arrange(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    informed = day(fields, "adviser_informed_on", errors, "The date the mediation adviser was told")
    return finish(
        errors, ["reason", "adviser_informed_on"],
        lambda: build(
            ReportCannotArrange, first_field, {"reason": "Reason", "adviser_informed_on": "Date the adviser was told"},
            actor=actor, reason=text(fields, "reason") or "", adviser_informed_on=informed,
        ),
    )


def _times(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    """Up to six date and time rows; those left blank are not sent."""
    errors: dict[str, str] = {}
    slots = []
    for row in _slot_rows(fields):
        on = day(fields, f"slot-{row}", errors, f"Time {row}'s date")
        if on is None and f"slot-{row}" not in errors:
            errors[f"slot-{row}"] = f"Enter time {row}'s date, or clear its time"
        starts = clock_time(fields, f"slot-{row}-time", errors, f"time {row}'s start time")
        if on is not None and starts is not None:
            slots.append(datetime.combine(on, starts, tzinfo=LONDON))
    order = [name for row in range(1, SLOT_ROWS + 1) for name in (f"slot-{row}", f"slot-{row}-time")] + ["venue"]
    return finish(
        errors, order,
        lambda: build(
            ProposeSlots, lambda loc: _slot_field(loc, fields), {"venue": "Venue"},
            actor=actor, slots=slots, venue=text(fields, "venue"),
        ),
    )


def _slot_rows(fields: Fields) -> list[int]:
    """The rows with anything typed in them."""
    parts = ("day", "month", "year", "time")
    return [row for row in range(1, SLOT_ROWS + 1) if any(text(fields, f"slot-{row}-{part}") for part in parts)]


def _slot_field(loc: tuple, fields: Fields) -> str:
    """The row behind the n-th proposed time. The request numbers the times in time order, so the
    row is found by its time; a problem with the times as a whole points at the first row."""
    if not loc or loc[0] != "slots":
        return first_field(loc)
    if len(loc) < 2:
        return "slot-1"
    timed = []
    for row in _slot_rows(fields):
        unused: dict[str, str] = {}  # a row that cannot be read was not sent: `_times` said so already
        on, starts = day(fields, f"slot-{row}", unused, ""), clock_time(fields, f"slot-{row}-time", unused, "")
        if on is not None and starts is not None:
            timed.append((datetime.combine(on, starts, tzinfo=LONDON), row))
    rows = [row for _, row in sorted(timed)] or [1]
    return f"slot-{rows[min(int(loc[1]), len(rows) - 1)]}"


NONE_SUIT = "none"  # "None of these times", on the console's availability form and the public site's: empty `slots`


def _availability(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    """The times a party told staff it can make (by phone, letter or in person): ticked by number, or
    "None of these times"; recorded with the officer as the actor, never as the party's own answer."""
    errors: dict[str, str] = {}
    party = choice(fields, "party", errors, "Select the party whose times you are recording")
    ticked = several(fields, "slots")
    numbers = [value for value in ticked if value != NONE_SUIT]
    if not ticked:
        errors["slots"] = 'Select each time they can make, or select "None of these times"'
    elif NONE_SUIT in ticked and numbers:
        errors["slots"] = 'Select the times they can make, or "None of these times", not both'
    elif any(whole_number(value, 1) is None for value in numbers):
        errors["slots"] = "Select the times they can make from the times proposed"
    return finish(
        errors, ["party", "slots", "notes"],
        lambda: build(
            RecordAvailability, first_field, {"slots": "Times they can make", "notes": "Notes"},
            actor=actor, party=party, slots=[int(value) for value in numbers], notes=text(fields, "notes"),
        ),
    )


def _times_proposed(case: CaseView) -> bool:
    """Times have been proposed, in a stage where the answers to them may be recorded."""
    return bool(case.slots) and in_its_stages(RecordAvailability)(case)


def _callback(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    number = choice(fields, "number", errors, "Select the call-back you made")
    return finish(
        errors, ["number", "notes"],
        lambda: build(RecordCallback, first_field, {"notes": "Notes"}, actor=actor, number=number, notes=text(fields, "notes")),
    )


def waiting_callbacks(case: CaseView) -> list[int]:
    """The call-backs still owed (`callback-N` open, or missed and not yet made)."""
    owed = {deadline.name for deadline in case.deadlines if deadline.owed}
    return [callback.number for callback in case.callbacks if callback_deadline(callback.number) in owed]


def _reassign(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    return build(
        ReassignOfficer, first_field, {"case_officer": "New case officer", "reason": "Reason"},
        actor=actor, case_officer=text(fields, "case_officer") or "", reason=text(fields, "reason") or "",
    )


def extendable(case: CaseView) -> list[str]:
    """Deadlines staff may move: not the appeal deadline (the law sets it), nor one already settled."""
    return [
        deadline.name for deadline in case.deadlines
        if deadline.name != APPEAL and deadline.state in (DeadlineState.open, DeadlineState.missed)
    ]


def _certificate_owed(case: CaseView) -> bool:
    """A certificate duty is owed (DESIGN section 11): after a no, a withdrawal, a report that mediation
    cannot be arranged, or a session; a second one too, after "cannot arrange" then mediation."""
    return any(deadline.name == CERTIFICATE and deadline.owed for deadline in case.deadlines)


def _appeal_clock_waits(case: CaseView) -> bool:
    """The family's appeal is still to be settled: they are warned until staff record it."""
    return case.appeal_status is None and any(deadline.name == APPEAL for deadline in case.deadlines)


DR, MD = Route.disagreement_resolution, Route.mediation

# Stages come from the domain's table; the other conditions mirror its checks (`check_*`), which the
# workflow applies in any case.
ACTION_FORMS: dict[str, ActionForm] = {
    form.slug: form
    for form in (
        # Disagreement resolution.
        ActionForm("talk", names.RECORD_TALK, "Record an informal talk", "Record the talk",
                   in_its_stages(RecordTalk), _talk, "Talk recorded", DR, model=RecordTalk),
        ActionForm("offer", names.OFFER_RESOLUTION, "Offer disagreement resolution",
                   "Offer it to every party", in_its_stages(OfferResolution), _offer,
                   "Disagreement resolution offered", DR, model=OfferResolution),
        ActionForm("consent", names.RECORD_CONSENT, "Record a party's answer", "Record the answer",
                   in_its_stages(RecordConsent), _consent, "Answer recorded", DR, model=RecordConsent),
        ActionForm("decision", names.RECORD_DECISION, "Record the Local Authority's decision",
                   "Record the decision", lambda case: case.appeal_status is None, _decision, "Decision recorded", DR, model=RecordDecision),
        # Statutory mediation.
        ActionForm("choose", names.RECORD_CHOICE, "Record the family's choice", "Record the choice",
                   in_its_stages(RecordChoice), _choose, "Choice recorded", MD, model=RecordChoice),
        ActionForm("cannot-arrange", names.REPORT_CANNOT_ARRANGE, "Report that mediation cannot be arranged",
                   "Record it", in_its_stages(ReportCannotArrange), _cannot_arrange, "Recorded", MD, model=ReportCannotArrange),
        ActionForm("certificate", names.ISSUE_CERTIFICATE, "Issue the mediation certificate",
                   "Issue the certificate", _certificate_owed, _certificate,
                   "Certificate issued", MD, model=IssueCertificate),
        # Both routes.
        ActionForm("mediator", names.ASSIGN_MEDIATOR, "Assign the mediator", "Assign the mediator",
                   in_its_stages(AssignMediator), _mediator, "Mediator assigned", model=AssignMediator),
        ActionForm("session", names.SCHEDULE_SESSION, "Book the session", "Book the session",
                   in_its_stages(ScheduleSession), _session, "Session booked", model=ScheduleSession),
        ActionForm("outcome", names.RECORD_OUTCOME, "Record the session outcome",
                   "Record the outcome", in_its_stages(RecordOutcome), _outcome, "Outcome recorded", model=RecordOutcome, where=_outcome_field),
        ActionForm("action-done", names.COMPLETE_ACTION, "Mark an agreed action done",
                   "Mark it done", in_its_stages(CompleteAction), _action_done, "Action marked done", model=CompleteAction),
        ActionForm("extend", names.EXTEND_DEADLINE, "Extend a deadline", "Extend the deadline",
                   in_its_stages(ExtendDeadline), _extend, "Deadline extended", model=ExtendDeadline),
        ActionForm("note", names.ADD_NOTE, "Add a note", "Add the note", in_its_stages(AddNote), _note, "Note added", model=AddNote),
        ActionForm("withdraw", names.WITHDRAW, "Record a withdrawal", "Record the withdrawal",
                   in_its_stages(Withdraw), _withdraw, "Withdrawal recorded", model=Withdraw),
        # Answers online (DESIGN section 14): times the parties answer through their links (or tell the
        # officer, who records them), and a call-back.
        ActionForm("times", names.PROPOSE_SLOTS, "Propose session times", "Propose the times", in_its_stages(ProposeSlots),
                   _times, "Session times proposed", model=ProposeSlots, where=_slot_field),
        ActionForm("availability", names.RECORD_AVAILABILITY, "Record the times a party can make", "Record the times",
                   _times_proposed, _availability, "Times recorded", model=RecordAvailability),
        ActionForm("callback", names.RECORD_CALLBACK, "Record a call-back", "Record the call-back",
                   lambda case: bool(waiting_callbacks(case)), _callback, "Call-back recorded", model=RecordCallback),
        ActionForm("appeal-status", names.RECORD_APPEAL_STATUS, "Record the family's appeal",
                   "Record it", _appeal_clock_waits, _appeal_status, "Appeal recorded", model=RecordAppealStatus),
        # Team managers only.
        ActionForm("reassign", names.REASSIGN_OFFICER, "Move the case to another officer", "Move the case",
                   in_its_stages(ReassignOfficer), _reassign, "Case officer changed", act=Act.reassign, model=ReassignOfficer),
    )
}


def offered(case: CaseView) -> list[ActionForm]:
    return [form for form in ACTION_FORMS.values() if form.offered(case)]
