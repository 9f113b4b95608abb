"""Checking what staff type before anything is sent: the parsers, the messages, `--help`.

No server is needed: the CLI is pointed at a port nobody listens on, so a command that tried to
reach Temporal would exit 1 instead of 2.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
import typer
from typer.testing import CliRunner

from cli import parsing
from cli.main import app
from cases.client import visibility_query
from domain.models import (
    AddNote, CaseStage, CertificateIssuer, ExtendDeadline, IssueCertificate, MediationIssue, OpenCase, OpenMediation,
    OrderKind, OrganisationKind, RecordChoice, RecordOutcome, Route,
)
from tests.cli_helpers import PROJECT_ROOT, Outcome, open_arguments
from tests.conftest import TEST_KEYS

COMMANDS = [
    "open", "talk", "offer", "consent", "assign", "schedule", "outcome", "action-done",
    "withdraw", "extend", "note", "show", "list", "open-mediation", "choose", "certificate",
]
REFERENCE = "DR-2026-7KQ3XZ"


def unused_address() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def run(*args: str, **env: str | None) -> Outcome:
    base = {"TEMPORAL_ADDRESS": unused_address(), "DISAGREEMENT_STAFF_ID": "jo.smith"}
    result = CliRunner().invoke(app, list(args), env={**base, **env})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def rejected(outcome: Outcome, *words: str) -> None:
    assert outcome.code == 2, (outcome.code, outcome.stderr)
    for word in words:
        assert word in outcome.said, outcome.said
    assert "Traceback" not in outcome.stderr


def problem(parse, text: str) -> str:
    with pytest.raises(typer.BadParameter) as raised:
        parse(text)
    return raised.value.message


# --- Parsers -------------------------------------------------------------------------------------------


def test_references_are_read_in_capitals_and_checked() -> None:
    assert parsing.reference(" dr-2026-7kq3xz ") == REFERENCE
    assert "look like DR-2026-7KQ3XZ" in problem(parsing.reference, "DR-26-1")


@pytest.mark.parametrize(
    "parse, text",
    [
        (parsing.reference, "DR-\U0001d7f8\U0001d7f6\U0001d7f8\U0001d7fc-7KQ3XZ"),  # DR-𝟸𝟶𝟸𝟼-...: mathematical digits
        (parsing.reference, "MD-\u0662\u0660\u0662\u0666-7KQ3XZ"),  # Arabic-Indic digits
        (parsing.reference, "DR-2026-7KQ3X\u0665"),
        (parsing.staff_id, "jo.smith\n"),  # `$` matches before a trailing newline
        (parsing.staff_id, "jo.smit\u0127"),
        (parsing.party_id, "org-\U0001d7f7"),
    ],
    ids=["mathematical-digits", "arabic-digits", "arabic-digit-in-code", "trailing-newline", "non-ascii-letter", "party-digit"],
)
def test_references_staff_and_party_ids_are_plain_ascii_and_whole(parse, text: str) -> None:
    assert "is not a" in problem(parse, text)


@pytest.mark.parametrize(
    "args",
    [
        ["--appeal-before", "9999-12-31"],
        ["--appeal-before", "2014-08-31"],
        ["--closed", "--closed-after", "9999-12-31"],
        ["--closed", "--closed-before", "0001-01-01"],
    ],
)
def test_list_filters_stay_within_the_dates_a_case_can_hold(args: list[str]) -> None:
    rejected(run("list", *args), args[-2], "out of range", "between 1 September 2014 and 31 December 2099")


def test_a_time_without_a_zone_is_the_time_in_england() -> None:
    summer = parsing.moment("2026-07-01T10:30")
    assert summer.utcoffset() == timedelta(hours=1)
    assert parsing.moment("2026-12-01T10:30").utcoffset() == timedelta(0)
    assert parsing.moment("2026-07-01T10:30Z") == datetime(2026, 7, 1, 10, 30, tzinfo=UTC)
    assert parsing.moment("2026-07-01T10:30+02:00") == datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    assert "no time of day" in problem(parsing.moment, "2026-07-01")
    assert "not a date and time" in problem(parsing.moment, "next tuesday")


def test_dates_are_iso_8601() -> None:
    assert parsing.day("2026-12-14") == date(2026, 12, 14)
    assert "write it as 2026-12-14" in problem(parsing.day, "14/12/2026")


def test_an_organisation_is_kind_name_and_email() -> None:
    school = parsing.organisation("school | Hill Top Primary | senco@hilltop.example.org")
    assert (school.kind, school.name, school.contact.email) == (
        OrganisationKind.school, "Hill Top Primary", "senco@hilltop.example.org",
    )
    assert "should be written KIND|NAME|EMAIL" in problem(parsing.organisation, "school|Hill Top Primary")
    assert "should be written KIND|NAME|EMAIL" in problem(parsing.organisation, "school||senco@hilltop.example.org")
    assert "'academy' is not a kind of organisation" in problem(parsing.organisation, "academy|Hill Top|a@example.org")
    assert "not a valid email address" in problem(parsing.organisation, "school|Hill Top|senco.hilltop")


def test_addresses_supporters_phones_and_emails() -> None:
    address = parsing.postal_address("1 High Street|Rotherham|s60 1aa")
    assert (address.lines, address.postcode) == (["1 High Street", "Rotherham"], "S60 1AA")
    assert "line1|line2|postcode" in problem(parsing.postal_address, "S60 1AA")
    supporter = parsing.supporter("Ali Adviser|ali@sendiass.example.org")
    assert (supporter.name, supporter.email) == ("Ali Adviser", "ali@sendiass.example.org")
    assert parsing.phone("07700 900123") == "+447700900123"
    assert "not a possible phone number" in problem(parsing.phone, "0770")
    assert "not a valid email address" in problem(parsing.email, "sam@")


def test_an_agreed_action_is_what_owner_and_a_date_agreed_in_writing() -> None:
    action = parsing.agreed_action("Review the plan|org-2|2027-01-15")
    assert (action.description, action.owner, action.agreed_due) == ("Review the plan", "org-2", date(2027, 1, 15))
    assert (action.appealable, action.order_kind) == (False, None)
    assert "not a party id" in problem(parsing.agreed_action, "Share the report|the school")
    assert "WHAT|OWNER|DUE" in problem(parsing.agreed_action, "Share the report")


def test_an_agreed_action_without_a_due_date_leaves_it_to_the_law() -> None:
    """reg 42(3) on statutory mediation, the service's default on disagreement resolution: the
    domain's to apply, so nothing is filled in here."""
    action = parsing.agreed_action("Share the report|applicant")
    assert (action.agreed_due, action.appealable, action.order_kind) == (None, False, None)


