"""The console's records pages, through the ASGI test client, against a real dev server, worker and
records store (SQLite and PostgreSQL): closed cases listed from the archive with filters and pages,
a closed case Temporal no longer keeps opened from the archive, and the subject access export."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
import structlog
from temporalio.testing import WorkflowEnvironment

from domain.models import Applicant, ApplicantRole, CaseOutcome, Contact, Route, Supporter
from infra.settings import Settings
from infra.identity import Role
from records.contacts import ContactIndex
from records.models import archive_of
from records.store import RecordsStore
from tests.conftest import open_case, personal_data, start_case
from tests.records_fixtures import closed_case
from tests.test_records_cli import SUBJECT_EMAIL, SUBJECT_NAME
from tests.web_console import Console, console_on_records, date_fields, error_summary, page_title

pytestmark = pytest.mark.timeout(180)

CASE_LINK = 'class="govuk-link" href="/cases/DR-'


@pytest_asyncio.fixture(loop_scope="session")
async def console(dev_server: WorkflowEnvironment, records_settings: Settings) -> AsyncIterator[Console]:
    """The console on the same records store as the `records` fixture."""
    async with console_on_records(dev_server, records_settings) as console:
        yield console


async def test_closed_cases_are_listed_from_the_records_with_filters_and_pages(
    console: Console, records: RecordsStore
) -> None:
    withdrawn = [closed_case() for _ in range(26)]  # closed 30 November 2026
    declined = closed_case(closed=datetime(2026, 12, 10, 11, tzinfo=UTC), outcome=CaseOutcome.declined)
    for case in [*withdrawn, declined]:
        await records.archive(archive_of(case, version=1))
    assert (await console.get("/cases/closed")).headers["location"] == "/sign-in"
    await console.sign_in()

    first = await console.get("/cases/closed", size="25")
    assert first.status_code == 200, error_summary(first)
    assert first.text.count(CASE_LINK) == 25 and "25 closed cases on page 1" in first.text
    assert f'href="/cases/{declined.reference}"' in first.text  # the newest closure first
    assert "10 December 2026 at 11am" in first.text and "10 December 2032" in first.text  # closed, delete after
    second = await console.get("/cases/closed", size="25", page="2")
    assert second.text.count(CASE_LINK) == 2 and "Previous page" in second.text and "Next page" not in second.text
    listed = {case.reference for case in [*withdrawn, declined] if f'href="/cases/{case.reference}"' in first.text + second.text}
    assert len(listed) == 27
    gone = await console.get("/cases/closed", size="25", page="3")
    assert (gone.status_code, error_summary(gone)) == (404, {"page": "That page of results does not exist: start from the first page"})
    assert 'href="/cases/closed?size=25">Go to the first page' in gone.text

    only = await console.get("/cases/closed", outcome="declined")
    assert only.text.count(CASE_LINK) == 1 and f'href="/cases/{declined.reference}"' in only.text
    after = await console.get("/cases/closed", **date_fields("closed_after", datetime(2026, 12, 1).date()))
    assert after.text.count(CASE_LINK) == 1 and f'href="/cases/{declined.reference}"' in after.text
    before = await console.get("/cases/closed", size="100", **date_fields("closed_before", datetime(2026, 12, 1).date()))
    assert before.text.count(CASE_LINK) == 26 and declined.reference not in before.text
    assert "No closed cases match" in (await console.get("/cases/closed", route=Route.mediation.value)).text
    assert "No closed cases match" in (await console.get("/cases/closed", officer="someone.else")).text
    assert (await console.get("/cases/closed", officer="jo.smith")).text.count(CASE_LINK) == 27

    bad = await console.get(
        "/cases/closed", outcome="nonsense", officer="Not An Id", **{"closed_after-day": "31", "closed_after-month": "2",
                                                                    "closed_after-year": "2026"},
    )
    assert bad.status_code == 400
    assert list(error_summary(bad)) == ["outcome", "officer", "closed_after-day"]
    assert (await console.get("/cases/closed", page="0")).status_code == 400

    # A case Temporal never had (its history deleted) opens on its case page, from the archive.
    shown = await console.get(f"/cases/{declined.reference}")
    assert shown.status_code == 200 and "A party declined disagreement resolution" in shown.text
    assert "Record kept until" in shown.text and "10 December 2032" in shown.text

    secrets = personal_data(open_case())
    listings = [response for response in console.responses if response.request.url.path == "/cases/closed"]
    assert listings and not any(value in response.text for response in listings for value in secrets)
    assert "Sam Parent" in shown.text  # the case page itself shows the people
    assert all(response.headers["cache-control"] == "no-store" for response in console.responses)


async def test_subject_access_export_downloads_a_persons_cases_and_keeps_them_out_of_urls_and_logs(
    console: Console, records: RecordsStore, dev_server: WorkflowEnvironment, records_settings: Settings
) -> None:
    subject = Contact(email=SUBJECT_EMAIL, phone="07700 900456")
    as_applicant = closed_case(open_case(applicant=Applicant(role=ApplicantRole.parent, name=SUBJECT_NAME, contact=subject)))
    not_theirs = closed_case()
    for case in (as_applicant, not_theirs):
        await records.archive(archive_of(case, version=1))
    as_supporter = await start_case(
        dev_server.client, records_settings, open_case(supporter=Supporter(name=SUBJECT_NAME, email=SUBJECT_EMAIL))
    )
    assert (await console.get("/subject-access")).headers["location"] == "/sign-in"
    await console.sign_in("sam.jones", Role.records_officer)

    with structlog.testing.capture_logs() as logs:
        form = await console.get("/subject-access")
        assert form.status_code == 200 and 'method="post"' in form.text
        forged = await console.post("/subject-access", {"email": SUBJECT_EMAIL, "format": "json"}, csrf="forged")
        assert forged.status_code == 403
        blank = await console.post("/subject-access", {"email": " ", "phone": "", "format": "json"})
        assert (blank.status_code, error_summary(blank)) == (400, {"email": "Enter the person's email address or phone number"})
        bad = await console.post("/subject-access", {"email": "not-an-email", "phone": "123", "format": "json"})
        assert bad.status_code == 400 and list(error_summary(bad)) == ["email", "phone"]
        assert page_title(bad).startswith("Error: ") and 'value="not-an-email"' in bad.text  # kept for correcting

        as_json = await console.post("/subject-access", {"email": SUBJECT_EMAIL, "format": "json"})
        assert as_json.status_code == 200, error_summary(as_json)
        assert as_json.headers["content-disposition"].startswith('attachment; filename="subject-access-')
        exported = as_json.json()
        found = {case["reference"]: (case["status"], case["your_roles"]) for case in exported["cases"]}
        assert found == {as_applicant.reference: ("closed", ["applicant"]), as_supporter.id: ("open", ["supporter"])}
        assert exported["generated_by"] == "sam.jones" and "Sam Parent" not in as_json.text

        by_phone = await console.post("/subject-access", {"phone": "+447700900456", "format": "text"})
        assert by_phone.headers["content-type"].startswith("text/plain")
        assert by_phone.headers["content-disposition"].endswith('.txt"')
        assert f"Case {as_applicant.reference}\n  This case is closed" in by_phone.text and as_supporter.id not in by_phone.text
        assert not_theirs.reference not in as_json.text + by_phone.text

    for response in console.responses:
        assert response.headers["cache-control"] == "no-store"
        assert SUBJECT_EMAIL not in page_title(response)
    for url in console.urls():
        assert SUBJECT_EMAIL not in url and "7700900456" not in url, url
    assert SUBJECT_EMAIL not in repr(logs) and "7700900456" not in repr(logs)
    logged = [entry for entry in logs if entry["event"] == "subject access export"]
    assert [(entry["staff"], entry["cases"]) for entry in logged] == [("sam.jones", 2), ("sam.jones", 1)]
    # Whom for: the contact index's keyed digests of the email and of the phone, never the address.
    index = ContactIndex(records_settings.encryption_key_ring())
    by_email, by_phone_digest = index.subject_of(email=SUBJECT_EMAIL), index.subject_of(phone="07700 900456")
    assert [entry["subject"] for entry in logged] == [by_email, by_phone_digest]
    kept = await records.export_log()
    assert [(entry.exported_by, entry.subject, entry.cases) for entry in kept] == [
        ("sam.jones", by_email, 2), ("sam.jones", by_phone_digest, 1),
    ]
    assert SUBJECT_EMAIL not in repr(kept) and "7700900456" not in repr(kept)
    assert json.loads(as_json.text)["email"] == SUBJECT_EMAIL  # the person's own details, in their own export
