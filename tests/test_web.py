"""The web console's routes, through the ASGI test client, against a real dev server and worker.

Every staff form is sent valid and invalid: invalid input is refused on the page (a GOV.UK error
summary naming the field, status 400) and the workflow's own refusals come back in its words
(status 409) with nothing changed. Sign-in: not signed in is redirected; a form without the
session's CSRF token is refused; the development sign-in does not exist off loopback; OpenID
Connect against a local provider with discovery, JWKS and a signed id_token.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
import structlog
from joserfc.jwk import RSAKey
from temporalio.testing import WorkflowEnvironment

from domain.calendar import LONDON
from domain.models import CaseStage
from infra.settings import Settings, SettingsError, settings_of
from tests.conftest import open_case, opened_view, personal_data, running_worker, start_case
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, openid_provider
from tests.web_console import (
    Console,
    date_fields,
    error_summary,
    free_port,
    opening_fields,
    page_title,
    session_fields,
    console_over,
    wait_until_listed,
    web_settings,
)
from web.app import create_app
from web.settings import WebSettings
from workflows.case import DisagreementCase

pytestmark = pytest.mark.timeout(180)


@pytest_asyncio.fixture(loop_scope="session")
async def console(dev_server: WorkflowEnvironment, settings: Settings) -> AsyncIterator[Console]:
    app = create_app(web_settings(settings.data_dir, settings.task_queue), dev_server.client)
    async with running_worker(dev_server.client, settings):
        async with console_over(app) as console:
            yield console


async def stage_of(console: Console, reference: str) -> str:
    page = await console.get(f"/cases/{reference}")
    assert page.status_code == 200
    return page.text


async def timeline_length(dev_server: WorkflowEnvironment, reference: str) -> int:
    case = await dev_server.client.get_workflow_handle(reference).query(DisagreementCase.case_view)
    return len(case.timeline)


async def refused_and_unchanged(console, dev_server, reference, slug, fields, words: str, at: str | None = None) -> None:
    """The workflow refuses: its reason in the error summary, status 409, no new timeline entry. `at`: the
    field the refusal is about, which the summary links to and which shows it inline (GOV.UK error message)."""
    before = await timeline_length(dev_server, reference)
    page = await console.act(reference, slug, fields)
    assert page.status_code == 409, error_summary(page)
    assert any(words.lower() in message.lower() for message in error_summary(page).values()), error_summary(page)
    assert "nothing was changed" in page.text
    if at is not None:
        assert list(error_summary(page)) == [at], error_summary(page)
        assert 'class="govuk-error-message"' in page.text and words.lower() in inline_errors(page).lower()
    assert await timeline_length(dev_server, reference) == before


def inline_errors(page) -> str:
    """The GOV.UK error messages shown on the fields themselves."""
    return " ".join(html.unescape(text) for text in re.findall(r'<p id="[^"]+-error" class="govuk-error-message">(.*?)</p>', page.text, re.S))


async def done(console: Console, reference: str, slug: str, fields: dict | list) -> str:
    page = await console.act(reference, slug, fields)
    assert page.status_code == 303, error_summary(page)
    assert page.headers["location"] == f"/cases/{reference}"
    return await stage_of(console, reference)


async def test_not_signed_in_is_sent_to_sign_in(console: Console) -> None:
    for path in ("/cases", "/cases/new", "/cases/DR-2026-AAAAAA", "/cases/DR-2026-AAAAAA/note"):
        page = await console.get(path)
        assert (page.status_code, page.headers["location"]) == (303, "/sign-in"), path
    page = await console.post("/cases/DR-2026-AAAAAA/note", {"text": "hello"})
    assert (page.status_code, page.headers["location"]) == (303, "/sign-in")


async def test_a_whole_case_through_every_form(console: Console, dev_server: WorkflowEnvironment) -> None:
    opened = open_case()
    with structlog.testing.capture_logs() as logs:
        await console.sign_in()

        # Opening: refused on the page first, then checked and opened.
        await console.get("/cases/new")
        blank = await console.post("/cases/new/check", {"case_officer": "jo.smith"})
        assert blank.status_code == 400
        assert page_title(blank).startswith("Error: ")
        problems = error_summary(blank)
        assert problems["applicant_name"] == "Enter full name" or "applicant_name" in problems
        assert problems["applicant_email"].endswith("give at least one way to reach them: email, phone or postal address")
        assert problems["kinds"] == "Select what the disagreement is about"
        reference = await console.open_case(opened)
        page = await stage_of(console, reference)
        assert "In informal talks" in page and "Case opened" in page and opened.applicant.name in page
        assert f'href="/cases/{reference}/offer"' in page and f'href="/cases/{reference}/consent"' not in page
        assert f'href="http://localhost:8233/namespaces/default/workflows/{reference}"' in page  # the Web UI

        # A talk: no answer given, then recorded.
        page = await console.act(reference, "talk", {"notes": "Met the SENCO"})
        assert (page.status_code, error_summary(page)) == (400, {"outcome": "Select whether the talk resolved the disagreement"})
        assert "Met the SENCO" in page.text  # what was typed is kept
        assert "Talk recorded" in await done(console, reference, "talk", {"outcome": "unresolved", "notes": "Met the SENCO"})

        # Consent before the offer: the workflow's own words, nothing changed.
        await refused_and_unchanged(
            console, dev_server, reference, "consent", {"party": "applicant", "agree": "yes"}, "cannot record consent"
        )
        page = await console.get(f"/cases/{reference}/consent")
        assert page.status_code == 409 and "You cannot do this now" in page.text
        await done(console, reference, "offer", {})
        await refused_and_unchanged(console, dev_server, reference, "offer", {}, "cannot offer disagreement resolution")

        page = await console.act(reference, "consent", {"agree": "yes"})
        assert (page.status_code, list(error_summary(page))) == (400, ["party"])
        for party in ("applicant", "org-1", "org-2"):
            page = await done(console, reference, "consent", {"party": party, "agree": "yes", "notes": "by phone"})
        assert "Arranging the session" in page

        # The mediator: a bad address on the page; not independent, refused by the case (SEND Code 11.6).
        mediator = {"name": "Pat Mediator", "email": "pat@accord.example.org", "independent": "yes"}
        page = await console.act(reference, "mediator", mediator | {"email": "not-an-address"})
        assert (page.status_code, list(error_summary(page))) == (400, ["email"])
        await refused_and_unchanged(
            console, dev_server, reference, "mediator", {k: v for k, v in mediator.items() if k != "independent"},
            "must be declared independent", at="independent",
        )
        await done(console, reference, "mediator", mediator)

        # The session: no real date, no time, in the past, then booked a few seconds ahead.
        page = await console.act(reference, "session", {"at-day": "31", "at-month": "2", "at-year": "2027", "time": "10:00"})
        assert (page.status_code, error_summary(page)) == (400, {"at-day": "The session date must be a real date, for example 14 12 2026"})
        yesterday = (datetime.now(UTC) - timedelta(days=1)).astimezone(LONDON).date()
        page = await console.act(reference, "session", date_fields("at", yesterday))
        assert (page.status_code, list(error_summary(page))) == (400, ["time"])
        await refused_and_unchanged(
            console, dev_server, reference, "session", date_fields("at", yesterday) | {"time": "10:00"}, "in the past",
            at="at-day",
        )
        booked_at = datetime.now(UTC) + timedelta(seconds=2)
        assert "Waiting for its session" in await done(console, reference, "session", session_fields(2))

        # A note and an extension, at any open stage.
        page = await console.act(reference, "note", {"text": "   "})
        assert (page.status_code, error_summary(page)) == (400, {"text": "Enter note"})
        assert "Interpreter needed" in await done(console, reference, "note", {"text": "Interpreter needed"})
        await done(console, reference, "note", {"text": "Called twice\r\nNo answer\r\n"})  # a browser's line breaks
        timeline = (await dev_server.client.get_workflow_handle(reference).query(DisagreementCase.case_view)).timeline
        assert "\r" not in timeline[-1].detail and "Called twice\nNo answer" in timeline[-1].detail
        # A development worker takes the console's word for who acted, and the case page says so.
        assert not timeline[-1].verified
        assert 'Unverified</strong></td>' in (await console.get(f"/cases/{reference}")).text
        page = await console.act(
            reference, "extend",
            {"deadline": "outcome_record", "days": "3", "reason": "leave"} | date_fields("until", yesterday + timedelta(days=40)),
        )
        assert (page.status_code, list(error_summary(page))) == (400, ["days"])
        await refused_and_unchanged(
            console, dev_server, reference, "extend", {"deadline": "appeal", "days": "3", "reason": "x"}, "set by law",
            at="deadline",
        )
        await done(console, reference, "extend", {"deadline": "outcome_record", "days": "3", "reason": "mediator on leave"})

        # The outcome, once the session has been held.
        while datetime.now(UTC) <= booked_at:
            await asyncio.sleep(0.2)
        page = await console.act(
            reference, "outcome", {"result": "partial_agreement", "action-1-description": "Fund therapy", "action-1-owner": "org-2"}
            | {"action-1-due-day": "40", "action-1-due-month": "1", "action-1-due-year": "2027"},
        )
        assert (page.status_code, list(error_summary(page))) == (400, ["action-1-due-day"])
        await refused_and_unchanged(
            console, dev_server, reference, "outcome", {"result": "partial_agreement"}, "at least one agreed action",
            at="action-1-description",
        )
        due = (datetime.now(UTC) + timedelta(days=30)).astimezone(LONDON).date()
        page = await done(console, reference, "outcome", {
            "result": "partial_agreement",
            "action-1-description": "Fund 20 hours of speech and language therapy", "action-1-owner": "org-2",
            **date_fields("action-1-due", due),
            "action-2-description": "Share the therapist's report", "action-2-owner": "org-1",
        })
        assert "Following up what was agreed" in page and "Fund 20 hours" in page

        page = await console.act(reference, "action-done", {})
        assert (page.status_code, list(error_summary(page))) == (400, ["number"])
        await done(console, reference, "action-done", {"number": "1"})
        await refused_and_unchanged(console, dev_server, reference, "action-done", {"number": "1"}, "already done", at="number")
        page = await done(console, reference, "action-done", {"number": "2"})
        assert "Closed" in page and "Partial agreement" in page
        # Closed: only what the appeal clock still needs (it outlives the case) is offered.
        assert f'href="/cases/{reference}/decision"' in page and f'href="/cases/{reference}/note"' not in page
        assert (await console.get(f"/cases/{reference}/note")).status_code == 409

        # Withdrawal, on a second case.
        second = await console.open_case(opened)
        page = await console.act(second, "withdraw", {"party": "applicant"})
        assert (page.status_code, error_summary(page)) == (400, {"reason": "Enter reason"})
        assert "Withdrawn" in await done(console, second, "withdraw", {"party": "applicant", "reason": "moved away"})

    secrets = personal_data(opened)
    for response in console.responses:
        assert response.headers["cache-control"] == "no-store", response.request.url
        assert not any(value in page_title(response) for value in secrets), page_title(response)
    for url in console.urls():
        assert not any(value in url for value in secrets), url
    assert not any(value in repr(logs) for value in secrets)
    assert any(entry.get("path") == f"/cases/{reference}/outcome" for entry in logs)  # the access log ran


async def test_pages_allow_only_their_own_scripts_and_the_template_s_inline_one_by_nonce(console: Console) -> None:
    nonces = []
    for _ in range(2):
        page = await console.get("/sign-in")
        policy = page.headers["content-security-policy"]
        [nonce] = re.findall(r"'nonce-([^']+)'", policy)
        assert f'<script nonce="{nonce}">' in page.text  # GOV.UK's js-enabled line, and nothing else inline
        assert page.text.count("<script") == page.text.count(f'nonce="{nonce}"') + page.text.count('src="/console/')
        nonces.append(nonce)
    assert nonces[0] != nonces[1]  # fresh for every response
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


async def test_the_session_cookie_is_signed_http_only_and_same_site(console: Console) -> None:
    page = await console.get("/sign-in")
    cookie = page.headers["set-cookie"].lower()
    assert cookie.startswith("disagreement_session=") and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http on loopback; off loopback it is Secure (below)
    await console.sign_in()
    assert (await console.get("/cases")).status_code == 200
    signed = console.http.cookies["disagreement_session"]
    console.http.cookies.clear()
    console.http.cookies.set("disagreement_session", signed[:-4] + ("AAAA" if not signed.endswith("AAAA") else "BBBB"))
    assert (await console.get("/cases")).headers["location"] == "/sign-in"  # a tampered cookie is no session


async def test_forms_without_the_session_csrf_token_are_refused(console: Console, dev_server, settings) -> None:
    handle = await start_case(dev_server.client, settings)
    before = len((await opened_view(handle)).timeline)
    await console.sign_in()
    for token in ("", "forged-token"):
        page = await console.post(f"/cases/{handle.id}/note", {"text": "sneaky"}, csrf=token)
        assert page.status_code == 403 and "This form has expired" in page.text
    page = await console.post("/sign-out", {}, csrf="forged-token")
    assert page.status_code == 403
    assert await timeline_length(dev_server, handle.id) == before
    # Signing in needs the token too: a page elsewhere cannot sign a browser in.
    await console.post("/sign-out", {})
    assert (await console.post("/sign-in/dev", {"staff_id": "jo.smith"}, csrf="x")).status_code == 403


async def test_case_list_pages_through_search_attributes_with_filters(console: Console, dev_server, settings) -> None:
    officer = f"officer-{datetime.now(UTC):%H%M%S%f}"
    for _ in range(26):
        await start_case(dev_server.client, settings, open_case(case_officer=officer), wait_for_opening=False)
    await wait_until_listed(dev_server.client, f'CaseOfficer = "{officer}"', 26)
    await console.sign_in()
    first = await console.get("/cases", officer=officer, size="25")
    assert first.status_code == 200 and first.text.count('class="govuk-link" href="/cases/DR-') == 25
    assert "Cases 1 to 25 of 26" in first.text and "Sam Parent" not in first.text
    next_href = next(url for url in console.urls() if "page=" in url and url.startswith(("/", "http")))
    second = await console.get(next_href.replace("&amp;", "&"))
    assert second.text.count('class="govuk-link" href="/cases/DR-') == 1 and "Previous page" in second.text
    assert "Cases 26 to 26 of 26" in second.text
    none = await console.get("/cases", officer=officer, stage=CaseStage.awaiting_consent.value)
    assert "No cases match" in none.text
    assert "No cases match" in (await console.get("/cases", officer=officer, overdue="yes")).text
    bad = await console.get("/cases", stage="nonsense", officer="Not An Id", route="x", size="7")
    assert bad.status_code == 400 and error_summary(bad) == {
        "stage": "Select a stage from the list", "officer": "Officer must be a staff id, for example jo.smith",
        "route": "Select a route from the list", "size": "Select how many cases to show on a page",
    }
    closed = await console.get("/cases/closed", outcome="nonsense", route="x", officer="Not An Id", size="7")
    assert closed.status_code == 400 and error_summary(closed) == {
        "outcome": "Select an outcome from the list", "route": "Select a route from the list",
        "officer": "Officer must be a staff id, for example jo.smith", "size": "Select how many cases to show on a page",
    }


async def test_an_unreachable_temporal_server_gives_a_clear_page(settings, monkeypatch) -> None:
    monkeypatch.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")
    async with console_over(create_app(web_settings(settings.data_dir, settings.task_queue))) as console:
        await console.sign_in()
        page = await console.get("/cases")
        assert page.status_code == 503
        assert "Sorry, the case service is not available" in page.text and "Traceback" not in page.text
        assert (await console.get("/cases/DR-2026-AAAAAA")).status_code == 503


async def test_a_failing_page_says_sorry_without_details(settings) -> None:
    broken_client = object()  # every call to Temporal fails with an AttributeError
    app = create_app(web_settings(settings.data_dir, settings.task_queue), broken_client)
    async with console_over(app) as console:  # the failure goes no further than its page
        await console.sign_in()
        with structlog.testing.capture_logs() as logs:
            page = await console.get("/cases/DR-2026-AAAAAA")
        assert page.status_code == 500 and "Sorry, there is a problem with the service" in page.text
        assert "AttributeError" not in page.text and "Traceback" not in page.text
        failed = next(entry for entry in logs if entry["event"] == "page failed")
        assert (failed["path"], failed["error"]) == ("/cases/DR-2026-AAAAAA", "AttributeError")


async def test_a_case_nobody_answers_for_gives_a_clear_page(dev_server, settings, monkeypatch) -> None:
    monkeypatch.setattr("cases.client.ANSWER_TIMEOUT", timedelta(seconds=1))  # not the usual 30 s
    unanswered = await start_case(dev_server.client, settings, wait_for_opening=False)  # no worker polls its queue
    app = create_app(web_settings(settings.data_dir, settings.task_queue), dev_server.client)
    async with console_over(app) as console:
        await console.sign_in()
        page = await console.get(f"/cases/{unanswered.id}")
        assert page.status_code == 503 and "Sorry, the case service is not available" in page.text
        assert "did not answer within 1 s: is a worker running" in page.text
    await unanswered.terminate("test over")


def test_settings_refuse_a_console_off_loopback_without_oidc(monkeypatch) -> None:
    monkeypatch.setenv("DISAGREEMENT_WEB_HOST", "0.0.0.0")
    with pytest.raises(SettingsError, match="DISAGREEMENT_OIDC_ISSUER must be set"):
        settings_of(WebSettings)
    monkeypatch.setenv("DISAGREEMENT_OIDC_ISSUER", "https://login.example.gov.uk")
    monkeypatch.setenv("DISAGREEMENT_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("DISAGREEMENT_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    assert settings_of(WebSettings).oidc_issuer == "https://login.example.gov.uk"


async def test_the_development_sign_in_does_not_exist_off_loopback(settings) -> None:
    off_loopback = web_settings(
        settings.data_dir, settings.task_queue, web_host="0.0.0.0", oidc_issuer="https://login.example.gov.uk",
        oidc_client_id=CLIENT_ID, oidc_client_secret=CLIENT_SECRET, web_public_url="https://cases.example.gov.uk",
    )
    async with console_over(create_app(off_loopback)) as console:
        page = await console.get("/sign-in")
        assert "Development" not in page.text and "/sign-in/dev" not in page.text
        assert "Sign in with your council account" in page.text
        refused = await console.post("/sign-in/dev", {"staff_id": "jo.smith"})
        assert refused.status_code == 404
        sent_away = await console.get("/cases")  # the page to come back to is kept: a session, its cookie Secure
        assert sent_away.headers["location"] == "/sign-in"
        assert "secure" in sent_away.headers["set-cookie"].lower()


async def test_staff_sign_in_through_openid_connect(dev_server, settings) -> None:
    async with openid_provider() as provider:
        with_oidc = web_settings(
            settings.data_dir, settings.task_queue, oidc_issuer=provider.issuer,
            oidc_client_id=CLIENT_ID, oidc_client_secret=CLIENT_SECRET,
            oidc_roles_claim="groups", role_case_officer=["SEND-Caseworkers"], role_records_officer=["SEND-Records"],
        )
        provider.claims["groups"] = ["Finance", "SEND-Caseworkers"]  # the council's groups, mapped to our roles
        async with console_over(create_app(with_oidc, dev_server.client)) as console:

            async def through_the_provider() -> int:
                start = await console.get("/sign-in/oidc")
                assert start.status_code == 302 and start.headers["location"].startswith(f"{provider.issuer}/authorize?")
                async with httpx.AsyncClient() as browser:  # to the real provider, over loopback
                    back = await browser.get(start.headers["location"], follow_redirects=False)
                callback = back.headers["location"]
                assert callback.startswith("http://127.0.0.1:8080/sign-in/callback?")
                return await console.get(callback.removeprefix("http://127.0.0.1:8080"))

            signed_in = await through_the_provider()
            assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/cases")
            cases = await console.get("/cases")
            assert "Signed in as <strong>jo.smith</strong> (case officer)\n" in cases.text  # verified: not "unverified"
            assert 'href="/cases/new"' in cases.text and 'href="/subject-access"' not in cases.text
            refused = await console.get("/subject-access")
            assert refused.status_code == 403 and "needs the records_officer role" in refused.text
            await console.post("/sign-out", {})

            provider.claims["groups"] = ["SEND-Records"]
            assert (await through_the_provider()).status_code == 303
            assert (await console.get("/subject-access")).status_code == 200
            assert (await console.get("/cases/new")).status_code == 403
            await console.post("/sign-out", {})

            provider.claims["groups"] = ["Finance"]
            no_role = await through_the_provider()
            assert no_role.status_code == 403 and "none of this service&#39;s roles (claim &#39;groups&#39;)" in no_role.text
            assert (await console.get("/cases")).headers["location"] == "/sign-in"

            provider.forge_with = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
            forged = await through_the_provider()
            assert forged.status_code == 403 and "You could not be signed in" in forged.text
            assert (await console.get("/cases")).headers["location"] == "/sign-in"

            provider.forge_with = None
            provider.claims["preferred_username"] = "Jo Smith (Finance)"
            unusable = await through_the_provider()
            assert unusable.status_code == 403 and "no usable staff id" in unusable.text
            assert provider.token_requests == 5


@pytest.mark.parametrize(
    "path, params, field, words",
    [
        ("/cases", {"page": "99999999999999999999"}, "page", "That page of results does not exist"),
        ("/cases/closed", {"page": "99999999999999999999"}, "page", "That page of results does not exist"),
        ("/cases/closed", {"page": "٣"}, "page", "That page of results does not exist"),
        ("/cases", {"size": "²"}, "size", "Select how many cases to show on a page"),
        ("/cases/closed", {"size": "²"}, "size", "Select how many cases to show on a page"),
        ("/cases", date_fields("appeal_before", date(9999, 12, 31)), "appeal_before-day",
         "Appeal deadline on or before must be between 1 September 2014 and 31 December 2099"),
        ("/cases/closed", date_fields("closed_after", date(9999, 12, 31)), "closed_after-day",
         "Closed after must be between 1 September 2014 and 31 December 2099"),
        ("/cases/closed", date_fields("closed_before", date(1000, 1, 1)), "closed_before-day",
         "Closed before must be between 1 September 2014 and 31 December 2099"),
    ],
    ids=["huge-page-open", "huge-page", "arabic-page", "superscript-size", "superscript-size-closed",
         "appeal-before-9999", "closed-after-9999", "closed-before-1000"],
)
async def test_out_of_range_filters_and_pages_are_refused_in_words_not_a_server_error(
    console: Console, path: str, params: dict[str, str], field: str, words: str
) -> None:
    await console.sign_in()

    page = await console.get(path, **params)

    assert page.status_code == 400, page.text
    assert error_summary(page) == {field: error_summary(page)[field]} and error_summary(page)[field].startswith(words)


async def test_opening_twice_from_one_page_shows_the_reference_taken_beside_its_field(console: Console) -> None:
    await console.sign_in()
    await console.get("/cases/new")
    check = await console.post("/cases/new/check", opening_fields(open_case()))
    draft = html.unescape(re.search(r'name="draft" value="([^"]*)"', check.text).group(1))
    reference = json.loads(draft)["reference"]
    assert (await console.post("/cases/new/open", {"draft": draft})).status_code == 303
    again = await console.post("/cases/new/open", {"draft": draft})  # the button pressed twice, or Back and again
    assert again.status_code == 409
    assert error_summary(again) == {"reference": f"Case {reference} already exists"}
    assert f"Case {reference} already exists" in inline_errors(again)
    assert f'value="{reference}"' in again.text and "Sam Parent" in again.text  # the answers kept, to change the reference