def test_an_appealable_matter_is_appeal_and_its_kind_of_order() -> None:
    action = parsing.agreed_action("Carry out an EHC needs assessment|org-1|appeal:assess")
    assert (action.appealable, action.order_kind, action.agreed_due) == (True, OrderKind.assess, None)
    assert parsing.agreed_action("Issue the plan|org-1| APPEAL:Issue_Plan ").order_kind is OrderKind.issue_plan
    # A timescale agreed in writing replaces the reg 44 period (reg 42(5)); the kind is still recorded.
    agreed = parsing.agreed_action("Name the school|org-1|appeal:name_school|2027-02-01")
    assert (agreed.order_kind, agreed.agreed_due) == (OrderKind.name_school, date(2027, 2, 1))


def test_a_bad_due_says_what_a_due_may_be_and_names_every_kind_of_order() -> None:
    every_kind = ", ".join(kind.value for kind in OrderKind)
    unknown = problem(parsing.agreed_action, "Issue the plan|org-1|appeal:plan")
    assert "'plan' is not a kind of order" in unknown and every_kind in unknown
    assert "the kind of order is missing" in problem(parsing.agreed_action, "Issue the plan|org-1|appeal:")
    soon = problem(parsing.agreed_action, "Share the report|org-1|soon")
    assert "'soon' is not a due date" in soon and "2027-01-15" in soon and "appeal:KIND" in soon and every_kind in soon
    assert "only an appealable matter" in problem(parsing.agreed_action, "Share the report|org-1|2027-01-15|2027-02-01")
    assert "'someday' is not a due date" in problem(parsing.agreed_action, "Assess|org-1|appeal:assess|someday")
    assert "WHAT|OWNER|DUE" in problem(parsing.agreed_action, "a|org-1|appeal:assess|2027-01-15|extra")
    # The domain's own range: a date agreed in writing before the SEND system is named as DUE.
    assert problem(parsing.agreed_action, "Share the report|org-1|2001-01-01").startswith("DUE: ")


