"""The public site's pages and refusals through the ASGI test client, with a stand-in for Temporal
that applies each answer with the domain's own rules (the real workflows: tests/test_public_browser.py).

The link store is the real one, on SQLite and on PostgreSQL (`records_settings`).
"""

from __future__ import annotations

import html
import logging
import re
import secrets
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import structlog
from temporalio.service import RPCError, RPCStatusCode

from cases.client import Refused, Unreachable
from domain.calendar import london_date
from domain.case import RuleViolation
from domain.models import CaseView, OfferResolution, RecordConsent, RequestCallback, StaffAction, Withdraw
from domain.notifications import AnswerPurpose
from domain.resolution import Resolution
from infra.settings import Settings, SettingsError, settings_of
from public_site.__main__ import PUBLIC_METRICS
from public_site.app import create_app
from public_site.gateway import PublicCases
from public_site.settings import PublicSettings
from records.answer_links import ADDRESS_FAILURES, LINK_WRONG_ANSWERS, TOKEN_FAILURES, AnswerLinks, CheckKind, IdentityCheck, expiry_of
from records.database import RecordsUnavailable, records_database_for
from tests.conftest import OWN_CONTACT_DETAILS, TEST_KEYS, new_reference, open_case, personal_data
from tests.delivery_servers import free_port
from tests.processes import ROOT
from tests.telemetry_helpers import samples, scrape
from web.serving import Contained
from workflows import names

SITE = "http://127.0.0.1:8081"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S)
NOW = datetime.now(UTC)


@dataclass
class StandInCases:
    """The gateway's two calls, on a case file held here; `down`: Temporal does not answer;
    `lost`: it answers the query, then goes away before the update; `late`: the update is recorded,
    but its result does not come back in time."""

    case: Resolution
    down: bool = False
    lost: bool = False
    late: bool = False
    sent: list[tuple[str, StaffAction]] = field(default_factory=list)

    async def view(self, reference: str) -> CaseView:
        if self.down:
            raise Unreachable("the Temporal server at 127.0.0.1:1 does not answer")
        return self.case.view()

    async def answer(self, reference: str, update: str, request: StaffAction) -> CaseView:
        if self.down or self.lost:
            raise Unreachable("the Temporal server at 127.0.0.1:1 does not answer")
        try:
            if isinstance(request, RecordConsent):
                if not self.case.repeats(request):
                    self.case.check_record_consent(request)
                    self.case.record_consent(request, datetime.now(UTC))
            elif isinstance(request, RequestCallback):
                self.case.check_request_callback(request)
        except RuleViolation as violation:
            raise Refused(str(violation)) from None
        self.sent.append((update, request))
        if self.late:
            raise RPCError("deadline exceeded", RPCStatusCode.DEADLINE_EXCEEDED, b"")
        return self.case.view()


def public_settings(records: Settings, **overrides) -> PublicSettings:
    return PublicSettings(data_dir=records.data_dir, task_queue=records.task_queue, encryption_keys=TEST_KEYS,
                          records_url=records.records_url, **overrides)


def offered_case() -> Resolution:
    case = Resolution.open(new_reference(), open_case(), NOW - timedelta(days=1))
    case.offer_resolution(OfferResolution(actor="jo.smith"), NOW - timedelta(hours=1))
    return case


@dataclass
class Site:
    http: httpx.AsyncClient
    links: AnswerLinks
    cases: StandInCases
    app: Contained
    settings: PublicSettings
    responses: list[httpx.Response] = field(default_factory=list)

    async def get(self, path: str) -> httpx.Response:
        response = await self.http.get(path)
        self.responses.append(response)
        return response

    async def post(self, path: str, data: dict | list) -> httpx.Response:
        response = await self.http.post(path, data=data)
        self.responses.append(response)
        return response

    async def mint(self, party: str = "applicant", until: date | None = None, check: IdentityCheck | None = None) -> str:
        case = self.cases.case
        return await self.links.mint(
            case.reference, party, AnswerPurpose.consent, f"{case.reference}.resolution_offered.{party}",
            check or IdentityCheck(CheckKind.phone_last4, "0123"), expiry_of(until or london_date(NOW) + timedelta(days=10)),
        )

    async def checked(self, token: str, answer: str = "0123") -> str:
        """Through the identity check; returns the CSRF token of the case page's forms."""
        response = await self.post(f"/{token}", {"answer": answer})
        assert response.status_code == 303, title(response)
        question = await self.get(f"/{token}/answer")
        return CSRF.search(question.text).group(1)


