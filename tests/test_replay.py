"""Recorded histories must replay on today's workflow code, issuing the same commands.

The histories are release 1.0.0's baseline: one for each path of both routes. A change that would
break cases already running (a new activity, timer or reordered step on an existing path) fails
here. Make such a change behind `workflow.patched(...)`, then `python -m tests.record_histories`
adds histories for the new paths beside the old ones (docs/operating.md, "Changing the workflows").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import (
    Interceptor,
    Replayer,
    StartActivityInput,
    StartLocalActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from activities.names import PLAN_APPEAL_DEADLINE, PLAN_DEADLINE, PLAN_DEADLINES, SEND_NOTIFICATION, SEND_NOTIFICATIONS
from domain.deadlines import APPEAL, AppealPlan, AppealRequest, DeadlineRequest, PlannedDeadline
from domain.notifications import Notice
from records.models import ArchiveCase, CopyHeldCase
from records.names import ARCHIVE_CASE, COPY_HELD_CASE
from tests.history_keys import history_converter
from workflows.case import DisagreementCase
from workflows.mediation import MediationCase
from worker import WORKFLOW_RUNNER

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))
CONVERTER = history_converter()
ACTIVITY_INPUTS = {
    PLAN_DEADLINE: DeadlineRequest, PLAN_APPEAL_DEADLINE: AppealRequest, SEND_NOTIFICATION: Notice,
    SEND_NOTIFICATIONS: list[Notice],  # the messages of one event together
    ARCHIVE_CASE: ArchiveCase, COPY_HELD_CASE: CopyHeldCase,
}
PLANNING_RESULTS = {PLAN_DEADLINE: PlannedDeadline, PLAN_DEADLINES: list[PlannedDeadline], PLAN_APPEAL_DEADLINE: AppealPlan}
# What a message does, not what it says: its wording and the facts it quotes grow between releases.
NOTICE_BEHAVIOUR = {"key": True, "template": True, "recipient": {"id"}, "facts": {"outcome"}}
# Which version of which case is archived, and when it closed (the view inside follows the case).
ARCHIVE_BEHAVIOUR = {"reference": True, "version": True, "closed_at": True}
# Likewise for a held case's copy (since 1.0.0: tests/histories/held_while_open.json), and when.
HELD_COPY_BEHAVIOUR = {"reference": True, "version": True, "at": True}
BEHAVIOUR = {SEND_NOTIFICATION: NOTICE_BEHAVIOUR, ARCHIVE_CASE: ARCHIVE_BEHAVIOUR, COPY_HELD_CASE: HELD_COPY_BEHAVIOUR}


def behaviour(activity: str, argument) -> tuple[str, dict | list[dict]]:
    """An activity command as compared across releases: every deadline request whole, each message's
    behaviour (each one of a batch alike), each archive write's case and version."""
    if activity == SEND_NOTIFICATIONS:
        return activity, [notice.model_dump(mode="json", include=NOTICE_BEHAVIOUR) for notice in argument]
    return activity, argument.model_dump(mode="json", include=BEHAVIOUR.get(activity))


def planned_names(activity: str, requested) -> tuple[str, list[str]]:
    """A planning (local) activity as compared across releases: which deadlines, in which order. The
    history keeps only its answer, and applies it by position: asking for the same dates in another
    order would give running cases each other's dates."""
    if activity == PLAN_APPEAL_DEADLINE:
        return activity, [APPEAL]
    items = requested if isinstance(requested, list) else [requested]
    return activity, [item.deadline.name if isinstance(item, AppealPlan) else item.name for item in items]


class ActivityCommands(Interceptor):
    """Records every activity the workflow code asks for while it replays, with its input, and every
    deadline it asks to be planned."""

    def __init__(self) -> None:
        self.started: list[tuple[str, dict]] = []
        self.planned: list[tuple[str, list[str]]] = []

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        started, planned = self.started, self.planned

        class Outbound(WorkflowOutboundInterceptor):
            def start_activity(self, input: StartActivityInput):
                started.append(behaviour(input.activity, input.args[0]))
                return super().start_activity(input)

            def start_local_activity(self, input: StartLocalActivityInput):
                planned.append(planned_names(input.activity, input.args[0]))
                return super().start_local_activity(input)

        class Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(Outbound(outbound))

        return Inbound


async def recorded_commands(history: WorkflowHistory) -> list[tuple[str, dict]]:
    """Every activity scheduled in a recorded history, with its input decoded."""
    commands = []
    for event in history.events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            scheduled = event.activity_task_scheduled_event_attributes
            name = scheduled.activity_type.name
            [value] = await CONVERTER.decode(scheduled.input.payloads, [ACTIVITY_INPUTS[name]])
            commands.append(behaviour(name, value))
    return commands


async def recorded_plans(history: WorkflowHistory) -> list[tuple[str, list[str]]]:
    """Every planning answer recorded in a history (local activities are markers), as names in order."""
    plans = []
    for event in history.events:
        # A `workflow.patched` marker (since 1.1) is no planning answer.
        if event.HasField("marker_recorded_event_attributes") and "result" in event.marker_recorded_event_attributes.details:
            details = event.marker_recorded_event_attributes.details
            activity = json.loads(details["data"].payloads[0].data)["activity_type"]
            [answer] = await CONVERTER.decode(details["result"].payloads, [PLANNING_RESULTS[activity]])
            plans.append(planned_names(activity, answer))
    return plans


def test_there_are_histories_to_replay() -> None:
    assert len(HISTORIES) >= 4


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: path.stem)
async def test_history_replays_on_current_code(path: Path) -> None:
    commands = ActivityCommands()
    replayer = Replayer(
        workflows=[DisagreementCase, MediationCase],
        data_converter=CONVERTER,
        workflow_runner=WORKFLOW_RUNNER,
        interceptors=[commands],
    )
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    recorded = await recorded_commands(history)
    # The case's reference is its workflow id, which the file does not keep: read it off a message key.
    reference = next(
        value["key"] if name == SEND_NOTIFICATION else value[0]["key"]
        for name, value in recorded if name in (SEND_NOTIFICATION, SEND_NOTIFICATIONS)
    ).split(".")[0]
    history = WorkflowHistory.from_json(reference, path.read_text())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None
    # Replaying checks the kind and order of commands, not what they carry: compare the inputs
    # too (every date asked for, every message's key, template, recipient and outcome).
    assert commands.started == recorded
    assert commands.planned == await recorded_plans(history)


# Every path of both routes has a history at the 1.0.0 baseline (tests/record_histories.py).
BASELINE = {
    "agreement_with_actions", "silence_with_extension", "withdrawal", "declined", "resolved_in_talks",
    "appeal_clock_after_closure", "rescheduled_after_extension", "cancelled_by_service",
    "mediation_with_certificate", "mediation_declined", "mediation_withdrawn_at_advice",
    "mediation_not_arranged_then_held", "mediation_health_only",
}


def test_every_path_of_both_routes_has_a_baseline_history() -> None:
    assert BASELINE <= {path.stem for path in HISTORIES}


def test_no_workflow_patch_is_left_from_before_the_baseline() -> None:
    """1.0.0 retired every `workflow.patched` branch; one added since must come with its history."""
    root = Path(__file__).parent.parent
    code = "".join(path.read_text() for folder in ("workflows", "records", "domain") for path in (root / folder).rglob("*.py"))
    assert "workflow.patched(" not in code or len(HISTORIES) > len(BASELINE)


def test_histories_are_encrypted() -> None:
    for path in HISTORIES:
        text = path.read_text()
        assert "Sam Parent" not in text and "hilltop.example.org" not in text, path.name
