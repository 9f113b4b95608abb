"""Local stand-ins for where messages go, started by the tests: an SMTP server and GOV.UK Notify.

`Mailbox` is an aiosmtpd handler (the `mailbox` fixture runs it on a free loopback port).

`FakeNotify` (the `notify` fixture) is the GOV.UK Notify API, strict about what its documentation
requires:

- `Authorization: Bearer <JWT>`, HS256, signed with the API key's secret, `iss` the service id,
  `iat` within 30 seconds (checked with the client library's own decoder);
- POST /v2/notifications/{email,sms,letter}: JSON with a `template_id` of that type, the
  `email_address` or `phone_number` (or, for letters, `address_line_1`.. with a postcode last),
  `personalisation` of strings, and a `reference`;
- GET /v2/notifications?reference=...: the notifications sent with that reference.

Errors come back as Notify sends them: `{"errors": [{"error": ..., "message": ...}], "status_code": ...}`.
Tests queue failures with `fail_next`, or stop the server to make it unreachable.
"""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

from domain.models import Channel
from domain.notifications import Template
from infra.settings import Settings

MAIL_FROM = "SEND disagreement resolution <send@council.example.gov.uk>"

# --- SMTP ------------------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and refuses the addresses it is told to."""

    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        self.received.append(message_from_bytes(envelope.original_content, policy=default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    # aiosmtpd's Controller cannot take port 0 (its start-up check connects to the port given).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mailbox(smtp_port: int) -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield box
    controller.stop()


def smtp_settings(tmp_path: Path, port: int, **overrides) -> Settings:
    fields = dict(
        data_dir=tmp_path, notification_backend="smtp", smtp_host="127.0.0.1", smtp_port=port,
        smtp_security="none", mail_from=MAIL_FROM, smtp_timeout_seconds=5,
    )
    return Settings(**(fields | overrides))


# --- GOV.UK Notify ---------------------------------------------------------------------------------

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def template_id(template: Template, channel: Channel) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"notify-template/{template.value}/{channel.value}"))


TEMPLATES = {template_id(template, channel): (template, channel) for template in Template for channel in Channel}


def every_template_id() -> dict[str, dict[str, str]]:
    return {template.value: {channel.value: template_id(template, channel) for channel in Channel} for template in Template}


@dataclass
class FakeNotify:
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    sent: list[dict] = field(default_factory=list)  # accepted notifications, with their "type"
    posts: int = 0  # every send request, accepted or not
    lookups: int = 0  # every search by reference
    fail_next: list[tuple[int, str]] = field(default_factory=list)  # (status, error name) for the next sends
    server: TestServer | None = None

    @property
    def api_key(self) -> str:
        return f"disagreement_test-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    def of_type(self, kind: str) -> list[dict]:
        return [notification for notification in self.sent if notification["type"] == kind]

    async def start(self, port: int | None = None) -> None:
        app = web.Application(middlewares=[self._authorised])
        app.router.add_post("/v2/notifications/{kind}", self._send)
        app.router.add_get("/v2/notifications", self._list)
        self.server = TestServer(app, host="127.0.0.1", port=port)
        await self.server.start_server()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.close()

    @web.middleware
    async def _authorised(self, request: web.Request, handler) -> web.StreamResponse:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        try:
            if get_token_issuer(token) != self.service_id:
                return _error(403, "AuthError", "Invalid token: service not found")
            decode_jwt_token(token, self.secret)
        except TokenError as problem:
            return _error(403, "AuthError", problem.message)
        return await handler(request)

    async def _send(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        self.posts += 1
        if self.fail_next:
            status, name = self.fail_next.pop(0)
            # Notify's messages may name the recipient: the client must not pass them on.
            return _error(status, name, "email_address sam.parent@example.org Not a valid email address")
        body = await request.json()
        problem = _problem(kind, body)
        if problem:
            return _error(400, "ValidationError", problem)
        notification = {"id": str(uuid.uuid4()), "type": kind, "status": "created", **body}
        self.sent.append(notification)
        return web.json_response(
            {
                "id": notification["id"],
                "reference": body["reference"],
                "content": {"body": "...", "subject": "..."},
                "uri": f"{self.base_url}/v2/notifications/{notification['id']}",
                "template": {"id": body["template_id"], "version": 1, "uri": "..."},
            },
            status=201,
        )

    async def _list(self, request: web.Request) -> web.Response:
        reference = request.query.get("reference")
        self.lookups += 1
        found = [
            {"id": item["id"], "reference": item["reference"], "type": item["type"], "status": item["status"]}
            for item in self.sent
            if reference is None or item["reference"] == reference
        ]
        return web.json_response({"notifications": found, "links": {"current": f"{self.base_url}/v2/notifications"}})


def _problem(kind: str, body: dict) -> str | None:
    """What Notify would reject in this request, in its words; None when it is acceptable."""
    required = {"email": "email_address", "sms": "phone_number", "letter": None}
    if kind not in required:
        return f"{kind} is not a notification type"
    template = TEMPLATES.get(body.get("template_id"))
    if template is None:
        return "template_id is not a valid UUID or is not a template of this service"
    if template[1].value != kind:
        return f"{template[0].value} template is not a {kind} template"
    if required[kind] and not body.get(required[kind]):
        return f"{required[kind]} is a required property"
    if not isinstance(body.get("reference"), str) or not body["reference"]:
        return "reference is required by these tests (the idempotency key)"
    personalisation = body.get("personalisation", {})
    if not all(isinstance(value, str) for value in personalisation.values()):
        return "personalisation values must be strings"
    if kind == "letter":
        lines = [personalisation.get(f"address_line_{n}") for n in range(1, 8)]
        lines = [line for line in lines if line]
        if len(lines) < 3 or not POSTCODE.match(lines[-1]):
            return "Address must be at least 3 lines, and the last line must be a real UK postcode"
    return None


def _error(status: int, name: str, message: str) -> web.Response:
    return web.json_response({"errors": [{"error": name, "message": message}], "status_code": status}, status=status)


@pytest_asyncio.fixture(loop_scope="session")
async def notify() -> AsyncIterator[FakeNotify]:
    fake = FakeNotify()
    await fake.start()
    yield fake
    await fake.stop()


def notify_settings(tmp_path: Path, notify: FakeNotify, **overrides) -> Settings:
    fields = dict(
        data_dir=tmp_path, notification_backend="notify", notify_api_key=notify.api_key,
        notify_base_url=notify.base_url, notify_template_ids=every_template_id(),
    )
    return Settings(**(fields | overrides))