@asynccontextmanager
async def site_on(
    records_settings: Settings, case: Resolution | None = None, base_url: str = SITE,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC), **overrides,
) -> AsyncIterator[Site]:
    """The public site over a stand-in for the cases; `clock`: the links' own, to count failures over hours."""
    settings = public_settings(records_settings, **overrides)
    links = AnswerLinks(records_database_for(settings), settings.public_site_secret(), clock)
    cases = StandInCases(case or offered_case())
    app = create_app(settings, links=links, cases=cases)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as http:
        yield Site(http, links, cases, app, settings)
    await links.close()


def title(response: httpx.Response) -> str:
    found = TITLE.search(response.text)
    return html.unescape(found.group(1).strip()) if found else ""


async def test_a_family_checks_who_it_is_agrees_and_the_link_is_spent(records_settings: Settings) -> None:
    async with site_on(records_settings) as site:
        token = await site.mint()
        first = await site.get(f"/{token}")
        assert first.status_code == 200 and title(first).startswith("What are the last 4 digits of your phone number?")
        assert site.cases.case.reference not in first.text, "nothing about the case before the check"
        assert (await site.get(f"/{token}/case")).headers["location"] == f"/{token}"  # no page without the check
        csrf = await site.checked(token, "07700 900123")  # the whole number typed: its last 4 digits count
        case_page = await site.get(f"/{token}/case")
        assert "Waiting for every party" in case_page.text and "Answer the question" in case_page.text
        assert "5pm" not in case_page.text and "disagreement resolution does not stop or move" in case_page.text

        nothing = await site.post(f"/{token}/answer", {"csrf_token": csrf})
        assert nothing.status_code == 400 and "Select yes if you agree to take part" in nothing.text
        checking = await site.post(f"/{token}/answer", {"csrf_token": csrf, "agree": "yes", "reason": "We want to talk"})
        assert title(checking).startswith("Check your answers") and "We want to talk" in checking.text
        assert site.cases.sent == []  # nothing sent before "Send"
        sent = await site.post(f"/{token}/answer/send", {"csrf_token": csrf, "agree": "yes", "reason": "We want to talk"})
        assert sent.status_code == 303 and sent.headers["location"] == f"/{token}/answer/done"
        [(update, request)] = site.cases.sent
        assert (update, request.actor, request.party, request.agree) == (names.RECORD_CONSENT, "party:applicant", "applicant", True)
        done = await site.get(f"/{token}/answer/done")
        assert "Your answer has been sent" in done.text and "You agreed to take part" in done.text

        # Spent: the same link shows the answer given, and asks nothing again.
        again = await site.get(f"/{token}/case")
        assert "You agreed to take part" in again.text and "You gave this answer online" in again.text
        assert "Answer the question" not in again.text
        assert (await site.get(f"/{token}/answer")).headers["location"] == f"/{token}/case"
        link = await site.links.find(token)
        assert link is not None and link.spent_at is not None


async def test_an_answer_recorded_by_staff_is_shown_not_asked(records_settings: Settings) -> None:
    case = offered_case()
    case.record_consent(RecordConsent(actor="jo.smith", party="org-1", agree=False), NOW)
    async with site_on(records_settings, case) as site:
        token = await site.mint("org-1", check=IdentityCheck(CheckKind.email, "senco@hilltop.example.org"))
        assert (await site.post(f"/{token}", {"answer": " SENCO@hilltop.example.org "})).status_code == 303
        page = await site.get(f"/{token}/case")
        assert "You said no to disagreement resolution" in page.text and "recorded by our case officer" in page.text
        assert "Answer the question" not in page.text
        assert "Your right to appeal" not in page.text  # the appeal clock is the family's


async def test_a_wrong_answer_a_tampered_token_and_the_rate_limits(records_settings: Settings) -> None:
    async with site_on(records_settings) as site:
        token = await site.mint()
        wrong = await site.post(f"/{token}", {"answer": "9999"})
        assert wrong.status_code == 400 and "That does not match what we have" in wrong.text
        assert (await site.get(f"/{token}/case")).status_code == 303  # still nothing shown

        tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
        for guess in (tampered, "not-a-token", token + "x"):
            refused = await site.get(f"/{guess}")
            assert refused.status_code == 404 and title(refused).startswith("This link is not recognised")
            assert "01632 960000" in refused.text  # the service's contact details

        for _ in range(5 - 2):  # [policy] 5 wrong answers a link; one wrong answer above
            await site.post(f"/{token}", {"answer": "9999"})
        locked = await site.post(f"/{token}", {"answer": "9999"})
        assert locked.status_code == 429 and title(locked).startswith("Too many tries")
        assert (await site.post(f"/{token}", {"answer": "0123"})).status_code == 429, "the right answer too, once locked"

        other = await site.mint()  # another link from the same address: the address's own count
        assert (await site.get(f"/{other}")).status_code == 200
        for _ in range(20):  # [policy] 20 failures an address
            await site.get(f"/{tampered}")
        assert (await site.get(f"/{other}")).status_code == 429
    async with site_on(records_settings) as elsewhere:  # another process of the site shares the count
        assert (await elsewhere.get(f"/{other}")).status_code == 429


