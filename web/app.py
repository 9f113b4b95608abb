"""The staff web console (DESIGN section 9): every case and every staff action, in a browser.

A second front over the same workflows as the CLI, through the same `cases.client.Cases` (connection,
listing, updates, rejections in words). Pages are rendered on the server with the GOV.UK Design
System and work without JavaScript. Every form posts, is checked on the page with the domain's
pydantic models, is sent as the signed-in member of staff, and redirects (post-redirect-get), so a
refresh never repeats an action. Any role reads cases; doing anything needs a role that allows it
(infra/identity.py), checked on the server whatever the page offered. Nothing about a family goes
in a URL, a title or a log line.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

import structlog
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from cases.client import CaseService, DuePage, Refused, Unreachable
from domain import words
from domain.models import (
    REFERENCE_PATTERN,
    ApplicantRole,
    CaseOutcome,
    CaseStage,
    CaseView,
    Channel,
    DecisionKind,
    DisagreementKind,
    EhcPoint,
    MediationIssue,
    OrganisationKind,
    Route as CaseRoute,
    SessionResult,
    in_service,
)
from domain.due import WORKING_WEEK
from infra.client import connection_config
from infra.identity import Act, NotAllowed, Role, Staff, roles_named
from infra.request_metrics import RequestMetrics
from infra.vouching import console_key_for
from records.access import SubjectAccessRequest, export_logged, readable
from records.sessions import session_store_for
from web import auth, case_work, opening, presenters, records_steps, reports
from web.forms import (
    ACTION_FORMS,
    ACTION_ROWS,
    ORGANISATION_ROWS,
    SLOT_ROWS,
    FormErrors,
    build,
    day,
    extendable,
    first_field,
    offered,
    text,
    waiting_callbacks,
    whole_number,
)
from web.home import due_rows
from web.guards import AllowedHosts, BodyLimit, BodyTooLarge
from web.sessions import ServerSessions
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
from web.settings import WebSettings

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

log = structlog.get_logger()

SERVICE_NAME = "SEND disagreement cases"
PAGE_SIZES = (25, 100, 1000)
MAX_PAGE = 1_000_000
PAGE_GONE = "That page of results does not exist: start from the first page"
DUE_PAGE = 100  # duties on a page of "Due from you"
E = TypeVar("E", bound=StrEnum)


def _templates() -> Jinja2Templates:
    env = govuk_environment("web")
    env.globals.update(
        long_date=words.long_date, moment=words.date_and_time,
        stage_words=words.stage_words, deadline_name=words.duty_words,
        error_message=presenters.error_message, date_items=presenters.date_items, options=presenters.options,
        enum_choices=presenters.enum_choices, owner_words=words.owner_words, due_rule=presenters.due_rule,
        ORDER_KIND_CHOICES=presenters.ORDER_KIND_CHOICES, W=words, action_status=presenters.action_status,
        STAGE_TAGS=presenters.STAGE_TAGS, CONSENT_TAGS=presenters.CONSENT_TAGS,
        DELIVERY_TAGS=presenters.DELIVERY_TAGS, SERVICE_NAME=SERVICE_NAME,
        CaseStage=CaseStage, ApplicantRole=ApplicantRole, Channel=Channel, DisagreementKind=DisagreementKind,
        EhcPoint=EhcPoint, OrganisationKind=OrganisationKind, SessionResult=SessionResult,
        DecisionKind=DecisionKind, MediationIssue=MediationIssue, CaseOutcome=CaseOutcome, CaseRoute=CaseRoute, HEALTH_ROWS=opening.HEALTH_ROWS,
        ROLE_CHOICES=[
            (ApplicantRole.parent.value, "A parent"), (ApplicantRole.young_person.value, "A young person"),
            (ApplicantRole.alternative_person.value, "Someone acting for a young person who lacks capacity"),
        ],
        ACTION_ROWS=ACTION_ROWS, ORGANISATION_ROWS=ORGANISATION_ROWS, SLOT_ROWS=SLOT_ROWS,
        waiting_callbacks=waiting_callbacks,
        ACTION_DUE_FIELDS=[f"action-{row}-due" for row in range(1, ACTION_ROWS + 1)],
        page_sizes=[(str(size), str(size)) for size in PAGE_SIZES],
        Act=Act, Role=Role,
    )
    return Jinja2Templates(env=env)


def create_app(settings: WebSettings, client: Client | None = None, tracer: Tracer | None = None) -> Contained:
    """The console; `client` is a connected Temporal client (tests), else one is made on first use.
    With a tracer, each request is a span, and the client's calls are traced under it (web/serving.py, RequestTelemetry)."""
    govuk_installed()
    # The console's key signs who sends each update (infra/vouching.py).
    service = CaseService(settings, client, console_key=console_key_for(settings), tracer=tracer)
    metrics = RequestMetrics("disagreement_web", "staff web console")
    templates = _templates()
    oidc = auth.OpenIdConnect(settings) if settings.oidc_issuer else None

    def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
        context |= {
            "cspNonce": request.scope.get("state", {}).get(CSP_NONCE),  # read by the GOV.UK page template
            "staff": auth.signed_in(request),
            "csrf_token": auth.LazyCsrfToken(request),  # a session is kept only for a page with a form
            "dev_sign_in": settings.dev_sign_in,
            "oidc": oidc is not None,
        }
        return templates.TemplateResponse(request, template, context, status_code=status)

    def reference_of(request: Request) -> str:
        reference = request.path_params["reference"]
        if not REFERENCE_PATTERN.fullmatch(reference):
            raise HTTPException(404)
        return reference

    # --- Signing in -----------------------------------------------------------------------------------

    async def sign_in_page(request: Request) -> Response:
        return page(request, "sign_in.html", title="Sign in")

    async def dev_sign_in(request: Request) -> Response:
        form = await auth.posted(request)
        staff = auth.valid_staff_id(form.get("staff_id"))
        roles = roles_named(form.getlist(auth.ROLES))
        errors = {}
        if staff is None:
            errors["staff_id"] = "Enter your staff id: 2 to 64 lower-case letters, digits, dots, dashes or underscores"
        if not roles:
            errors[auth.ROLES] = "Select at least one role"
        if errors:
            values = {"staff_id": form.get("staff_id", ""), auth.ROLES: form.getlist(auth.ROLES)}
            return page(request, "sign_in.html", 400, title="Sign in", errors=errors, values=values)
        log.info("signed in (development)", staff=staff, roles=sorted(role.value for role in roles))
        return RedirectResponse(auth.sign_in(request, Staff(staff, roles, verified=False)), 303)

    async def oidc_start(request: Request) -> Response:
        assert oidc is not None
        return await oidc.redirect(request, str(request.url_for("oidc_callback")))

    async def oidc_callback(request: Request) -> Response:
        assert oidc is not None
        staff = await oidc.staff(request)
        log.info("signed in", staff=staff.id, roles=sorted(role.value for role in staff.roles))
        return RedirectResponse(auth.sign_in(request, staff), 303)

    async def sign_out(request: Request) -> Response:
        await auth.posted(request)
        auth.sign_out(request)
        return RedirectResponse("/sign-in", 303)

    # --- Due from you, and finding a case -------------------------------------------------------------

    async def home(request: Request) -> Response:
        """"Due from you": this week's (due within 5 working days, and every overdue one) or all;
        `?team=1`, every officer's, for a team manager. `DUE_PAGE` duties a page, the most urgent
        first: only the cases a page needs are read (`Cases.due_page`)."""
        staff = auth.staff(request)
        team = request.query_params.get("team") == "1"
        if team:
            staff.needs(Act.team_view)
        week = request.query_params.get("view") != "all"
        today = presenters.today()
        errors: dict[str, str] = {}
        number = _page_number(request.query_params, errors)
        start = (number - 1) * DUE_PAGE
        found = DuePage([], False) if errors else await (await service.cases()).due_page(
            None if team else staff.id, WORKING_WEEK if week else None, today, start, DUE_PAGE,
        )
        status = 400 if errors else 200
        if start and not found.duties:  # a page the list has since shrunk below, or one typed
            errors["page"], status = PAGE_GONE, 404
        pages = {
            "errors": errors, "first_page": _first_page(request), "first_shown": start + 1, "paged": number > 1 or found.more,
            "next_page": request.url.include_query_params(page=number + 1) if found.more else None,
            "previous_page": request.url.include_query_params(page=number - 1) if number > 1 else None,
        }
        base = {"team": "1"} if team else {}
        views = [
            {"text": "Due this week", "href": "/?" + urlencode(base), "current": week},
            {"text": "All my cases" if not team else "All the team's cases", "href": "/?" + urlencode(base | {"view": "all"}), "current": not week},
        ]
        if staff.may(Act.team_view):
            views.append({"text": "My own duties" if team else "The team's duties", "href": "/" if team else "/?team=1", "current": False})
        whose = "every officer's open cases" if team else "your open cases"
        intro = (f"Duties still owed on {whose}, overdue first: those due within {WORKING_WEEK} working days, and every "
                 "overdue one." if week else f"Every duty still owed on {whose}, overdue first.")
        return page(request, "home.html", status, title="Due from the team" if team else "Due from you",
                    rows=due_rows(found.duties, today), views=views, intro=intro, team=team, week=week, **pages)

    async def find(request: Request) -> Response:
        auth.staff(request)
        typed = request.query_params.get("reference", "")
        reference = typed.strip().upper()
        if not reference:
            problem, status = "Enter a case reference", 400
        elif not REFERENCE_PATTERN.fullmatch(reference):
            problem, status = "Enter a case reference like DR-2026-7KQ3XZ or MD-2026-7KQ3XZ", 400
        elif not await _found(reference):
            problem, status = f"There is no case {reference}: check the reference", 404
        else:
            return RedirectResponse(f"/cases/{reference}", 303)
        return page(request, "find.html", status, title="Find a case", errors={"reference": problem}, reference=typed)

    async def _found(reference: str) -> bool:
        cases = await service.cases()
        return await cases.exists(reference) or await cases.records.get(reference) is not None

    # --- Cases ----------------------------------------------------------------------------------------

    async def case_list(request: Request) -> Response:
        """Open cases (closed ones: the stage filter, or /cases/closed), soonest next deadline first,
        a numbered page at a time: only the page's cases are read (`Cases.summaries_page`), which
        `make bench` measures at 5,000 open cases (BENCHMARKS.md)."""
        auth.staff(request)
        params = request.query_params
        errors: dict[str, str] = {}
        stage = _chosen(params, "stage", CaseStage, errors)
        officer = _officer(params, errors)
        route = _chosen(params, "route", CaseRoute, errors)
        appeal_before = _filter_day(params, "appeal_before", errors, "Appeal deadline on or before")
        overdue = params.get("overdue") == "yes"
        size = _page_size(params, errors)
        number = _page_number(params, errors)
        context = {"title": "Cases", "errors": errors, "filters": params, "summaries": [], "next_page": None,
                   "first_page": _first_page(request)}
        if errors:
            return page(request, "cases.html", 400, **context)
        start = (number - 1) * size
        found = await (await service.cases()).summaries_page(stage, officer, overdue, appeal_before, route, start, size)
        if start and start >= found.total:  # a page the list has since shrunk below, or one typed
            return page(request, "cases.html", 404, **context | {"errors": {"page": PAGE_GONE}})
        if found.total > start + size:
            context["next_page"] = request.url.include_query_params(page=number + 1)
        if number > 1:
            context["previous_page"] = request.url.include_query_params(page=number - 1)
        return page(request, "cases.html", **context | {
            "summaries": found.summaries, "page_number": number, "first_shown": start + 1, "total": found.total,
        })

    async def closed_list(request: Request) -> Response:
        """Closed cases from the records' plain columns (nothing decrypted), as `list --closed`."""
        auth.staff(request)
        params = request.query_params
        errors: dict[str, str] = {}
        outcome = _chosen(params, "outcome", CaseOutcome, errors)
        route = _chosen(params, "route", CaseRoute, errors)
        officer = _officer(params, errors)
        closed_after = _filter_day(params, "closed_after", errors, "Closed after")
        closed_before = _filter_day(params, "closed_before", errors, "Closed before")
        size = _page_size(params, errors)
        number = _page_number(params, errors)
        context = {"title": "Closed cases", "errors": errors, "filters": params, "summaries": [], "next_page": None,
                   "first_page": _first_page(request),
                   "done": request.session.pop("done", None)}
        if errors:
            return page(request, "closed.html", 400, **context)
        cases = await service.cases()
        found = await cases.records.closed(
            outcome, closed_after, closed_before, route, officer, limit=size + 1, offset=(number - 1) * size,
        )
        if number > 1 and not found:  # a page the archive has since shrunk below, or one typed
            return page(request, "closed.html", 404, **context | {"errors": {"page": PAGE_GONE}})
        if len(found) > size:  # one more than a page: there is a next one
            context["next_page"] = request.url.include_query_params(page=number + 1)
        if number > 1:
            context["previous_page"] = request.url.include_query_params(page=number - 1)
        return page(request, "closed.html", **context | {"summaries": found[:size], "page_number": number})

    async def case_page(request: Request) -> Response:
        staff = auth.staff(request)
        case = await _view(reference_of(request))
        done = request.session.pop("done", None)
        steps = await records_steps.offered(await service.cases(), case, staff) if staff.may(Act.records) else []
        return page(
            request, "case.html", title=f"Case {case.reference}", case=case, done=done,
            **case_work.page_parts(case, presenters.today(), staff.may), names=presenters.party_names(case),
            actions=[form for form in offered(case) if staff.may(form.act)], records_steps=steps,
            temporal_link=f"{settings.temporal_ui}/namespaces/{connection_config(settings).get('namespace', 'default')}"
            f"/workflows/{case.reference}",
        )

    async def _view(reference: str) -> CaseView:
        cases = await service.cases()
        try:
            return await cases.view(reference)
        except Refused:
            raise HTTPException(404) from None

    # --- Staff actions --------------------------------------------------------------------------------

    async def action(request: Request) -> Response:
        auth.staff(request)
        form_spec = ACTION_FORMS.get(request.path_params["slug"])
        if form_spec is None:
            raise HTTPException(404)
        actor = auth.acting(request, form_spec.act).id
        reference = reference_of(request)
        case = await _view(reference)

        def show(status: int = 200, errors: dict[str, str] | None = None, values: Any = None, refused: bool = False) -> Response:
            return page(
                request, form_spec.page, status, title=form_spec.title, form=form_spec, case=case,
                errors=errors or {}, values=values or {}, names=presenters.party_names(case),
                deadlines=extendable(case), refused=refused,
            )

        if request.method == "GET":
            if not form_spec.offered(case):
                return page(request, "not_now.html", 409, title=form_spec.title, form=form_spec, case=case)
            return show()
        fields = await auth.posted(request)
        if not form_spec.fits(case):  # the other route's action: its workflow has no such update
            return page(request, "not_now.html", 409, title=form_spec.title, form=form_spec, case=case)
        # Checkboxes post a field once for each box ticked: keep them all to fill the form in again.
        values = {name: fields.getlist(name) if len(fields.getlist(name)) > 1 else fields[name] for name in fields.keys()}
        try:
            staff_action = form_spec.parse(fields, case, actor)
        except FormErrors as invalid:
            return show(400, invalid.errors, values)
        cases = await service.cases()
        try:
            await cases.act(reference, form_spec.update, staff_action)
        except Refused as refused:
            # The case said no: nothing changed. Its reason goes on the field it is about, or at the top.
            field = form_spec.field_of(refused.field, fields)
            return show(409, {field: str(refused)[:1].upper() + str(refused)[1:]}, values, refused=True)
        log.info("staff action", reference=reference, action=form_spec.slug, staff=actor)
        request.session["done"] = form_spec.done
        return RedirectResponse(f"/cases/{reference}", 303)

    # --- Subject access -------------------------------------------------------------------------------

    async def export_page(request: Request) -> Response:
        """A subject access export (UK GDPR art. 15), as `disagreement export`. The email and phone are
        posted, never in a URL; the answer is the document itself, a download kept by no cache."""
        actor = auth.acting(request, Act.records).id

        def form(status: int = 200, errors: dict[str, str] | None = None, values: Any = None) -> Response:
            return page(request, "export.html", status, title="Subject access export", errors=errors or {},
                        values=values or {})

        if request.method == "GET":
            return form()
        fields = await auth.posted(request)
        values = {name: fields.get(name, "") for name in ("email", "phone")}
        email, phone = text(fields, "email"), text(fields, "phone")
        try:
            if not email and not phone:
                raise FormErrors({"email": "Enter the person's email address or phone number"})
            wanted = build(SubjectAccessRequest, first_field, {"email": "Email address", "phone": "Phone number"},
                           email=email, phone=phone)
        except FormErrors as invalid:
            return form(400, invalid.errors, values)
        cases = await service.cases()
        exported, subject = await export_logged(cases, wanted.email, wanted.phone, actor)
        # Whom for as the records' keyed digest of their email or phone: never the address.
        log.info("subject access export", staff=actor, cases=len(exported.cases), subject=subject)
        name = f"subject-access-{exported.generated_at:%Y%m%d-%H%M%S}"
        if fields.get("format") == "text":
            body, media, name = readable(exported), "text/plain; charset=utf-8", f"{name}.txt"
        else:
            body, media, name = exported.model_dump_json(indent=2), "application/json", f"{name}.json"
        return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})

    # --- Opening a case -------------------------------------------------------------------------------

    def opening_pages(way: opening.Opening) -> list[Route]:
        def form_page(request: Request, answers: dict, errors: dict[str, str], status: int = 200) -> Response:
            return page(request, way.form, status, title=way.title, opening=way, values=answers, errors=errors)

        async def new(request: Request) -> Response:
            actor = auth.acting(request, Act.case_work).id
            answers: dict[str, Any] = {"case_officer": actor}
            if request.method == "POST":  # a "Change" on the check page: the form again, filled in
                fields = await auth.posted(request)
                answers = way.answers_of(str(fields.get(opening.DRAFT_FIELD, "")))
            return form_page(request, answers, {})

        async def check(request: Request) -> Response:
            actor = auth.acting(request, Act.case_work).id
            answers = way.answers(await auth.posted(request))
            try:
                reference, opened = way.parse(answers, actor)
            except FormErrors as invalid:
                return form_page(request, answers, invalid.errors, 400)
            return page(request, "check.html", title="Check the case before opening it", opening=way, opened=opened,
                        reference=reference, draft=way.draft_of(answers, reference))

        async def open_it(request: Request) -> Response:
            actor = auth.acting(request, Act.case_work).id
            draft = str((await auth.posted(request)).get(opening.DRAFT_FIELD, ""))
            answers = way.answers_of(draft)
            try:
                reference, opened = way.parse(answers, actor)
            except FormErrors as invalid:
                return form_page(request, answers, invalid.errors, 400)
            cases = await service.cases()
            try:
                await cases.open(reference, opened)
            except Refused as refused:
                if refused.field == ("reference",):  # taken (opened twice, or typed): the form, the field in error
                    return form_page(request, answers, {"reference": words.sentence(str(refused))}, 409)
                return page(request, "check.html", 409, title="Check the case before opening it", opening=way,
                            opened=opened, reference=reference, draft=draft, refused=str(refused))
            log.info("case opened", reference=reference, staff=actor)
            request.session["done"] = "Case opened"
            return RedirectResponse(f"/cases/{reference}", 303)

        return [
            Route(way.path, new, methods=["GET", "POST"]),
            Route(f"{way.path}/check", check, methods=["POST"]),
            Route(f"{way.path}/open", open_it, methods=["POST"]),
        ]

    # --- Errors ---------------------------------------------------------------------------------------

    async def needs_sign_in(request: Request, error: Exception) -> Response:
        return RedirectResponse("/sign-in", 303)

    async def forged(request: Request, error: Exception) -> Response:
        return page(request, "problem.html", 403, title="This form has expired",
                    message="This form has expired or did not come from this page. Go back, refresh the page "
                    "and try again. Nothing was changed.")

    async def too_large(request: Request, error: Exception) -> Response:
        return page(request, "problem.html", 413, title="What you sent is too large",
                    message=f"What you sent is larger than the console accepts ({settings.web_max_body_bytes} bytes). "
                    "Nothing was changed.")

    async def not_allowed(request: Request, error: Exception) -> Response:
        # Checked on the server whatever the page offered: a link hidden is not a refusal.
        who = auth.signed_in(request)
        log.info("not allowed", path=request.url.path, staff=who.id if who else None)
        return page(request, "problem.html", 403, title="You cannot do this",
                    message=f"{str(error)[:1].upper()}{str(error)[1:]}. Nothing was changed.")

    async def sign_in_failed(request: Request, error: Exception) -> Response:
        return page(request, "problem.html", 403, title="You could not be signed in",
                    message=f"You could not be signed in: {error}.")

    async def unavailable(request: Request, error: Exception) -> Response:
        if isinstance(error, RPCError) and error.status not in (
            RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED,
        ):
            raise error
        log.warning("temporal unavailable", path=request.url.path, error=type(error).__name__)
        return page(request, "problem.html", 503, title="Sorry, the case service is not available",
                    message="The case service is not answering, so no case can be shown or changed right now. "
                    "Nothing was changed. Try again in a few minutes.",
                    detail=str(error) if isinstance(error, Unreachable) else "the Temporal server did not answer")

    async def not_found(request: Request, error: Exception) -> Response:
        if error.status_code != 404:
            return Response(status_code=error.status_code)
        return page(request, "problem.html", 404, title="Page not found",
                    message="There is no such page or case. Check the reference, or find the case in the list.")

    async def broken(request: Request, error: Exception) -> Response:
        # The type only: an exception's text or locals could hold what a family told us.
        log.error("page failed", path=request.url.path, error=type(error).__name__)
        return page(request, "problem.html", 500, title="Sorry, there is a problem with the service",
                    message="Something went wrong on our side. What you were doing may not have been saved: "
                    "check the case before trying again.")

    routes = [
        Route("/", home),
        Route("/find", find),
        Route("/sign-in", sign_in_page),
        Route("/sign-out", sign_out, methods=["POST"]),
        Route("/cases", case_list),
        Route("/cases/closed", closed_list),
        Route("/subject-access", export_page, methods=["GET", "POST"]),
        *reports.routes(page, service),
        *(route for way in opening.OPENINGS.values() for route in opening_pages(way)),
        Route("/cases/{reference}", case_page),
        *records_steps.routes(page, service, reference_of),
        Route("/cases/{reference}/{slug}", action, methods=["GET", "POST"]),
        Mount("/assets", StaticFiles(directory=GOVUK_FRONTEND / "assets"), name="assets"),
        Mount("/static", StaticFiles(directory=GOVUK_FRONTEND), name="static"),
        Mount("/console", StaticFiles(directory=STATIC), name="console"),
    ]
    if settings.dev_sign_in:
        routes.append(Route("/sign-in/dev", dev_sign_in, methods=["POST"]))
    if oidc is not None:
        routes += [Route("/sign-in/oidc", oidc_start), Route("/sign-in/callback", oidc_callback, name="oidc_callback")]

    sessions = session_store_for(
        settings, idle=timedelta(minutes=settings.web_session_idle_minutes), lifetime=timedelta(hours=settings.web_session_hours),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await sessions.close()  # PostgreSQL's pool, when sessions are kept there

    return Contained(Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(RequestTelemetry, metrics=metrics, tracer=tracer),  # first: it sees every answer's status
            Middleware(AccessLog),
            Middleware(AllowedHosts, hosts=settings.web_hosts),  # before anything else reads the request
            Middleware(BodyLimit, limit=settings.web_max_body_bytes),
            Middleware(ServerSessions, store=sessions, cookie=auth.SESSION_COOKIE, secure=settings.secure_cookies),
        ],
        exception_handlers={
            auth.SignInNeeded: needs_sign_in,
            auth.ForgedForm: forged,
            NotAllowed: not_allowed,
            BodyTooLarge: too_large,
            auth.SignInFailed: sign_in_failed,
            Unreachable: unavailable,
            RPCError: unavailable,
            HTTPException: not_found,
            Exception: broken,
        },
    ), metrics)


