"""Recorded histories must replay on today's workflow code, issuing the same commands.

A change that would break cases already running (a new activity, timer or reordered step on an
existing path) fails here. Make such a change behind `workflow.patched(...)`, then re-record with
`python -m tests.record_histories` adds histories for the new paths beside the old ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import (
    Interceptor,
    Replayer,
    StartActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from activities.names import PLAN_APPEAL_DEADLINE, PLAN_DEADLINE, SEND_NOTIFICATION, SEND_NOTIFICATIONS
from domain.deadlines import AppealRequest, DeadlineRequest
from domain.notifications import Notice
from infra.converter import data_converter
from infra.settings import Settings
from records.models import ArchiveCase
from records.names import ARCHIVE_CASE
from tests.conftest import TEST_KEYS
from workflows.case import DisagreementCase
from workflows.mediation import MediationCase
from worker import WORKFLOW_RUNNER

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))
CONVERTER = data_converter(Settings(encryption_keys=TEST_KEYS))
ACTIVITY_INPUTS = {
    PLAN_DEADLINE: DeadlineRequest, PLAN_APPEAL_DEADLINE: AppealRequest, SEND_NOTIFICATION: Notice,
    SEND_NOTIFICATIONS: list[Notice],  # the messages of one event together (patch "deliver-by-event")
    ARCHIVE_CASE: ArchiveCase,
}
# What a message does, not what it says: its wording and the facts it quotes grow between releases.
NOTICE_BEHAVIOUR = {"key": True, "template": True, "recipient": {"id"}, "facts": {"outcome"}}
# Which version of which case is archived, and when it closed (the view inside follows the case).
ARCHIVE_BEHAVIOUR = {"reference": True, "version": True, "closed_at": True}
BEHAVIOUR = {SEND_NOTIFICATION: NOTICE_BEHAVIOUR, ARCHIVE_CASE: ARCHIVE_BEHAVIOUR}


def behaviour(activity: str, argument) -> tuple[str, dict | list[dict]]:
    """An activity command as compared across releases: every deadline request whole, each message's
    behaviour (each one of a batch alike), each archive write's case and version."""
    if activity == SEND_NOTIFICATIONS:
        return activity, [notice.model_dump(mode="json", include=NOTICE_BEHAVIOUR) for notice in argument]
    return activity, argument.model_dump(mode="json", include=BEHAVIOUR.get(activity))


class ActivityCommands(Interceptor):
    """Records every activity the workflow code asks for while it replays, with its input."""

    def __init__(self) -> None:
        self.started: list[tuple[str, dict]] = []

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        started = self.started

        class Outbound(WorkflowOutboundInterceptor):
            def start_activity(self, input: StartActivityInput):
                started.append(behaviour(input.activity, input.args[0]))
                return super().start_activity(input)

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


@pytest.mark.parametrize(
    ("history", "closing_keys"),
    [("resolved_in_talks", []), ("resolved_in_talks_announced", ["applicant", "org-1", "org-2"])],
)
async def test_a_case_resolved_in_talks_announces_its_closure_from_the_patch_on(history: str, closing_keys: list[str]) -> None:
    recorded = WorkflowHistory.from_json(history, (Path(__file__).parent / "histories" / f"{history}.json").read_text())
    notices = [value for name, value in await recorded_commands(recorded) if name == SEND_NOTIFICATION]
    assert sorted(n["recipient"]["id"] for n in notices if n["template"] == "case_closed") == closing_keys


def test_histories_are_encrypted() -> None:
    for path in HISTORIES:
        text = path.read_text()
        assert "Sam Parent" not in text and "hilltop.example.org" not in text, path.name
