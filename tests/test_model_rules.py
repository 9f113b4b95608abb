"""Every model-level rule of every request the console's forms build says which field it is about, and that
field is on the form (or the rule goes to the error summary): no rule can end in "Sorry, there is a problem
with the service" again, as "Health social care" with EHC point "None" once did.

Pydantic places a `model_validator`'s problem on the model, not a field; `domain.models.about` names the
field. The rules are found by walking the models themselves (every nested model, through lists and
optionals), so a new rule without `about`, or about a field no form shows, fails here.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator

import pytest
from pydantic import BaseModel, model_validator
from starlette.datastructures import FormData

from domain.models import AgreedActionInput, OpenCase
from domain.resolution import Resolution
from tests.conftest import open_case
from tests.test_web_forms import ACTOR, OPENED_AT, mediation_view, rendered
from web import presenters
from web.forms import ACTION_FORMS, FormErrors, build, first_field
from web.opening import OPENINGS, parse_case

IDS = re.compile(r'\sid="([^"]+)"')


def nested(annotation: object) -> Iterator[tuple[type[BaseModel], bool]]:
    """The models inside a field's type, each with whether it sits in a list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation, False
    origin = typing.get_origin(annotation)
    for argument in typing.get_args(annotation):
        for model, listed in nested(argument):
            yield model, listed or origin is list


def rules(model: type[BaseModel], path: tuple = ()) -> Iterator[tuple[str, tuple, str | None]]:
    """(the rule's name, where it sits, the field it is about) for every model-level rule, nested ones too."""
    for name, rule in model.__pydantic_decorators__.model_validators.items():
        yield f"{model.__name__}.{name}", path, getattr(rule.func, "about", None)
    for field, info in model.model_fields.items():
        for inner, listed in nested(info.annotation):
            yield from rules(inner, (*path, field, 0) if listed else (*path, field))


def ids(page: str) -> set[str]:
    return set(IDS.findall(page))


def dr_view():
    return Resolution.open("DR-2026-7KQ3XZ", open_case(), OPENED_AT).view()


def action_pages(form) -> str:
    """A staff action's form on each route that has it, as one text: a form on both routes may show a field
    on one only (an appealable matter is statutory mediation's, SEND Regs 2014 reg 42), and only that route's
    form can send what the rule is about."""
    routes = ["mediation", "disagreement_resolution"] if form.route is None else [form.route.value]
    views = [mediation_view() if route == "mediation" else dr_view() for route in routes]
    return "".join(
        rendered(form.page, form=form, case=view, title=form.title, names=presenters.party_names(view),
                 deadlines=["outcome_record"])
        for view in views
    )


# Each form and its page: the opening forms, and every staff action.
PAGES = [
    pytest.param(way.model, lambda loc, way=way: way.where(loc, [1, 2]),
                 lambda way=way: rendered(way.form, opening=way, title=way.title), id=f"open-{way.route.value}")
    for way in OPENINGS.values()
] + [
    pytest.param(
        form.model,
        lambda loc, form=form: form.field_of(loc, FormData({"action-1-description": "Fund therapy"})),
        lambda form=form: action_pages(form),
        id=form.slug,
    )
    for form in ACTION_FORMS.values()
]


@pytest.mark.parametrize(("model", "where", "page"), PAGES)
def test_every_model_level_rule_maps_to_a_field_on_its_form_or_to_the_summary(model, where, page) -> None:
    shown = ids(page())
    for rule, path, about in rules(model):
        assert about is not None, f"{rule} names no field: mark it @about(<field>) (domain.models.about)"
        field = where((*path, about))
        assert field == "" or field in shown or f"{field}-day" in shown, (
            f"{rule} is about {'.'.join(map(str, (*path, about)))}, shown on {field!r}, which {model.__name__}'s form lacks"
        )


