"""Staff actions against a real Temporal dev server: each misuse is refused in words and leaves no
trace; each accepted action answers with the new case view and is on the timeline under its actor;
operators find cases by search attributes that, like everything else shown in plain text, name nobody.

Time is real here: a session that must have been held is scheduled a couple of seconds ahead.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import pytest
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.calendar import london_time
from domain.models import (
    AddNote,
    AgreedActionInput,
    AssignMediator,
    CaseOutcome,
    CaseStage,
    CaseView,
    CompleteAction,
    DeliveryStatus,
    DisagreementKind,
    EhcPoint,
    ExtendDeadline,
    OfferResolution,
    OpenCase,
    ReassignOfficer,
    RecordConsent,
    RecordOutcome,
    RecordTalk,
    ScheduleSession,
    SessionResult,
    TalkOutcome,
    Withdraw,
)
from infra.settings import Settings
from tests.conftest import (
    MEDIATOR_EMAIL,
    MEDIATOR_NAME,
    RecordedNotifications,
    new_reference,
    open_case,
    opened_view,
    personal_data,
    running_worker,
    start_case,
)
from workflows.case import DisagreementCase
from workflows.visibility import (
    CASE_OFFICER,
    CASE_OUTCOME,
    CASE_STAGE,
    DISAGREEMENT_KINDS,
    EHC_POINT,
    NEXT_DEADLINE,
    case_details,
    case_summary,
)

OFFICER = "jo.smith"
PARTIES = ["applicant", "org-1", "org-2"]
MEDIATOR = AssignMediator(actor=OFFICER, name=MEDIATOR_NAME, email=MEDIATOR_EMAIL, independent=True)
SESSION_LEAD = timedelta(seconds=2)  # how far ahead a session "about to be held" is scheduled
LISTING_PATIENCE = 10.0  # seconds: visibility is eventually consistent

# Where a case is brought before a misuse is tried, in the order a case gets there.
POINTS = ["opened", "offered", "one_agreed", "agreed", "mediator", "scheduled", "held", "monitoring", "action_done"]


def now() -> datetime:
    return datetime.now(timezone.utc)


async def view(handle: WorkflowHandle) -> CaseView:
    return await handle.query(DisagreementCase.case_view)


def due(case: CaseView, name: str) -> date:
    return next(deadline.due for deadline in case.deadlines if deadline.name == name)


async def drive_to(handle: WorkflowHandle, point: str) -> CaseView:
    """Bring an opened case to `point` the way staff would; "held" means the session time has passed."""
    reached = POINTS.index(point)
    case = await opened_view(handle)
    if reached >= POINTS.index("offered"):
        case = await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
    if reached >= POINTS.index("one_agreed"):
        for party in PARTIES if reached >= POINTS.index("agreed") else PARTIES[:1]:
            case = await handle.execute_update(
                DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party=party, agree=True)
            )
    if reached >= POINTS.index("mediator"):
        case = await handle.execute_update(DisagreementCase.assign_mediator, MEDIATOR)
    if reached == POINTS.index("scheduled"):
        at = now() + timedelta(days=1)
        case = await handle.execute_update(DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=at))
    if reached >= POINTS.index("held"):
        at = now() + SESSION_LEAD
        case = await handle.execute_update(DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=at))
        await asyncio.sleep((at - now()).total_seconds() + 0.3)
    if reached >= POINTS.index("monitoring"):
        case = await handle.execute_update(
            DisagreementCase.record_outcome,
            RecordOutcome(
                actor=OFFICER,
                result=SessionResult.partial_agreement,
                actions=[
                    AgreedActionInput(description="Send the therapy report", owner="org-1"),
                    AgreedActionInput(description="Review the EHC plan", owner="org-2"),
                ],
            ),
        )
    if reached >= POINTS.index("action_done"):
        case = await handle.execute_update(DisagreementCase.complete_action, CompleteAction(actor=OFFICER, number=1))
    return case


async def quiet_history(handle: WorkflowHandle) -> list[HistoryEvent]:
    """The history once the case is idle: every message delivered and nothing more being written."""
    previous = -1
    for _ in range(100):
        events = list((await handle.fetch_history()).events)
        delivering = any(n.status is DeliveryStatus.pending for n in (await view(handle)).notifications)
        if len(events) == previous and not delivering:
            return events
        previous = len(events)
        await asyncio.sleep(0.1)
    raise AssertionError("the case never went quiet")


def failure_text(error: BaseException | None) -> str:
    """Every message down the chain of causes (argument decoding puts pydantic's reason one down)."""
    messages = []
    while error is not None:
        messages.append(error.message if isinstance(error, ApplicationError) else str(error))
        error = error.cause if isinstance(error, ApplicationError) else error.__cause__
    return " / ".join(messages)


async def assert_rejected(handle: WorkflowHandle, update: Callable, request: object, words: tuple[str, ...], kind: str) -> None:
    """The update is refused with a reason in words, and neither history nor the case shows it."""
    history_before = await quiet_history(handle)
    case_before = await view(handle)
    update_id = f"misuse-{uuid.uuid4()}"

    with pytest.raises(WorkflowUpdateFailedError) as raised:
        await handle.execute_update(update, request, id=update_id)

    cause = raised.value.cause
    assert isinstance(cause, ApplicationError), repr(cause)
    assert cause.type == kind
    text = failure_text(cause)
    for word in words:
        assert word.lower() in text.lower(), f"{word!r} not in {text!r}"
    history_after = list((await handle.fetch_history()).events)
    assert len(history_after) == len(history_before), [e.event_type for e in history_after[len(history_before):]]
    assert not [event for event in history_after if update_id in str(event)]
    assert await view(handle) == case_before


# --- Every misuse of a staff action -----------------------------------------------------------------


@dataclass(frozen=True)
class Misuse:
    point: str  # where the case is brought first (see POINTS)
    update: Callable
    request: Callable[[CaseView], object]  # built from the case as it stands then
    words: tuple[str, ...]  # each must appear in the reason given
    kind: str = "RuleViolation"  # the ApplicationError type
    opened: dict = field(default_factory=dict)  # overrides for opening the case


def consent(party: str, agree: bool = True) -> Callable[[CaseView], RecordConsent]:
    return lambda case: RecordConsent(actor=OFFICER, party=party, agree=agree)


def outcome(result: SessionResult, *actions: AgreedActionInput) -> Callable[[CaseView], RecordOutcome]:
    return lambda case: RecordOutcome(actor=OFFICER, result=result, actions=list(actions))


def extend(deadline: str, **how) -> Callable[[CaseView], ExtendDeadline]:
    return lambda case: ExtendDeadline(actor=OFFICER, deadline=deadline, reason="family on holiday", **how)


def session(at: Callable[[], datetime]) -> Callable[[CaseView], ScheduleSession]:
    return lambda case: ScheduleSession(actor=OFFICER, at=at())


NOT_VALIDATED = "RuntimeError"  # the SDK's kind for arguments that fail to decode: pydantic said no
U = DisagreementCase

MISUSES = {
    # Consent
    "consent before the offer": Misuse("opened", U.record_consent, consent("applicant"), ("cannot record consent", "informal talks")),
    "consent from an unknown party": Misuse("offered", U.record_consent, consent("org-9"), ("no party 'org-9'", "applicant, org-1, org-2")),
    "consent from the mediator": Misuse("offered", U.record_consent, consent("mediator"), ("no party 'mediator'",)),
    "consent recorded twice": Misuse("one_agreed", U.record_consent, consent("applicant", agree=False), ("applicant has already agreed",)),
    "consent after everyone agreed": Misuse("agreed", U.record_consent, consent("org-1"), ("cannot record consent", "arranging the session")),
    # Talks and the offer
    "offering twice": Misuse("offered", U.offer_resolution, lambda case: OfferResolution(actor=OFFICER), ("cannot offer", "waiting for every party's consent")),
    "a talk after the offer": Misuse(
        "offered", U.record_talk, lambda case: RecordTalk(actor=OFFICER, outcome=TalkOutcome.resolved), ("cannot record a talk", "only while it is in informal talks")
    ),
    # The mediator and the session
    "a mediator not declared independent": Misuse(
        "agreed", U.assign_mediator, lambda case: MEDIATOR.model_copy(update={"independent": False}), ("independent", "Local Authority")
    ),
    "a mediator before everyone agreed": Misuse("offered", U.assign_mediator, lambda case: MEDIATOR, ("cannot assign a mediator",)),
    "scheduling before a mediator": Misuse("agreed", U.schedule_session, session(lambda: now() + timedelta(days=3)), ("assign a mediator before",)),
    "a session in the past": Misuse("mediator", U.schedule_session, session(lambda: now() - timedelta(hours=1)), ("session time", "in the past")),
    "a session more than a year ahead": Misuse("mediator", U.schedule_session, session(lambda: now() + timedelta(days=400)), ("within a year",)),
    # The outcome
    "an outcome before a session": Misuse(
        "mediator", U.record_outcome, outcome(SessionResult.full_agreement), ("cannot record a session outcome", "arranging the session")
    ),
    "an outcome before the session time": Misuse(
        "scheduled", U.record_outcome, outcome(SessionResult.full_agreement), ("once it has been held",)
    ),
    "an outcome with an unknown action owner": Misuse(
        "held", U.record_outcome,
        outcome(SessionResult.full_agreement, AgreedActionInput(description="Fund a laptop", owner="org-5")),
        ("action 1", "no party 'org-5'"),
    ),
    "an action due in the past": Misuse(
        "held", U.record_outcome,
        outcome(SessionResult.full_agreement, AgreedActionInput(description="Fund a laptop", owner="org-1", agreed_due=date.today() - timedelta(days=2))),
        ("action 1", "date agreed in writing", "in the past", "The earliest date is"),
    ),
    "no agreement with actions": Misuse(
        "held", U.record_outcome,
        outcome(SessionResult.no_agreement, AgreedActionInput(description="Fund a laptop", owner="org-1")),
        ("no agreement has no agreed actions",),
    ),
    "a partial agreement without actions": Misuse(
        "held", U.record_outcome, outcome(SessionResult.partial_agreement), ("partial agreement needs at least one agreed action",)
    ),
    # Agreed actions
    "completing an action before any were agreed": Misuse(
        "agreed", U.complete_action, lambda case: CompleteAction(actor=OFFICER, number=1), ("cannot complete an agreed action",)
    ),
    "completing an unknown action": Misuse(
        "monitoring", U.complete_action, lambda case: CompleteAction(actor=OFFICER, number=7), ("no agreed action 7", "actions are 1, 2")
    ),
    "completing an action already completed": Misuse(
        "action_done", U.complete_action, lambda case: CompleteAction(actor=OFFICER, number=1), ("agreed action 1 is already done",)
    ),
    # Deadlines
    "extending an unknown deadline": Misuse("opened", U.extend_deadline, extend("hearing", days=5), ("no deadline 'hearing'", "talks_review")),
    "extending the appeal deadline": Misuse(
        "opened", U.extend_deadline, extend("appeal", days=5), ("appeal deadline", "cannot be extended"),
        opened={"appeal_deadline": date.today() + timedelta(days=90)},
    ),
    "extending to an earlier date": Misuse(
        "offered", U.extend_deadline,
        lambda case: ExtendDeadline(actor=OFFICER, deadline="consent_window", until=due(case, "consent_window") - timedelta(days=1), reason="r"),
        ("must be after the current due date",),
    ),
    "extending a deadline already met": Misuse("offered", U.extend_deadline, extend("talks_review", days=5), ("talks_review is met",)),
    # Withdrawal
    "withdrawal by an unknown party": Misuse(
        "agreed", U.withdraw, lambda case: Withdraw(actor=OFFICER, party="org-4", reason="moved away"), ("no party 'org-4'",)
    ),
    # Input that the client would refuse, sent anyway (another client, an old CLI): pydantic refuses it.
    "notes too long": Misuse(
        "opened", U.record_talk,
        lambda case: RecordTalk.model_construct(actor=OFFICER, outcome=TalkOutcome.unresolved, notes="x" * 2001),
        ("at most 2000 characters",), kind=NOT_VALIDATED,
    ),
    "an empty note": Misuse(
        "opened", U.add_note, lambda case: AddNote.model_construct(actor=OFFICER, text=""), ("at least 1 character",), kind=NOT_VALIDATED
    ),
    "a malformed staff id": Misuse(
        "opened", U.add_note, lambda case: AddNote.model_construct(actor="Jo Smith", text="rang the school"),
        ("a staff id is 2 to 64 lower-case letters",), kind=NOT_VALIDATED,
    ),
    "a move to the officer who runs the case": Misuse(
        "opened", U.reassign_officer,
        lambda case: ReassignOfficer(actor="pat.lee", case_officer=OFFICER, reason="cover"), ("jo.smith already runs case",),
    ),
    "a move with no reason": Misuse(
        "opened", U.reassign_officer,
        lambda case: ReassignOfficer.model_construct(actor="pat.lee", case_officer="amira.khan", reason=""),
        ("at least 1 character",), kind=NOT_VALIDATED,
    ),
    "an extension by days and to a date at once": Misuse(
        "opened", U.extend_deadline,
        lambda case: ExtendDeadline.model_construct(actor=OFFICER, deadline="talks_review", days=2, until=date.today() + timedelta(days=60), reason="r"),
        ("not both",), kind=NOT_VALIDATED,
    ),
}


@pytest.mark.parametrize("misuse", MISUSES.values(), ids=MISUSES.keys())
async def test_a_misuse_is_rejected_in_words_and_leaves_no_trace(dev_server: WorkflowEnvironment, settings: Settings, misuse: Misuse) -> None:
    async with running_worker(dev_server.client, settings, RecordedNotifications()):
        handle = await start_case(dev_server.client, settings, open_case(**misuse.opened))
        case = await drive_to(handle, misuse.point)
        await assert_rejected(handle, misuse.update, misuse.request(case), misuse.words, misuse.kind)
        # The case goes on as if nothing had been tried.
        case = await handle.execute_update(DisagreementCase.add_note, AddNote(actor=OFFICER, text="still here"))
        assert case.timeline[-1].event == "note"
        await handle.terminate("test over")


# --- Accepted actions -------------------------------------------------------------------------------


async def act(handle: WorkflowHandle, update: Callable, request) -> tuple[CaseView, list[str]]:
    """Apply an accepted update; check its answer is the new view and its timeline entries are the actor's."""
    before = await view(handle)
    started = now()
    answer = await handle.execute_update(update, request)
    after = await view(handle)
    # Deliveries finish in the background, so messages may move on from `pending` after the answer.
    assert answer.model_dump(exclude={"notifications"}) == after.model_dump(exclude={"notifications"})
    added = answer.timeline[len(before.timeline):]
    assert answer.timeline[: len(before.timeline)] == before.timeline
    assert added, f"{update.__name__} added nothing to the timeline"
    for entry in added:
        assert entry.actor == request.actor
        assert started - timedelta(seconds=5) <= entry.at <= now() + timedelta(seconds=5)
    return answer, [entry.event for entry in added]


async def test_every_accepted_update_returns_the_new_view_and_records_its_actor(dev_server, settings) -> None:
    async with running_worker(dev_server.client, settings, RecordedNotifications()):
        handle = await start_case(dev_server.client, settings)
        opened = await opened_view(handle)
        assert [(e.event, e.actor) for e in opened.timeline] == [("case_opened", OFFICER)]

        case, events = await act(handle, U.record_talk, RecordTalk(actor="amy.lee", outcome=TalkOutcome.unresolved, notes="call"))
        assert (events, case.stage) == (["talk_recorded"], CaseStage.informal_talks)
        case, events = await act(handle, U.add_note, AddNote(actor="ben.ward", text="family sent reports"))
        assert events == ["note"] and case.timeline[-1].detail == "family sent reports"
        talks_due = due(case, "talks_review")
        case, events = await act(handle, U.extend_deadline, ExtendDeadline(actor="cat.hall", deadline="talks_review", days=2, reason="SENCO away"))
        assert events == ["deadline_extended"] and due(case, "talks_review") > talks_due
        case, events = await act(handle, U.offer_resolution, OfferResolution(actor="dan.oak"))
        assert (events, case.stage) == (["resolution_offered"], CaseStage.awaiting_consent)
        for party in PARTIES:
            case, events = await act(handle, U.record_consent, RecordConsent(actor="eve.fox", party=party, agree=True))
            assert events == ["consent_recorded"]
        assert case.stage is CaseStage.arranging_session
        case, events = await act(handle, U.assign_mediator, MEDIATOR.model_copy(update={"actor": "fay.lin"}))
        assert events == ["mediator_assigned"] and case.mediator.independent
        at = now() + SESSION_LEAD
        case, events = await act(handle, U.schedule_session, ScheduleSession(actor="gus.kay", at=at, venue="Town Hall"))
        assert (events, case.stage, case.session.at) == (["session_scheduled"], CaseStage.session_scheduled, at)
        await asyncio.sleep((at - now()).total_seconds() + 0.3)
        actions = [
            AgreedActionInput(description="Send the therapy report", owner="org-1"),
            AgreedActionInput(description="Review the EHC plan", owner="org-2", agreed_due=date.today() + timedelta(days=20)),
        ]
        case, events = await act(handle, U.record_outcome, RecordOutcome(actor="hal.orr", result=SessionResult.full_agreement, actions=actions))
        assert (events, case.stage) == (["outcome_recorded"], CaseStage.monitoring_agreement)
        case, events = await act(handle, U.complete_action, CompleteAction(actor="ivy.ng", number=2))
        assert events == ["action_completed"] and [a.done for a in case.actions] == [False, True]
        case, events = await act(handle, U.complete_action, CompleteAction(actor="jay.po", number=1))
        assert events == ["action_completed", "case_closed"]
        assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.full_agreement)
        assert (await handle.result()).outcome is CaseOutcome.full_agreement