async def test_wrong_answers_spread_over_hours_lock_the_link_for_good(records_settings: Settings) -> None:
    """The hourly limit alone would let a forwarded link be tried 5 times an hour for weeks."""
    now = [NOW]
    async with site_on(records_settings, clock=lambda: now[0]) as site:
        token = await site.mint()
        for hour in range(LINK_WRONG_ANSWERS // TOKEN_FAILURES):  # [policy] 10 in its life, 5 an hour
            for _ in range(TOKEN_FAILURES - 1):
                assert (await site.post(f"/{token}", {"answer": "9999"})).status_code == 400
            last = await site.post(f"/{token}", {"answer": "9999"})
            if hour == 0:
                assert last.status_code == 429 and title(last).startswith("Too many tries")
            now[0] += timedelta(hours=1, minutes=1)
        assert last.status_code == 403 and title(last).startswith("This link no longer works")
        assert "Nothing about your case was shown" in last.text and "01632 960000" in last.text
        assert (await site.links.find(token)).wrong_answers == LINK_WRONG_ANSWERS
        now[0] += timedelta(days=2)  # no hour's wait lifts it, and the right answer opens nothing
        for response in (await site.get(f"/{token}"), await site.post(f"/{token}", {"answer": "0123"})):
            assert response.status_code == 403 and title(response).startswith("This link no longer works")
        other = await site.mint()  # the household's other links still work
        assert (await site.get(f"/{other}")).status_code == 200


async def test_an_expired_link_says_so_with_the_contact_details(records_settings: Settings) -> None:
    async with site_on(records_settings) as site:
        token = await site.mint(until=london_date(NOW) - timedelta(days=1))
        for response in (await site.get(f"/{token}"), await site.post(f"/{token}", {"answer": "0123"})):
            assert response.status_code == 410 and title(response).startswith("This link has expired")
            assert "send.disagreements@example.gov.uk" in response.text


async def test_temporal_away_is_a_503_and_the_link_is_not_spent(records_settings: Settings) -> None:
    async with site_on(records_settings) as site:
        token = await site.mint()
        csrf = await site.checked(token)
        for gone in ("down", "lost"):
            setattr(site.cases, gone, True)
            away = await site.post(f"/{token}/answer/send", {"csrf_token": csrf, "agree": "yes"})
            assert away.status_code == 503 and "Nothing was recorded" in away.text and "01632 960000" in away.text
            assert (await site.links.find(token)).spent_at is None and site.cases.sent == []
            setattr(site.cases, gone, False)
        assert (await site.get(f"/{token}/case")).status_code == 200 and "Answer the question" in (await site.get(f"/{token}/case")).text


async def test_an_answer_that_may_have_arrived_is_never_said_to_be_lost(records_settings: Settings, monkeypatch) -> None:
    async with site_on(records_settings) as site:
        token = await site.mint()
        csrf = await site.checked(token)
        site.cases.late = True
        late = await site.post(f"/{token}/answer/send", {"csrf_token": csrf, "agree": "yes"})
        assert late.status_code == 503 and "We cannot be sure that your answer arrived" in late.text
        assert "Nothing was recorded" not in late.text and len(site.cases.sent) == 1

    async with site_on(records_settings) as site:  # recorded, then the records store is away: still sent
        token = await site.mint()
        csrf = await site.checked(token)

        async def records_away(link) -> None:
            raise RecordsUnavailable("the records database is not answering")

        monkeypatch.setattr(site.links, "spend", records_away)
        sent = await site.post(f"/{token}/answer/send", {"csrf_token": csrf, "agree": "yes"})
        assert sent.status_code == 303 and sent.headers["location"] == f"/{token}/answer/done"
        assert len(site.cases.sent) == 1


async def test_a_form_without_the_links_csrf_token_is_refused(records_settings: Settings) -> None:
    async with site_on(records_settings) as site:
        token = await site.mint()
        await site.checked(token)
        forged = await site.post(f"/{token}/answer/send", {"csrf_token": "x" * 64, "agree": "yes"})
        assert forged.status_code == 403 and site.cases.sent == []


async def test_a_call_back_request_from_the_case_page(records_settings: Settings) -> None:
    async with site_on(records_settings) as site:
        token = await site.mint()
        await site.checked(token)
        form = await site.get(f"/{token}/call-back")
        csrf = CSRF.search(form.text).group(1)
        check = await site.post(f"/{token}/call-back", {"csrf_token": csrf, "note": "About the dates"})
        assert "About the dates" in check.text
        sent = await site.post(f"/{token}/call-back/send", {"csrf_token": csrf, "note": "About the dates"})
        assert sent.headers["location"] == f"/{token}/call-back/done"
        [(update, request)] = site.cases.sent
        assert (update, request.actor, request.note) == (names.REQUEST_CALLBACK, "party:applicant", "About the dates")
        assert (await site.links.find(token)).spent_at is None  # the question is still to answer


async def test_no_page_is_indexed_and_no_token_reaches_the_log(records_settings: Settings, capsys: pytest.CaptureFixture) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    try:
        async with site_on(records_settings) as site:
            token = await site.mint()
            await site.get("/")
            await site.get(f"/{token}")
            await site.checked(token)
            await site.get(f"/{token}/case")
            await site.get("/not-a-token")
            for response in site.responses:
                assert response.headers["x-robots-tag"] == "noindex, nofollow"
                assert response.headers["cache-control"] == "no-store"
                if "text/html" in response.headers.get("content-type", ""):
                    assert '<meta name="robots" content="noindex, nofollow">' in response.text
            assert "Disallow: /" in (await site.get("/robots.txt")).text
    finally:
        structlog.reset_defaults()
    logged = capsys.readouterr()
    assert "path=/{token}/case" in logged.out + logged.err or '"/{token}/case"' in logged.out + logged.err
    assert token not in logged.out + logged.err


async def test_a_host_other_than_the_sites_is_refused(records_settings: Settings) -> None:
    async with site_on(records_settings, base_url="http://attacker.example") as site:
        assert (await site.get("/")).status_code == 400


async def test_requests_are_counted_by_route_template_never_by_token(records_settings: Settings) -> None:
    """What an operator watches (README "Operating"): every page of a real link, a made-up token, the
    rate limit and Temporal away, served on the site's own metrics port, by route template only."""
    port = free_port()
    async with site_on(records_settings, public_metrics_port=port) as site:
        assert site.app.metrics.serve(site.settings, PUBLIC_METRICS) == port
        token = await site.mint()
        assert (await site.get(f"/{token}")).status_code == 200
        csrf = await site.checked(token)
        assert (await site.get(f"/{token}/case")).status_code == 200
        made_up = secrets.token_urlsafe(16)  # a link's shape, never minted
        unknown = await site.get(f"/{made_up}")
        assert unknown.status_code == 404 and title(unknown).startswith("This link is not recognised")
        site.cases.down = True
        away = await site.post(f"/{token}/answer/send", {"csrf_token": csrf, "agree": "yes"})
        assert away.status_code == 503
        site.cases.down = False
        assert (await site.post(f"/{token}/answer/send", {"csrf_token": csrf, "agree": "yes"})).status_code == 303
        assert (await site.get(f"/{token}/answer/done")).status_code == 200
        for _ in range(ADDRESS_FAILURES):
            await site.get(f"/{made_up}")
        assert (await site.get(f"/{made_up}")).status_code == 429
        assert (await site.get("/no/such/page/here")).status_code == 404
    text = scrape(f"http://127.0.0.1:{port}/metrics")

    counted = {(labels["route"], labels["method"], labels["code"]) for labels, _ in samples(text, "disagreement_public_requests_total")}
    assert {
        ("/{token}", "GET", "200"), ("/{token}", "POST", "303"), ("/{token}/case", "GET", "200"),
        ("/{token}/{slug}", "GET", "200"), ("/{token}", "GET", "404"), ("/{token}/{slug}/send", "POST", "503"),
        ("/{token}/{slug}/send", "POST", "303"), ("/{token}/{slug}/done", "GET", "200"), ("/{token}", "GET", "429"),
        ("unmatched", "GET", "404"),
    } <= counted, counted
    assert {labels["route"] for labels, _ in samples(text, "disagreement_public_request_duration_seconds_count")} >= {"/{token}", "/{token}/{slug}/send"}
    for secret in (token, made_up, token[:12], site.cases.case.reference, *personal_data(open_case())):
        assert secret not in text


def test_metrics_are_off_in_development_and_on_9467_in_production() -> None:
    assert PublicSettings(encryption_keys=TEST_KEYS).metrics_port_of(PUBLIC_METRICS) is None
    production = PublicSettings(production=True, encryption_keys=TEST_KEYS, actor_verification="required", **OWN_CONTACT_DETAILS)
    assert production.metrics_port_of(PUBLIC_METRICS) == 9467
    assert production.metrics_port_of("metrics_port") == 9464  # the worker's on the same host: a port apart
    assert PublicSettings(encryption_keys=TEST_KEYS, public_metrics_port=9200).metrics_port_of(PUBLIC_METRICS) == 9200


def test_the_site_and_a_worker_cannot_be_given_one_metrics_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISAGREEMENT_METRICS_PORT", "9100")
    monkeypatch.setenv("DISAGREEMENT_PUBLIC_METRICS_PORT", "9100")
    with pytest.raises(SettingsError, match="DISAGREEMENT_METRICS_PORT and DISAGREEMENT_PUBLIC_METRICS_PORT name the same port"):
        settings_of(PublicSettings)


def test_a_site_whose_metrics_port_is_taken_stops_at_start_up_naming_the_setting(tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"PATH": "/usr/bin:/bin", "DISAGREEMENT_DATA_DIR": str(tmp_path), "DISAGREEMENT_ENCRYPTION_KEYS": TEST_KEYS,
               "DISAGREEMENT_PUBLIC_METRICS_PORT": str(port), "DISAGREEMENT_PUBLIC_PORT": str(free_port()),
               "TEMPORAL_ADDRESS": "127.0.0.1:1"}
        done = subprocess.run([sys.executable, "-m", "public_site"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "public site: DISAGREEMENT_PUBLIC_METRICS_PORT: cannot serve metrics" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("PUBLIC_TEMPORAL_PROFILE", "a profile"), ("PUBLIC_ALLOWED_HOSTS", "answer council"), ("PUBLIC_TRUSTED_PROXIES", "proxy.example"),
     ("PUBLIC_MAX_BODY_BYTES", "10"), ("PUBLIC_METRICS_PORT", "0")],
)
def test_a_bad_site_setting_is_refused_naming_it(variable: str, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"DISAGREEMENT_{variable}", value)
    with pytest.raises(SettingsError, match=f"DISAGREEMENT_{variable}"):
        settings_of(PublicSettings)


def test_the_sites_hosts_are_its_own_and_its_public_urls() -> None:
    site = PublicSettings(public_port=8081, public_url="https://answer.council.gov.uk", encryption_keys=TEST_KEYS)
    assert site.public_hosts == ["127.0.0.1:8081", "localhost:8081", "answer.council.gov.uk", "answer.council.gov.uk:443"]
    assert site.secure_cookies and site.public_base_url == "https://answer.council.gov.uk"


async def test_the_gateway_sends_only_a_partys_own_public_answers(tmp_path) -> None:
    """Nothing but PUBLIC_UPDATES, and only as a party: refused before any connection is made."""
    gateway = PublicCases(PublicSettings(data_dir=tmp_path, encryption_keys=TEST_KEYS, dev_server_port=1))
    with pytest.raises(ValueError, match="only a party's own answers"):
        await gateway.answer("DR-2026-7KQ3XZ", names.WITHDRAW, Withdraw(actor="jo.smith", party="applicant", reason="moved away"))
    with pytest.raises(ValueError, match="only a party's own answers"):
        await gateway.answer("DR-2026-7KQ3XZ", names.RECORD_CONSENT, RecordConsent(actor="jo.smith", party="applicant", agree=True))


def test_a_family_whose_appeal_would_be_only_about_the_school_is_not_told_it_needs_a_certificate() -> None:
    """CFA 2014 s.51(2)(c), s.55(3): no certificate for an appeal only about the school named."""
    from datetime import UTC, date, datetime

    from public_site.words import case_words
    from tests.mediation_steps import open_on_the_rules

    opened = datetime(2026, 11, 9, 10, tzinfo=UTC)
    for school_only in (False, True):
        case = open_on_the_rules(date(2026, 11, 2), opened, school_only=school_only).view()
        said = case_words(case, case.parties[0], opened.date())
        if school_only:
            assert "needs no mediation certificate" in said.now and "Before appealing" not in said.now
            assert said.next.startswith("You can still choose mediation")
        else:
            assert said.now.startswith("The council has made a decision that can be appealed. Before appealing")
