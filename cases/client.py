"""Talking to the cases on Temporal for one command, and saying in words what went wrong.

Imported only when a command reaches the server: `temporalio.client` takes a while to import, and
`--help` or a typing mistake should answer at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.api.common.v1 import WorkflowExecution as ExecutionId
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest, GetWorkflowExecutionHistoryRequest
from temporalio.common import QueryRejectCondition, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from cases import paging
from domain.calendar import london_date, london_time
from domain.due import DueDuty, due_duty, in_order, last_day_within, within
from domain.models import CaseStage, CaseSummary, CaseView, OpenCase, OpenMediation, Route
from infra.codec import CaseErased, DecryptionError, warm_keys
from infra.client import address_chosen_by, connect, connection_config
from infra.identity import NotAllowed
from infra.settings import CommandSettings, settings_of
from records.case_keys import WARM_BATCH
from records.database import RecordsUnavailable
from workflows import names

# Imported where they are used, not here: `show` of an open case reads neither the records store
# nor the workflow modules, and they take longer to import than the command takes to run.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from opentelemetry.trace import Tracer

    from domain.resolution import Resolution
    from domain.mediation import Mediation
    from records.models import CaseRecord
    from records.store import RecordsStore

T = TypeVar("T")

CONNECT_TIMEOUT = timedelta(seconds=5)
# Updates and queries are answered by a worker; without one they would wait for ever.
ANSWER_TIMEOUT = timedelta(seconds=30)
# Opening plans the first deadlines in an activity: wait for them so the first view shows them.
OPENING_WAIT = timedelta(seconds=10)
LIST_PAGE_SIZE = 500  # cases fetched per visibility call; `list` keeps asking until the last page
QUERY_CONCURRENCY = 8  # `case` queries in flight at once when many cases are read (reports)
# The workflow type of each route, as its @workflow.defn names it.
WORKFLOW_TYPES = {Route.disagreement_resolution: names.DISAGREEMENT_CASE, Route.mediation: names.MEDIATION_CASE}
ROUTES = {name: route for route, name in WORKFLOW_TYPES.items()}


class Refused(Exception):
    """The request names no case, or the case refuses it; the message says why. A case's refusal of a
    staff action names the request's `field` it is about (empty: the request as a whole), the
    `earliest` date the rule allows, if any, and the field that would lift the rule (`unless`)."""

    def __init__(self, message: str, field: tuple = (), earliest: date | None = None, unless: str | None = None):
        super().__init__(message)
        self.field, self.earliest, self.unless = tuple(field), earliest, unless

    @classmethod
    def of(cls, error: ApplicationError) -> Refused:
        """The workflow's refusal (workflows.machinery.refusal); one from before it carries no details."""
        details = error.details[0] if error.details and isinstance(error.details[0], dict) else {}
        earliest = details.get("earliest")
        return cls(
            error.message, tuple(details.get("field") or ()), date.fromisoformat(earliest) if earliest else None,
            details.get("unless"),
        )


@dataclass(frozen=True)
class ListPage:
    """One page of the Cases list, and how many cases match the filters in all."""

    summaries: list[CaseSummary]
    total: int


@dataclass(frozen=True)
class DuePage:
    """One page of the due list, and whether another follows."""

    duties: list[DueDuty]
    more: bool


class Unreachable(Exception):
    """The server, or a worker behind it, did not answer."""


def run(work: Callable[[Cases], Awaitable[T]]) -> T:
    """Connect and do the work; expected failures are `Refused`, `Unreachable` or `SettingsError`."""
    return asyncio.run(_connected(work))


async def _connected(work: Callable[[Cases], Awaitable[T]]) -> T:
    # Read afresh on every command (not the process-wide cache): tests run many in one process.
    settings = settings_of(CommandSettings)
    target = connection_config(settings)["target_host"]
    try:
        client = await asyncio.wait_for(connect(settings), CONNECT_TIMEOUT.total_seconds())
    except (RuntimeError, TimeoutError) as error:
        detail = error or f"no answer within {CONNECT_TIMEOUT.seconds} s"
        raise Unreachable(
            f"cannot reach the Temporal server at {target}. Is it running? {address_chosen_by()}."
            f"\n  detail: {detail}"
        ) from None
    cases = Cases(client, settings)
    try:
        return await work(cases)
    except RecordsUnavailable as error:
        raise Unreachable(str(error)) from None
    except RPCError as error:
        if error.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise Unreachable(f"lost the Temporal server at {target}: {error.message}") from None
        raise
    finally:
        await cases.close()


