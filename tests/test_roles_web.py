"""Roles in the web console (DESIGN section 12), through the ASGI test client, against a real dev
server, worker and records store.

- The development sign-in asks for roles (at least one, in words); the signed-in member of staff is
  who every update is sent as (`acting()`), and a worker that requires it verifies the console's
  signed word for them (infra/vouching.py): the timeline's entries are theirs, verified.
- Each act a role does not allow is refused on the server, posted directly past the hidden links:
  a GOV.UK 403 page in words, nothing changed, nothing personal.
- A team manager moves a case to another officer: the timeline says who did, the list finds it under
  the new officer. Records officers place and release holds and erase a record, two of them: the
  one who asked cannot approve; the hold log and the deletion log name who did what.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client, Interceptor, OutboundInterceptor, StartWorkflowInput, StartWorkflowUpdateInput
from temporalio.common import HeaderCodecBehavior
from temporalio.testing import WorkflowEnvironment

from infra.client import ActorHeaders
from infra.identity import Role, Staff, acting
from infra.settings import Settings
from infra.vouching import read_private_key, verifier_for, write_key_pair
from records.models import archive_of
from records.store import RecordsStore
from tests.conftest import RecordedNotifications, isolated_settings, open_case, personal_data, running_worker, start_case
from tests.records_fixtures import closed_case
from tests.web_console import Console, console_on_records, console_over, error_summary, page_title, wait_until_listed, web_settings
from web.app import create_app
from web.forms import ACTION_FORMS
from worker import build_worker
from workflows.case import DisagreementCase

pytestmark = pytest.mark.timeout(180)

OFFICER, RECORDS, MANAGER, SECOND_RECORDS = "jo.smith", "sam.jones", "pat.lee", "kim.patel"
CASE_WORK_REFUSED = "Not allowed: needs the case_officer or team_manager role. Nothing was changed."
RECORDS_REFUSED = "Not allowed: needs the records_officer role. Nothing was changed."
REASSIGN_REFUSED = "Not allowed: needs the team_manager role. Nothing was changed."


@dataclass
class SentAs(Interceptor):
    """Who each workflow start and update was sent as: what the actor assertion will sign."""

    seen: list[tuple[str, Staff | None]] = field(default_factory=list)

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        seen = self.seen

        class Recording(OutboundInterceptor):
            async def start_workflow(self, input: StartWorkflowInput):
                seen.append(("start", acting()))
                return await super().start_workflow(input)

            async def start_workflow_update(self, input: StartWorkflowUpdateInput):
                seen.append((input.update, acting()))
                return await super().start_workflow_update(input)

        return Recording(next)


@dataclass
class Running:
    console: Console
    sent_as: SentAs


@pytest_asyncio.fixture(loop_scope="session")
async def running(dev_server: WorkflowEnvironment, settings: Settings) -> AsyncIterator[Running]:
    sent_as = SentAs()
    client = Client(**{**dev_server.client.config(), "interceptors": [sent_as]})
    app = create_app(web_settings(settings.data_dir, settings.task_queue), client)
    async with running_worker(dev_server.client, settings):
        async with console_over(app) as console:
            yield Running(console, sent_as)


@pytest_asyncio.fixture(loop_scope="session")
async def console(running: Running) -> Console:
    return running.console


@pytest_asyncio.fixture(loop_scope="session")
async def records_console(dev_server: WorkflowEnvironment, records_settings: Settings) -> AsyncIterator[Console]:
    """The console on the same records store as the `records` fixture (SQLite and PostgreSQL)."""
    async with console_on_records(dev_server, records_settings) as console:
        yield console


async def as_staff(console: Console, staff: str, *roles: Role) -> None:
    """Sign whoever was signed in out, this member of staff in, and read a page (for its CSRF token)."""
    await console.post("/sign-out", {})
    signed = await console.sign_in(staff, *roles)
    assert signed.status_code == 303, error_summary(signed)
    await console.get("/cases/closed")


def refused(page, words: str) -> None:
    """A GOV.UK 403 page in words: no stack, nothing about anyone."""
    assert page.status_code == 403, (page.status_code, page.text[:500])
    assert page_title(page).startswith("You cannot do this")
    assert f'<p class="govuk-body">{words}</p>' in page.text
    assert "Traceback" not in page.text and not [value for value in personal_data(open_case()) if value in page.text]


async def timeline(dev_server: WorkflowEnvironment, reference: str):
    return (await dev_server.client.get_workflow_handle(reference).query(DisagreementCase.case_view)).timeline


# --- Signing in with roles ---------------------------------------------------------------------------


async def test_the_development_sign_in_asks_for_at_least_one_role(console: Console) -> None:
    await console.get("/sign-in")
    page = await console.post("/sign-in/dev", {"staff_id": OFFICER})
    assert page.status_code == 400 and page_title(page).startswith("Error: ")
    assert error_summary(page) == {"roles": "Select at least one role"}
    assert f'value="{OFFICER}"' in page.text  # kept for correcting
    unknown = await console.post("/sign-in/dev", [("staff_id", OFFICER), ("roles", "superuser")])
    assert error_summary(unknown) == {"roles": "Select at least one role"}

    await console.sign_in(OFFICER, Role.case_officer, Role.records_officer)
    cases = await console.get("/cases")
    assert "Signed in as <strong>jo.smith</strong> (case officer, records officer, unverified)" in cases.text
    assert 'href="/cases/new"' in cases.text and 'href="/subject-access"' in cases.text


async def test_every_update_is_sent_as_the_signed_in_member_of_staff(running: Running, dev_server) -> None:
    console, seen = running.console, running.sent_as.seen
    await as_staff(console, OFFICER, Role.case_officer)
    reference = await console.open_case(open_case())
    assert (await console.act(reference, "note", {"text": "Rang the school"})).status_code == 303
    await as_staff(console, MANAGER, Role.team_manager)
    moved = await console.act(reference, "reassign", {"case_officer": "amira.khan", "reason": "jo.smith is on leave"})
    assert moved.status_code == 303, error_summary(moved)

    assert [(what, who.id, who.roles, who.verified) for what, who in seen] == [
        ("start", OFFICER, {Role.case_officer}, False),
        ("add_note", OFFICER, {Role.case_officer}, False),
        ("reassign_officer", MANAGER, {Role.team_manager}, False),
    ]
    entries = await timeline(dev_server, reference)
    assert [(entry.event, entry.actor) for entry in entries][-2:] == [("note", OFFICER), ("officer_reassigned", MANAGER)]
    assert entries[0].actor == OFFICER  # case_opened


async def test_a_worker_that_requires_it_verifies_the_console_s_word_for_who_signed_in(
    dev_server: WorkflowEnvironment, tmp_path: Path,
) -> None:
    write_key_pair(tmp_path / "console-key.pem", tmp_path / "console-key.pub")
    settings = isolated_settings(tmp_path, actor_verification="required", console_public_key_file=tmp_path / "console-key.pub")
    client = Client(**{
        **dev_server.client.config(), "interceptors": [ActorHeaders(read_private_key(tmp_path / "console-key.pem"))],
        "header_codec_behavior": HeaderCodecBehavior.CODEC,
    })
    worker = build_worker(dev_server.client, settings, RecordedNotifications(), verifier=await verifier_for(settings))
    async with worker, console_over(create_app(web_settings(settings.data_dir, settings.task_queue), client)) as console:
        await as_staff(console, OFFICER, Role.case_officer)
        reference = await console.open_case(open_case())
        assert (await console.act(reference, "note", {"text": "Rang the school"})).status_code == 303
        await as_staff(console, MANAGER, Role.team_manager)
        moved = await console.act(reference, "reassign", {"case_officer": "amira.khan", "reason": "jo.smith is on leave"})
        assert moved.status_code == 303, error_summary(moved)

        entries = await timeline(dev_server, reference)
        assert [(entry.event, entry.actor, entry.verified) for entry in (entries[0], *entries[-2:])] == [
            ("case_opened", OFFICER, True), ("note", OFFICER, True), ("officer_reassigned", MANAGER, True),
        ]


# --- Refusals, posted directly -----------------------------------------------------------------------


async def test_a_records_officer_reads_cases_but_every_case_action_is_refused(console: Console, dev_server, settings) -> None:
    handle = await start_case(dev_server.client, settings)
    before = await timeline(dev_server, handle.id)
    await as_staff(console, RECORDS, Role.records_officer)

    page = await console.get(f"/cases/{handle.id}")
    assert page.status_code == 200 and "Sam Parent" in page.text  # reading: any role
    assert f'href="/cases/{handle.id}/note"' not in page.text and 'href="/cases/new"' not in page.text
    assert "Place a legal hold" in page.text  # their own acts are offered

    for slug, form in ACTION_FORMS.items():
        words = REASSIGN_REFUSED if slug == "reassign" else CASE_WORK_REFUSED
        refused(await console.get(f"/cases/{handle.id}/{slug}"), words)
        refused(await console.post(f"/cases/{handle.id}/{slug}", {"text": "sneaked in"}), words)
    for path in ("/cases/new", "/cases/new-mediation"):
        refused(await console.get(path), CASE_WORK_REFUSED)
        refused(await console.post(f"{path}/check", {"applicant_name": "Sam Parent"}), CASE_WORK_REFUSED)
        refused(await console.post(f"{path}/open", {"draft": "{}"}), CASE_WORK_REFUSED)
    assert await timeline(dev_server, handle.id) == before


async def test_a_case_officer_is_refused_records_acts_and_moving_a_case(console: Console, dev_server, settings) -> None:
    handle = await start_case(dev_server.client, settings)
    await as_staff(console, OFFICER, Role.case_officer)

    page = await console.get(f"/cases/{handle.id}")
    assert f'href="/cases/{handle.id}/note"' in page.text
    for hidden in ("reassign", "hold", "erase", "approve-erasure"):
        assert f'href="/cases/{handle.id}/{hidden}"' not in page.text
    assert 'href="/subject-access"' not in page.text

    refused(await console.get("/subject-access"), RECORDS_REFUSED)
    refused(await console.post("/subject-access", {"email": "sam.parent@example.org", "format": "json"}), RECORDS_REFUSED)
    for step in ("hold", "release", "erase", "approve-erasure"):
        refused(await console.get(f"/cases/{handle.id}/{step}"), RECORDS_REFUSED)
        refused(await console.post(f"/cases/{handle.id}/{step}", {"reason": "sneaked in"}), RECORDS_REFUSED)
    refused(await console.post(f"/cases/{handle.id}/reassign", {"case_officer": "amira.khan", "reason": "r"}),
            REASSIGN_REFUSED)
    assert (await timeline(dev_server, handle.id))[-1].event != "officer_reassigned"


# --- Moving a case -----------------------------------------------------------------------------------


async def test_a_team_manager_moves_a_case_and_it_is_listed_under_the_new_officer(console: Console, dev_server, settings) -> None:
    handle = await start_case(dev_server.client, settings)
    await as_staff(console, MANAGER, Role.team_manager)
    page = await console.get(f"/cases/{handle.id}")
    assert f'href="/cases/{handle.id}/reassign"' in page.text and f'href="/cases/{handle.id}/note"' in page.text

    blank = await console.act(handle.id, "reassign", {"case_officer": "", "reason": ""})
    assert blank.status_code == 400 and list(error_summary(blank)) == ["case_officer", "reason"]
    same = await console.act(handle.id, "reassign", {"case_officer": OFFICER, "reason": "cover"})
    assert same.status_code == 409 and "Jo.smith already runs case" in next(iter(error_summary(same).values()))

    moved = await console.act(handle.id, "reassign", {"case_officer": "amira.khan", "reason": "jo.smith is on leave"})
    assert (moved.status_code, moved.headers["location"]) == (303, f"/cases/{handle.id}")
    page = await console.get(f"/cases/{handle.id}")
    assert "Case officer changed." in page.text and re.search(r"Case officer\s*</dt>\s*<dd[^>]*>\s*amira.khan", page.text)
    entry = (await timeline(dev_server, handle.id))[-1]
    assert (entry.actor, entry.event, entry.detail) == (
        MANAGER, "officer_reassigned", "case officer changed from jo.smith to amira.khan: jo.smith is on leave",
    )
    await wait_until_listed(dev_server.client, f'WorkflowId = "{handle.id}" AND CaseOfficer = "amira.khan"', 1)
    listed = await console.get("/cases", officer="amira.khan")
    assert f'href="/cases/{handle.id}"' in listed.text
    assert f'href="/cases/{handle.id}"' not in (await console.get("/cases", officer=OFFICER)).text


# --- Holds and erasure: two records officers ----------------------------------------------------------


async def hold_log(records: RecordsStore, reference: str) -> list[tuple[str, str]]:
    """The hold log's actions and who took them (the store keeps it for audit; no reader of its own)."""
    async with records._db.transaction() as tx:
        rows = await tx.fetchall("SELECT action, acted_by FROM hold_log WHERE reference = ? ORDER BY acted_at", (reference,))
    return [tuple(row) for row in rows]


