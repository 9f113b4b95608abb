"""The command line's answers when the case cannot be read or does not answer: the documented
message and exit code, never a traceback."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from cases import client as cases
from infra.keys import new_key_entry
from tests.cli_helpers import Staff, refused, staff_environment
from tests.conftest import isolated_settings, running_worker, start_case


async def test_a_wrong_key_says_which_key_is_missing_and_exits_2(dev_server: WorkflowEnvironment, tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    staff = Staff(staff_environment(dev_server.client.service_client.config.target_host, settings))
    async with running_worker(dev_server.client, settings):
        reference = (await staff.open())["reference"]

        outcome = await staff.program("show", reference, DISAGREEMENT_ENCRYPTION_KEYS=new_key_entry("other-1"))

    refused(outcome, f"cannot read case {reference}", "key id 'test-1'", "DISAGREEMENT_ENCRYPTION_KEYS")
    assert "other-1" not in outcome.said  # the key ring's own ids are not listed


async def test_an_update_nobody_answers_ends_in_words_with_exit_1(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = isolated_settings(tmp_path)
    handle = await start_case(dev_server.client, settings, wait_for_opening=False)  # no worker runs this task queue
    monkeypatch.setattr(cases, "ANSWER_TIMEOUT", timedelta(seconds=2))
    staff = Staff(staff_environment(dev_server.client.service_client.config.target_host, settings))

    outcome = await staff.run("note", handle.id, "--text", "called the family")

    assert outcome.code == 1, outcome.stderr
    assert f"case {handle.id} did not answer within 2 s" in outcome.said
    assert "Traceback" not in outcome.stderr + outcome.stdout
