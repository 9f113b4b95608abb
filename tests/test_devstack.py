"""`make run`'s stack: dev server with its SQLite file, Web UI, codec server and worker, stopped together.

Runs the real `python -m infra.devstack` on free ports and a temporary data folder, twice: a case
opened in the first run is still there in the second.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain.models import CaseStage, OfferResolution
from infra.converter import data_converter
from infra.settings import Settings
from tests.conftest import new_reference, open_case
from workflows.case import DisagreementCase

ROOT = Path(__file__).resolve().parent.parent
# What a query answers while the worker is still starting: no first workflow task done yet, or none polling.
WORKER_NOT_READY = {RPCStatusCode.FAILED_PRECONDITION, RPCStatusCode.DEADLINE_EXCEEDED}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_stack(env: dict[str, str], printed: list[str] | None = None) -> Iterator[str]:
    """Start the stack, wait for its banner, yield what it printed, then Ctrl-C it. Its output is
    read to the end meanwhile (into `printed`, when given): a stack that fills the pipe nobody
    reads would stall."""
    stack = subprocess.Popen(
        [sys.executable, "-m", "infra.devstack"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    printed = [] if printed is None else printed
    draining = threading.Thread(target=lambda: printed.extend(stack.stdout), daemon=True)
    try:
        for line in stack.stdout:
            printed.append(line)
            if "Press Ctrl-C" in line:
                break
        assert stack.poll() is None, "".join(printed)
        banner = "".join(printed)
        draining.start()
        try:
            yield banner
        except BaseException as error:  # a test that failed inside: what the stack said, for the reason
            error.add_note("the stack printed:\n" + "".join(printed))
            raise
    finally:
        stack.send_signal(signal.SIGINT)
        if draining.ident is None:
            stack.communicate(timeout=30)
        else:
            # The output ends when every process of the stack (the dev server too) has let go of it:
            # only then is its port and SQLite file free for the next stack.
            stack.wait(timeout=30)
            draining.join(timeout=30)
            if draining.is_alive():
                raise AssertionError("the stack's processes still ran 30 s after Ctrl-C")
    assert stack.returncode == 0, "".join(printed)


def wait_for_page(url: str) -> str:
    """The page's text, once its server (started beside the others) answers."""
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=5) as page:
                return page.read().decode()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


async def wait_for_worker(client: Client, reference: str) -> None:
    handle = client.get_workflow_handle_for(DisagreementCase.run, reference)
    for _ in range(100):
        try:
            if (await handle.query(DisagreementCase.case_view)).deadlines:
                return
        except RPCError as error:
            if error.status not in WORKER_NOT_READY:  # a wrong key or address is no reason to wait
                raise
        await asyncio.sleep(0.2)
    raise AssertionError("the worker never answered")


async def test_make_run_serves_the_ui_and_keeps_cases_across_a_restart(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("DEV_SERVER_PORT", "UI_PORT", "CODEC_SERVER_PORT", "WEB_PORT", "PUBLIC_PORT")}
    env = {
        **os.environ,
        "DISAGREEMENT_DATA_DIR": str(tmp_path),
        **{f"DISAGREEMENT_{name}": str(port) for name, port in ports.items()},
    }
    env.pop("DISAGREEMENT_ENCRYPTION_KEYS", None)  # the stack makes its own development key
    address = f"127.0.0.1:{ports['DEV_SERVER_PORT']}"
    reference = new_reference()

    printed: list[str] = []
    with running_stack(env, printed) as banner:
        assert f"http://localhost:{ports['UI_PORT']}" in banner
        assert (tmp_path / "encryption-keys").exists()
        with urllib.request.urlopen(f"http://127.0.0.1:{ports['UI_PORT']}/", timeout=10) as page:
            assert page.status == 200
        assert f"Staff web console: http://127.0.0.1:{ports['WEB_PORT']}" in banner
        assert "Development sign-in" in wait_for_page(f"http://127.0.0.1:{ports['WEB_PORT']}/sign-in")
        assert f"Public site (answers through the links in messages): http://127.0.0.1:{ports['PUBLIC_PORT']}" in banner
        assert "use that link" in wait_for_page(f"http://127.0.0.1:{ports['PUBLIC_PORT']}/").lower()
        settings = Settings(data_dir=tmp_path)
        client = await Client.connect(address, data_converter=data_converter(settings))
        await client.start_workflow(DisagreementCase.run, open_case(), id=reference, task_queue=settings.task_queue)
        await wait_for_worker(client, reference)
        handle = client.get_workflow_handle_for(DisagreementCase.run, reference)
        await handle.execute_update(DisagreementCase.offer_resolution, OfferResolution(actor="jo.smith"))

    assert (tmp_path / "temporal.sqlite").exists()
    assert sorted(path.name for path in (tmp_path / "outbox").iterdir())[0].startswith(reference)
    # Every process's lines in one format (the banner apart), as a log file gets them: no colour
    # codes, no warnings, no raw dicts, no line per page fetched (the access log is at debug).
    logged = log_lines(printed)
    assert logged and all(KEY_VALUE_LINE.match(line) for line in logged), logged
    output = "".join(printed)
    assert "\x1b[" not in output and "Warning" not in output and "{'" not in output
    assert "path=/sign-in" not in output

    printed.clear()
    with running_stack({**env, "DISAGREEMENT_LOG_FORMAT": "json"}, printed):
        client = await Client.connect(address, data_converter=data_converter(Settings(data_dir=tmp_path)))
        handle = client.get_workflow_handle_for(DisagreementCase.run, reference)
        assert (await handle.query(DisagreementCase.case_view)).stage is CaseStage.awaiting_consent
        listed = [execution.id async for execution in client.list_workflows("CaseStage = 'awaiting_consent'")]
        assert reference in listed
    lines = [json.loads(line) for line in log_lines(printed)]
    loggers = {line["logger"] for line in lines}
    assert {"temporal.server", "infra.codec_server", "worker", "uvicorn.error"} <= loggers, loggers


# What `make run` prints for people once everything answers; every other line is a log line.
BANNER = ("Staff web console: ", "Public site (answers", "Temporal Web UI: ", "Temporal server: ", "Cases are kept in ", "Closed cases: ", "Press Ctrl-C")
KEY_VALUE_LINE = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z \[(debug|info|warning|error|critical) *\] \S")


def log_lines(printed: list[str]) -> list[str]:
    return [line.rstrip("\n") for line in printed if line.strip() and not line.startswith(BANNER)]
