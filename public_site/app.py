"""The public site (DESIGN section 14): families and organisations answer through the link in a message.

A separate app from the staff console, on its own port (`DISAGREEMENT_PUBLIC_PORT`), so a council can
put it on the internet and keep the console inside. It has no staff pages, no sign-in and no links
to the console. Every page is a GOV.UK page rendered on the server; nothing needs JavaScript.

A link is `/<token>` (records/answer_links.py). Before anything about the case is shown, the page
asks what only the recipient knows; a right answer sets a cookie for that link's pages alone
(HttpOnly, SameSite=Strict, 30 minutes), signed with the site secret, and each form there carries a
CSRF token made from it. Then: the case in words, the question the message asked (a question page,
check answers, a confirmation), and a call-back request. Answers go to the case as the party
(`party:<id>`), signed with the site's key (public_site/gateway.py); the link is spent only once the case
has accepted the answer.

Refused, and rate-limited (counted in the records database, so every process of the site shares the
count): a token never minted (the same "not recognised" page whatever its shape), and a wrong answer
to the check. The URL holds the token only; the access log, the request metrics and the traces name
the route (`/{token}`), never it (web/serving.py, `RequestTelemetry`: served on
DISAGREEMENT_PUBLIC_METRICS_PORT by `python -m public_site`). Search engines are told not to index
anything (`X-Robots-Tag` and the robots meta tag).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from cases.client import Refused, Unreachable
from domain.calendar import london_date
from domain.models import CaseStage, CaseView, PartyView
from domain.words import date_and_time, long_date
from infra.identity import NotAllowed
from infra.request_metrics import RequestMetrics
from public_site import answers
from public_site.answers import Answers, Question
from public_site.gateway import PublicCases
from public_site.settings import PublicSettings
from public_site.words import case_words
from records.answer_links import AnswerLink, AnswerLinks, CheckKind, LinkState
from records.database import RecordsUnavailable, records_database_for
from web.forms import FormErrors
from web.guards import AllowedHosts, BodyLimit, BodyTooLarge
from web.serving import (
    CSP_NONCE,
    GOVUK_FRONTEND,
    STATIC,
    AccessLog,
    Contained,
    RequestTelemetry,
    govuk_environment,
    govuk_installed,
)

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

log = structlog.get_logger()

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)
CHECKED = "checked"  # the cookie saying this browser passed this link's check
CHECKED_FOR = timedelta(minutes=30)
CSRF_FIELD = "csrf_token"
NOINDEX = [(b"x-robots-tag", b"noindex, nofollow")]
# What the check asks (question, hint, input width class, what to say when left blank).
CHECK_WORDS = {
    CheckKind.phone_last4: ("What are the last 4 digits of your phone number?",
                            "The phone number we have for you. For example, if your number ends 900 123, enter 0123.",
                            "govuk-input--width-4", "Enter the last 4 digits of your phone number"),
    CheckKind.postcode: ("What is your postcode?", "The postcode of the address we have for you.",
                         "govuk-input--width-10", "Enter your postcode"),
    CheckKind.email: ("What is your email address?", "The email address our message was sent to.",
                      "govuk-!-width-two-thirds", "Enter your email address"),
}


class NotRecognised(Exception):
    """No link has this token (never minted, mistyped, tampered with, or swept away long after expiry)."""


class TooManyTries(Exception):
    """This address, or this link, has failed too often lately."""


class Expired(Exception):
    """The link's window has ended."""


class Locked(Exception):
    """The link's identity check has been answered wrongly too often: it opens nothing, for good."""


class CheckNeeded(Exception):
    """This browser has not (or no longer) answered this link's check: back to it."""

    def __init__(self, token: str) -> None:
        self.token = token


class Forged(Exception):
    """A form without this link's CSRF token."""