def _chosen(params: Mapping[str, str], name: str, choices: type[E], errors: dict[str, str]) -> E | None:
    """A filter picked from a list (stage, route, outcome); blank is none."""
    value = params.get(name) or None
    if value is None:
        return None
    if value not in choices.__members__:
        errors[name] = f"Select {'an' if name[0] in 'aeiou' else 'a'} {name} from the list"
        return None
    return choices(value)


def _officer(params: Mapping[str, str], errors: dict[str, str]) -> str | None:
    officer = params.get("officer") or None
    if officer is not None and auth.valid_staff_id(officer) != officer:
        errors["officer"] = "Officer must be a staff id, for example jo.smith"
    return officer


def _page_size(params: Mapping[str, str], errors: dict[str, str]) -> int:
    """One of the sizes offered, as written there: `²` and `٢٥` are digits to Python, not to us."""
    text = params.get("size") or str(PAGE_SIZES[1])
    if text not in {str(size) for size in PAGE_SIZES}:
        errors["size"] = "Select how many cases to show on a page"
        return PAGE_SIZES[1]
    return int(text)


def _first_page(request: Request) -> str:
    """The list's first page with the same filters, as a path: the page asked for may be gone."""
    query = request.url.remove_query_params("page").query
    return request.url.path + (f"?{query}" if query else "")


def _page_number(params: Mapping[str, str], errors: dict[str, str]) -> int:
    """A list's page, 1 to `MAX_PAGE` in plain digits: a larger one would overflow the
    database's offset (a 500), and no archive has that many pages."""
    number = whole_number(params.get("page") or "1")
    if number is None or not 1 <= number <= MAX_PAGE:
        errors["page"] = PAGE_GONE
        return 1
    return number


def _filter_day(params: Mapping[str, str], name: str, errors: dict[str, str], label: str) -> date | None:
    """A date filter, a real date within the dates a case can hold (`domain.models.in_service`)."""
    value = day(params, name, errors, label)
    try:
        return value and in_service(value)
    except ValueError as error:
        errors[name] = f"{label} {error}"
        return None
