"""Shared test plumbing: real Temporal servers from the venv, a fresh task queue per test.

- `dev_server`: one `temporal server start-dev` on a free loopback port for the whole session
  (updates, visibility, CLI), seen by each test through a client of its own: its data converter
  keeps the cases' data keys in the test's records database (`records_settings` where the test
  uses them, else its `tmp_path`), as the test's worker, command line and console do. Every process
  of a deployment shares the key table in the same way.
- `time_skipping`: a fresh time-skipping test server per test (deadlines, reminders): a shared
  one can stop skipping, and each test sets its own clock. `pytest --start-date 2026-12-22` (or
  `2027-07-15T22:30`, a wall-clock time in England) moves its clock there before the test's own
  steps, to check that no deadline test depends on the day it is run (tests/test_start_dates.py
  does it for a few fixed days in every `make test`).
- Every test runs with no `DISAGREEMENT_*` or `TEMPORAL_*` variable from the developer's shell:
  an exported Notify key or server address must never reach a test. Settings made without a data
  folder use one of the session's own, never the working tree's `.data` (`make run`'s).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import string
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio import activity
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.calendar import WorkingCalendar
from domain.models import (
    Applicant,
    ApplicantRole,
    CaseView,
    Contact,
    DeliveryStatus,
    DisagreementKind,
    EhcPoint,
    OpenCase,
    Organisation,
    OrganisationKind,
    Supporter,
)
from activities.delivery import TemporaryFailure
from activities.names import SEND_NOTIFICATION
from domain.notifications import Delivery, Notice
from infra.binaries import installed_binary
from infra.converter import data_converter
from infra.settings import Settings
from workflows.case import DisagreementCase
from workflows.visibility import SEARCH_ATTRIBUTES
from worker import build_worker

# The loopback mail and Notify servers' fixtures (mailbox, smtp_port, notify); PostgreSQL (postgres_server);
# the records store on both databases (records_settings, records); `--heavy` for the long variants of
# the fault and model-based tests.
pytest_plugins = ["tests.delivery_servers", "tests.postgres", "tests.records_fixtures", "tests.heavy"]

LONDON = ZoneInfo("Europe/London")
SHELL_SETTINGS = ("DISAGREEMENT_", "TEMPORAL_")
DATA_DIR = "DISAGREEMENT_DATA_DIR"


def pytest_configure(config: pytest.Config) -> None:
    # Before the test modules are imported: a module's own converter (tests/test_replay.py) makes
    # data keys as it replays, and they belong in no developer's records.
    folder = tempfile.mkdtemp(prefix="disagreement-tests-")
    os.environ[DATA_DIR] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--start-date",
        default=None,
        help="move every time-skipping test clock to this day (10:00 in England) or wall-clock time in England first",
    )


def start_instant(text: str) -> datetime:
    """`2026-12-22` is 10:00 in England that day; `2027-07-15T22:30` a time in England; an offset is kept."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(10), LONDON)
    instant = datetime.fromisoformat(text)
    return instant if instant.tzinfo else instant.replace(tzinfo=LONDON)


@pytest.fixture(autouse=True, scope="session")
def no_settings_from_the_shell() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(SHELL_SETTINGS) and name != DATA_DIR:
                patch.delenv(name)
        yield


TEST_KEYS = "test-1:" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="  # 32 bytes, tests only

# A real service's own contact details, as production needs them.
OWN_CONTACT_DETAILS = {
    "service_name": "Rotherham SEND disagreement resolution", "service_phone": "01709 823627",
    "service_email": "send.disagreements@rotherham.example.gov.uk",
    "service_postal_address": ["Riverside House", "Main Street", "Rotherham", "S60 1AE"],
    "service_web_page": "https://www.rotherham.example.gov.uk/send",
    "public_url": "https://answer.rotherham.example.gov.uk",  # where its messages' links go
}


def isolated_settings(tmp_path: Path, **overrides) -> Settings:
    # With the tests' keys, as a deployed worker has its own: the records store encrypts with them.
    overrides.setdefault("encryption_keys", TEST_KEYS)
    return Settings(data_dir=tmp_path, task_queue=f"cases-{uuid.uuid4()}", **overrides)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DISAGREEMENT_ENCRYPTION_KEYS", TEST_KEYS)
    return isolated_settings(tmp_path)


@dataclass
class RecordedNotifications:
    """Stands in for delivery in workflow tests: records each notice once, as a sent-log would."""

    notices: list[Notice] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)  # every key asked for, repeats included
    fail_for: set[str] = field(default_factory=set)  # recipient ids whose address is rejected
    down_for: set[str] = field(default_factory=set)  # recipient ids whose mail server never answers

    @activity.defn(name=SEND_NOTIFICATION)
    async def send_notification(self, notice: Notice) -> Delivery:
        self.requested.append(notice.key)
        if notice.recipient.id in self.down_for:
            raise TemporaryFailure("the mail server did not answer")
        if notice.recipient.id in self.fail_for:
            return Delivery(status=DeliveryStatus.failed, reason="address rejected")
        if all(sent.key != notice.key for sent in self.notices):
            self.notices.append(notice)
        return Delivery(status=DeliveryStatus.sent, channel=(notice.recipient.contact.channels()[0] if notice.recipient.contact else "email"))

    def sent(self, template: str) -> list[str]:
        """Recipient ids of every message sent with this template."""
        return [notice.recipient.id for notice in self.notices if notice.template.value == template]