def test_party_and_staff_ids() -> None:
    assert parsing.party_id("ORG-2") == "org-2"
    assert "not a party id" in problem(parsing.party_id, "org-0")
    assert parsing.staff_id("jo.smith") == "jo.smith"
    assert "not a staff id" in problem(parsing.staff_id, "Jo Smith")


def test_a_rejected_request_names_the_option() -> None:
    with pytest.raises(typer.BadParameter) as raised:
        parsing.build(AddNote, actor="jo.smith", text="   ")
    assert raised.value.message.startswith("--text: ")
    with pytest.raises(typer.BadParameter) as raised:
        parsing.build(
            ExtendDeadline, {"": "--days / --until"},
            actor="jo.smith", deadline="talks_review", days=3, until=date(2027, 1, 4), reason="closed",
        )
    assert raised.value.message == "--days / --until: give either a number of days or a new date, not both"


def test_the_visibility_query_of_each_filter() -> None:
    now = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    both = '(WorkflowType = "DisagreementCase" OR WorkflowType = "MediationCase")'
    # Open cases by default (DESIGN section 13); closed ones by stage, or from the records.
    assert visibility_query(None, None, False, now) == f'{both} AND ExecutionStatus = "Running" AND CaseStage != "closed"'
    assert visibility_query(CaseStage.awaiting_consent, "jo.smith", True, now) == (
        f'{both} AND CaseStage = "awaiting_consent" AND CaseOfficer = "jo.smith" '
        'AND NextDeadline < "2026-11-28T10:00:00+00:00"'
    )
    assert visibility_query(CaseStage.certificate_due, None, True, now) == (
        f'{both} AND CaseStage = "certificate_due" AND NextDeadline < "2026-11-28T10:00:00+00:00"'
    )
    assert visibility_query(None, None, False, now, date(2027, 1, 31), Route.mediation) == (
        '(WorkflowType = "MediationCase") AND AppealDeadline < "2027-02-01T00:00:01Z"'
    )


# --- The command line refuses bad input without reaching the server --------------------------------------


def test_a_malformed_organisation() -> None:
    rejected(
        run(*open_arguments("--organisation", "school|Hill Top Primary")),
        "Invalid value for '--organisation'", "'school|Hill Top Primary' should be written KIND|NAME|EMAIL",
    )


def test_a_bad_kind() -> None:
    rejected(run(*open_arguments("--kind", "provisions")), "'--kind'", "'provisions' is not one of")


def test_an_invalid_email() -> None:
    rejected(run(*open_arguments("--applicant-email", "sam@")), "'--applicant-email'", "not a valid email address")


def test_an_applicant_nobody_can_reach() -> None:
    contact = ("--applicant-email", "sam.parent@example.org", "--applicant-phone", "07700 900123")
    arguments = [arg for arg in open_arguments() if arg not in contact]
    rejected(run(*arguments), "--applicant-email", "give at least one way to reach them")


def test_a_bad_reference_and_a_bad_party() -> None:
    rejected(run("offer", "DR-2026-7KQ3X"), "is not a case reference")
    rejected(run("withdraw", REFERENCE, "--party", "school", "--reason", "x"), "'--party'", "not a party id")


