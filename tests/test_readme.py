"""The README's walkthrough, run exactly as typed: its command blocks, taken from README.md itself,
against a real dev server and worker, so that the README cannot drift from the product.

The convention (also written in README.md, for its authors): every ```sh block between a
`<!-- walkthrough -->` line and the next `<!-- /walkthrough -->` line is run, in order, in one
bash shell (so `R=...` carries from block to block); every other block is an example only.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.models import AppealStatus, CaseOutcome, CaseStage
from tests.cli_helpers import PROJECT_ROOT, staff_environment
from tests.conftest import RecordedNotifications, isolated_settings, running_worker
from workflows.case import DisagreementCase

README = PROJECT_ROOT / "README.md"
REGION = re.compile(r"^<!-- walkthrough -->$(.*?)^<!-- /walkthrough -->$", re.MULTILINE | re.DOTALL)
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# Said at the end of the run, so that the test can look at the cases the README made.
REFERENCES = "README-REFERENCES"


def walkthrough_blocks(text: str) -> list[str]:
    return [block for region in REGION.findall(text) for block in SH_BLOCK.findall(region)]


def test_the_walkthrough_is_found_and_covers_both_routes_to_the_end() -> None:
    script = "\n".join(walkthrough_blocks(README.read_text()))
    for step in ("disagreement open ", "disagreement outcome $R", "disagreement action-done $R --action 2",
                 "disagreement open-mediation", "disagreement certificate $M", "disagreement appeal-status $M"):
        assert step in script, f"the README walkthrough no longer runs `{step}`"
    # The convention is written down where README authors will see it.
    assert "tests/test_readme.py" in README.read_text()


def test_only_marked_sh_blocks_are_run() -> None:
    text = "```sh\nmake run\n```\n<!-- walkthrough -->\n```sh\necho one\n```\n```text\nsample\n```\n" \
           "<!-- /walkthrough -->\n```sh\nmake test\n```\n<!-- walkthrough -->\n```sh\necho two\n```\n<!-- /walkthrough -->\n"
    assert walkthrough_blocks(text) == ["echo one\n", "echo two\n"]


@pytest.mark.timeout(400)
async def test_the_readme_walkthrough_runs_as_typed(dev_server: WorkflowEnvironment, tmp_path: Path) -> None:
    if not (PROJECT_ROOT / ".venv" / "bin" / "activate").exists():
        pytest.fail("the README starts with `source .venv/bin/activate`: run `make setup` (or `make test`) first")
    if shutil.which("bash") is None:
        pytest.fail("the README's commands are bash: install it (apt-get install bash)")
    script = "\n".join([
        "set -euo pipefail",
        'trap \'echo "README command failed (exit $?): $BASH_COMMAND" >&2\' ERR',
        *walkthrough_blocks(README.read_text()),
        f'echo "{REFERENCES} $R $M"',
    ])
    settings = isolated_settings(tmp_path)
    environment = staff_environment(dev_server.client.service_client.config.target_host, settings)
    del environment["DISAGREEMENT_STAFF_ID"]  # the README sets it
    # The dev server is on a port of its own, as after `DISAGREEMENT_DEV_SERVER_PORT=... make run`:
    # the shell knows it by those settings only, as the README says.
    ip, _, port = environment.pop("TEMPORAL_ADDRESS").rpartition(":")
    environment |= {"DISAGREEMENT_DEV_SERVER_IP": ip, "DISAGREEMENT_DEV_SERVER_PORT": port}
    async with running_worker(dev_server.client, settings, RecordedNotifications()):
        process = await asyncio.create_subprocess_exec(
            "bash", "-c", script, cwd=PROJECT_ROOT,
            env={**os.environ, **environment},  # the shell's own settings are already cleared (conftest)
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = (output.decode() for output in await process.communicate())
        assert process.returncode == 0, f"{stderr}\n--- stdout (end) ---\n{stdout[-3000:]}"
        dr, md = stdout.split(REFERENCES)[-1].split()
        closed = await dev_server.client.get_workflow_handle(dr).query(DisagreementCase.case_view)
        assert (closed.stage, closed.outcome) == (CaseStage.closed, CaseOutcome.partial_agreement)
        mediated = await dev_server.client.get_workflow_handle(md).query(DisagreementCase.case_view)
        assert (mediated.outcome, mediated.appeal_status) == (CaseOutcome.partial_agreement, AppealStatus.lodged)
        assert mediated.certificate is not None