def test_the_walk_finds_the_rules_inside_lists_and_optional_parts() -> None:
    """The walk itself: a contact's rules inside every organisation, an agreed action's inside a list."""
    found = {(rule, path) for rule, path, _ in rules(OpenCase)}
    assert ("Contact._reachable", ("organisations", 0, "contact")) in found
    assert ("Contact._reachable", ("applicant", "contact")) in found
    assert ("OpenCase._health_and_social_care_at_an_ehc_point", ()) in found
    assert {(rule, path) for rule, path, _ in rules(ACTION_FORMS["outcome"].model)} == {
        ("AgreedActionInput._kind_for_an_appealable_matter", ("actions", 0)),
    }


# --- The rules themselves, through the forms -----------------------------------------------------------


def dr_answers(**changes: str | list[str]) -> dict:
    return {
        "applicant_name": "Ann Example", "applicant_role": "parent", "applicant_email": "ann@example.org",
        "org-1-kind": "school", "org-1-name": "Hill School", "org-1-email": "senco@hill.example.org",
        "kinds": ["provision"], "ehc_point": "needs_assessment", "summary": "Speech therapy", **changes,
    }


def test_health_and_social_care_at_no_ehc_point_is_an_error_on_the_ehc_point_not_a_500() -> None:
    """SEND Code 11.8; once a `ValueError` with no field, which `where()` could not place."""
    with pytest.raises(FormErrors) as raised:
        parse_case(dr_answers(kinds=["health_social_care"], ehc_point="none"), ACTOR)
    assert list(raised.value.errors) == ["ehc_point"]
    assert "needs assessment, plan drafting, annual review or reassessment (SEND Code 11.8)" in raised.value.errors["ehc_point"]


def test_an_organisation_with_no_way_to_reach_it_is_an_error_on_its_email() -> None:
    with pytest.raises(FormErrors) as raised:
        parse_case(dr_answers(**{"org-1-email": "", "org-2-kind": "college", "org-2-name": "Vale College"}), ACTOR)
    # Row 1 is reached by nobody now, nor is row 2: each is told on its own row.
    assert list(raised.value.errors) == ["org-1-email", "org-2-email"]
    assert raised.value.errors["org-2-email"] == (
        "Organisation 2: give at least one way to reach them: email, phone or postal address"
    )


def test_an_organisation_may_be_reached_by_phone_or_post_as_its_contact_allows() -> None:
    _, opened = parse_case(dr_answers(**{
        "org-1-email": "", "org-1-phone": "0161 496 0000",
        "org-2-kind": "local_authority", "org-2-name": "Sheffield", "org-2-address": "1 Town Hall\nSheffield",
        "org-2-postcode": "s1 2hh",
    }), ACTOR)
    first, second = opened.organisations
    assert (first.contact.email, first.contact.phone) == (None, "+441614960000")
    assert (second.contact.address.lines, second.contact.address.postcode) == (["1 Town Hall", "Sheffield"], "S1 2HH")


def test_a_blank_organisation_kind_asks_for_one() -> None:
    with pytest.raises(FormErrors) as raised:
        parse_case(dr_answers(**{"org-1-kind": ""}), ACTOR)
    assert raised.value.errors == {"org-1-kind": "Select the kind of organisation"}


def test_a_model_level_rule_with_no_single_field_goes_to_the_summary() -> None:
    """A rule `build` cannot place on one field: the error summary (key ""), in words, never a 500."""

    class Together(BaseModel):
        first: str
        second: str

        @model_validator(mode="after")
        def _differ(self) -> Together:
            if self.first == self.second:
                raise ValueError("the two must differ")
            return self

    with pytest.raises(FormErrors) as raised:
        build(Together, first_field, {}, first="a", second="a")
    assert raised.value.errors == {"": "The two must differ"}


def test_a_rule_marked_about_a_field_is_shown_on_it() -> None:
    with pytest.raises(FormErrors) as raised:
        build(AgreedActionInput, first_field, {"order_kind": "Kind of order"}, description="x", owner="org-1", appealable=True)
    assert list(raised.value.errors) == ["order_kind"]