async def test_two_records_officers_hold_release_and_erase_a_closed_case(
    records_console: Console, records: RecordsStore,
) -> None:
    console = records_console
    case = closed_case()
    await records.archive(archive_of(case, version=1))
    page_of = f"/cases/{case.reference}"

    await as_staff(console, RECORDS, Role.records_officer)
    assert 'href="{0}/hold"'.format(page_of) in (await console.get(page_of)).text
    blank = await console.post(f"{page_of}/hold", {"reason": " "})
    assert blank.status_code == 400 and list(error_summary(blank)) == ["reason"]
    held = await console.post(f"{page_of}/hold", {"reason": "complaint to the Ombudsman"})
    assert (held.status_code, held.headers["location"]) == (303, page_of)
    page = await console.get(page_of)
    assert "Legal hold placed." in page.text and f'href="{page_of}/release"' in page.text
    assert f'href="{page_of}/erase"' not in page.text  # on hold: no erasure offered
    refused_on_hold = await console.post(f"{page_of}/erase", {"reason": "erasure request"})
    assert refused_on_hold.status_code == 409 and "is on legal hold" in next(iter(error_summary(refused_on_hold).values()))

    await as_staff(console, SECOND_RECORDS, Role.records_officer)
    assert (await console.post(f"{page_of}/release", {"reason": "complaint closed"})).status_code == 303
    not_held = await console.post(f"{page_of}/release", {"reason": "again"})
    assert not_held.status_code == 409 and "is not on legal hold" in next(iter(error_summary(not_held).values()))
    assert await hold_log(records, case.reference) == [("hold", RECORDS), ("release", SECOND_RECORDS)]

    await as_staff(console, RECORDS, Role.records_officer)
    asked = await console.post(f"{page_of}/erase", {"reason": "erasure request 2026-114"})
    assert (asked.status_code, asked.headers["location"]) == (303, page_of)
    page = await console.get(page_of)
    assert "Erasure asked for: a second records officer approves it." in page.text
    assert f'href="{page_of}/approve-erasure"' not in page.text  # not to the one who asked
    assert "Erasure asked for by sam.jones on" in page.text
    own = await console.get(f"{page_of}/approve-erasure")
    assert "You asked for this erasure" in own.text and 'id="approve"' not in own.text
    refused(await console.post(f"{page_of}/approve-erasure", {}),
            "Not allowed: an erasure needs a second records officer to approve it, not the one who asked for it. "
            "Nothing was changed.")
    assert await records.get(case.reference) is not None

    await as_staff(console, SECOND_RECORDS, Role.records_officer)
    assert f'href="{page_of}/approve-erasure"' in (await console.get(page_of)).text
    approving = await console.get(f"{page_of}/approve-erasure")
    assert "erasure request 2026-114" in approving.text and "sam.jones" in approving.text
    erased = await console.post(f"{page_of}/approve-erasure", {})
    assert (erased.status_code, erased.headers["location"]) == (303, "/cases/closed")
    assert f"Case {case.reference} erased." in (await console.get("/cases/closed")).text
    [entry] = await records.deletion_log()
    assert (entry.reference, entry.rule, entry.requested_by, entry.deleted_by) == (
        case.reference, "erased: erasure request 2026-114", RECORDS, SECOND_RECORDS,
    )
    assert (await console.get(page_of)).status_code == 404
    nothing_asked = await console.post(f"{page_of}/approve-erasure", {})
    assert nothing_asked.status_code == 409 and "has been asked for" in next(iter(error_summary(nothing_asked).values()))
