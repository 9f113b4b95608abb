"""Checking what staff type before anything is sent: the parsers, the messages, `--help`.

No server is needed: the CLI is pointed at a port nobody listens on, so a command that tried to
reach Temporal would exit 1 instead of 2.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
import typer
from typer.testing import CliRunner

from cli import parsing
from cli.app import app
from cli.cases import visibility_query
from domain.models import AddNote, CaseStage, ExtendDeadline, OrganisationKind, Route
from tests.cli_helpers import PROJECT_ROOT, Outcome, open_arguments
from tests.conftest import TEST_KEYS

COMMANDS = [
    "open", "talk", "offer", "consent", "assign", "schedule", "outcome", "action-done",
    "withdraw", "extend", "note", "show", "list",
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


def test_an_agreed_action_is_description_owner_and_due_date() -> None:
    action = parsing.agreed_action("Review the plan|org-2|2027-01-15")
    assert (action.description, action.owner, action.due) == ("Review the plan", "org-2", date(2027, 1, 15))
    assert parsing.agreed_action("Share the report|applicant").due is None
    assert "not a party id" in problem(parsing.agreed_action, "Share the report|the school")
    assert "write it as 2026-12-14" in problem(parsing.agreed_action, "Share the report|org-1|soon")
    assert "DESCRIPTION|OWNER_PARTY_ID|DUE_DATE" in problem(parsing.agreed_action, "Share the report")


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
    assert visibility_query(None, None, False, now) == both
    assert visibility_query(CaseStage.awaiting_consent, "jo.smith", True, now) == (
        f'{both} AND CaseStage = "awaiting_consent" AND CaseOfficer = "jo.smith" '
        'AND NextDeadline < "2026-11-28T10:00:00+00:00"'
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
            "import cli.app, cli.cases, domain.models as models; from pydantic import BaseModel; "
            "print(*[name for name, kind in vars(models).items() if isinstance(kind, type) "
            "and issubclass(kind, BaseModel) and kind.__pydantic_complete__])",
        ],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30, check=True,
    )
    assert built.stdout.split() == []