def test_consent_needs_an_answer_and_an_extension_one_way() -> None:
    rejected(run("consent", REFERENCE, "--party", "org-1"), "--agree or --decline")
    rejected(
        run("extend", REFERENCE, "--deadline", "talks_review", "--days", "3", "--until", "2027-01-04", "--reason", "x"),
        "--days / --until: give either a number of days or a new date",
    )


def test_a_missing_or_malformed_identity() -> None:
    rejected(
        run("offer", REFERENCE, DISAGREEMENT_STAFF_ID=None), "say who you are", "--as STAFF_ID", "DISAGREEMENT_STAFF_ID"
    )
    rejected(run("offer", REFERENCE, DISAGREEMENT_STAFF_ID="Jo Smith"), "DISAGREEMENT_STAFF_ID", "not a staff id")


def test_an_invalid_session_time_and_stage() -> None:
    rejected(run("schedule", REFERENCE, "--at", "2026-12-14"), "no time of day")
    rejected(run("list", "--stage", "mediation"), "'--stage'", "'mediation' is not one of")


def test_missing_settings_are_named(tmp_path) -> None:
    rejected(
        run("show", REFERENCE, DISAGREEMENT_ENCRYPTION_KEYS=None, DISAGREEMENT_DATA_DIR=str(tmp_path)),
        "no encryption key", "DISAGREEMENT_ENCRYPTION_KEYS",
    )
    rejected(run("show", REFERENCE, DISAGREEMENT_TASK_QUEUE=""), "DISAGREEMENT_TASK_QUEUE")


# --- What the statutory mediation commands send (caught before the server) --------------------------------

MD_REFERENCE = "MD-2026-7KQ3XZ"


