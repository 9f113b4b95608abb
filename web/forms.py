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
from domain.case import OPEN_STAGES
from domain.models import (
    AddNote,
    AssignMediator,
    CaseStage,
    CaseView,
    CompleteAction,
    DeadlineState,
    ExtendDeadline,
    OfferResolution,
    RecordConsent,
    RecordOutcome,
    RecordTalk,
    ScheduleSession,
    StaffAction,
    Withdraw,
)
from domain.deadlines import APPEAL
from workflows.case import DisagreementCase

# Rows for agreed actions and organisations: a form without JavaScript cannot add rows.
ACTION_ROWS = 5
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
            field = where(item["loc"])
            label = labels.get(field, field.replace("_", " ").capitalize())
            if item.get("input") in ("", [], None) and item["type"] != "value_error":
                # Left blank: say what to do, as GOV.UK error messages do.
                verb = "Enter" if item["type"].startswith("string") or item["type"] == "missing" else "Select"
                message = f"{verb} {label[0].lower()}{label[1:]}"
            else:
                message = f"{label}: {str(item['msg']).removeprefix('Value error, ')}"
            errors.setdefault(field, message)
        raise FormErrors(errors) from None


def first_field(loc: tuple) -> str:
    return str(loc[0]) if loc else ""


def text(fields: Fields, name: str) -> str | None:
    """A text field; blank is None, so that optional fields stay unset."""
    value = (fields.get(name) or "").strip()
    return value or None


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
    update: Callable  # the workflow update it sends (a typed reference)
    title: str  # heading and link text
    button: str
    stages: tuple[CaseStage, ...]  # offered only at these stages; the workflow checks again
    parse: Callable[[Fields, CaseView, str], StaffAction]
    done: str  # said on the case page afterwards (no personal data)
    template: str = ""  # defaults to actions/<slug>.html

    @property
    def page(self) -> str:
        return self.template or f"actions/{self.slug}.html"

    def offered(self, case: CaseView) -> bool:
        return case.stage in self.stages


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
            ScheduleSession, first_field, {"at": "Session date", "venue": "Venue"},
            actor=actor, at=datetime.combine(on, starts, tzinfo=LONDON), venue=text(fields, "venue"),
        ),
    )


def _outcome(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    errors: dict[str, str] = {}
    result = choice(fields, "result", errors, "Select what the session achieved")
    actions, rows = [], []
    for row in range(1, ACTION_ROWS + 1):
        description = text(fields, f"action-{row}-description")
        owner = text(fields, f"action-{row}-owner")
        due = day(fields, f"action-{row}-due", errors, f"Action {row}'s due date")
        if description is None and due is None and f"action-{row}-due" not in errors:
            continue  # an unused row (its owner select always has a value)
        if description is None:
            errors[f"action-{row}-description"] = f"Describe action {row}, or clear its due date"
        actions.append({"description": description or "", "owner": owner or "", "due": due})
        rows.append(row)

    def where(loc: tuple) -> str:
        if loc and loc[0] == "actions" and len(loc) > 2:
            return f"action-{rows[loc[1]]}-{loc[2]}"
        return first_field(loc)

    return finish(errors, [], lambda: build(RecordOutcome, where, {}, actor=actor, result=result, actions=actions))


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
    if days is not None and not days.isdigit():
        errors["days"] = "Number of days must be a whole number, for example 5"

    def where(loc: tuple) -> str:
        return first_field(loc) or "days"  # "one way to extend" is about days and the date together

    return finish(
        errors, ["deadline", "days", "until", "reason"],
        lambda: build(
            ExtendDeadline, where, {"days": "Extension", "until": "New date", "reason": "Reason"},
            actor=actor, deadline=deadline, days=int(days) if days else None, until=until,
            reason=text(fields, "reason") or "",
        ),
    )


def _note(fields: Fields, case: CaseView, actor: str) -> StaffAction:
    return build(AddNote, first_field, {"text": "Note"}, actor=actor, text=text(fields, "text") or "")


def extendable(case: CaseView) -> list[str]:
    """Deadlines staff may move: not the appeal deadline (the law sets it), nor one already settled."""
    return [
        deadline.name for deadline in case.deadlines
        if deadline.name != APPEAL and deadline.state in (DeadlineState.open, DeadlineState.missed)
    ]


SESSION_STAGES = (CaseStage.arranging_session, CaseStage.session_scheduled)

# Stages mirror the checks in domain/case.py (`check_*`), which the workflow applies in any case.
ACTION_FORMS: dict[str, ActionForm] = {
    form.slug: form
    for form in (
        ActionForm("talk", DisagreementCase.record_talk, "Record an informal talk", "Record the talk",
                   (CaseStage.informal_talks,), _talk, "Talk recorded"),
        ActionForm("offer", DisagreementCase.offer_resolution, "Offer disagreement resolution",
                   "Offer it to every party", (CaseStage.informal_talks,), _offer, "Disagreement resolution offered"),
        ActionForm("consent", DisagreementCase.record_consent, "Record a party's answer", "Record the answer",
                   (CaseStage.awaiting_consent,), _consent, "Answer recorded"),
        ActionForm("mediator", DisagreementCase.assign_mediator, "Assign the mediator", "Assign the mediator",
                   SESSION_STAGES, _mediator, "Mediator assigned"),
        ActionForm("session", DisagreementCase.schedule_session, "Book the session", "Book the session",
                   SESSION_STAGES, _session, "Session booked"),
        ActionForm("outcome", DisagreementCase.record_outcome, "Record the session outcome",
                   "Record the outcome", (CaseStage.session_scheduled,), _outcome, "Outcome recorded"),
        ActionForm("action-done", DisagreementCase.complete_action, "Mark an agreed action done",
                   "Mark it done", (CaseStage.monitoring_agreement,), _action_done, "Action marked done"),
        ActionForm("extend", DisagreementCase.extend_deadline, "Extend a deadline", "Extend the deadline",
                   OPEN_STAGES, _extend, "Deadline extended"),
        ActionForm("note", DisagreementCase.add_note, "Add a note", "Add the note", OPEN_STAGES, _note,
                   "Note added"),
        ActionForm("withdraw", DisagreementCase.withdraw, "Record a withdrawal", "Record the withdrawal",
                   OPEN_STAGES, _withdraw, "Withdrawal recorded"),
    )
}


def offered(case: CaseView) -> list[ActionForm]:
    return [form for form in ACTION_FORMS.values() if form.offered(case)]
