"""Records store fixtures (a plugin of tests/conftest.py): every test that uses `records_settings`
or `records` runs on SQLite and on a real PostgreSQL server.

`closed_case` builds a closed case with the domain rules alone (no server), as the workflow would.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from domain.resolution import Resolution
from domain.models import AssignMediator, CaseOutcome, OpenCase
from infra.settings import Settings
from records.store import RecordsStore, records_store_for
from tests.cli_helpers import Staff, staff_environment
from tests.conftest import (
    MEDIATOR_EMAIL, MEDIATOR_NAME, RecordedNotifications, isolated_settings, new_reference, open_case, running_worker,
)

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def records_settings(request: pytest.FixtureRequest, tmp_path: Path, settings: Settings) -> Settings:
    """The test settings, with the records store on SQLite or on a fresh PostgreSQL database."""
    if request.param == "postgres":
        return isolated_settings(tmp_path, records_url=request.getfixturevalue("postgres_url"))
    return settings


@pytest_asyncio.fixture(loop_scope="session")
async def records(records_settings: Settings) -> AsyncIterator[RecordsStore]:
    store = records_store_for(records_settings)
    yield store
    await store.close()


def closed_case(
    opened: OpenCase | None = None,
    closed: datetime = datetime(2026, 11, 30, 15, tzinfo=UTC),
    outcome: CaseOutcome = CaseOutcome.withdrawn,
    mediator: tuple[str, str] | None = None,
    reference: str | None = None,
) -> Resolution:
    case = Resolution.open(reference or new_reference(), opened or open_case(), closed.replace(hour=9))
    if mediator:
        name, email = mediator
        case.assign_mediator(AssignMediator(actor="jo.smith", name=name, email=email, independent=True), closed)
    case.close(outcome, closed, "jo.smith")
    return case


DEFAULT_MEDIATOR = (MEDIATOR_NAME, MEDIATOR_EMAIL)


@asynccontextmanager
async def terminal_on_records(dev_server: WorkflowEnvironment, records_settings: Settings) -> AsyncIterator[Staff]:
    """Staff at a terminal, with a worker, both on the records store of these settings."""
    async with running_worker(dev_server.client, records_settings, RecordedNotifications()):
        env = staff_environment(dev_server.client.service_client.config.target_host, records_settings)
        yield Staff({**env, "DISAGREEMENT_RECORDS_URL": records_settings.records_database_url})
