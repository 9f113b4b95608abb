"""Messages in words: a notice rendered for one channel from the template files in `templates/`.

Pure: nothing is read but the packaged templates. There is one file per recipient kind and event,
`templates/<recipient kind>/<template>.j2`. It fills the blocks of its layout (`subject`, `body`,
`sms`); `_party.j2` and `_staff.j2` frame them for email and letter, and `_paragraphs.j2` holds what
several messages say (what mediation is, SENDIASS, other routes after a closure, ...).
Templates see the recipient's `name`, the notice's `facts`, the `channel` and `service_contact`
(the service's contact details, from settings: every message says how to reach us), and, in a
message that asks something, `answer_link` and `answer_check` (the public site's link and what it
will ask), nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache

import jinja2

from domain.calendar import LONDON
from domain.models import Channel
from domain.notifications import AgreedActionFacts, MessageFacts, Notice, Recipient, RecipientKind, ServiceContact, Template
from domain.words import clock_time, sentence
from domain.words import listed as names

_PARTIES = frozenset({RecipientKind.applicant, RecipientKind.organisation})
_EVERYONE_AT_THE_TABLE = _PARTIES | {RecipientKind.mediator}

# Who each message is written for. The workflow sends nothing else.
AUDIENCES: dict[Template, frozenset[RecipientKind]] = {
    Template.case_opened: _PARTIES,
    Template.resolution_offered: _PARTIES,
    Template.consent_reminder: _PARTIES,
    Template.consent_recorded: _PARTIES,
    Template.case_declined: _PARTIES,
    Template.no_response: _PARTIES,
    Template.mediator_assigned: _EVERYONE_AT_THE_TABLE,
    Template.session_scheduled: _EVERYONE_AT_THE_TABLE,
    Template.session_reminder: _EVERYONE_AT_THE_TABLE,
    Template.written_outcome: _EVERYONE_AT_THE_TABLE,
    Template.action_due: _PARTIES,
    Template.action_overdue: _PARTIES | {RecipientKind.case_officer},
    Template.appeal_warning: frozenset({RecipientKind.applicant}),
    Template.withdrawn: _EVERYONE_AT_THE_TABLE,
    Template.case_closed: _EVERYONE_AT_THE_TABLE,
    Template.mediation_opened: _PARTIES,
    Template.mediation_chosen: _PARTIES,
    Template.mediation_declined: _PARTIES,
    Template.certificate_issued: _EVERYONE_AT_THE_TABLE,
    Template.cannot_arrange: _EVERYONE_AT_THE_TABLE,
    Template.health_notice: frozenset({RecipientKind.organisation}),  # each health commissioning body
    Template.agreement_notice: frozenset({RecipientKind.organisation}),  # the Local Authority, not a party
    Template.late_opening: frozenset({RecipientKind.case_officer}),
    Template.deadline_reminder: frozenset({RecipientKind.case_officer}),
    Template.deadline_missed: frozenset({RecipientKind.case_officer}),
    Template.notification_failed: frozenset({RecipientKind.case_officer}),
    Template.later_certificate: frozenset({RecipientKind.case_officer}),
    Template.school_age_reached: frozenset({RecipientKind.case_officer}),
    Template.availability_requested: _PARTIES,
    Template.answered_online: frozenset({RecipientKind.case_officer}),
}

# Facts a message cannot do without: better no message (and the case officer told) than a
# message that says "by ." to a family.
NEEDS: dict[Template, tuple[str, ...]] = {
    Template.resolution_offered: ("due",),
    Template.consent_reminder: ("due",),
    Template.session_scheduled: ("session_at",),
    Template.session_reminder: ("session_at",),
    Template.written_outcome: ("result",),
    Template.action_due: ("actions",),
    Template.action_overdue: ("actions",),
    Template.appeal_warning: ("appeal_deadline",),
    Template.case_closed: ("outcome",),
    Template.mediation_opened: ("decision_date", "appeal_deadline"),
    Template.mediation_chosen: ("due", "arranging_body"),
    Template.mediation_declined: ("due",),
    Template.certificate_issued: ("certificate_date", "certificate_reason", "appeal_deadline"),
    Template.cannot_arrange: ("due",),
    Template.late_opening: ("decision_date",),
    Template.deadline_reminder: ("deadline", "due"),
    Template.deadline_missed: ("deadline",),
    Template.notification_failed: ("reason",),
    Template.health_notice: ("mediation_issues", "health_provision_sought"),  # reg 32(e): both, or no notice
    Template.agreement_notice: ("result",),
    Template.later_certificate: ("certificate_date", "first_certificate_date", "appeal_deadline"),
    Template.school_age_reached: ("school_age_ends",),
    Template.availability_requested: ("slots", "answer_until"),
    Template.answered_online: ("party_name", "online_answer"),
}

STAFF_CHANNELS = (Channel.email,)
PART_BREAK = "\f"  # between an email's or letter's subject and its body in one rendering; no template writes it


class MessageError(ValueError):
    """This notice cannot be put into words. The message names templates and facts, never people."""


@dataclass(frozen=True)
class RenderedMessage:
    subject: str  # email subject or letter heading; empty for a text message
    body: str


def channels_for(recipient: Recipient) -> tuple[Channel, ...]:
    """The channels a message to this recipient may go by: staff by email, others as they prefer."""
    if recipient.kind is RecipientKind.case_officer:
        return STAFF_CHANNELS
    return tuple(recipient.contact.channels()) if recipient.contact else ()


@dataclass(frozen=True)
class AnswerLinkWords:
    """The public site's link for a message that asks something (`facts.asks`), and what the page will
    ask before it shows anything (records/answer_links.py `CheckKind`), for `_answer_link.j2`."""

    url: str
    check: str  # phone_last4 | postcode | email


def render(notice: Notice, channel: Channel, service: ServiceContact, answer_link: AnswerLinkWords | None = None) -> RenderedMessage:
    template, kind = notice.template, notice.recipient.kind
    if kind not in AUDIENCES[template]:
        raise MessageError(f"there is no {template.value} message for a {kind.value}")
    if kind is RecipientKind.case_officer and channel not in STAFF_CHANNELS:
        raise MessageError("messages to staff go by email only")
    missing = [name for name in NEEDS.get(template, ()) if not getattr(notice.facts, name)]
    if missing:
        raise MessageError(f"the {template.value} message needs {', '.join(missing)}")

    source = _environment().get_template(f"{kind.value}/{template.value}.j2")
    context = {
        "name": notice.recipient.name, "facts": notice.facts, "channel": channel.value, "service_contact": service,
        "answer_link": answer_link.url if answer_link else None, "answer_check": answer_link.check if answer_link else None,
    }
    try:
        if channel is Channel.sms:
            return RenderedMessage(subject="", body=_one_line(source.render(part="sms", **context)))
        # One pass for the subject and the body: rendering is most of what a send costs the worker.
        subject, _, body = source.render(part="message", part_break=PART_BREAK, **context).partition(PART_BREAK)
        return RenderedMessage(subject=_one_line(subject), body=_tidy(body))
    except jinja2.TemplateError as error:
        raise MessageError(f"the {template.value} message for a {kind.value} could not be written: {error}") from None


def appeal_words(facts: MessageFacts) -> str:
    """What the messages to a family say about its appeal deadline and what moves it (`_paragraphs.j2`
    appeal_clock), for the public site's case page: the same words, never a second telling of the law."""
    source = _environment().from_string('{% import "_paragraphs.j2" as say with context %}{{ say.appeal_clock() }}')
    return _tidy(source.render(facts=facts, channel=Channel.email.value, name="", answer_link=None))