def open_case(**overrides) -> OpenCase:
    fields = dict(
        applicant=Applicant(
            role=ApplicantRole.parent,
            name="Sam Parent",
            contact=Contact(email="sam.parent@example.org", phone="07700 900123"),
        ),
        organisations=[
            Organisation(kind=OrganisationKind.school, name="Hill Top Primary", contact=Contact(email="senco@hilltop.example.org")),
            Organisation(kind=OrganisationKind.local_authority, name="Rotherham LA", contact=Contact(email="send@la.example.gov.uk")),
        ],
        kinds=[DisagreementKind.provision],
        ehc_point=EhcPoint.needs_assessment,
        summary="Disagreement about speech and language therapy hours",
        case_officer="jo.smith",
        opened_by="jo.smith",
        supporter=Supporter(name="Ali Adviser", email="ali@sendiass.example.org"),
    )
    fields.update(overrides)
    return OpenCase(**fields)


MEDIATOR_NAME, MEDIATOR_EMAIL = "Pat Mediator", "pat@accord.example.org"


def personal_data(opened: OpenCase) -> list[str]:
    """Every name and contact detail in an opened case: none may appear where operators look."""
    contacts = [opened.applicant.contact, *(org.contact for org in opened.organisations)]
    values = [opened.applicant.name, *(org.name for org in opened.organisations), opened.summary]
    values += [str(c.email) for c in contacts if c.email] + [c.phone for c in contacts if c.phone]
    values += [c.phone.replace("+44", "0") for c in contacts if c.phone]
    if opened.supporter:
        values += [opened.supporter.name, str(opened.supporter.email)]
    return values + [MEDIATOR_NAME, MEDIATOR_EMAIL]


def new_reference() -> str:
    """A fresh case reference, drawn like the product's (6 of 36 characters)."""
    return "DR-2026-" + "".join(secrets.choice(string.digits + string.ascii_uppercase) for _ in range(6))


async def start_case(client: Client, settings: Settings, opened: OpenCase | None = None, reference: str | None = None, *, wait_for_opening: bool = True) -> WorkflowHandle:
    """Open a case and, unless told not to, wait until its opening is done (staff act on an opened
    case; see test_a_staff_action_in_the_first_workflow_task_waits_for_the_opening)."""
    reference = reference or new_reference()
    handle = await client.start_workflow(
        DisagreementCase.run,
        opened or open_case(),
        id=reference,
        task_queue=settings.task_queue,
    )
    if wait_for_opening:
        await opened_view(handle)
    return handle


async def opened_view(handle: WorkflowHandle) -> CaseView:
    """The case view once opening is done (its first deadlines are planned by an activity)."""
    for _ in range(100):
        case = await handle.query(DisagreementCase.case_view)
        if case.deadlines:
            return case
        await asyncio.sleep(0.05)
    raise AssertionError("the case did not finish opening")


async def sleep_until(env: WorkflowEnvironment, instant: datetime) -> None:
    """Move the time-skipping clock on to an instant (it starts at the real time and only goes forward)."""
    now = await env.get_current_time()
    if instant < now:
        raise AssertionError(f"the test clock cannot go back to {instant:%Y-%m-%d %H:%M %Z}: it is already {now:%Y-%m-%d %H:%M %Z}")
    await env.sleep(instant - now)


@asynccontextmanager
async def running_worker(
    client: Client, settings: Settings, notifications: RecordedNotifications | None = None, calendar: WorkingCalendar | None = None
) -> AsyncIterator[Worker]:
    worker = build_worker(client, settings, notifications or RecordedNotifications(), calendar)
    async with worker:
        yield worker


def keys_of_the_test(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings whose records database holds the test's data keys: its `records_settings` (SQLite
    or PostgreSQL) where it uses them, else its `tmp_path`'s, as the `settings` fixture's."""
    if "records_settings" in request.fixturenames:
        return request.getfixturevalue("records_settings")
    return isolated_settings(tmp_path)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def dev_server_process(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=installed_binary("temporal"),
        search_attributes=list(SEARCH_ATTRIBUTES),
        dev_server_extra_args=["--headless", "--log-level", "error"],
        data_converter=data_converter(isolated_settings(tmp_path_factory.mktemp("dev-server"))),
    )
    yield env
    await env.shutdown()


@pytest.fixture
def dev_server(dev_server_process: WorkflowEnvironment, request: pytest.FixtureRequest, tmp_path: Path) -> WorkflowEnvironment:
    """The session's dev server, through a client with the test's data keys (the module's doc)."""
    shared = dev_server_process.client
    converter = data_converter(keys_of_the_test(request, tmp_path))
    return WorkflowEnvironment(Client(shared.service_client, namespace=shared.namespace, data_converter=converter))


async def register_search_attributes(client: Client) -> None:
    """The time-skipping server knows no custom search attributes until told."""
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={
                key.name: IndexedValueType.ValueType(key.indexed_value_type.value) for key in SEARCH_ATTRIBUTES
            },
        )
    )


@pytest_asyncio.fixture(loop_scope="session")
async def time_skipping(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=installed_binary("temporal-test-server"),
        data_converter=data_converter(keys_of_the_test(request, tmp_path)),
    )
    await register_search_attributes(env.client)
    start_date = request.config.getoption("--start-date")
    if start_date:
        await sleep_until(env, start_instant(start_date))
    yield env
    await env.shutdown()
