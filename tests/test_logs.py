"""No personal data in what operators read: the worker's real stderr while a delivery keeps failing,
and the codec server's log when a request fails. Read from the process, not `capture_logs`, which
never sees the renderer (and the renderer is where tracebacks used to print local variables)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from domain.models import OpenCase

from tests.conftest import isolated_settings, open_case, personal_data, start_case
from tests.delivery_servers import MAIL_FROM, free_port
from tests.processes import ROOT, worker_env, worker_process

FAILED_ATTEMPT = "TemporaryDeliveryFailure"  # the error type the worker logs for each failed attempt


async def wait_for_text(read, text: str, times: int = 1) -> str:
    for _ in range(600):
        output = read()
        if output.count(text) >= times:
            return output
        await asyncio.sleep(0.1)
    raise AssertionError(f"{text!r} did not appear {times} time(s):\n{read()[-3000:]}")


async def failing_deliveries(tmp_path: Path, server: WorkflowEnvironment, **variables: str) -> tuple[OpenCase, str, str]:
    """A worker whose mail server is down, logging into a file: the case, its reference and the log."""
    settings = isolated_settings(tmp_path)
    opened = open_case()
    env = worker_env(
        server, settings, notification_backend="smtp", smtp_host="127.0.0.1",
        smtp_port=str(free_port()), smtp_security="none", mail_from=MAIL_FROM, **variables,
    )  # nothing listens on that port: every attempt fails and is retried

    with worker_process(env, tmp_path / "worker.log") as worker:
        reference = (await start_case(server.client, settings, opened)).id
        # The opening's messages fail together (one activity per event), then are retried: wait
        # for the retries' tracebacks too.
        output = await wait_for_text(worker.output, FAILED_ATTEMPT, times=4)
    return opened, reference, output


async def test_a_worker_whose_mail_server_is_down_logs_no_personal_data(
    tmp_path: Path, dev_server: WorkflowEnvironment
) -> None:
    opened, reference, output = await failing_deliveries(tmp_path, dev_server)

    assert "Traceback" in output  # failures are still shown, with their stack
    leaked = [value for value in personal_data(opened) if value.lower() in output.lower()]
    assert leaked == []
    # One format: the SDK's lines too are key=value, its activity's details fields of their own
    # rather than a dict appended to the message, and a file gets no colour codes.
    failed = [line for line in output.splitlines() if "Completing activity as failed" in line]
    assert failed and all(f"case={reference}" in line and "activity_type=" in line for line in failed)
    assert "{'activity_id'" not in output
    assert "\x1b[" not in output


async def test_json_log_lines_when_asked(tmp_path: Path, dev_server: WorkflowEnvironment) -> None:
    opened, reference, output = await failing_deliveries(tmp_path, dev_server, log_format="json")

    lines = [json.loads(line) for line in output.splitlines()]  # every line is one JSON object
    assert all({"event", "level", "timestamp", "logger"} <= set(line) for line in lines)
    failed = [line for line in lines if line["event"] == "Completing activity as failed"]
    assert failed and all(line["case"] == reference and "Traceback" in line["exception"] for line in failed)
    assert {"worker started"} <= {line["event"] for line in lines if line["logger"] == "worker"}
    leaked = [value for value in personal_data(opened) if value.lower() in output.lower()]
    assert leaked == []


def test_a_bad_log_format_stops_the_stack_naming_the_variable(tmp_path: Path) -> None:
    env = {**os.environ, "DISAGREEMENT_LOG_FORMAT": "xml", "DISAGREEMENT_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "infra.devstack"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "make run: invalid settings: DISAGREEMENT_LOG_FORMAT: Input should be 'keyvalue' or 'json'"
