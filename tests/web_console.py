"""Driving the web console in tests: through the ASGI test client, or served by uvicorn for a browser.

`Console` keeps every response it saw, so a test can check, across all of them, that no personal
data reached a URL, a title or a log line and that every response says `Cache-Control: no-store`.
"""

from __future__ import annotations

import asyncio
import html
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from starlette.types import ASGIApp
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.calendar import LONDON
from domain.models import OpenCase
from infra.identity import Role
from infra.settings import Settings
from tests.conftest import TEST_KEYS
from web.settings import WebSettings

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S)
ERROR_LINKS = re.compile(r'<a href="#([^"]+)">([^<]+)</a>')
HREFS = re.compile(r'(?:href|action|formaction)="([^"]*)"')
SUMMARY = re.compile(r'<div class="govuk-error-summary".*?</ul>', re.S)


CONSOLE = "http://127.0.0.1:8080"  # where the test client says it is (`Host`): the default bind host and port


def web_settings(data_dir: Path, task_queue: str, **overrides) -> WebSettings:
    """The console's settings for a test: the development sign-in on (as `make run` has it), unless
    the test signs in through OIDC."""
    overrides.setdefault("dev_sign_in", "oidc_issuer" not in overrides)
    return WebSettings(data_dir=data_dir, task_queue=task_queue, encryption_keys=TEST_KEYS, **overrides)


def page_title(response: httpx.Response) -> str:
    found = TITLE.search(response.text)
    return html.unescape(found.group(1).strip()) if found else ""


def error_summary(response: httpx.Response) -> dict[str, str]:
    """The GOV.UK error summary on a page: field anchor -> message."""
    box = SUMMARY.search(response.text)
    return {anchor: html.unescape(text.strip()) for anchor, text in ERROR_LINKS.findall(box.group(0))} if box else {}


@dataclass
class Console:
    http: httpx.AsyncClient
    responses: list[httpx.Response] = field(default_factory=list)
    csrf: str | None = None

    async def get(self, path: str, **params: str) -> httpx.Response:
        return self._seen(await self.http.get(path, params=params or None))

    async def post(self, path: str, data: dict | list, *, csrf: str | None = None) -> httpx.Response:
        token = csrf if csrf is not None else self.csrf
        form: dict[str, list[str]] = {"csrf_token": [token or ""]}
        for name, value in data.items() if isinstance(data, dict) else data:
            form.setdefault(name, []).append(value)
        return self._seen(await self.http.post(path, data=form))

    async def sign_in(self, staff: str = "jo.smith", *roles: Role) -> httpx.Response:
        """The development sign-in, with these roles (a case officer's by default)."""
        await self.get("/sign-in")
        chosen = [("roles", role.value) for role in roles or (Role.case_officer,)]
        return await self.post("/sign-in/dev", [("staff_id", staff), *chosen])

    async def act(self, reference: str, slug: str, fields: dict | list) -> httpx.Response:
        await self.get(f"/cases/{reference}/{slug}")  # as a person would: the form first
        return await self.post(f"/cases/{reference}/{slug}", fields)

    async def open_case(self, opened: OpenCase, **extra: str) -> str:
        """Open a DR case through the form and the check-answers page; returns its reference."""
        return await self.open_through("/cases/new", opening_fields(opened, **extra))

    async def open_through(self, path: str, fields: dict | list) -> str:
        """Fill in an opening form, check the answers and open the case; returns its reference."""
        await self.get(path)
        check = await self.post(f"{path}/check", fields)
        assert check.status_code == 200, error_summary(check)
        draft = html.unescape(re.search(r'name="draft" value="([^"]*)"', check.text).group(1))
        opened_page = await self.post(f"{path}/open", {"draft": draft})
        assert opened_page.status_code == 303, error_summary(opened_page)
        return opened_page.headers["location"].rsplit("/", 1)[1]

    def _seen(self, response: httpx.Response) -> httpx.Response:
        self.responses.append(response)
        found = CSRF.search(response.text) if "text/html" in response.headers.get("content-type", "") else None
        if found:
            self.csrf = found.group(1)
        return response

    def urls(self) -> list[str]:
        """Every URL requested, redirected to or linked from a page."""
        seen = [str(response.request.url) for response in self.responses]
        seen += [response.headers.get("location", "") for response in self.responses]
        for response in self.responses:
            seen += [html.unescape(href) for href in HREFS.findall(response.text)]
        return seen


def opening_fields(opened: OpenCase, **extra: str) -> list[tuple[str, str]]:
    """The open-case form filled in with `opened`'s answers."""
    contact = opened.applicant.contact
    fields = [
        ("applicant_name", opened.applicant.name),
        ("applicant_role", opened.applicant.role.value),
        ("applicant_email", str(contact.email or "")),
        ("applicant_phone", contact.phone or ""),
        ("ehc_point", opened.ehc_point.value),
        ("summary", opened.summary),
        ("case_officer", opened.case_officer),
    ]
    if opened.supporter:
        fields += [("supporter_name", opened.supporter.name), ("supporter_email", str(opened.supporter.email))]
    for row, organisation in enumerate(opened.organisations, start=1):
        fields += [
            (f"org-{row}-kind", organisation.kind.value),
            (f"org-{row}-name", organisation.name),
            (f"org-{row}-email", str(organisation.contact.email)),
        ]
    fields += [("kinds", kind.value) for kind in opened.kinds]
    return fields + list(extra.items())


def date_fields(name: str, value: date) -> dict[str, str]:
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}


def session_fields(seconds_ahead: float, venue: str = "Town Hall, room 2") -> dict[str, str]:
    """A session a few seconds ahead, typed as a person would (England's time), seconds included."""
    at = (datetime.now(UTC) + timedelta(seconds=seconds_ahead)).astimezone(LONDON)
    return date_fields("at", at.date()) | {"time": at.strftime("%H:%M:%S"), "venue": venue}


@asynccontextmanager
async def console_over(app: ASGIApp, base_url: str = CONSOLE) -> AsyncIterator[Console]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as http:
        yield Console(http)


@asynccontextmanager
async def console_on_records(dev_server: WorkflowEnvironment, records: Settings) -> AsyncIterator[Console]:
    """The console, and a worker, on the records store of these settings (SQLite or PostgreSQL)."""
    from tests.conftest import running_worker
    from web.app import create_app

    app = create_app(web_settings(records.data_dir, records.task_queue, records_url=records.records_url), dev_server.client)
    async with running_worker(dev_server.client, records), console_over(app) as console:
        yield console


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def served(app: ASGIApp, port: int) -> AsyncIterator[str]:
    """The console under uvicorn on loopback on `port` (a free one, also the console's `web_port`, so
    its `Host` is allowed), on this event loop; yields its address."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # uvicorn stopped at start-up: raise its error
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def wait_until_listed(client: Client, query: str, count: int, seconds: float = 15) -> None:
    """Visibility lags a little behind the workflows."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (await client.count_workflows(query)).count < count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"visibility did not list {count} cases for {query}")
        await asyncio.sleep(0.2)