@dataclass
class Sent:
    """What a command would have sent to a case: (method, reference, update or None, request)."""

    requests: list[tuple] = field(default_factory=list)

    async def act(self, reference: str, update: str, request: object) -> None:
        self.requests.append(("act", reference, update, request))

    async def open(self, reference: str, opened: object) -> None:
        self.requests.append(("open", reference, None, opened))

    @property
    def request(self):
        [(_, _, _, request)] = self.requests
        return request


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Commands run as usual up to the server, which here records the request and prints nothing."""
    import asyncio

    import cli.app

    recorder = Sent()

    def with_cases(work):
        asyncio.run(work(recorder))
        raise typer.Exit(0)

    monkeypatch.setattr(cli.app, "with_cases", with_cases)  # the name the case commands call
    return recorder


def mediation_open_arguments(*extra: str) -> list[str]:
    return [
        "open-mediation", "--applicant-name", "Sam Parent", "--applicant-role", "parent",
        "--applicant-email", "sam.parent@example.org", "--local-authority", "Rotherham LA|send@la.example.gov.uk",
        "--decision", "refusal_to_assess", "--decision-date", "2026-10-01", "--issue", "education", *extra,
    ]


def test_choose_sends_the_advisers_date_the_issues_and_the_health_provision(sent: Sent) -> None:
    done = run(
        "choose", MD_REFERENCE, "--mediate", "--adviser-told-on", "2026-11-02", "--la-notified-on", "2026-11-03",
        "--issue", "health", "--issue", "education", "--issue", "health",
        "--health-provision", "Speech and language therapy from the community health team",
    )
    assert done.code == 0, done.stderr
    choice = sent.request
    assert isinstance(choice, RecordChoice) and choice.mediate
    assert (choice.adviser_told_on, choice.la_notified_on) == (date(2026, 11, 2), date(2026, 11, 3))
    assert choice.mediation_issues == [MediationIssue.health, MediationIssue.education]
    assert choice.health_provision_sought == "Speech and language therapy from the community health team"


def test_choose_without_issues_leaves_those_given_at_opening(sent: Sent) -> None:
    assert run("choose", MD_REFERENCE, "--no-mediation").code == 0
    choice = sent.request
    assert (choice.mediate, choice.mediation_issues, choice.adviser_told_on, choice.health_provision_sought) == (
        False, None, None, None,
    )


def test_choose_refuses_a_bad_issue_date_or_provision_by_its_option(sent: Sent) -> None:
    rejected(run("choose", MD_REFERENCE, "--mediate", "--issue", "dental"), "'--issue'", "'dental' is not one of")
    rejected(run("choose", MD_REFERENCE, "--no-mediation", "--adviser-told-on", "2/11/2026"),
             "'--adviser-told-on'", "write it as 2026-12-14")
    rejected(run("choose", MD_REFERENCE, "--no-mediation", "--adviser-told-on", "2001-01-01"), "--adviser-told-on:")
    rejected(run("choose", MD_REFERENCE, "--mediate", "--issue", "health", "--health-provision", "   "),
             "--health-provision:")
    rejected(run("choose", MD_REFERENCE, "--mediate", "--health-provision", "therapy\x1b[2J"),
             "--health-provision:", "control characters")
    assert sent.requests == []


def test_certificate_sends_who_issued_it_or_leaves_it_to_the_law(sent: Sent) -> None:
    assert run("certificate", MD_REFERENCE, "--on", "2026-11-20", "--by", "mediator").code == 0
    assert run("certificate", MD_REFERENCE).code == 0
    [(*_, by_mediator), (*_, by_default)] = sent.requests
    assert isinstance(by_mediator, IssueCertificate)
    assert (by_mediator.issued_on, by_mediator.issued_by) == (date(2026, 11, 20), CertificateIssuer.mediator)
    assert (by_default.issued_on, by_default.issued_by) == (None, None)


def test_certificate_refuses_an_issuer_the_law_does_not_name(sent: Sent) -> None:
    rejected(run("certificate", MD_REFERENCE, "--by", "council"), "'--by'", "'council' is not one of",
             "mediation_adviser", "mediator")
    assert sent.requests == []


def test_outcome_sends_each_actions_due_rule(sent: Sent) -> None:
    done = run(
        "outcome", MD_REFERENCE, "--result", "partial_agreement",
        "--action", "Carry out an EHC needs assessment|org-1|appeal:assess",
        "--action", "Send the therapy report|org-1|2027-01-15",
        "--action", "Share the school's notes|applicant",
    )
    assert done.code == 0, done.stderr
    outcome = sent.request
    assert isinstance(outcome, RecordOutcome)
    assert [(a.appealable, a.order_kind, a.agreed_due) for a in outcome.actions] == [
        (True, OrderKind.assess, None), (False, None, date(2027, 1, 15)), (False, None, None),
    ]


def test_outcome_refuses_an_unknown_kind_of_order_in_words(sent: Sent) -> None:
    outcome = run("outcome", MD_REFERENCE, "--result", "full_agreement", "--action", "Issue the plan|org-1|appeal:plan")
    rejected(outcome, "Invalid value for '--action'", "'plan' is not a kind of order",
             *(kind.value for kind in OrderKind))
    rejected(run("outcome", MD_REFERENCE, "--result", "full_agreement", "--action", "Share it|org-1|next week"),
             "'--action'", "'next week' is not a due date", "appeal:KIND")
    assert sent.requests == []


@pytest.mark.parametrize("opening", [open_arguments, mediation_open_arguments])
def test_both_openings_send_the_childs_date_of_birth(sent: Sent, opening) -> None:
    assert run(*opening("--child-date-of-birth", "2011-03-14")).code == 0
    assert run(*opening()).code == 0
    [(_, _, _, given), (_, _, _, left_out)] = sent.requests
    assert isinstance(given, OpenCase | OpenMediation)
    assert (given.child_date_of_birth, left_out.child_date_of_birth) == (date(2011, 3, 14), None)


@pytest.mark.parametrize("opening", [open_arguments, mediation_open_arguments])
def test_both_openings_refuse_a_date_of_birth_in_the_future_or_out_of_range(sent: Sent, opening) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    rejected(run(*opening("--child-date-of-birth", tomorrow)), "--child-date-of-birth", "in the future")
    rejected(run(*opening("--child-date-of-birth", "1980-05-01")), "--child-date-of-birth:", "1990-01-01")
    rejected(run(*opening("--child-date-of-birth", "14/3/2011")), "'--child-date-of-birth'", "write it as 2026-12-14")
    assert sent.requests == []


def test_certificate_due_is_a_stage_to_list_and_not_a_closed_one() -> None:
    # Parsed and sent to the server (nobody listens here: exit 1), like any stage.
    listed = run("list", "--stage", "certificate_due", "--overdue", DISAGREEMENT_ENCRYPTION_KEYS=TEST_KEYS)
    assert listed.code == 1, listed.stderr
    assert "cannot reach the Temporal server" in listed.said
    # Closed cases come from the records: a case owing its certificate is never one of them.
    rejected(run("list", "--closed", "--stage", "certificate_due"), "leave out --stage")
    rejected(run("list", "--outcome", "no_agreement", "--stage", "certificate_due"), "leave out --stage")


def test_the_list_help_offers_certificate_due() -> None:
    assert "certificate_due" in run("list", "--help", COLUMNS="250").stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself(command: str) -> None:
    helped = run(command, "--help")
    assert helped.code == 0
    assert "--json" in helped.stdout


def imported_by(*args: str) -> tuple[int, set[str]]:
    """The exit code of a command run as staff run it, and every module it imported."""
    env = {**os.environ, "TEMPORAL_ADDRESS": unused_address(), "DISAGREEMENT_ENCRYPTION_KEYS": TEST_KEYS}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "starter.py", *args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=30,
    )
    lines = done.stderr.splitlines()
    return done.returncode, {line.rpartition("|")[2].strip() for line in lines if line.startswith("import time:")}


def test_help_and_input_errors_do_not_load_the_temporal_client() -> None:
    for args in (["--help"], ["open", "--help"], ["offer", "not-a-reference"]):
        code, modules = imported_by(*args)
        assert code in (0, 2), args
        assert "temporalio.client" not in modules, args


# What `show` and `list` do without (issue 12: a staff command close to the cost of importing the
# Temporal client). Each was cut on measurement (bench/staff_commands.py); this keeps them out.
NOT_FOR_LOOKING = {
    "workflows.case", "workflows.mediation", "workflows.machinery",  # the CLI sends workflows/names.py
    "domain.case", "domain.deadlines", "domain.mediation",  # the workflow sends the view; nothing to plan
    "records.store", "records.models",  # the archive: read for a closed case, or for `list`'s closed ones
    "phonenumbers",  # only a phone number typed or stored needs it
    "email_validator",  # only an address typed, or the worker's settings (infra/settings.py)
    "holidays",  # only a table of working days left
}


@pytest.mark.parametrize("args", [("show", REFERENCE), ("show", REFERENCE, "--all", "--json"), ("list",)])
def test_looking_at_cases_loads_only_what_it_uses(args: tuple[str, ...]) -> None:
    """Up to the moment the command asks the server (here nobody answers: exit 1)."""
    code, modules = imported_by(*args)
    assert code == 1, args
    assert "temporalio.client" in modules  # it did reach for the server
    assert not NOT_FOR_LOOKING & modules, (args, NOT_FOR_LOOKING & modules)


def test_the_command_line_builds_no_model_schema_until_a_model_is_used() -> None:
    """Deferred building (domain/models.py): importing builds none of the domain's schemas."""
    built = subprocess.run(
        [
            sys.executable, "-c",
            "import cli.main, cases.client, domain.models as models; from pydantic import BaseModel; "
            "print(*[name for name, kind in vars(models).items() if isinstance(kind, type) "
            "and issubclass(kind, BaseModel) and kind.__pydantic_complete__])",
        ],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30, check=True,
    )
    assert built.stdout.split() == []