class CaseService:
    """One Temporal client for a site's life, connected on first use (and retried after a failure): the
    console's, whose updates carry its key's word for the signed-in member of staff, or the public
    site's, with its own key and connection profile (infra/client.py)."""

    def __init__(
        self, settings: CommandSettings, client: Client | None = None, *, console_key: Ed25519PrivateKey | None = None,
        public_site_key: Ed25519PrivateKey | None = None, profile: str | None = None, tracer: Tracer | None = None,
    ) -> None:
        self._settings = settings
        self._keys = {"console_key": console_key, "public_site_key": public_site_key, "profile": profile, "tracer": tracer}
        self._cases = Cases(client, settings) if client else None
        self._connecting = asyncio.Lock()

    async def cases(self) -> Cases:
        if self._cases is None:
            async with self._connecting:
                if self._cases is None:
                    target = connection_config(self._settings, self._keys["profile"])["target_host"]
                    try:
                        client = await asyncio.wait_for(
                            connect(self._settings, **self._keys), CONNECT_TIMEOUT.total_seconds()
                        )
                    except (RuntimeError, TimeoutError):
                        raise Unreachable(f"the Temporal server at {target} does not answer") from None
                    self._cases = Cases(client, self._settings)
        return self._cases


class Cases:
    """Open cases from Temporal; closed ones from the records store (records/), which outlives
    Temporal's retention."""

    def __init__(self, client: Client, settings: CommandSettings) -> None:
        self._client = client
        self._settings = settings

    @cached_property
    def records(self) -> RecordsStore:
        """The records store, opened on first use."""
        from records.store import records_store_for

        return records_store_for(self._settings)

    def erase_outbox(self, reference: str) -> int:
        """Delete a case's messages from the development outbox (an erasure); how many went."""
        from activities.delivery.outbox import OutboxBackend

        return OutboxBackend(self._settings.outbox_path).erase_case(reference)

    async def close(self) -> None:
        if "records" in self.__dict__:  # opened by this command (cached_property keeps it there)
            await self.records.close()

    async def open(self, reference: str, opened: OpenCase | OpenMediation) -> CaseView:
        from workflows.visibility import case_details, case_summary

        route = Route.mediation if isinstance(opened, OpenMediation) else Route.disagreement_resolution
        try:
            handle = await self._client.start_workflow(
                WORKFLOW_TYPES[route],
                opened,
                id=reference,
                task_queue=self._settings.task_queue,
                static_summary=case_summary(reference),
                static_details=case_details(reference),
                # A reference names one case for ever, even after it closed.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            )
        except WorkflowAlreadyStartedError:
            raise Refused(f"case {reference} already exists", field=("reference",)) from None
        return await self._answered(reference, self._once_opened(handle))

    async def act(self, reference: str, update: str, request: object) -> CaseView:
        """Send a staff action (a workflow update) and return the case as it now stands."""
        handle = self._client.get_workflow_handle(reference)
        try:
            return await self._answered(reference, handle.execute_update(update, request, result_type=CaseView))
        except WorkflowUpdateFailedError as error:
            if isinstance(error.cause, ApplicationError):
                if error.cause.type in (names.ACTOR_NOT_VOUCHED, names.NOT_ALLOWED):  # who sent it, not what it asked: the worker's check
                    raise NotAllowed(error.cause.message) from None
                raise Refused.of(error.cause) from None
            raise
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                raise Refused(await self._why_not_found(handle)) from None
            raise

    async def view(self, reference: str) -> CaseView:
        """A running case as its workflow sees it; a closed one as archived when it closed (or last
        changed), whether or not Temporal still keeps its history."""
        handle = self._client.get_workflow_handle(reference)
        try:
            # Asked of a running case only: a finished one is read from its record, no worker needed.
            live = await self._answered(reference, self._case_view(handle, QueryRejectCondition.NOT_OPEN))
        except (WorkflowQueryRejectedError, RPCError) as error:
            if isinstance(error, RPCError) and error.status is not RPCStatusCode.NOT_FOUND:
                raise
            archived = await self.records.get(reference)
            if archived is not None:
                return archived.view
            if isinstance(error, RPCError):
                raise Refused(f"no case {reference}") from None
            return await self._answered(reference, self._case_view(handle))  # finished, not archived
        # A record is written only once a case has closed (records/archiving.py).
        if live.stage is not CaseStage.closed:
            return live
        archived = await self.records.get(reference)
        if archived is None:
            return live
        # Closed, with its appeal clock still running: as it stands, with its record's dates.
        dates = archived.view.model_dump(include={"closed_at", "delete_after"})
        return archived.view.model_validate({**live.model_dump(), **dates})

    async def hold_changed(self, reference: str) -> None:
        """Tells a case its legal hold was placed or lifted (after the records store has it): an open
        case copies itself to the records while held (records/holding.py)."""
        try:
            await self._client.get_workflow_handle(reference).signal(names.HOLD_CHANGED)
        except RPCError as error:
            if error.status is not RPCStatusCode.NOT_FOUND:  # finished or gone: its record is what is kept
                raise

    async def exists(self, reference: str) -> bool:
        try:
            await self._client.get_workflow_handle(reference).describe()
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return False
            raise
        return True

    async def is_running(self, reference: str) -> bool:
        try:
            described = await self._client.get_workflow_handle(reference).describe()
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return False
            raise
        return described.status is WorkflowExecutionStatus.RUNNING

    async def summaries(
        self, stage: CaseStage | None, officer: str | None, overdue: bool, appeal_before: date | None = None,
        route: Route | None = None,
    ) -> list[CaseSummary]:
        """Every matching case, page after page, from search attributes only (nothing to decrypt),
        soonest next deadline first (`by_next_deadline`). Open cases only unless `stage` is closed:
        then the archived ones too, whose history Temporal no longer keeps, from the records' columns."""
        now = datetime.now(UTC)
        query = visibility_query(stage, officer, overdue, now, appeal_before, route)
        executions = self._client.list_workflows(query, page_size=LIST_PAGE_SIZE)
        found = by_next_deadline([_summary(execution, now) async for execution in executions])
        if stage is not CaseStage.closed:
            return found
        listed = {summary.reference for summary in found}
        archived = [
            summary for summary in await self.records.closed(route=route)
            if summary.reference not in listed and officer in (None, summary.case_officer)
        ]
        return found + archived

    async def summaries_page(
        self, stage: CaseStage | None, officer: str | None, overdue: bool, appeal_before: date | None,
        route: Route | None, start: int, size: int,
    ) -> ListPage:
        """The matching cases at ranks [start, start + size) in `summaries`' order, and how many match.

        Only that page's cases are listed: the day window they fall in is found by counting
        (cases/paging.py), so a page costs about the same at 50 cases or 5,000. Closed cases, which
        also come from the archive, are read whole as in `summaries`."""
        if stage is CaseStage.closed:
            found = await self.summaries(stage, officer, overdue, appeal_before, route)
            return ListPage(found[start:start + size], len(found))
        from workflows.visibility import NEXT_DEADLINE

        now = datetime.now(UTC)
        query = visibility_query(stage, officer, overdue, now, appeal_before, route)

        async def count(terms: str) -> int:
            return (await self._client.count_workflows(f"{query}{terms}", rpc_timeout=ANSWER_TIMEOUT)).count

        async def listed(terms: str) -> list[CaseSummary]:
            executions = self._client.list_workflows(f"{query}{terms}", page_size=LIST_PAGE_SIZE, rpc_timeout=ANSWER_TIMEOUT)
            return by_next_deadline([_summary(execution, now) async for execution in executions])

        total = await count("")
        if start == 0 and total <= size:  # one page holds them all (an officer's own cases): read them
            return ListPage(await listed(""), total)
        dated = await count(f" AND {NEXT_DEADLINE.name} IS NOT NULL")
        found: list[CaseSummary] = []
        if start < dated:
            first, end, before = await paging.window(
                lambda day: count(f" AND {NEXT_DEADLINE.name} < {_due_before(day)}"), start, size, dated, london_date(now),
            )
            since = f" AND {NEXT_DEADLINE.name} > {_due_before(first)}" if first else ""  # due on or after it
            until = f" AND {NEXT_DEADLINE.name} < {_due_before(end)}" if end else f" AND {NEXT_DEADLINE.name} IS NOT NULL"
            in_window = await listed(f"{until}{since}")
            into_window = max(start - before, 0)  # never below 0, should cases change between counts and list
            found = in_window[into_window:into_window + size]
        if len(found) < size and start + len(found) < total:  # the page reaches the cases with no deadline
            into_undated = max(start - dated, 0)
            found += (await listed(f" AND {NEXT_DEADLINE.name} IS NULL"))[into_undated:into_undated + size - len(found)]
        return ListPage(found, total)

    async def due(self, officer: str | None, working_days: int | None, today: date) -> list[DueDuty]:
        """The duties still owed on `officer`'s open cases (every officer's: None), due within
        `working_days` working days of `today` and every overdue one (all: None), overdue first.

        One visibility query, its pages read in turn, never a query to each case: each case's
        `OpenDuties` holds them (workflows/visibility.py)."""
        return await self._duties(_due_query(officer, working_days, today), working_days, today)

    async def due_page(
        self, officer: str | None, working_days: int | None, today: date, start: int, size: int,
    ) -> DuePage:
        """The duties at ranks [start, start + size) of `due`'s list, and whether more follow.

        Only the cases the page needs are read. A case's `NextDeadline` is never later than a duty
        it owes, so every duty due before a day is owed on a case whose next deadline falls before
        it: the first day by which enough cases fall due (cases/paging.py) bounds what to read. Where
        those cases owe fewer duties before it than the page needs (a next deadline that is the
        family's appeal clock), the day moves on. The first page, what a manager opens, reads about
        a page of cases; a deeper one reads every case due before its last duty."""
        from workflows.visibility import NEXT_DEADLINE

        query = _due_query(officer, working_days, today)

        async def count(terms: str = "") -> int:
            return (await self._client.count_workflows(f"{query}{terms}", rpc_timeout=ANSWER_TIMEOUT)).count

        def before(day: date) -> str:
            return f" AND {NEXT_DEADLINE.name} < {_due_before(day)}"

        cases, needed = await count(), start + size
        wanted = needed
        while True:
            end = None if wanted >= cases else await paging.first_day_reaching(lambda day: count(before(day)), wanted, today)
            found = await self._duties(query + (before(end) if end else ""), working_days, today)
            found = [duty for duty in found if end is None or duty.due < end]  # every duty due before `end`
            if end is None or len(found) >= needed:
                break
            wanted = min(cases, wanted + needed - len(found))
        more = len(found) > needed or (end is not None and await count(before(end)) < cases)
        return DuePage(found[start:needed], more)

    async def _duties(self, query: str, working_days: int | None, today: date) -> list[DueDuty]:
        from workflows.visibility import CASE_OFFICER, CASE_STAGE, OPEN_DUTIES

        found = []
        async for execution in self._client.list_workflows(query, page_size=LIST_PAGE_SIZE, rpc_timeout=ANSWER_TIMEOUT):
            attributes = execution.typed_search_attributes
            found += [
                due_duty(
                    value, reference=execution.id, route=ROUTES[execution.workflow_type],
                    stage=CaseStage(attributes.get(CASE_STAGE)), case_officer=attributes.get(CASE_OFFICER) or "",
                    today=today,
                )
                for value in attributes.get(OPEN_DUTIES) or []
            ]
        return in_order(within(found, working_days, today))

    async def running_views(self, route: Route | None = None) -> list[CaseView]:
        """Every running case on this task queue (on one route, or both) as its workflow sees it now:
        the visibility list read page after page, then the `case` query of each, at most
        `QUERY_CONCURRENCY` at once so that a large caseload does not flood the workers. A case that
        does not answer in time stops them all (`Unreachable`, as for one case)."""
        types = [WORKFLOW_TYPES[route]] if route else list(WORKFLOW_TYPES.values())
        query = (
            "(" + " OR ".join(f'WorkflowType = "{name}"' for name in types) + ")"
            f' AND ExecutionStatus = "Running" AND TaskQueue = "{self._settings.task_queue}"'
        )
        references = [
            execution.id
            async for execution in self._client.list_workflows(query, page_size=LIST_PAGE_SIZE, rpc_timeout=ANSWER_TIMEOUT)
        ]
        gate = asyncio.Semaphore(QUERY_CONCURRENCY)

        async def asked(reference: str) -> CaseView:
            async with gate:
                return await self._answered(reference, self._case_view(self._client.get_workflow_handle(reference)))

        views: list[CaseView] = []
        for first in range(0, len(references), WARM_BATCH):
            batch = references[first:first + WARM_BATCH]
            await warm_keys(self._client.data_converter, batch)  # their keys in one read, not one each
            asking = [asyncio.ensure_future(asked(reference)) for reference in batch]
            try:
                views += await asyncio.gather(*asking)
            finally:
                for question in asking:  # after a failure, the others are not left running
                    question.cancel()
        return views

    async def open_case_records(self) -> list[tuple[str, CaseRecord]]:
        """Every running case with its people's contact details, for subject access.

        Open cases are not in the records store yet: each is read from its workflow (the case as
        it now stands, decrypted here) and its start input (everyone's contact details).
        """
        from domain.case import Mediator
        from domain.resolution import Resolution
        from domain.mediation import Mediation
        from records.models import CaseRecord, people_of

        query = (
            "(" + " OR ".join(f'WorkflowType = "{name}"' for name in WORKFLOW_TYPES.values()) + ")"
            ' AND ExecutionStatus = "Running"'
            f' AND TaskQueue = "{self._settings.task_queue}"'
        )
        found = []
        async for execution in self._client.list_workflows(query, page_size=LIST_PAGE_SIZE):
            history = await self._client.workflow_service.get_workflow_execution_history(
                GetWorkflowExecutionHistoryRequest(
                    namespace=self._client.namespace,
                    execution=ExecutionId(workflow_id=execution.id, run_id=execution.run_id),
                    maximum_page_size=1,
                )
            )
            started = history.history.events[0].workflow_execution_started_event_attributes
            # The first run starts from the opening request; a run continued as new, from the case.
            [start] = await self._client.data_converter.decode(
                started.input.payloads, [OpenCase | OpenMediation | Resolution | Mediation]
            )
            try:
                view = await self.view(execution.id)
            except RPCError as error:  # e.g. no worker polls the task queue
                raise Unreachable(f"case {execution.id} did not answer: {error.message}") from None
            case = _case_file(execution.id, start, execution.start_time)
            if view.mediator:
                case.mediator = Mediator(**view.mediator.model_dump())
            found.append((execution.id, CaseRecord(view=view, people=people_of(case))))
        return found

    async def delete_history(self, reference: str) -> bool:
        """Deletes a finished case's history from Temporal before its retention ends; False if gone."""
        try:
            await self._client.workflow_service.delete_workflow_execution(
                DeleteWorkflowExecutionRequest(
                    namespace=self._client.namespace, workflow_execution=ExecutionId(workflow_id=reference)
                )
            )
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return False
            raise
        return True

    async def _case_view(self, handle: WorkflowHandle, reject: QueryRejectCondition | None = None) -> CaseView:
        return await handle.query(names.CASE_QUERY, result_type=CaseView, reject_condition=reject)

    async def _once_opened(self, handle: WorkflowHandle) -> CaseView:
        clock = asyncio.get_running_loop()
        give_up = clock.time() + OPENING_WAIT.total_seconds()
        while True:
            case = await self._case_view(handle)
            if case.deadlines or clock.time() >= give_up:
                return case
            await asyncio.sleep(0.1)

    async def _answered(self, reference: str, answer: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(answer, ANSWER_TIMEOUT.total_seconds())
        except DecryptionError as error:
            raise Refused(f"cannot read case {reference}: {error}") from None
        except CaseErased as error:
            raise Refused(str(error)) from None
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
            raise Unreachable(
                f"case {reference} did not answer within {ANSWER_TIMEOUT.seconds} s: is a worker running "
                f"for task queue {self._settings.task_queue!r}? (an action may still be applied when one "
                f"starts: check with `disagreement show {reference}`)"
            ) from None

    async def _why_not_found(self, handle: WorkflowHandle) -> str:
        """An update finds no running case: either there is none, or it has closed."""
        archived = await self.records.get(handle.id)
        if archived is not None:
            return f"case {handle.id} is closed ({archived.view.outcome}); nothing more can be recorded"
        try:
            described = await handle.describe()
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return f"no case {handle.id}"
            raise
        from workflows.visibility import CASE_OUTCOME

        closed = described.typed_search_attributes.get(CASE_OUTCOME) or described.status.name.lower()
        return f"case {handle.id} is closed ({closed}); nothing more can be recorded"


def _case_file(reference: str, start: OpenCase | OpenMediation | Resolution | Mediation, at: datetime) -> Resolution | Mediation:
    """The case file a workflow started from: its first run opens one from the request."""
    from domain.resolution import Resolution
    from domain.mediation import Mediation

    if isinstance(start, OpenCase):
        return Resolution.open(reference, start, at)
    if isinstance(start, OpenMediation):
        return Mediation.open(reference, start, at)
    return start


def visibility_query(
    stage: CaseStage | None, officer: str | None, overdue: bool, now: datetime, appeal_before: date | None = None,
    route: Route | None = None,
) -> str:
    """The list filter in Temporal's visibility language; values are checked, so quoting is safe."""
    from workflows.visibility import APPEAL_DEADLINE, CASE_OFFICER, CASE_STAGE, NEXT_DEADLINE

    types = [WORKFLOW_TYPES[route]] if route else list(WORKFLOW_TYPES.values())
    terms = ["(" + " OR ".join(f'WorkflowType = "{name}"' for name in types) + ")"]
    if stage is not None:
        terms.append(f'{CASE_STAGE.name} = "{stage.value}"')
    elif appeal_before is None:  # open cases by default; closed ones by stage, `list --closed`, /cases/closed
        terms += ['ExecutionStatus = "Running"', f'{CASE_STAGE.name} != "{CaseStage.closed.value}"']
    if officer is not None:
        terms.append(f'{CASE_OFFICER.name} = "{officer}"')
    if overdue:
        # NextDeadline is the moment the earliest outstanding deadline expires.
        terms.append(f'{NEXT_DEADLINE.name} < "{now.isoformat()}"')
    if appeal_before is not None:  # AppealDeadline is set only while the clock runs
        terms.append(f"{APPEAL_DEADLINE.name} < {_due_before(appeal_before + timedelta(days=1))}")
    return " AND ".join(terms)


def _due_query(officer: str | None, working_days: int | None, today: date) -> str:
    """The running cases of `officer` (everyone's: None) whose next deadline falls within
    `working_days` working days of `today`, or any (None)."""
    from workflows.visibility import CASE_OFFICER, NEXT_DEADLINE

    query = " AND ".join([
        "(" + " OR ".join(f'WorkflowType = "{name}"' for name in WORKFLOW_TYPES.values()) + ")",
        'ExecutionStatus = "Running"',
        *([f'{CASE_OFFICER.name} = "{officer}"'] if officer is not None else []),
    ])
    if working_days is not None:  # only cases whose earliest duty falls in the window
        query += f" AND {NEXT_DEADLINE.name} < {_due_before(last_day_within(today, working_days) + timedelta(days=1))}"
    return query


def by_next_deadline(summaries: list[CaseSummary]) -> list[CaseSummary]:
    """Soonest next deadline first (an overdue one is sooner still), cases with none last. Sorted
    here: the dev server's SQL visibility cannot ORDER BY a custom search attribute."""
    return sorted(summaries, key=lambda summary: (summary.next_deadline is None, summary.next_deadline or date.max, summary.reference))


def _due_before(day: date) -> str:
    """A deadline attribute's bound, quoted, for "due before `day`". The attribute holds the moment
    a deadline expires, midnight in England after its due date, so one due before `day` expires at
    `day`'s midnight at the latest. Asked as "before one second later": the dev server's "<=" misses
    an exactly equal instant, and no deadline expires in that second."""
    return f'"{_rfc3339(london_time(day, time(0, 0)) + timedelta(seconds=1))}"'


def _rfc3339(instant: datetime) -> str:
    """UTC with a Z, as the server stores datetimes: compared as text, "+00:00" would sort wrongly."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _summary(execution: WorkflowExecution, now: datetime) -> CaseSummary:
    from workflows.visibility import (
        APPEAL_DEADLINE, CASE_OFFICER, CASE_OUTCOME, CASE_STAGE, CASE_WARNINGS, DISAGREEMENT_KINDS, NEXT_DEADLINE,
    )

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
        warnings=list(attributes.get(CASE_WARNINGS) or []),  # codes only: the words are on the case
    )
