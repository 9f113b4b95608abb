"""Talking to the cases on Temporal for one command, and saying in words what went wrong.

Imported only when a command reaches the server: `temporalio.client` takes a while to import, and
`--help` or a typing mistake should answer at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.calendar import london_date, london_time
from domain.models import CaseStage, CaseSummary, CaseView, OpenCase, OpenMediation, Route
from infra.client import connect, connection_config
from infra.settings import Settings, load_settings
from workflows import names
from workflows.case import DisagreementCase
from workflows.mediation import MediationCase
from workflows.visibility import (
    APPEAL_DEADLINE,
    CASE_OFFICER,
    CASE_OUTCOME,
    CASE_STAGE,
    DISAGREEMENT_KINDS,
    NEXT_DEADLINE,
    case_summary,
)

T = TypeVar("T")

CONNECT_TIMEOUT = timedelta(seconds=5)
# Updates and queries are answered by a worker; without one they would wait for ever.
ANSWER_TIMEOUT = timedelta(seconds=30)
# Opening plans the first deadlines in an activity: wait for them so the first view shows them.
OPENING_WAIT = timedelta(seconds=10)
LIST_PAGE_SIZE = 500  # cases fetched per visibility call; `list` keeps asking until the last page
# The workflow type of each route, as its @workflow.defn names it.
WORKFLOW_TYPES = {Route.disagreement_resolution: names.DISAGREEMENT_CASE, Route.mediation: names.MEDIATION_CASE}
ROUTES = {name: route for route, name in WORKFLOW_TYPES.items()}


class Refused(Exception):
    """The request names no case, or the case refuses it; the message says why."""


class Unreachable(Exception):
    """The server, or a worker behind it, did not answer."""


def run(work: Callable[[Cases], Awaitable[T]]) -> T:
    """Connect and do the work; expected failures are `Refused`, `Unreachable` or `SettingsError`."""
    return asyncio.run(_connected(work))


async def _connected(work: Callable[[Cases], Awaitable[T]]) -> T:
    # Read afresh on every command (not the process-wide cache): tests run many in one process.
    settings = load_settings.__wrapped__()
    target = connection_config()["target_host"]
    try:
        client = await asyncio.wait_for(connect(settings), CONNECT_TIMEOUT.total_seconds())
    except (RuntimeError, TimeoutError) as error:
        detail = error or f"no answer within {CONNECT_TIMEOUT.seconds} s"
        raise Unreachable(
            f"cannot reach the Temporal server at {target}. Is it running? TEMPORAL_ADDRESS (or a "
            f"profile) chooses the address.\n  detail: {detail}"
        ) from None
    try:
        return await work(Cases(client, settings))
    except RPCError as error:
        if error.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise Unreachable(f"lost the Temporal server at {target}: {error.message}") from None
        raise


class Cases:
    def __init__(self, client: Client, settings: Settings) -> None:
        self._client = client
        self._settings = settings

    async def open(self, reference: str, opened: OpenCase | OpenMediation) -> CaseView:
        run = MediationCase.run if isinstance(opened, OpenMediation) else DisagreementCase.run
        try:
            handle = await self._client.start_workflow(
                run,
                opened,
                id=reference,
                task_queue=self._settings.task_queue,
                static_summary=case_summary(reference),
                # A reference names one case for ever, even after it closed.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            )
        except WorkflowAlreadyStartedError:
            raise Refused(f"case {reference} already exists") from None
        return await self._answered(reference, self._once_opened(handle))

    async def act(self, reference: str, update: str, request: object) -> CaseView:
        """Send a staff action (a workflow update) and return the case as it now stands."""
        handle = self._client.get_workflow_handle(reference)
        try:
            return await self._answered(reference, handle.execute_update(update, request, result_type=CaseView))
        except WorkflowUpdateFailedError as error:
            if isinstance(error.cause, ApplicationError):
                raise Refused(error.cause.message) from None
            raise
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                raise Refused(await self._why_not_found(handle)) from None
            raise

    async def view(self, reference: str) -> CaseView:
        handle = self._client.get_workflow_handle(reference)
        try:
            return await self._answered(reference, handle.query(DisagreementCase.case_view))
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                raise Refused(f"no case {reference}") from None
            raise

    async def summaries(
        self, stage: CaseStage | None, officer: str | None, overdue: bool, appeal_before: date | None = None,
        route: Route | None = None,
    ) -> list[CaseSummary]:
        """Every matching case, page after page, from search attributes only (nothing to decrypt)."""
        now = datetime.now(UTC)
        query = visibility_query(stage, officer, overdue, now, appeal_before, route)
        executions = self._client.list_workflows(query, page_size=LIST_PAGE_SIZE)
        return [_summary(execution, now) async for execution in executions]

    async def summary_page(
        self, query: str, page_size: int, token: bytes | None
    ) -> tuple[list[CaseSummary], bytes | None]:
        """One page of the cases `query` matches and the token of the next (None after the last).

        For a screen that pages (the web console); `summaries` reads every page.
        """
        now = datetime.now(UTC)
        executions = self._client.list_workflows(
            query, page_size=page_size, next_page_token=token, rpc_timeout=ANSWER_TIMEOUT
        )
        await executions.fetch_next_page()
        return [_summary(execution, now) for execution in executions.current_page or []], executions.next_page_token

    async def _once_opened(self, handle: WorkflowHandle) -> CaseView:
        clock = asyncio.get_running_loop()
        give_up = clock.time() + OPENING_WAIT.total_seconds()
        while True:
            case = await handle.query(DisagreementCase.case_view)
            if case.deadlines or clock.time() >= give_up:
                return case
            await asyncio.sleep(0.1)

    async def _answered(self, reference: str, answer: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(answer, ANSWER_TIMEOUT.total_seconds())
        except TimeoutError:
            raise Unreachable(
                f"case {reference} did not answer within {ANSWER_TIMEOUT.seconds} s: is a worker running "
                f"for task queue {self._settings.task_queue!r}? (an action may still be applied when one "
                f"starts: check with `disagreement show {reference}`)"
            ) from None

    async def _why_not_found(self, handle: WorkflowHandle) -> str:
        """An update finds no running case: either there is none, or it has closed."""
        try:
            described = await handle.describe()
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return f"no case {handle.id}"
            raise
        closed = described.typed_search_attributes.get(CASE_OUTCOME) or described.status.name.lower()
        return f"case {handle.id} is closed ({closed}); nothing more can be recorded"


def visibility_query(
    stage: CaseStage | None, officer: str | None, overdue: bool, now: datetime, appeal_before: date | None = None,
    route: Route | None = None,
) -> str:
    """The list filter in Temporal's visibility language; values are checked, so quoting is safe."""
    types = [WORKFLOW_TYPES[route]] if route else list(WORKFLOW_TYPES.values())
    terms = ["(" + " OR ".join(f'WorkflowType = "{name}"' for name in types) + ")"]
    if stage is not None:
        terms.append(f'{CASE_STAGE.name} = "{stage.value}"')
    if officer is not None:
        terms.append(f'{CASE_OFFICER.name} = "{officer}"')
    if overdue:
        # NextDeadline is the moment the earliest outstanding deadline expires.
        terms.append(f'{NEXT_DEADLINE.name} < "{now.isoformat()}"')
    if appeal_before is not None:
        # AppealDeadline is set only while the clock runs, at midnight in England after the last
        # day: a last day on or before DATE expires at the end of DATE at the latest. Asked as
        # "before one second later": the dev server's "<=" misses an exactly equal instant.
        end_of_day = london_time(appeal_before + timedelta(days=1), time(0, 0))
        terms.append(f'{APPEAL_DEADLINE.name} < "{_rfc3339(end_of_day + timedelta(seconds=1))}"')
    return " AND ".join(terms)


def _rfc3339(instant: datetime) -> str:
    """UTC with a Z, as the server stores datetimes: compared as text, "+00:00" would sort wrongly."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _summary(execution: WorkflowExecution, now: datetime) -> CaseSummary:
    attributes = execution.typed_search_attributes
    expiry = attributes.get(NEXT_DEADLINE)
    appeal_expiry = attributes.get(APPEAL_DEADLINE)
    return CaseSummary(
        reference=execution.id,
        stage=attributes.get(CASE_STAGE),
        outcome=attributes.get(CASE_OUTCOME),
        kinds=attributes.get(DISAGREEMENT_KINDS) or [],
        case_officer=attributes.get(CASE_OFFICER),
        # NextDeadline holds the moment a deadline expires: midnight in England after its due date.
        next_deadline=london_date(expiry) - timedelta(days=1) if expiry else None,
        overdue=expiry is not None and expiry <= now,
        appeal_deadline=london_date(appeal_expiry) - timedelta(days=1) if appeal_expiry else None,
        route=ROUTES.get(execution.workflow_type, Route.disagreement_resolution),
    )