async def test_withdrawal_is_recorded_under_the_acting_staff_id(dev_server, settings) -> None:
    async with running_worker(dev_server.client, settings, RecordedNotifications()):
        handle = await start_case(dev_server.client, settings)
        await drive_to(handle, "offered")
        case, events = await act(handle, U.withdraw, Withdraw(actor="kim.rae", party="org-2", reason="placement ended"))
        assert events == ["withdrawn", "case_closed"]
        assert (case.stage, case.outcome) == (CaseStage.closed, CaseOutcome.withdrawn)
        assert "placement ended" in case.timeline[-2].detail


# --- Visibility -------------------------------------------------------------------------------------


async def listed(client: Client, query: str, reference: str, present: bool = True) -> None:
    """Wait until `query` finds the case (or stops finding it); visibility lags a moment behind."""
    deadline = asyncio.get_running_loop().time() + LISTING_PATIENCE
    while True:
        found = [execution.id async for execution in client.list_workflows(query)]
        if (reference in found) == present:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{query!r} {'did not find' if present else 'still finds'} {reference}: {found}")
        await asyncio.sleep(0.2)


def unique_officer() -> str:
    """A staff id no other case on the shared dev server has, so a listing can be exact."""
    return f"officer-{uuid.uuid4().hex[:10]}"


