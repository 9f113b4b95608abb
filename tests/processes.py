"""Real processes for fault tests: a worker (`python worker.py`, or a test's variant of it run as a
module) with its own environment, whose output is kept in a file so that tests can read exactly
what an operator's terminal would show."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from infra.settings import Settings
from tests.conftest import TEST_KEYS

ROOT = Path(__file__).resolve().parent.parent


def worker_env(server: WorkflowEnvironment, settings: Settings, **variables: str) -> dict[str, str]:
    """The environment of a worker for these settings' task queue and data folder on this server."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DISAGREEMENT_", "TEMPORAL_"))}
    env |= {
        "TEMPORAL_ADDRESS": server.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": server.client.namespace,
        "DISAGREEMENT_ENCRYPTION_KEYS": TEST_KEYS,
        "DISAGREEMENT_TASK_QUEUE": settings.task_queue,
        "DISAGREEMENT_DATA_DIR": str(settings.data_dir),
    }
    return env | {f"DISAGREEMENT_{name.upper()}": value for name, value in variables.items()}


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: the worker gets no chance to finish or tidy anything."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


@contextmanager
def worker_process(env: dict[str, str], log_path: Path, module: str | None = None) -> Iterator[WorkerProcess]:
    command = [sys.executable, "-m", module] if module else [sys.executable, "worker.py"]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = WorkerProcess(process, log_path)
    try:
        yield worker
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
