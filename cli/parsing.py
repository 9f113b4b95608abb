"""Checking what a case officer typed, before anything is sent to a case.

Each parser turns one option's text into a domain value or raises `typer.BadParameter` with a
sentence that says what was expected; typer adds the option's name and exits with code 2. `build`
does the same for a whole request, naming the option behind each field the domain models reject.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TypeVar

import typer
from pydantic import BaseModel, EmailStr, TypeAdapter, ValidationError

from domain.calendar import LONDON
from domain.models import (
    PARTY_ID_PATTERN,
    REFERENCE_PATTERN,
    STAFF_ID_PATTERN,
    AgreedActionInput,
    LocalAuthority,
    OrderKind,
    Organisation,
    OrganisationKind,
    PhoneNumber,
    PostalAddress,
    Supporter,
    in_service,
)

M = TypeVar("M", bound=BaseModel)

# Built on first use, not at import: `show` and `list` never check an address.
_EMAIL = TypeAdapter(EmailStr, config={"defer_build": True})
_PHONE = TypeAdapter(PhoneNumber, config={"defer_build": True})


def reference(text: str) -> str:
    value = text.strip().upper()
    if not REFERENCE_PATTERN.fullmatch(value):
        raise typer.BadParameter(
            f"{text!r} is not a case reference; they look like DR-2026-7KQ3XZ (disagreement resolution) "
            "or MD-2026-7KQ3XZ (statutory mediation)"
        )
    return value


def staff_id(text: str) -> str:
    if not STAFF_ID_PATTERN.fullmatch(text):
        raise typer.BadParameter(
            f"{text!r} is not a staff id: 2 to 64 lower-case letters, digits, dots, dashes or underscores"
        )
    return text


def party_id(text: str) -> str:
    value = text.strip().lower()
    if not PARTY_ID_PATTERN.fullmatch(value):
        raise typer.BadParameter(
            f"{text!r} is not a party id: `applicant`, or `org-1`, `org-2`, ... as `show` lists them"
        )
    return value


def email(text: str) -> str:
    return _checked(_EMAIL, text)


def phone(text: str) -> str:
    return _checked(_PHONE, text)


def day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date; write it as 2026-12-14") from None


def filter_day(text: str) -> date:
    """A date to filter cases by, within the dates a case can hold (`domain.models.in_service`)."""
    value = day(text)
    try:
        return in_service(value)
    except ValueError as error:
        raise typer.BadParameter(f"{text!r} is out of range: a date {error}") from None


def moment(text: str) -> datetime:
    """A date and time; without an explicit zone it is the time in England."""
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        pass
    else:
        raise typer.BadParameter(f"{text!r} has no time of day; write it as 2026-12-14T10:30")
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date and time; write it as 2026-12-14T10:30 (time in England) "
            "or with a zone, e.g. 2026-12-14T10:30+00:00"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=LONDON)


def organisation(text: str) -> Organisation:
    kind, name, address = _fields(text, "KIND|NAME|EMAIL", count=3)
    if kind not in OrganisationKind.__members__:
        raise typer.BadParameter(f"{kind!r} is not a kind of organisation; use one of {choices(OrganisationKind)}")
    return build(Organisation, {"name": "NAME"}, kind=kind, name=name, contact={"email": email(address)})


def body(text: str) -> LocalAuthority:
    """`NAME|EMAIL` of a Local Authority or health commissioning body."""
    name, address = _fields(text, "NAME|EMAIL", count=2)
    return build(LocalAuthority, {"name": "NAME"}, name=name, contact={"email": email(address)})


def supporter(text: str) -> Supporter:
    name, address = _fields(text, "NAME|EMAIL", count=2)
    return build(Supporter, {"name": "NAME"}, name=name, email=email(address))


def postal_address(text: str) -> PostalAddress:
    *lines, postcode = _fields(text, "line1|line2|postcode", count=None)
    return build(PostalAddress, {"lines": "a line", "postcode": "postcode"}, lines=lines, postcode=postcode)


APPEAL_PREFIX = "appeal:"
ACTION_FORM = "WHAT|OWNER|DUE"


def agreed_action(text: str) -> AgreedActionInput:
    """`WHAT|OWNER|DUE`, DUE being one of:

    - a date agreed in writing (SEND Regs 2014 reg 42(5)), e.g. 2027-01-15;
    - `appeal:KIND`, a matter the family could appeal: the reg 44 period for that kind of order
      (reg 42(2)); `appeal:KIND|DATE` when a timescale was also agreed in writing, which replaces it;
    - left out: 2 weeks from the agreement (reg 42(3)); on disagreement resolution, the service's default.
    """
    parts = _fields(text, ACTION_FORM, count=None)
    if len(parts) not in (2, 3, 4):
        raise typer.BadParameter(f"{text!r} should be written {ACTION_FORM} ({_DUE_WORDS})")
    description, owner, *due = parts
    kind, agreed = None, None
    if due and due[0].lower().startswith(APPEAL_PREFIX):
        kind = order_kind(due[0])
        due = due[1:]
    elif len(due) > 1:
        raise typer.BadParameter(
            f"{text!r} should be written {ACTION_FORM}: only an appealable matter (appeal:KIND) takes a date after it"
        )
    if due:
        agreed = _agreed_date(due[0])
    return build(
        AgreedActionInput, {"description": "WHAT", "owner": "OWNER", "agreed_due": "DUE", "": "DUE"},
        description=description, owner=party_id(owner), agreed_due=agreed,
        appealable=kind is not None, order_kind=kind,
    )


_DUE_WORDS = (
    "DUE is a date agreed in writing such as 2027-01-15, or, on statutory mediation, appeal:KIND for a matter "
    f"the family could appeal (KIND one of {', '.join(OrderKind.__members__)}), or left out: 2 weeks on "
    "statutory mediation, the service's usual period on disagreement resolution"
)


def order_kind(text: str) -> OrderKind:
    """`appeal:KIND`: the kind of order an appealable matter is (reg 44)."""
    kind = text.strip()[len(APPEAL_PREFIX):].strip().lower()
    if kind not in OrderKind.__members__:
        named = f"{kind!r} is not a kind of order" if kind else "the kind of order is missing"
        raise typer.BadParameter(
            f"{text.strip()!r}: {named}; write appeal:KIND with KIND one of {choices(OrderKind)}"
        )
    return OrderKind(kind)


def _agreed_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a due date: {_DUE_WORDS}") from None


def choices(values: type) -> str:
    return ", ".join(values.__members__)


def build(model: type[M], options: Mapping[str, str] | None = None, /, **fields: object) -> M:
    """Make a domain request, naming the option behind each rejected field.

    `options` maps field paths ("applicant.contact.email", or "" for the whole request) to option
    names; any other field is named after itself (`due_date` -> `--due-date`).
    """
    try:
        return model(**fields)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            option = _option(item["loc"], options or {})
            problems.append(f"{option}: {_words(item)}" if option else _words(item))
        raise typer.BadParameter("; ".join(problems)) from None


def _option(loc: tuple, options: Mapping[str, str]) -> str:
    path = ".".join(str(part) for part in loc)
    for known in sorted(options, key=len, reverse=True):
        if path == known or path.startswith(f"{known}."):
            return options[known]
    return f"--{str(loc[0]).replace('_', '-')}" if loc else ""


def _words(item: dict) -> str:
    # pydantic says "Value error, <our message>" for the domain's own checks.
    return str(item["msg"]).removeprefix("Value error, ")


def _checked(adapter: TypeAdapter, text: str) -> str:
    try:
        return adapter.validate_python(text.strip())
    except ValidationError as error:
        raise typer.BadParameter(f"{text!r}: {_words(error.errors()[0])}") from None


def _fields(text: str, form: str, count: int | None) -> list[str]:
    parts = [part.strip() for part in text.split("|")]
    if (count is not None and len(parts) != count) or len(parts) < 2 or not all(parts):
        raise typer.BadParameter(f"{text!r} should be written {form}")
    return parts