def operator_case(officer: str) -> OpenCase:
    return open_case(
        case_officer=officer,
        kinds=[DisagreementKind.duties, DisagreementKind.health_social_care],
        ehc_point=EhcPoint.annual_review,
    )


async def test_cases_are_found_by_stage_officer_kinds_and_ehc_point(dev_server, settings) -> None:
    client, officer = dev_server.client, unique_officer()
    async with running_worker(client, settings, RecordedNotifications()):
        handle = await start_case(client, settings, operator_case(officer))
        await opened_view(handle)
        mine = f"CaseOfficer = '{officer}'"
        await listed(client, f"{mine} AND CaseStage = 'informal_talks'", handle.id)
        await listed(client, f"{mine} AND DisagreementKinds = 'duties' AND DisagreementKinds = 'health_social_care'", handle.id)
        await listed(client, f"{mine} AND EhcPoint = 'annual_review'", handle.id)
        await listed(client, f"{mine} AND DisagreementKinds = 'provision'", handle.id, present=False)
        await listed(client, f"{mine} AND NextDeadline > '{now().isoformat()}'", handle.id)

        await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor=OFFICER))
        await listed(client, "CaseStage = 'awaiting_consent'", handle.id)
        await listed(client, f"{mine} AND CaseStage = 'informal_talks'", handle.id, present=False)
        await listed(client, f"{mine} AND CaseOutcome IS NULL", handle.id)


