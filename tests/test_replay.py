"""Recorded histories must replay on today's workflow code.

A change that would break cases already running (a new activity, timer or reordered step on an
existing path) fails here. Make such a change behind `workflow.patched(...)`, then re-record with
`python -m tests.record_histories` adds histories for the new paths beside the old ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from infra.converter import data_converter
from infra.settings import Settings
from tests.conftest import TEST_KEYS
from workflows.case import DisagreementCase
from workflows.mediation import MediationCase
from worker import WORKFLOW_RUNNER

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_there_are_histories_to_replay() -> None:
    assert len(HISTORIES) >= 4


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: path.stem)
async def test_history_replays_on_current_code(path: Path) -> None:
    replayer = Replayer(
        workflows=[DisagreementCase, MediationCase],
        data_converter=data_converter(Settings(encryption_keys=TEST_KEYS)),
        workflow_runner=WORKFLOW_RUNNER,
    )
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    result = await replayer.replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


def test_histories_are_encrypted() -> None:
    for path in HISTORIES:
        text = path.read_text()
        assert "Sam Parent" not in text and "hilltop.example.org" not in text, path.name