def personalisation(notice: Notice, channel: Channel, rendered: RenderedMessage) -> dict[str, str]:
    """GOV.UK Notify personalisation: every fact in words, the rendered text (with the service's
    contact details in it), and for letters the address. A Notify template may use the facts
    (`((due))`) or just `((subject))` and `((body))`."""
    fields = {name: _in_words(value) for name, value in notice.facts}
    fields |= {"name": notice.recipient.name, "subject": rendered.subject, "body": rendered.body}
    if channel is Channel.letter:
        fields |= address_lines(notice.recipient)
    return fields


def address_lines(recipient: Recipient) -> dict[str, str]:
    """Notify's letter address: 3 to 7 lines, the name first and the postcode last."""
    address = recipient.contact.address if recipient.contact else None
    if address is None:
        raise MessageError("a letter needs a postal address")
    lines = [recipient.name, *address.lines]
    if len(lines) > 6:  # fold the extra middle lines so that the postcode still fits on line 7
        lines = [*lines[:5], ", ".join(lines[5:])]
    lines.append(address.postcode)
    return {f"address_line_{number}": line for number, line in enumerate(lines, start=1)}


# --- Words for dates, times and lists ---------------------------------------------------------------


def long_date(day: date) -> str:
    """GOV.UK style: "Thursday 7 January 2027"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def long_datetime(at: datetime) -> str:
    """The wall-clock time in England: "Thursday 7 January 2027 at 2:30pm"."""
    local = at.astimezone(LONDON)
    return f"{long_date(local.date())} at {clock_time(local)}"


def _in_words(value: object) -> str:
    match value:
        case None:
            return ""
        case datetime():
            return long_datetime(value)
        case date():
            return long_date(value)
        case Enum():
            return str(value.value)
        case [AgreedActionFacts(), *_]:
            return "\n".join(
                f"{action.number}. {action.description} ({action.owner}, by {long_date(action.due)}"
                f"{f'; {action.due_source}' if action.due_source else ''})"
                for action in value
            )
        case list():
            return names([str(item) for item in value])
    return str(value)


# --- The template environment ----------------------------------------------------------------------


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("domain", "templates"),
        undefined=jinja2.StrictUndefined,  # a misspelt fact fails the test suite, not a family
        auto_reload=False,  # templates ship with the code: no need to look at the files on every message
        autoescape=False,  # plain text for email, SMS and letters, never HTML
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters |= {"long_date": long_date, "long_datetime": long_datetime, "names": names, "sentence": sentence}
    return environment


def _tidy(text: str) -> str:
    """Templates may leave blank runs where optional paragraphs were left out: close them up."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _one_line(text: str) -> str:
    return " ".join(text.split())
