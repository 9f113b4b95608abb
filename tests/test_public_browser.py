"""Families and organisations answer online (issue 20's "done when"), in a real browser with axe-core on
every page, against the real workflows on the dev server, the worker checking every actor
(`DISAGREEMENT_ACTOR_VERIFICATION=required`: the console's key for staff, the public site's for parties).

The messages go to the development outbox through the real notification activity, which mints each
link; every link is taken from there, as a person would take it from their email.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.notifications import NotificationActivities
from cases.client import Cases
from domain.calendar import LONDON, london_date, london_time
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.models import CaseStage, CaseView, Consent, MediationIssue, OfferResolution, ProposeSlots, RecordConsent
from domain.notifications import AnswerPurpose
from domain.words import date_and_time
from infra.client import connect
from infra.identity import Role, Staff, acting_as
from infra.settings import Settings
from infra.vouching import read_private_key, verifier_for, write_key_pair
from public_site.app import create_app as public_app
from public_site.settings import PublicSettings
from records.answer_links import AnswerLinks, CheckKind, IdentityCheck, expiry_of
from records.database import records_database_for
from tests.browser import BrowserPage, browser  # noqa: F401 (the shared browser fixture)
from tests.conftest import TEST_KEYS, isolated_settings, new_reference, open_case
from tests.journeys import HEALTH_PROVISION, mediation_reference, open_mediation
from tests.web_console import console_over, free_port, served, web_settings
from web.app import create_app as console_app
from worker import build_worker
from workflows import names

pytestmark = pytest.mark.timeout(300)
OFFICER = "jo.smith"


@dataclass
class Stack:
    env: WorkflowEnvironment
    settings: Settings  # the worker's
    site: str  # the public site's address

    async def link(self, reference: str, event: str, party: str) -> str:
        """The link in the message `event` sent to `party`, from the outbox (once it is there: the
        case sends its messages after answering the update)."""
        path = self.settings.outbox_path / f"{reference}.{event}.{party}.txt"
        for _ in range(150):
            if path.exists():
                break
            await asyncio.sleep(0.1)
        text = path.read_text()
        [token] = re.findall(rf"{re.escape(self.site)}/([A-Za-z0-9_-]{{22}})\b", text)
        return f"/{token}"

    async def staff(self) -> Cases:
        """The officer's own calls, signed with the console's key as the console signs them."""
        acting_as(Staff(OFFICER, frozenset({Role.case_officer})))
        client = await connect(self.settings, console_key=read_private_key(self.settings.console_key_path))
        return Cases(client, self.settings)


@pytest_asyncio.fixture(loop_scope="session")
async def stack(dev_server: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Stack]:
    for name in ("console-key", "public-site-key"):
        write_key_pair(tmp_path / f"{name}.pem", tmp_path / f"{name}.pub")
    host, port = dev_server.client.service_client.config.target_host.rsplit(":", 1)
    site_port = free_port()
    server = {"dev_server_ip": host, "dev_server_port": int(port), "actor_verification": "required", "public_port": site_port}
    settings = isolated_settings(tmp_path, **server)
    worker = build_worker(dev_server.client, settings, NotificationActivities(settings), verifier=await verifier_for(settings))
    site = PublicSettings(data_dir=tmp_path, task_queue=settings.task_queue, encryption_keys=TEST_KEYS, **server)
    async with worker, served(public_app(site), site_port) as address:
        yield Stack(dev_server, settings, address)


async def answers_through(
    browser: Browser, stack: Stack, link: str, check: str, answer: list[tuple[str, str]], *,
    javascript: bool = True, name: str,
) -> BrowserPage:
    """A party follows its link: who it is (a wrong answer first), its case, the question, check
    answers, send, the confirmation. Every page through axe-core, unless JavaScript is off."""
    page = await BrowserPage.open(browser, stack.site, javascript=javascript)
    screen = page.page

    async def checked(what: str) -> None:
        if javascript:
            await page.check_accessible(f"{name}: {what}")

    await screen.goto(link)
    await expect(screen.get_by_role("heading", level=1)).to_contain_text("What ")
    await checked("identity check")
    await screen.get_by_role("textbox").fill("not it")
    await screen.get_by_role("button", name="Continue").click()
    await expect(screen.get_by_role("heading", name="There is a problem")).to_be_visible()
    await checked("identity check, wrong answer")
    await screen.get_by_role("textbox").fill(check)
    await screen.get_by_role("button", name="Continue").click()
    await expect(screen.get_by_role("heading", name="Your case")).to_be_visible()
    await checked("case page")
    await page.screenshot(f"public-{name}-case")
    await screen.get_by_role("button", name="Answer the question").click()
    await checked("question")
    await page.screenshot(f"public-{name}-question")
    await screen.get_by_role("button", name="Continue").click()  # nothing chosen: an error, in words
    await expect(screen.get_by_role("heading", name="There is a problem")).to_be_visible()
    await checked("question, with errors")
    for how, label in answer:
        control = screen.get_by_label(label, exact=True)
        await (control.check() if how == "check" else control.fill(how))
    await screen.get_by_role("button", name="Continue").click()
    await expect(screen.get_by_role("heading", name="Check your answers before sending them")).to_be_visible()
    await checked("check answers")
    await page.screenshot(f"public-{name}-check-answers")
    await screen.get_by_role("button", name="Send").click()
    await expect(screen.get_by_role("heading", name="Your answer has been sent")).to_be_visible()
    await checked("confirmation")
    return page


async def test_every_party_agrees_through_its_own_link(browser: Browser, stack: Stack) -> None:
    """Done when 1: a DR case to `arranging_session`, every party answering through its own link."""
    console_port = free_port()
    console = console_app(web_settings(
        stack.settings.data_dir, stack.settings.task_queue, web_port=console_port,
        dev_server_ip=stack.settings.dev_server_ip, dev_server_port=stack.settings.dev_server_port, actor_verification="required",
    ))
    async with console_over(console, f"http://127.0.0.1:{console_port}") as officer:
        await officer.sign_in(OFFICER)
        reference = await officer.open_case(open_case())
        assert (await officer.act(reference, "offer", {})).status_code == 303

        checks = {"applicant": "0123", "org-1": "senco@hilltop.example.org", "org-2": "send@la.example.gov.uk"}
        for party, check in checks.items():
            page = await answers_through(
                browser, stack, await stack.link(reference, "resolution_offered", party), check,
                [("check", "Yes, I agree to take part")], javascript=party != "org-2", name=party,
            )
            if party == "applicant":
                # A second use: the answer given, nothing asked again.
                await page.page.goto(await stack.link(reference, "resolution_offered", party))
                await expect(page.page.locator("#answer-given")).to_contain_text("You agreed to take part")
                await expect(page.page.get_by_text("You gave this answer online.")).to_be_visible()
                await expect(page.page.get_by_role("button", name="Answer the question")).to_have_count(0)
                await page.check_accessible("applicant: a spent link")
            await page.close()

        case_page = await officer.get(f"/cases/{reference}")
        assert "Arranging the session" in case_page.text
        assert case_page.text.count("answered online") >= 3, "each consent is recorded as answered online"
    view = await (await stack.staff()).view(reference)
    assert view.stage is CaseStage.arranging_session
    assert all(party.consent is Consent.agreed and party.answered_online for party in view.parties)
    consents = [entry for entry in view.timeline if entry.event == "consent_recorded"]
    assert [(entry.actor, entry.verified) for entry in consents] == [
        ("party:applicant", True), ("party:org-1", True), ("party:org-2", True),
    ]


async def test_the_family_chooses_mediation_about_health_and_picks_times(browser: Browser, stack: Stack) -> None:
    """Done when 2: mediation about health with the provision wanted, then the times it can make."""
    staff = await stack.staff()
    reference = mediation_reference()
    await staff.open(reference, open_mediation(london_date(datetime.now(UTC)) - timedelta(days=7)))

    page = await answers_through(
        browser, stack, await stack.link(reference, "mediation_opened", "applicant"), "0123",
        [("check", "Yes, I want mediation"), ("check", "Health"), (HEALTH_PROVISION, "If health is one of them: what health care provision do you want in the EHC plan?"),
         ("Ali Adviser", "Who will come with you as your supporter? (optional)")],
        name="mediation choice",
    )
    await page.close()
    view = await staff.view(reference)
    assert view.stage is CaseStage.arranging_session
    assert (view.health_provision_sought, view.supporter_attending) == (HEALTH_PROVISION, "Ali Adviser")
    assert MediationIssue.health in view.mediation_issues

    first = london_date(datetime.now(UTC)) + timedelta(days=14)  # beyond the 5 working days' notice
    slots = [london_time(first + timedelta(days=day), time(10)) for day in range(3)]
    acting_as(Staff(OFFICER, frozenset({Role.case_officer})))
    await staff.act(reference, names.PROPOSE_SLOTS, ProposeSlots(actor=OFFICER, slots=slots))
    picks = [("check", _moment(slots[0])), ("check", _moment(slots[2]))]
    page = await answers_through(
        browser, stack, await stack.link(reference, "availability_requested-1", "applicant"), "0123", picks, name="times",
    )
    await page.close()
    view = await staff.view(reference)
    applicant = next(party for party in view.parties if party.id == "applicant")
    assert applicant.availability == [1, 3]


async def test_an_answer_forged_without_the_sites_signature_is_refused(stack: Stack) -> None:
    """A party's answer signed with any key but the site's is refused by the worker, before history."""
    staff = await stack.staff()
    reference = new_reference()
    await staff.open(reference, open_case())
    acting_as(Staff(OFFICER, frozenset({Role.case_officer})))
    await staff.act(reference, names.OFFER_RESOLUTION, OfferResolution(actor=OFFICER))
    forger = await connect(stack.settings, public_site_key=Ed25519PrivateKey.generate())
    acting_as(Staff("party:applicant"))
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await forger.get_workflow_handle(reference).execute_update(
            names.RECORD_CONSENT, RecordConsent(actor="party:applicant", party="applicant", agree=True), result_type=CaseView,
        )
    assert isinstance(refused.value.cause, ApplicationError) and refused.value.cause.type == names.ACTOR_NOT_VOUCHED
    assert "not signed by the public site's key" in refused.value.cause.message
    # The site's own key, for the same answer: accepted (so the refusal above was the signature's).
    site = await connect(stack.settings, public_site_key=read_private_key(stack.settings.public_site_key_path))
    view = await site.get_workflow_handle(reference).execute_update(
        names.RECORD_CONSENT, RecordConsent(actor="party:applicant", party="applicant", agree=True), result_type=CaseView,
    )
    assert next(party for party in view.parties if party.id == "applicant").consent is Consent.agreed


async def test_temporal_away_is_a_503_with_nothing_recorded(browser: Browser, tmp_path: Path) -> None:
    """The real gateway, to a server that is not there: a 503 page in words with the contact details,
    and the link is not spent."""
    site_port = free_port()
    site = PublicSettings(data_dir=tmp_path, encryption_keys=TEST_KEYS, dev_server_port=free_port(), public_port=site_port)
    links = AnswerLinks(records_database_for(site), site.public_site_secret())
    token = await links.mint(
        new_reference(), "applicant", AnswerPurpose.consent, "k", IdentityCheck(CheckKind.phone_last4, "0123"),
        expiry_of(london_date(datetime.now(UTC)) + timedelta(days=5)),
    )
    async with served(public_app(site), site_port) as address:
        page = await BrowserPage.open(browser, address)
        try:
            await page.page.goto(f"/{token}")
            await page.page.get_by_role("textbox").fill("0123")
            async with page.page.expect_response(lambda response: response.url.endswith("/case")) as seen:
                await page.page.get_by_role("button", name="Continue").click()
            assert (await seen.value).status == 503
            await expect(page.page.get_by_role("heading", name="Sorry, the service is not available")).to_be_visible()
            await expect(page.page.get_by_text("Nothing was recorded.")).to_be_visible()
            await page.check_accessible("service unavailable")
        finally:
            await page.close()
    assert (await links.find(token)).spent_at is None
    await links.close()


def _moment(at: datetime) -> str:
    return date_and_time(at.astimezone(LONDON))
