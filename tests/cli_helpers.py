"""Running the staff command line in tests, in-process (fast) or as the real program.

The command line runs its own event loop (`asyncio.run`), so in-process runs go to a thread while
the worker keeps running on the test's loop. A test module that uses the `staff` fixture imports it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest_asyncio
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker
from typer.testing import CliRunner

from activities.deadlines import DeadlineActivities
from activities.notification_batches import NotificationBatches
from cli.main import app
from domain.calendar import WorkingCalendar, london_date
from infra.settings import Settings
from tests.conftest import TEST_KEYS, RecordedNotifications, isolated_settings, running_worker
from workflows.case import DisagreementCase
from worker import WORKFLOW_RUNNER

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OFFICER = "jo.smith"


@dataclass
class Outcome:
    """What one command did: its exit code and what it printed."""

    code: int
    stdout: str
    stderr: str

    @property
    def said(self) -> str:
        """stderr as one line of words: rich's error boxes and line wrapping taken out."""
        return re.sub(r"\s+", " ", re.sub(r"[│╭╮╰╯─]", " ", self.stderr)).strip()

    @property
    def json(self) -> Any:
        assert self.code == 0, self.stderr
        return json.loads(self.stdout)


@dataclass
class Staff:
    """A member of staff at a terminal, set up for one test's server and task queue."""

    env: dict[str, str | None]
    runner: CliRunner = field(default_factory=CliRunner)

    async def run(self, *args: str, **env: str | None) -> Outcome:
        """Run a command in-process; keyword arguments override environment variables (None unsets)."""
        result = await asyncio.to_thread(self.runner.invoke, app, list(args), env={**self.env, **env})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Outcome(result.exit_code, result.stdout, result.stderr)

    async def program(self, *args: str, **env: str | None) -> Outcome:
        """Run a command as the real program, `python starter.py ...`."""
        merged = {**os.environ, **self.env, **env}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "starter.py", *args,
            cwd=PROJECT_ROOT,
            env={name: value for name, value in merged.items() if value is not None},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await process.communicate()
        return Outcome(process.returncode, stdout.decode(), stderr.decode())

    async def json(self, *args: str, **env: str | None) -> Any:
        """Run a command with --json and return what it printed."""
        return (await self.run(*args, "--json", **env)).json

    async def open(self, *extra: str, **env: str | None) -> dict:
        """Open a case with two organisations; returns its case view."""
        return await self.json(*open_arguments(*extra), **env)


def staff_environment(target: str, settings: Settings) -> dict[str, str | None]:
    return {
        "TEMPORAL_ADDRESS": target,
        "DISAGREEMENT_ENCRYPTION_KEYS": TEST_KEYS,
        "DISAGREEMENT_TASK_QUEUE": settings.task_queue,
        "DISAGREEMENT_DATA_DIR": str(settings.data_dir),
        "DISAGREEMENT_STAFF_ID": OFFICER,
        "COLUMNS": "200",  # rich wraps tables to the terminal: keep rows on one line
    }


@pytest_asyncio.fixture(loop_scope="session")
async def staff(dev_server: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Staff]:
    """Staff at a terminal, with a worker on the test's own task queue."""
    settings = isolated_settings(tmp_path)
    async with running_worker(dev_server.client, settings, RecordedNotifications()):
        yield Staff(staff_environment(dev_server.client.service_client.config.target_host, settings))


def refused(outcome: Outcome, *words: str) -> None:
    """The command was refused (exit 2) with these words on stderr and no traceback."""
    assert outcome.code == 2, (outcome.code, outcome.stdout, outcome.stderr)
    for word in words:
        assert word in outcome.said, outcome.said
    assert "Traceback" not in outcome.stderr + outcome.stdout


def today() -> date:
    return london_date(datetime.now(UTC))


def deadline(case: dict, name: str) -> dict:
    """One deadline (a duty) of a case view printed as JSON."""
    return next(found for found in case["deadlines"] if found["name"] == name)


def has(found: dict, **expected) -> bool:
    """`found` holds these items, whatever else it holds (a duty's owner, source, settlement...)."""
    return expected.items() <= found.items()


async def includes(rows, reference: str) -> bool:
    """Whether a listing (an awaitable of references) includes the case: for `until`."""
    return reference in await rows


def open_arguments(*extra: str) -> list[str]:
    return [
        "open",
        "--applicant-name", "Sam Parent",
        "--applicant-role", "parent",
        "--applicant-email", "sam.parent@example.org",
        "--applicant-phone", "07700 900123",
        "--organisation", "school|Hill Top Primary|senco@hilltop.example.org",
        "--organisation", "local_authority|Rotherham LA|send@la.example.gov.uk",
        "--kind", "provision",
        "--ehc-point", "needs_assessment",
        "--summary", "Disagreement about speech and language therapy hours",
        *extra,
    ]


def soon(seconds: float) -> str:
    """A moment a few seconds ahead, as staff would type it with a zone."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="seconds")


async def until(check, *, seconds: float = 10):
    """Poll `check` (an async callable) until it returns something truthy: visibility lags."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = await check()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(0.2)


class LateCalendar(WorkingCalendar):
    """Plans deadlines as if the case had started 60 days ago: its first deadline has passed."""

    def add_days(self, start: date, count: int, *, working: bool) -> date:
        return super().add_days(start - timedelta(days=60), count, working=working)


def late_worker(client: Client, settings: Settings) -> Worker:
    """A worker whose cases are overdue from the start, for `list --overdue`."""
    notifications = RecordedNotifications()
    deadlines = DeadlineActivities(settings.deadline_policy, LateCalendar())
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=[DisagreementCase],
        workflow_runner=WORKFLOW_RUNNER,
        activities=[
            deadlines.plan_deadline,
            deadlines.plan_deadlines,
            notifications.send_notification,
            NotificationBatches(notifications.send_notification).send_notifications,
        ],
    )