async def test_a_closed_case_is_found_by_its_outcome(dev_server, settings) -> None:
    client, officer = dev_server.client, unique_officer()
    async with running_worker(client, settings, RecordedNotifications()):
        handle = await start_case(client, settings, operator_case(officer))
        await drive_to(handle, "offered")
        await handle.execute_update(DisagreementCase.record_consent, RecordConsent(actor=OFFICER, party="org-1", agree=False))
        await handle.result()
        await listed(client, f"CaseOfficer = '{officer}' AND CaseStage = 'closed' AND CaseOutcome = 'declined'", handle.id)
        await listed(client, f"CaseOfficer = '{officer}' AND NextDeadline IS NULL", handle.id)


async def test_describe_shows_typed_search_attributes(dev_server, settings) -> None:
    officer = unique_officer()
    async with running_worker(dev_server.client, settings, RecordedNotifications()):
        handle = await start_case(dev_server.client, settings, operator_case(officer))
        case = await drive_to(handle, "offered")
        attributes = (await handle.describe()).typed_search_attributes
        assert attributes.get(CASE_STAGE) == "awaiting_consent"
        assert attributes.get(CASE_OUTCOME) is None
        assert list(attributes.get(DISAGREEMENT_KINDS)) == ["duties", "health_social_care"]
        assert attributes.get(EHC_POINT) == "annual_review"
        assert attributes.get(CASE_OFFICER) == officer
        # The consent window is the next deadline; it ends at midnight in England after its due date.
        assert attributes.get(NEXT_DEADLINE) == london_time(due(case, "consent_window") + timedelta(days=1), time(0))

        await handle.execute_update(DisagreementCase.withdraw, Withdraw(actor=OFFICER, party="applicant", reason="moved"))
        attributes = (await handle.describe()).typed_search_attributes
        assert (attributes.get(CASE_STAGE), attributes.get(CASE_OUTCOME)) == ("closed", "withdrawn")
        assert attributes.get(NEXT_DEADLINE) is None


