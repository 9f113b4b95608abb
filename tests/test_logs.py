"""No personal data in what operators read: the worker's real stderr while a delivery keeps failing,
and the codec server's log when a request fails. Read from the process, not `capture_logs`, which
never sees the renderer (and the renderer is where tracebacks used to print local variables)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tests.conftest import isolated_settings, open_case, personal_data, start_case
from tests.delivery_servers import MAIL_FROM, free_port
from tests.processes import worker_env, worker_process

FAILED_ATTEMPT = "TemporaryDeliveryFailure"  # the error type the worker logs for each failed attempt


async def wait_for_text(read, text: str, times: int = 1) -> str:
    for _ in range(600):
        output = read()
        if output.count(text) >= times:
            return output
        await asyncio.sleep(0.1)
    raise AssertionError(f"{text!r} did not appear {times} time(s):\n{read()[-3000:]}")


async def test_a_worker_whose_mail_server_is_down_logs_no_personal_data(
    tmp_path: Path, dev_server: WorkflowEnvironment
) -> None:
    settings = isolated_settings(tmp_path)
    opened = open_case()
    env = worker_env(
        dev_server, settings, notification_backend="smtp", smtp_host="127.0.0.1",
        smtp_port=str(free_port()), smtp_security="none", mail_from=MAIL_FROM,
    )  # nothing listens on that port: every attempt fails and is retried

    with worker_process(env, tmp_path / "worker.log") as worker:
        await start_case(dev_server.client, settings, opened)
        # Four recipients fail at once, then each is retried: wait for the retries' tracebacks too.
        output = await wait_for_text(worker.output, FAILED_ATTEMPT, times=8)

    assert "Traceback" in output  # failures are still shown, with their stack
    leaked = [value for value in personal_data(opened) if value.lower() in output.lower()]
    assert leaked == []