def create_app(
    settings: PublicSettings, client: Client | None = None, *, links: AnswerLinks | None = None, cases: PublicCases | None = None,
    tracer: Tracer | None = None,
) -> Contained:
    """The site; `client` is a connected Temporal client (tests), else one is made on first use. Tests
    may give the links' store and the cases' gateway. Its requests are counted by route template
    (`app.metrics`); with a tracer, each request is a span, and the client's calls are traced under it."""
    govuk_installed()
    secret = settings.public_site_secret()
    links = links or AnswerLinks(records_database_for(settings), secret)
    cases = cases or PublicCases(settings, client, tracer)
    metrics = RequestMetrics("disagreement_public", "public site")
    service = settings.service_contact
    env = govuk_environment("public_site")
    env.globals.update(service=service, SERVICE_NAME=settings.service_name, long_date=long_date, moment=date_and_time)
    templates = Jinja2Templates(env=env)

    def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
        context |= {"cspNonce": request.scope.get("state", {}).get(CSP_NONCE), "errors": context.get("errors") or {}}
        return templates.TemplateResponse(request, template, context, status_code=status)

    # --- The link, and who is using it ------------------------------------------------------------

    def address_of(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    async def opened(request: Request) -> tuple[str, AnswerLink]:
        """The link of this request's token: counted as a failure and refused when there is none."""
        token = request.path_params["token"]
        address = address_of(request)
        link = await links.find(token) if TOKEN_SHAPE.fullmatch(token) else None
        state = link.state(datetime.now(UTC)) if link is not None else None
        if state is LinkState.locked:  # for good: not "try again in an hour"
            raise Locked
        if await links.limited(address, link):
            raise TooManyTries
        if link is None:
            await links.failed(address)
            log.info("link not recognised")
            raise NotRecognised
        if state is LinkState.expired:
            raise Expired
        return token, link

    def cookie_value(link: AnswerLink, until: int) -> str:
        mac = hmac.new(secret, f"checked|{link.digest}|{until}".encode(), hashlib.sha256).hexdigest()
        return f"{until}.{mac}"

    def checked(request: Request, token: str, link: AnswerLink) -> str:
        """The CSRF token of this browser's passed check; CheckNeeded when it has none."""
        value = request.cookies.get(CHECKED, "")
        until, _, _ = value.partition(".")
        if not (until.isdigit() and int(until) > time.time() and hmac.compare_digest(value, cookie_value(link, int(until)))):
            raise CheckNeeded(token)
        return hmac.new(secret, f"csrf|{value}".encode(), hashlib.sha256).hexdigest()

    async def posted(request: Request, csrf: str) -> Any:
        form = await request.form()
        if not hmac.compare_digest(str(form.get(CSRF_FIELD, "")), csrf):
            raise Forged
        return form

    async def the_case(link: AnswerLink) -> tuple[CaseView, PartyView]:
        case = await cases.view(link.reference)
        party = next(party for party in case.parties if party.id == link.party)
        return case, party

    # --- Pages --------------------------------------------------------------------------------------

    async def start(request: Request) -> Response:
        return page(request, "start.html", title="Answer a question about a SEND disagreement")

    async def check(request: Request) -> Response:
        """The identity check: asked before anything about the case is shown."""
        token, link = await opened(request)
        question, hint, width, blank = CHECK_WORDS[link.check]
        context = {"title": question, "hint": hint, "width": width, "check": link.check.value}
        if request.method == "GET":
            with contextlib.suppress(CheckNeeded):
                checked(request, token, link)
                return RedirectResponse(f"/{token}/case", 303)
            return page(request, "check.html", **context)
        typed = str((await request.form()).get("answer", "")).strip()
        if not typed:
            return page(request, "check.html", 400, errors={"answer": blank}, **context)
        if not await links.is_recipient(link, typed):
            state = await links.failed(address_of(request), link)
            log.info("link check failed", link=link.digest[:12])
            if state is LinkState.locked:
                log.warning("link locked", link=link.digest[:12])
                raise Locked
            if await links.limited(address_of(request), link):
                raise TooManyTries
            return page(request, "check.html", 400, errors={"answer": "That does not match what we have. Check it and try again."},
                        **context)
        until = int(time.time() + CHECKED_FOR.total_seconds())
        response = RedirectResponse(f"/{token}/case", 303)
        response.set_cookie(
            CHECKED, cookie_value(link, until), max_age=int(CHECKED_FOR.total_seconds()), path=f"/{token}",
            httponly=True, samesite="strict", secure=settings.secure_cookies,
        )
        log.info("link checked", link=link.digest[:12])
        return response

    async def case_page(request: Request) -> Response:
        token, link = await opened(request)
        checked(request, token, link)
        case, party = await the_case(link)
        question = answers.QUESTIONS[link.purpose]
        said = answers.given(link.purpose, party, case)
        return page(
            request, "case.html", title="Your case", case=case, party=party, token=token,
            words=case_words(case, party, london_date(datetime.now(UTC))), said=said,
            answered_online=party.answered_online, question=question,
            asked=link.state(datetime.now(UTC)) is LinkState.live and answers.still_asked(link.purpose, party, case),
            can_call=case.stage is not CaseStage.closed,
        )

    def question_page(request: Request, token: str, csrf: str, question: Question, case: CaseView, values: Answers,
                      status: int = 200, errors: dict[str, str] | None = None) -> Response:
        return page(request, question.template, status, title=question.title, question=question, case=case,
                    values=values, errors=errors or {}, csrf=csrf, token=token, ISSUES=answers.ISSUE_CHOICES,
                    first=question.fields[0])

    def asked_question(link: AnswerLink, case: CaseView, party: PartyView, slug: str) -> Question | None:
        """The question at this page of the link, while the case still asks it."""
        if slug == answers.CALLBACK.slug:
            return answers.CALLBACK if case.stage is not CaseStage.closed else None
        question = answers.QUESTIONS[link.purpose]
        if slug != question.slug:
            raise HTTPException(404)
        live = link.state(datetime.now(UTC)) is LinkState.live
        return question if live and answers.still_asked(link.purpose, party, case) else None

    async def asked_again(request: Request, token: str, link: AnswerLink, csrf: str) -> tuple[Answers, Question | None, CaseView]:
        """The answers posted from the check-answers page, and the question, if the case still asks it."""
        case, party = await the_case(link)
        asked = asked_question(link, case, party, request.path_params["slug"])
        return (asked.answers(await posted(request, csrf)) if asked else {}), asked, case

    async def question(request: Request) -> Response:
        """GET: the question. POST: check what was typed, then the check-answers page (or, from its
        Change button, the question again with the answers filled in)."""
        token, link = await opened(request)
        csrf = checked(request, token, link)
        case, party = await the_case(link)
        asked = asked_question(link, case, party, request.path_params["slug"])
        if asked is None:  # answered meanwhile, or no longer asked: the case page says which
            return RedirectResponse(f"/{token}/case", 303)
        if request.method == "GET":
            return question_page(request, token, csrf, asked, case, _defaults(asked, case))
        form = await posted(request, csrf)
        values = asked.answers(form)
        if form.get("change"):
            return question_page(request, token, csrf, asked, case, values)
        try:
            answers.request_of(asked, values, link.party, case)
        except FormErrors as invalid:
            return question_page(request, token, csrf, asked, case, values, 400, invalid.errors)
        return page(request, "check_answers.html", title="Check your answers before sending them", question=asked,
                    rows=answers.rows(asked, values, case), values=values, csrf=csrf, token=token)

    async def send(request: Request) -> Response:
        """Send the answer to the case as the party; only once the case accepted it is the link spent."""
        token, link = await opened(request)
        csrf = checked(request, token, link)
        values, asked, case = await asked_again(request, token, link, csrf)
        if asked is None:
            return RedirectResponse(f"/{token}/case", 303)
        try:
            answer = answers.request_of(asked, values, link.party, case)
        except FormErrors as invalid:
            return question_page(request, token, csrf, asked, case, values, 400, invalid.errors)
        try:
            await cases.answer(link.reference, asked.update, answer)
        except Refused as refused:
            # The case said no: nothing was recorded. Its reason, in its own words, at the top.
            reason = str(refused)
            return question_page(request, token, csrf, asked, case, values, 409, {"": reason[:1].upper() + reason[1:]})
        if asked is not answers.CALLBACK:
            try:
                await links.spend(link)
            except RecordsUnavailable:  # the answer is recorded: the link, unspent, shows it as given
                log.warning("answered online, link not spent", link=link.digest[:12])
        log.info("answered online", update=asked.update, link=link.digest[:12])
        return RedirectResponse(f"/{token}/{asked.slug}/done", 303)

    async def done(request: Request) -> Response:
        token, link = await opened(request)
        checked(request, token, link)
        case, party = await the_case(link)
        callback = request.path_params["slug"] == answers.CALLBACK.slug
        said = None if callback else answers.given(link.purpose, party, case)
        return page(request, "done.html", title="We have your request" if callback else "Your answer has been sent",
                    said=said, callback=callback, token=token, case=case, call_by=answers.call_back_by(party, case))

    # --- Refusals and failures -------------------------------------------------------------------------

    def problem(request: Request, status: int, title: str, *message: str) -> Response:
        return page(request, "problem.html", status, title=title, message=message)

    async def not_recognised(request: Request, error: Exception) -> Response:
        return problem(request, 404, "This link is not recognised",
                       "Check that you typed or copied the whole link from our message, exactly as it is.",
                       "If it still does not work, contact us and we will help.")

    async def too_many(request: Request, error: Exception) -> Response:
        return problem(request, 429, "Too many tries",
                       "For your security, this link cannot be used for the next hour.",
                       "If you need to answer sooner, contact us.")

    async def locked(request: Request, error: Exception) -> Response:
        return problem(request, 403, "This link no longer works",
                       "For your security, it has been locked after too many answers that did not match what we have.",
                       "Nothing about your case was shown. Contact us to give your answer.")

    async def expired(request: Request, error: Exception) -> Response:
        return problem(request, 410, "This link has expired",
                       "The time to answer through this link has ended.",
                       "If you still want to tell us something about your case, contact us.")

    async def check_needed(request: Request, error: CheckNeeded) -> Response:
        return RedirectResponse(f"/{error.token}", 303)

    async def forged(request: Request, error: Exception) -> Response:
        return problem(request, 403, "This page has expired",
                       "Go back to the link in our message and start again. Nothing was sent.")

    async def not_allowed(request: Request, error: Exception) -> Response:
        log.warning("answer refused by the worker", error=type(error).__name__)
        return problem(request, 503, "Sorry, your answer could not be sent",
                       "Nothing was recorded. Please contact us to give your answer.")

    async def unavailable(request: Request, error: Exception) -> Response:
        if isinstance(error, RPCError) and error.status not in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise error
        log.warning("case service unavailable", error=type(error).__name__)
        if isinstance(error, RPCError) and error.status is RPCStatusCode.DEADLINE_EXCEEDED:
            # Sent, but no answer in time: it may have arrived. The link says which when opened again.
            return problem(request, 503, "Sorry, the service is not available",
                           "We cannot be sure that your answer arrived. Open the link in our message again later: "
                           "it shows an answer that arrived.", "Or contact us.")
        return problem(request, 503, "Sorry, the service is not available",
                       "We cannot show or record anything right now. Nothing was recorded.",
                       "Try again later, or contact us.")

    async def too_large(request: Request, error: Exception) -> Response:
        return problem(request, 413, "What you sent is too long", "Nothing was sent. Go back and shorten it.")

    async def not_found(request: Request, error: HTTPException) -> Response:
        if error.status_code != 404:
            return Response(status_code=error.status_code)
        return problem(request, 404, "Page not found", "Use the link in our message, exactly as it is.")

    async def broken(request: Request, error: Exception) -> Response:
        log.error("page failed", error=type(error).__name__)  # the type only: its text could hold an answer
        return problem(request, 500, "Sorry, there is a problem with the service",
                       "Your answer may not have been recorded. Please contact us.")

    async def robots(request: Request) -> Response:
        return PlainTextResponse("User-agent: *\nDisallow: /\n")

    async def favicon(request: Request) -> Response:
        return RedirectResponse("/assets/images/favicon.ico", 301)

    routes = [
        Route("/", start),
        Route("/robots.txt", robots),
        Route("/favicon.ico", favicon),
        Mount("/assets", StaticFiles(directory=GOVUK_FRONTEND / "assets"), name="assets"),
        Mount("/static", StaticFiles(directory=GOVUK_FRONTEND), name="static"),
        Mount("/site", StaticFiles(directory=STATIC), name="site"),
        Route("/{token}", check, methods=["GET", "POST"]),
        Route("/{token}/case", case_page),
        Route("/{token}/{slug}", question, methods=["GET", "POST"]),
        Route("/{token}/{slug}/send", send, methods=["POST"]),
        Route("/{token}/{slug}/done", done),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await links.close()

    return Contained(Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(RequestTelemetry, metrics=metrics, tracer=tracer),  # first: it sees every answer's status
            Middleware(AccessLog, headers=NOINDEX, by_route=True),
            Middleware(AllowedHosts, hosts=settings.public_hosts),
            Middleware(BodyLimit, limit=settings.public_max_body_bytes),
        ],
        exception_handlers={
            NotRecognised: not_recognised,
            TooManyTries: too_many,
            Expired: expired,
            Locked: locked,
            CheckNeeded: check_needed,
            Forged: forged,
            NotAllowed: not_allowed,
            Unreachable: unavailable,
            RecordsUnavailable: unavailable,
            RPCError: unavailable,
            BodyTooLarge: too_large,
            HTTPException: not_found,
            Exception: broken,
        },
    ), metrics)


def _defaults(question: Question, case: CaseView) -> Answers:
    """A question's first showing: the mediation issues given at opening already ticked."""
    if question is answers.CHOICE:
        return {"issues": [issue.value for issue in case.mediation_issues]}
    return {}

