"""A refusal says what to do, where: the case's own refusal travels from the domain's `RuleViolation`
through the workflow's `ApplicationError` to `cases.client.Refused` with the field it is about and the
earliest date allowed, so that the console shows it on that field; and a form's own problems read as
GOV.UK's error messages do, never as a library's.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from cases.client import Refused
from domain.models import ExtendDeadline, ScheduleSession, long_date
from infra.settings import Settings
from tests.conftest import open_case, opened_view, running_worker, start_case
from tests.test_case_updates import OFFICER, due, now
from tests.test_web_forms import posted, problems
from web.forms import ACTION_FORMS
from workflows.case import DisagreementCase


async def refusal(handle, update, request) -> Refused:
    with pytest.raises(WorkflowUpdateFailedError) as raised:
        await handle.execute_update(update, request)
    assert isinstance(raised.value.cause, ApplicationError)
    return Refused.of(raised.value.cause)


async def test_a_refusal_reaches_the_client_naming_its_field_and_the_earliest_date(
    dev_server: WorkflowEnvironment, settings: Settings,
) -> None:
    async with running_worker(dev_server.client, settings):
        handle = await start_case(dev_server.client, settings, open_case())
        case = await opened_view(handle)
        review = due(case, "talks_review")

        moved = await refusal(handle, DisagreementCase.extend_deadline, ExtendDeadline(
            actor=OFFICER, deadline="talks_review", until=review, reason="leave",
        ))
        assert (moved.field, moved.earliest) == (("until",), review + timedelta(days=1))
        assert str(moved).endswith(f"The earliest date is {long_date(review + timedelta(days=1))}")

        # A refusal about the case as a whole names no field: the console shows it in the summary.
        early = await refusal(handle, DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=now() + timedelta(days=2)))
        assert (early.field, early.earliest, early.unless) == ((), None, None)
        assert "cannot schedule a session" in str(early)
        await handle.terminate("test over")


def test_a_refusal_from_before_its_details_is_still_read() -> None:
    """A workflow not yet on this release refuses with words alone."""
    old = Refused.of(ApplicationError("the consent window has already closed", type="RuleViolation"))
    assert (str(old), old.field, old.earliest, old.unless) == ("the consent window has already closed", (), None, None)


@pytest.mark.parametrize("address", ["sam@example", "sam@@example.org", "sam.example.org"])
def test_a_bad_email_address_or_phone_number_reads_as_govuk_says_it(address: str) -> None:
    errors = problems("mediator", posted(name="Pat Mediator", email=address, independent="yes"))
    assert errors == {"email": "Enter an email address in the correct format, like name@example.com"}


def test_a_phone_number_that_is_not_one_reads_as_govuk_says_it() -> None:
    from web.opening import parse_case
    from web.forms import FormErrors

    with pytest.raises(FormErrors) as raised:
        parse_case({
            "applicant_name": "Ann Example", "applicant_role": "parent", "applicant_phone": "07700",
            "org-1-kind": "school", "org-1-name": "Hill School", "org-1-email": "senco@hill.example.org",
            "kinds": ["provision"], "ehc_point": "needs_assessment", "summary": "Speech therapy",
        }, OFFICER)
    assert raised.value.errors == {
        "applicant_phone": "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
    }


def test_the_outcome_forms_rows_place_a_refusal_on_the_row_it_came_from() -> None:
    """Rows left empty are not sent: the second action sent came from the form's third row."""
    fields = posted(**{"action-1-description": "Fund therapy", "action-3-description": "Share the report"})
    assert ACTION_FORMS["outcome"].field_of(("actions", 1, "agreed_due"), fields) == "action-3-due"
    assert ACTION_FORMS["outcome"].field_of(("result",), fields) == "result"
    assert ACTION_FORMS["outcome"].field_of((), fields) == ""
