"""The console's forms for duties (DESIGN section 11), without a server: what each form sends, which
field each problem is shown against, and what the pages show of a case's duties and warnings.

The forms are parsed as the console parses them (`ACTION_FORMS[slug].parse`, the opening parsers),
from posted fields as starlette gives them; the pages are rendered from the console's own templates.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from starlette.datastructures import FormData

from domain.resolution import Resolution
from domain.mediation import Mediation
from domain.models import (
    ActionView,
    CaseStage,
    CertificateIssuer,
    CertificateReason,
    CertificateView,
    DeadlineState,
    DeadlineView,
    IssueCertificate,
    MediationIssue,
    OrderKind,
    RecordChoice,
    RecordOutcome,
)
from infra.identity import Role, Staff
from tests.conftest import open_case
from tests.journeys import open_mediation
from tests.web_console import date_fields, opening_fields
from web import case_work, presenters
from web.app import _templates
from web.forms import ACTION_FORMS, FormErrors
from web.opening import OPENINGS, parse_case, parse_mediation

OPENED_AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
ACTOR = "jo.smith"
CASE_OFFICER = Staff(ACTOR, frozenset({Role.case_officer}))
ERROR_LINKS = re.compile(r'<a href="#([^"]+)">')


def mediation_view(**update):
    view = Mediation.open("MD-2026-7KQ3XZ", open_mediation(date(2026, 10, 20)), OPENED_AT).view()
    return view.model_copy(update=update)


def posted(*pairs: tuple[str, str], **fields: str) -> FormData:
    return FormData([*pairs, *fields.items()])


def parsed(slug: str, form: FormData, case=None):
    return ACTION_FORMS[slug].parse(form, case or mediation_view(), ACTOR)


def problems(slug: str, form: FormData, case=None) -> dict[str, str]:
    with pytest.raises(FormErrors) as raised:
        parsed(slug, form, case)
    return raised.value.errors


# --- The family's choice ------------------------------------------------------------------------------


def test_the_choice_sends_the_advisers_date_every_issue_ticked_and_the_health_provision() -> None:
    form = posted(
        ("mediation_issues", "health"), ("mediation_issues", "social_care"),
        mediate="yes", health_provision_sought="  Speech and language therapy  ",
        **date_fields("adviser_told_on", date(2026, 11, 3)), **date_fields("la_notified_on", date(2026, 11, 4)),
    )
    choice = parsed("choose", form)
    assert isinstance(choice, RecordChoice) and choice.mediate
    assert (choice.adviser_told_on, choice.la_notified_on) == (date(2026, 11, 3), date(2026, 11, 4))
    assert choice.mediation_issues == [MediationIssue.health, MediationIssue.social_care]
    assert choice.health_provision_sought == "Speech and language therapy"


def test_a_choice_with_no_issue_ticked_keeps_those_given_at_opening() -> None:
    choice = parsed("choose", posted(mediate="no"))
    assert (choice.mediate, choice.mediation_issues, choice.adviser_told_on, choice.health_provision_sought) == (
        False, None, None, None,
    )


def test_the_choice_shows_each_problem_against_its_field_in_page_order() -> None:
    form = posted(
        ("mediation_issues", "dental"), health_provision_sought="therapy\x1b[2J",
        **{"adviser_told_on-day": "31", "adviser_told_on-month": "2", "adviser_told_on-year": "2026"},
    )
    found = problems("choose", form)
    assert list(found) == ["mediate", "adviser_told_on"]  # the form's own checks first, then the request's
    assert "real date" in found["adviser_told_on"]
    found = problems("choose", posted(("mediation_issues", "dental"), mediate="yes", health_provision_sought="therapy\x1b[2J"))
    assert list(found) == ["mediation_issues", "health_provision_sought"]
    assert "control characters" in found["health_provision_sought"]


# --- The certificate -----------------------------------------------------------------------------------


def test_the_certificate_sends_who_issued_it_or_leaves_it_to_the_law() -> None:
    by_mediator = parsed("certificate", posted(issued_by="mediator", **date_fields("issued_on", date(2026, 11, 20))))
    assert isinstance(by_mediator, IssueCertificate)
    assert (by_mediator.issued_on, by_mediator.issued_by) == (date(2026, 11, 20), CertificateIssuer.mediator)
    assert parsed("certificate", posted()).issued_by is None


def test_the_certificate_refuses_an_issuer_the_law_does_not_name() -> None:
    assert list(problems("certificate", posted(issued_by="council"))) == ["issued_by"]


# --- Agreed actions ------------------------------------------------------------------------------------


def test_each_action_row_sends_whether_it_is_appealable_its_kind_and_any_date_agreed_in_writing() -> None:
    form = posted(
        result="partial_agreement",
        **{"action-1-description": "Carry out an EHC needs assessment", "action-1-owner": "org-1",
           "action-1-appealable": "yes", "action-1-order_kind": "assess"},
        **{"action-2-description": "Send the therapy report", "action-2-owner": "org-1",
           **date_fields("action-2-due", date(2027, 1, 15))},
        **{"action-4-description": "Share the school's notes", "action-4-owner": "applicant", "action-4-order_kind": ""},
        **{"action-3-owner": "org-1", "action-5-owner": "applicant", "action-5-order_kind": ""},  # unused rows
    )
    outcome = parsed("outcome", form)
    assert isinstance(outcome, RecordOutcome)
    assert [(a.description[:4], a.appealable, a.order_kind, a.agreed_due) for a in outcome.actions] == [
        ("Carr", True, OrderKind.assess, None),
        ("Send", False, None, date(2027, 1, 15)),
        ("Shar", False, None, None),
    ]


def test_an_appealable_matter_needs_its_kind_of_order_and_a_kind_needs_an_appealable_matter() -> None:
    found = problems("outcome", posted(result="full_agreement", **{
        "action-1-description": "Issue the plan", "action-1-owner": "org-1", "action-1-appealable": "yes",
        "action-2-description": "Name the school", "action-2-owner": "org-1", "action-2-order_kind": "name_school",
    }))
    assert list(found) == ["action-1-order_kind", "action-2-order_kind"]
    assert "kind of order" in found["action-1-order_kind"] and "appealable matter" in found["action-2-order_kind"]


def test_a_row_with_only_its_appealable_box_ticked_asks_for_its_description() -> None:
    found = problems("outcome", posted(result="full_agreement", **{
        "action-2-owner": "org-1", "action-2-appealable": "yes", "action-2-order_kind": "assess",
    }))
    assert list(found) == ["action-2-description"]


def test_the_requests_own_problems_with_an_action_land_on_its_row() -> None:
    """A kind of order unknown to the domain, or a date agreed in writing out of range, is shown
    against the field in that row (`agreed_due` is the row's date field)."""
    found = problems("outcome", posted(result="full_agreement", **{
        "action-3-description": "Issue the plan", "action-3-owner": "org-1", "action-3-appealable": "yes",
        "action-3-order_kind": "plan", **date_fields("action-3-due", date(2001, 1, 1)),
    }))
    assert set(found) == {"action-3-order_kind", "action-3-due"}


# --- The child's date of birth on both openings ---------------------------------------------------------

MEDIATION_FIELDS = {
    "applicant_name": "Sam Parent", "applicant_role": "parent", "applicant_email": "sam.parent@example.org",
    "la-name": "Rotherham LA", "la-email": "send@la.example.gov.uk", "decision_kind": "refusal_to_assess",
    "mediation_issues": ["education"], "case_officer": ACTOR, **date_fields("decision_date", date(2026, 10, 20)),
}


def dr_answers(**extra) -> dict:
    answers: dict = {}
    for name, value in opening_fields(open_case()):
        if name == "kinds":
            answers.setdefault(name, []).append(value)
        else:
            answers[name] = value
    return answers | extra


@pytest.mark.parametrize("parse, answers", [(parse_case, dr_answers), (parse_mediation, lambda **extra: MEDIATION_FIELDS | extra)])
def test_both_openings_take_the_childs_date_of_birth(parse, answers) -> None:
    _, opened = parse(answers(**date_fields("child_date_of_birth", date(2011, 3, 14))), ACTOR)
    assert opened.child_date_of_birth == date(2011, 3, 14)
    _, opened = parse(answers(), ACTOR)
    assert opened.child_date_of_birth is None


@pytest.mark.parametrize("parse, answers", [(parse_case, dr_answers), (parse_mediation, lambda **extra: MEDIATION_FIELDS | extra)])
def test_both_openings_refuse_a_birth_in_the_future_or_not_a_date(parse, answers) -> None:
    tomorrow = datetime.now(UTC).date() + timedelta(days=2)
    for wrong, words in ((date_fields("child_date_of_birth", tomorrow), "must be in the past"),
                         ({"child_date_of_birth-day": "30", "child_date_of_birth-month": "2",
                           "child_date_of_birth-year": "2011"}, "real date")):
        with pytest.raises(FormErrors) as raised:
            parse(answers(**wrong), ACTOR)
        assert list(raised.value.errors) == ["child_date_of_birth"]
        assert words in raised.value.errors["child_date_of_birth"]


# --- The pages -----------------------------------------------------------------------------------------

TEMPLATES = _templates().env


def rendered(template: str, **context) -> str:
    base = {"request": SimpleNamespace(url=SimpleNamespace(path="/cases")), "errors": {}, "values": {}, "csrf_token": "t"}
    return TEMPLATES.get_template(template).render(base | context)


def duties_case():
    return mediation_view(
        stage=CaseStage.certificate_due,
        warnings=["Opened more than 2 months after the decision: the appeal deadline, 20 December 2026, is still ahead."],
        deadlines=[
            DeadlineView(name="certificate", due=date(2026, 12, 23), state=DeadlineState.open,
                         owed_by="mediation_adviser", source="SEND Regs 2014 reg 34"),
            DeadlineView(name="health_notice", due=date(2026, 11, 6), state=DeadlineState.met, owed_by="org-2",
                         source="SEND Regs 2014 reg 32(e)", settled_on=date(2026, 11, 5), settled_by=3),
        ],
        certificate=CertificateView(issued_on=date(2026, 11, 20), reason=CertificateReason.mediation_concluded,
                                    issued_by=CertificateIssuer.mediator),
        health_provision_sought="Speech and language therapy from the community team",
        actions=[ActionView(number=1, description="Assess", owner="org-1", due=date(2027, 1, 29), done=False,
                            appealable=True, order_kind=OrderKind.assess, due_source="SEND Regs 2014 reg 44(2)")],
    )


def case_page(case, on: date = date(2026, 12, 18)) -> str:
    return rendered("case.html", title="Case", case=case, **case_work.page_parts(case, on, CASE_OFFICER.may),
                    actions=[], names=presenters.party_names(case), temporal_link="#", staff=CASE_OFFICER)


def test_the_case_page_shows_each_warning_as_govuk_warning_text() -> None:
    page = case_page(duties_case())
    warning, certificate = re.findall(r'<div class="govuk-warning-text">(.*?)</div>', page, re.S)
    assert "Opened more than 2 months after the decision" in warning and "Warning" in warning
    assert "A mediation certificate is owed: the mediation adviser must issue it. It is due 23 December 2026." in certificate
    assert "govuk-warning-text" not in case_page(mediation_view(warnings=[]))


def test_the_case_page_shows_who_owes_each_duty_its_source_and_when_it_was_settled() -> None:
    page = case_page(duties_case())
    assert ">Owed by<" in page and ">Rule<" in page
    certificate = re.search(r"<tr[^>]*><td[^>]*>Issue the mediation certificate</td>.*?</tr>", page, re.S).group(0)
    assert "The mediation adviser" in certificate and "SEND Regs 2014 reg 34" in certificate
    notice = re.search(r"<tr[^>]*><td[^>]*>Notify the health commissioners</td>.*?</tr>", page, re.S).group(0)
    assert ">Met<" in notice and "On 5 November 2026 (timeline entry 3)" in notice and "South Yorkshire ICB (org-2)" in notice
    owed, settled = page.index('id="duties-owed"'), page.index('id="duties-settled"')
    assert owed < page.index("Issue the mediation certificate</td>") < settled < page.index("Notify the health commissioners</td>")


def test_the_case_page_shows_the_certificates_issuer_the_provision_and_each_actions_due_rule() -> None:
    page = case_page(duties_case())
    assert "Issued 20 November 2026 by the mediator. Mediation has taken place." in page
    assert "Speech and language therapy from the community team" in page
    assert "SEND Regs 2014 reg 44(2). Appealable matter: make an EHC needs assessment" in page
    assert "Waiting for the mediation certificate</h1>" in page


def test_the_choice_form_ticks_the_issues_given_at_opening_and_links_each_error_to_its_field() -> None:
    case = mediation_view()
    form = ACTION_FORMS["choose"]
    page = rendered(form.page, form=form, case=case, title=form.title)
    ticked = re.findall(r'name="mediation_issues" type="checkbox" value="(\w+)" checked', page)
    assert ticked == ["education", "health"]
    assert 'name="health_provision_sought"' in page and 'id="adviser_told_on-day"' in page
    errors = {"adviser_told_on": "x", "mediation_issues": "y", "health_provision_sought": "z"}
    page = rendered(form.page, form=form, case=case, title=form.title, errors=errors, values={"mediation_issues": ["health"]})
    links = ERROR_LINKS.findall(page)
    assert links == ["adviser_told_on-day", "mediation_issues", "health_provision_sought"]
    assert all(f'id="{link}"' in page for link in links)
    assert re.findall(r'name="mediation_issues" type="checkbox" value="(\w+)" checked', page) == ["health"]


def test_the_certificate_form_offers_who_issued_it() -> None:
    form = ACTION_FORMS["certificate"]
    page = rendered(form.page, form=form, case=mediation_view(), title=form.title, errors={"issued_by": "Select"})
    assert re.findall(r'name="issued_by" type="radio" value="(\w+)"', page) == ["mediation_adviser", "mediator"]
    assert ERROR_LINKS.findall(page) == ["issued_by"] and 'id="issued_by"' in page


def test_the_outcome_form_asks_each_row_for_an_appealable_matter_its_kind_and_a_date_agreed_in_writing() -> None:
    form = ACTION_FORMS["outcome"]
    errors = {"action-2-order_kind": "Select the kind", "action-2-due": "Not a date"}
    page = rendered(form.page, form=form, case=mediation_view(), title=form.title, errors=errors,
                    names=presenters.party_names(mediation_view()))
    assert "Action 1: appealable matter?" in page and "Action 1: date agreed in writing (optional)" in page
    kinds = re.search(r'<select[^>]*name="action-1-order_kind".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="(\w*)"', kinds) == ["", *(kind.value for kind in OrderKind)]
    assert ERROR_LINKS.findall(page) == ["action-2-order_kind", "action-2-due-day"]
    assert 'id="action-2-order_kind"' in page and 'id="action-2-due-day"' in page


@pytest.mark.parametrize("route", list(OPENINGS))
def test_both_opening_forms_ask_for_the_childs_date_of_birth(route) -> None:
    way = OPENINGS[route]
    page = rendered(way.form, opening=way, title=way.title, errors={"child_date_of_birth": "Must be in the past"})
    assert "date of birth (optional)" in page and 'id="child_date_of_birth-day"' in page
    assert ERROR_LINKS.findall(page) == ["child_date_of_birth-day"]


def test_the_case_list_offers_every_stage_certificate_due_included() -> None:
    page = rendered("cases.html", title="Cases", filters={}, summaries=[])
    stages = re.search(r'<select[^>]*name="stage".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="(\w*)"', stages) == ["", *(stage.value for stage in CaseStage)]


def test_the_outcome_form_of_disagreement_resolution_asks_for_no_appealable_matter() -> None:
    """Reg 42 is statutory mediation's: disagreement resolution agrees its own dates."""
    case = Resolution.open("DR-2026-7KQ3XZ", open_case(), OPENED_AT).view()
    form = ACTION_FORMS["outcome"]
    page = rendered(form.page, form=form, case=case, title=form.title, names=presenters.party_names(case))
    assert "appealable" not in page and "order_kind" not in page
    assert "Action 1: due date agreed (optional)" in page


def test_the_certificate_is_offered_while_a_certificate_duty_is_owed() -> None:
    owed = DeadlineView(name="certificate", due=date(2026, 12, 4), state=DeadlineState.open, owed_by="mediator")
    first = CertificateView(issued_on=date(2026, 11, 20), reason=CertificateReason.not_arranged)
    certificate = ACTION_FORMS["certificate"]
    # A second certificate, after "cannot arrange" and then mediation: offered again.
    assert certificate.offered(mediation_view(stage=CaseStage.monitoring_agreement, certificate=first, deadlines=[owed]))
    met = owed.model_copy(update={"state": DeadlineState.met, "settled_on": date(2026, 12, 1), "settled_by": 9, "owed": False})
    assert not certificate.offered(mediation_view(certificate=first, deadlines=[met]))
    assert not certificate.offered(mediation_view())  # at advice: nothing owed yet


@pytest.mark.parametrize("route", list(OPENINGS))
def test_the_check_answers_page_shows_the_childs_date_of_birth(route) -> None:
    way = OPENINGS[route]
    opened = (open_mediation(date(2026, 10, 20), child_date_of_birth=date(2011, 3, 14)) if route.value == "mediation"
              else open_case(child_date_of_birth=date(2011, 3, 14)))
    page = rendered("check.html", opening=way, opened=opened, reference="MD-2026-7KQ3XZ", draft="{}", title="Check")
    assert re.search(r"Child&#39;s date of birth\s*</dt>\s*<dd[^>]*>\s*14 March 2011", page)
    answers = " ".join(re.findall(r'<dd class="govuk-summary-list__value">\s*(.*?)\s*</dd>', page, re.S))
    assert "_" not in answers.replace(opened.applicant.contact.email or "", "")  # codes in words, every one
    if route.value == "mediation":
        assert "Refusal to carry out an EHC needs assessment" in answers and "Education and health" in answers
    else:
        assert "The special educational provision made" in answers and "EHC needs assessment" in answers
        assert "(a school)" in answers and "(the local authority)" in answers
    assert "Parent" in answers


def test_the_case_list_shows_each_cases_warnings_by_name() -> None:
    from domain.models import CaseSummary

    summary = CaseSummary(reference="MD-2026-7KQ3XZ", stage=CaseStage.certificate_due, outcome=None, kinds=[],
                          case_officer=ACTOR, next_deadline=None, warnings=["late_opening"])
    page = rendered("cases.html", title="Cases", filters={}, summaries=[summary], first_shown=26, total=1_026)
    assert "Cases 26 to 26 of 1,026, soonest next deadline first" in page
    assert ">Warnings<" in page and "Opened late" in page and "govuk-tag--pink" in page


def test_the_health_provision_is_asked_after_only_when_health_is_an_issue() -> None:
    assert "Health care provision sought" in case_page(mediation_view())  # education and health
    assert "Health care provision sought" not in case_page(mediation_view(mediation_issues=[MediationIssue.education]))


@pytest.mark.parametrize("days", ["\u00b2", "\u0665", "9" * 5000, "-3", "1.5"], ids=["superscript", "arabic", "huge", "negative", "fraction"])
def test_an_extension_in_anything_but_plain_digits_is_refused_in_words(days: str) -> None:
    form = posted(deadline="consent_window", days=days, reason="leave")

    assert problems("extend", form, Resolution.open("DR-2026-7KQ3XZ", open_case(), OPENED_AT).view()) == {
        "days": "Number of days must be a whole number, for example 5",
    }


def test_the_consent_form_offers_to_correct_an_answer_given_online_but_not_one_staff_recorded() -> None:
    """DESIGN section 14: staff can still correct an answer given online; one they recorded stands."""
    case = Resolution.open("DR-2026-7KQ3XZ", open_case(), OPENED_AT).view()
    parties = [
        case.parties[0].model_copy(update={"consent": "agreed", "answered_online": True}),
        case.parties[1].model_copy(update={"consent": "agreed"}),
        case.parties[2],
    ]
    case = case.model_copy(update={"stage": CaseStage.awaiting_consent, "parties": parties})
    page = rendered("actions/consent.html", title="Consent", case=case, form=ACTION_FORMS["consent"],
                    names=presenters.party_names(case), refused=None)
    choices = re.findall(r'<label class="govuk-label govuk-radios__label" for="party[^"]*">\s*(.*?)\s*</label>', page, re.S)
    assert choices == ["Rotherham LA (org-2)", "Sam Parent (applicant): answered online (agreed), correct it"]