# --- Nothing personal where operators look ----------------------------------------------------------


async def shown_to_operators(handle: WorkflowHandle) -> str:
    """Everything the Web UI shows in plain text: search attributes, summary, details, memo."""
    description = await handle.describe()
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    attributes = [str(pair.value) for pair in description.typed_search_attributes]
    return "\n".join(
        [
            handle.id,
            *attributes,
            str(await description.static_summary()),
            str(await description.static_details()),
            metadata.current_details,
            str(await description.memo()),
        ]
    )


def assert_names_nobody(text: str, opened: OpenCase) -> None:
    for value in [*personal_data(opened), "Town Hall"]:
        assert value.lower() not in text.lower(), f"{value!r} is shown in plain text"


async def test_what_operators_see_names_nobody(dev_server, settings) -> None:
    reference, opened = new_reference(), open_case()
    client = dev_server.client
    async with running_worker(client, settings, RecordedNotifications()):
        # Started as the staff command line starts a case: with its static summary.
        handle = await client.start_workflow(
            DisagreementCase.run, opened, id=reference, task_queue=settings.task_queue,
            static_summary=case_summary(reference), static_details=case_details(reference),
        )
        await opened_view(handle)
        seen = [await shown_to_operators(handle)]
        await drive_to(handle, "mediator")
        case = await handle.execute_update(
            DisagreementCase.schedule_session, ScheduleSession(actor=OFFICER, at=now() + timedelta(days=2), venue="Town Hall")
        )
        assert case.session.venue == "Town Hall"
        seen.append(await shown_to_operators(handle))
        await handle.execute_update(DisagreementCase.withdraw, Withdraw(actor=OFFICER, party="org-1", reason="Sam Parent moved"))
        await handle.result()
        seen.append(await shown_to_operators(handle))

    assert reference in seen[0] and "Case is in informal talks" in seen[0]
    assert "waiting for its session" in seen[1] and "Closed: Withdrawn" in seen[2]
    for text in seen:
        assert_names_nobody(text, opened)


async def test_history_holds_nothing_personal_in_plain_text(dev_server, settings) -> None:
    # The server stores payloads, summaries and failures encrypted; search attributes in plain text.
    opened = open_case()
    async with running_worker(dev_server.client, settings, RecordedNotifications()):
        handle = await start_case(dev_server.client, settings, opened)
        await drive_to(handle, "mediator")
        await assert_rejected(
            handle, U.withdraw, Withdraw(actor=OFFICER, party="org-8", reason="Sam Parent asked"), ("no party",), "RuleViolation"
        )
        history = "\n".join(str(event) for event in await quiet_history(handle))
        assert "arranging_session" in history and OFFICER in history  # search attribute upserts, readable
        assert_names_nobody(history, opened)
        await handle.terminate("test over")
