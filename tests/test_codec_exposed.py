"""The codec server exposed: what an attacker, a stray web page or a bad request gets from it, and
how a self-hosted Web UI's forwarded access token is accepted. Plus production's strict codec."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import jwt
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf import json_format
from structlog.testing import capture_logs
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import WorkflowSerializationContext
from temporalio.testing import WorkflowEnvironment

from infra.codec import CASE_METADATA, ENCODING, KEY_ID_METADATA, VERSION_METADATA, DecryptionError, EncryptionCodec
from infra.codec_server import build_app, create_app
from infra.converter import data_converter
from infra.keys import parse_key_ring
from infra.settings import SettingsError, load_settings
from records.case_keys import case_keys_for
from tests.conftest import OWN_CONTACT_DETAILS, TEST_KEYS, RecordedNotifications, isolated_settings, open_case
from tests.processes import ROOT, worker_env
from worker import build_worker
from tests.test_codec_server import (
    AUTHORISED, CASE, JSON, KEYS, TOKEN, UI_ORIGIN, codec_client, encrypted_body, free_port, make_settings,
    plaintext_values,
)

# --- Refusing to start ----------------------------------------------------------------------------


def test_it_refuses_to_listen_beyond_loopback_without_authentication(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="DISAGREEMENT_CODEC_SERVER_IP=0.0.0.0 can be reached from other machines"):
        build_app(make_settings(tmp_path, codec_server_ip="0.0.0.0"))

    build_app(make_settings(tmp_path, codec_server_ip="0.0.0.0", codec_token=TOKEN))
    build_app(make_settings(
        tmp_path, codec_server_ip="0.0.0.0", codec_jwt_issuer="https://id.example.gov.uk", codec_jwt_audience="temporal-ui"
    ))


def test_an_issuer_without_an_audience_is_refused_at_start_up(tmp_path: Path) -> None:
    """Without an audience, a token the provider issued for any other application would decode."""
    with pytest.raises(SettingsError, match="DISAGREEMENT_CODEC_JWT_ISSUER is set, so DISAGREEMENT_CODEC_JWT_AUDIENCE must be set"):
        build_app(make_settings(tmp_path, codec_jwt_issuer="https://id.example.gov.uk"))

    env = {
        "DISAGREEMENT_ENCRYPTION_KEYS": KEYS, "DISAGREEMENT_CODEC_SERVER_PORT": str(free_port()), "PATH": "",
        "DISAGREEMENT_CODEC_JWT_ISSUER": "https://id.example.gov.uk",
    }
    started = subprocess.run([sys.executable, "codec_server.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert started.returncode != 0 and "Traceback" not in started.stderr
    assert started.stderr.strip().splitlines() == [
        "codec server: DISAGREEMENT_CODEC_JWT_ISSUER is set, so DISAGREEMENT_CODEC_JWT_AUDIENCE must be set too: the "
        "audience the identity provider puts in the Web UI's access tokens (without it, a token the provider issued "
        "for any other application would be accepted)"
    ]


# --- Requests it refuses --------------------------------------------------------------------------


async def test_a_foreign_host_name_is_refused_so_dns_rebinding_gets_nothing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    async with codec_client(settings) as client:
        rebound = await client.post("/decode", data=await encrypted_body(settings), headers={"Host": "attacker.example:8234", **JSON})
        text = await rebound.text()

    assert rebound.status == 421 and "Robin" not in text


async def test_a_host_name_listed_in_settings_is_answered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISAGREEMENT_CODEC_ALLOWED_HOSTS", "codec.council.example.gov.uk:443, 127.0.0.1:8234")
    monkeypatch.setenv("DISAGREEMENT_ENCRYPTION_KEYS", KEYS)
    settings = load_settings.__wrapped__()
    assert settings.codec_hosts == ["codec.council.example.gov.uk:443", "127.0.0.1:8234"]
    async with codec_client(settings.model_copy(update={"data_dir": tmp_path})) as client:
        proxied = await client.post(
            "/decode", data=await encrypted_body(settings), headers={"Host": "codec.council.example.gov.uk:443", **JSON}
        )
        decoded = await proxied.text()

    assert proxied.status == 200 and plaintext_values(decoded) == [CASE]


async def test_a_body_that_is_not_json_is_refused_before_reading(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    async with codec_client(settings) as client:
        # text/plain is what a page may send elsewhere without a CORS preflight.
        plain = await client.post("/decode", data=await encrypted_body(settings), headers={"Content-Type": "text/plain"})
        text = await plain.text()

    assert plain.status == 415 and "Robin" not in text


async def test_an_oversized_body_is_refused(tmp_path: Path) -> None:
    async with codec_client(make_settings(tmp_path)) as client:
        huge = await client.post("/decode", data=b"x" * (9 * 1024 * 1024), headers=JSON)

    assert huge.status == 413


def payloads_json(*payloads: Payload) -> str:
    return json_format.MessageToJson(Payloads(payloads=list(payloads)))


@pytest.mark.parametrize("data", [b"", b"short", b"\x00" * 27], ids=["empty", "short", "tag-less"])
async def test_empty_or_short_ciphertext_is_a_bad_request_not_a_server_error(tmp_path: Path, data: bytes) -> None:
    cut = Payload(metadata={"encoding": ENCODING, KEY_ID_METADATA: b"k1"}, data=data)
    async with codec_client(make_settings(tmp_path)) as client:
        answer = await client.post("/decode", data=payloads_json(cut), headers=JSON)
        text = await answer.text()

    assert answer.status == 400 and "too short" in text


async def test_an_unexpected_failure_is_a_500_that_quotes_nothing(tmp_path: Path) -> None:
    class Broken(EncryptionCodec):
        async def decode(self, payloads):
            raise ValueError("cannot handle Robin Example-Parent")

    ring = parse_key_ring(KEYS)
    broken = Broken(ring, case_keys_for(make_settings(tmp_path), ring))
    app = create_app(broken, allowed_origins=[UI_ORIGIN], allowed_hosts=["127.0.0.1:1"], token=TOKEN)
    server = TestServer(app, host="127.0.0.1")
    with capture_logs() as logs:
        async with TestClient(server) as client:
            answer = await client.post("/decode", data=payloads_json(), headers={**AUTHORISED, "Host": "127.0.0.1:1"})
            text = await answer.text()

    assert answer.status == 500 and "Robin" not in text
    assert "Robin" not in json.dumps(logs, default=str) and logs[-1]["error"] == "ValueError"


async def test_encode_is_refused_to_anonymous_callers_even_on_loopback(tmp_path: Path) -> None:
    plain = payloads_json(Payload(metadata={"encoding": b"json/plain"}, data=b'"anything"'))
    settings = make_settings(tmp_path)
    async with codec_client(settings) as client:
        encode = await client.post("/encode", data=plain, headers=JSON)
        refusal = await encode.text()
        decode = await client.post("/decode", data=await encrypted_body(settings), headers=JSON)
        decoded = await decode.text()

    assert encode.status == 401 and "authenticated" in refusal
    assert decode.status == 200 and plaintext_values(decoded) == [CASE]  # development: decoding stays open


def test_the_codec_server_process_logs_no_personal_data_for_a_bad_batch(tmp_path: Path) -> None:
    """On the real process's stderr: a batch with one good payload and one cut one."""
    settings = make_settings(tmp_path)
    good = json.loads(asyncio.run(encrypted_body(settings)))["payloads"]
    cut = json.loads(payloads_json(Payload(metadata={"encoding": ENCODING, KEY_ID_METADATA: b"k1"}, data=b"")))["payloads"]
    port = free_port()
    env = {"DISAGREEMENT_ENCRYPTION_KEYS": KEYS, "DISAGREEMENT_CODEC_SERVER_PORT": str(port), "PATH": ""}
    process = subprocess.Popen([sys.executable, "codec_server.py"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/decode", data=json.dumps({"payloads": good + cut}).encode(), headers=JSON,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(request, timeout=5)
            except urllib.error.HTTPError as answer:
                status = answer.code
                break
            except urllib.error.URLError:
                time.sleep(0.1)  # not listening yet
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)

    assert status == 400
    assert "codec request failed" in stderr and "Robin" not in stderr and "Traceback" not in stderr


# --- Access tokens from a self-hosted Web UI ------------------------------------------------------


class IdentityProvider:
    """A local OpenID provider's JWKS endpoint, with a signing key of its own."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex[:8]
        self.server: TestServer | None = None

    @property
    def issuer(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    async def start(self) -> None:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwks = {"keys": [public | {"kid": self.kid, "use": "sig", "alg": "RS256"}]}
        app = web.Application()

        async def keys(request: web.Request) -> web.Response:
            return web.json_response(jwks)

        app.router.add_get("/.well-known/jwks.json", keys)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    def token(self, *, signer=None, kid: str | None = None, **claims) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer, "sub": "staff-4711", "aud": "temporal-ui", "iat": now, "exp": now + 300,
            "roles": ["case_officer"],
        } | claims
        for name in [name for name, value in body.items() if value is None]:
            del body[name]  # a claim left out
        return jwt.encode(body, signer or self.key, algorithm="RS256", headers={"kid": kid or self.kid})


@pytest_asyncio.fixture(loop_scope="session")
async def identity() -> AsyncIterator[IdentityProvider]:
    provider = IdentityProvider()
    await provider.start()
    yield provider
    assert provider.server is not None
    await provider.server.close()


async def test_a_forwarded_access_token_from_the_issuer_is_accepted_and_its_subject_logged(
    tmp_path: Path, identity: IdentityProvider
) -> None:
    settings = make_settings(tmp_path, codec_jwt_issuer=identity.issuer, codec_jwt_audience="temporal-ui", codec_token=TOKEN)
    payloads = await data_converter(settings).with_context(WorkflowSerializationContext("default", "DR-2026-7KQ3XZ")).encode([CASE])
    body = payloads_json(*payloads)  # as the worker encrypts them: each naming its case
    now = int(time.time())
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused_tokens = {
        "expired": identity.token(exp=now - 60, iat=now - 600),
        "other issuer": identity.token(iss="https://elsewhere.example"),
        "other audience": identity.token(aud="another-app"),
        "not signed by the issuer": identity.token(signer=stranger),
        "garbage": "not.a.jwt",
    }

    async with codec_client(settings) as client:
        with capture_logs() as logs:
            accepted = await client.post("/decode", data=body, headers={"Authorization": f"Bearer {identity.token()}", **JSON})
            decoded = await accepted.text()
        static = await client.post("/decode", data=body, headers=AUTHORISED)
        statuses = {}
        for name, token in refused_tokens.items():
            statuses[name] = (await client.post("/decode", data=body, headers={"Authorization": f"Bearer {token}", **JSON})).status

    assert accepted.status == 200 and plaintext_values(decoded) == [CASE]
    assert static.status == 200  # the development token still works beside it
    assert statuses == {name: 401 for name in refused_tokens}
    [served] = [entry for entry in logs if entry["event"] == "codec request"]
    assert served["user"] == "staff-4711" and served["cases"] == ["DR-2026-7KQ3XZ"]
    assert "Robin" not in json.dumps(logs, default=str)


HOUR = 3600
# Each token the codec server refuses, with the claims that make it so, its status and the words.
REFUSED = {
    "no audience": ({"aud": None}, 401, "has no 'aud' claim"),
    "another API's audience": ({"aud": "https://graph.example.com"}, 401, "is for another audience"),
    "a hundred years": ({"exp": int(time.time()) + 100 * 365 * 24 * HOUR}, 401, "lives longer than this server accepts (12 hours at most"),
    "13 hours": ({"exp": int(time.time()) + 13 * HOUR}, 401, "lives longer than this server accepts"),
    "13 hours left, no iat": ({"iat": None, "exp": int(time.time()) + 13 * HOUR}, 401, "lives longer than this server accepts"),
    "issued in the future": ({"iat": int(time.time()) + HOUR, "exp": int(time.time()) + 2 * HOUR}, 401, "is not valid yet"),
    "no roles claim": ({"roles": None}, 403, "'roles' claim names no role that may read payloads here"),
    "no role of ours": ({"roles": ["finance_clerk", "CASE_OFFICER"]}, 403, "names no role that may read payloads here"),
    "roles as an object": ({"roles": {"case_officer": True}}, 403, "names no role"),
    "expired": ({"iat": int(time.time()) - 2 * HOUR, "exp": int(time.time()) - HOUR}, 401, "has expired"),
}
ACCEPTED = {
    "exactly 12 hours": {"exp": int(time.time()) + 12 * HOUR},
    "no iat, an hour left": {"iat": None, "exp": int(time.time()) + HOUR},
    "one role among others": {"roles": ["finance_clerk", "records_officer"]},
    "a single role as a string": {"roles": "team_manager"},
    "administrator": {"roles": ["administrator"]},
}


async def decode_with(client: TestClient, body: str, token: str) -> tuple[int, str, str]:
    answer = await client.post("/decode", data=body, headers={"Authorization": f"Bearer {token}", **JSON})
    return answer.status, await answer.text(), answer.headers.get("WWW-Authenticate", "")


async def test_tokens_for_another_audience_too_long_lived_or_without_a_role_are_refused_in_words(
    tmp_path: Path, identity: IdentityProvider
) -> None:
    settings = make_settings(tmp_path, codec_jwt_issuer=identity.issuer, codec_jwt_audience="temporal-ui")
    body = await encrypted_body(settings)

    async with codec_client(settings) as client:
        with capture_logs() as logs:
            refused = {name: await decode_with(client, body, identity.token(**claims)) for name, (claims, _, _) in REFUSED.items()}
        accepted = {name: await decode_with(client, body, identity.token(**claims)) for name, claims in ACCEPTED.items()}

    for name, (_, status, words) in REFUSED.items():
        got, text, challenge = refused[name]
        assert (name, got) == (name, status) and words in text, (name, text)
        assert "staff-4711" not in text and "Robin" not in text  # names no one, quotes nothing
        assert challenge == ('Bearer error="insufficient_scope"' if status == 403 else 'Bearer error="invalid_token"')
    assert {name: status for name, (status, _, _) in accepted.items()} == {name: 200 for name in ACCEPTED}
    assert all(plaintext_values(text) == [CASE] for _, text, _ in accepted.values())
    # The log says why, and who was refused a role (a staff id), never what the payloads hold.
    refusals = [entry for entry in logs if entry["event"] == "codec request refused: access token not accepted"]
    assert len(refusals) == len(REFUSED) and not [entry for entry in logs if entry["event"] == "codec request"]
    assert {entry["user"] for entry in refusals if entry["status"] == 403} == {"staff-4711"}
    assert "Robin" not in json.dumps(logs, default=str)


async def test_the_roles_claim_and_the_roles_accepted_come_from_settings(
    tmp_path: Path, identity: IdentityProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISAGREEMENT_ENCRYPTION_KEYS", KEYS)
    monkeypatch.setenv("DISAGREEMENT_CODEC_JWT_ISSUER", identity.issuer)
    monkeypatch.setenv("DISAGREEMENT_CODEC_JWT_AUDIENCE", "temporal-ui")
    monkeypatch.setenv("DISAGREEMENT_OIDC_ROLES_CLAIM", "realm_access.roles")  # Keycloak's
    # The provider's group names give our roles; records officers and case officers may decode here.
    monkeypatch.setenv("DISAGREEMENT_ROLE_RECORDS_OFFICER", "send-records")
    monkeypatch.setenv("DISAGREEMENT_ROLE_CASE_OFFICER", "send-caseworkers")
    monkeypatch.setenv("DISAGREEMENT_ROLE_TEAM_MANAGER", "send-managers")
    monkeypatch.setenv("DISAGREEMENT_CODEC_ROLES", "records_officer, case_officer")
    monkeypatch.setenv("DISAGREEMENT_CODEC_JWT_MAX_LIFETIME_HOURS", "1")
    settings = load_settings.__wrapped__().model_copy(update={"data_dir": tmp_path})
    body = await encrypted_body(settings)
    now = int(time.time())

    async with codec_client(settings) as client:
        caseworker = await decode_with(client, body, identity.token(roles=None, realm_access={"roles": ["send-caseworkers"]}))
        top_level = await decode_with(client, body, identity.token(roles=["send-caseworkers"]))
        other_group = await decode_with(client, body, identity.token(roles=None, realm_access={"roles": ["case_officer"]}))
        manager = await decode_with(client, body, identity.token(roles=None, realm_access={"roles": ["send-managers"]}))
        two_hours = await decode_with(
            client, body, identity.token(roles=None, realm_access={"roles": ["send-records"]}, exp=now + 2 * HOUR)
        )

    assert caseworker[0] == 200
    assert top_level[0] == other_group[0] == manager[0] == 403
    assert "'realm_access.roles' claim names no role" in other_group[1] and "send-caseworkers, send-records" in other_group[1]
    assert two_hours[0] == 401 and "(1 hour at most, DISAGREEMENT_CODEC_JWT_MAX_LIFETIME_HOURS)" in two_hours[1]


async def test_the_log_keeps_apart_the_cases_of_payloads_that_bound_nothing(tmp_path: Path) -> None:
    """Release 1.0.0's payloads carry a case reference anyone could have changed: logged as unbound."""
    settings = make_settings(tmp_path)
    ring = parse_key_ring(KEYS)
    new = await data_converter(settings).payload_codec.with_context(WorkflowSerializationContext("default", "DR-2026-7KQ3XZ")).encode(
        [Payload(metadata={"encoding": b"json/plain"}, data=b'"new"')]
    )
    nonce = os.urandom(12)
    sealed = AESGCM(ring.keys["k1"]).encrypt(nonce, Payload(metadata={"encoding": b"json/plain"}, data=b'"old"').SerializeToString(), None)
    old = Payload(metadata={"encoding": ENCODING, KEY_ID_METADATA: b"k1", CASE_METADATA: b"DR-2026-4MN8PQ"}, data=nonce + sealed)

    async with codec_client(settings) as client:
        with capture_logs() as logs:
            answer = await client.post("/decode", data=payloads_json(*new, old), headers=JSON)

    assert answer.status == 200
    [served] = [entry for entry in logs if entry["event"] == "codec request"]
    assert served["cases"] == ["DR-2026-7KQ3XZ"] and served["unbound_cases"] == ["DR-2026-4MN8PQ"]


async def test_payloads_encrypted_by_a_worker_name_their_case(dev_server: WorkflowEnvironment, tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    handle = await dev_server.client.start_workflow("DisagreementCase", open_case(), id=f"DR-2026-{uuid.uuid4().hex[:6].upper()}", task_queue=settings.task_queue)
    raw = await Client.connect(dev_server.client.service_client.config.target_host)  # no codec: sees what the server holds
    history = await raw.get_workflow_handle(handle.id).fetch_history()
    [started] = [event for event in history.events if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED]
    [payload] = started.workflow_execution_started_event_attributes.input.payloads

    assert payload.metadata[CASE_METADATA] == handle.id.encode() and payload.metadata["encoding"] == ENCODING
    assert payload.metadata[VERSION_METADATA] == b"3"  # the case's own data key, the reference bound to the ciphertext
    await handle.terminate()


# --- Production -----------------------------------------------------------------------------------


def test_production_needs_a_key_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISAGREEMENT_PRODUCTION", "true")
    monkeypatch.delenv("DISAGREEMENT_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(SettingsError, match="DISAGREEMENT_PRODUCTION is set, so DISAGREEMENT_ENCRYPTION_KEYS"):
        load_settings.__wrapped__()  # not the process-wide cache


def test_a_production_worker_without_a_key_does_not_start(tmp_path: Path) -> None:
    env = worker_env(WorkflowEnvironmentStub(), isolated_settings(tmp_path), production="true")
    env.pop("DISAGREEMENT_ENCRYPTION_KEYS")

    started = subprocess.run([sys.executable, "worker.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert started.returncode != 0
    assert "DISAGREEMENT_ENCRYPTION_KEYS" in started.stderr and "Traceback" not in started.stderr


def test_a_production_worker_without_the_answer_links_secret_does_not_start(tmp_path: Path) -> None:
    """Read at start-up, so that no message that asks something waits on retries, unsent, for it."""
    production = {name: "|".join(value) if isinstance(value, list) else value for name, value in OWN_CONTACT_DETAILS.items()}
    env = worker_env(
        WorkflowEnvironmentStub(), isolated_settings(tmp_path), production="true", actor_verification="required", **production,
    )

    started = subprocess.run([sys.executable, "worker.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert started.returncode != 0
    assert "DISAGREEMENT_PUBLIC_SITE_SECRET_FILE: cannot read" in started.stderr and "Traceback" not in started.stderr


class WorkflowEnvironmentStub:
    """Only the address a worker would connect to: it never gets that far."""

    class client:  # noqa: N801
        namespace = "default"

        class service_client:  # noqa: N801
            class config:  # noqa: N801
                target_host = "127.0.0.1:1"


async def test_production_refuses_unencrypted_payloads(tmp_path: Path) -> None:
    ring = parse_key_ring(TEST_KEYS)
    strict = EncryptionCodec(ring, case_keys_for(isolated_settings(tmp_path), ring), refuse_plaintext=True)
    relaxed = data_converter(isolated_settings(tmp_path)).payload_codec
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'{"name": "Robin"}')

    assert await relaxed.decode([plain]) == [plain]
    with pytest.raises(DecryptionError, match="unencrypted"):
        await strict.decode([plain])
    assert await strict.decode(await strict.encode([plain])) == [plain]


async def test_a_production_worker_does_not_run_a_case_started_without_encryption(
    dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    settings = isolated_settings(
        tmp_path, production=True, encryption_keys=TEST_KEYS, actor_verification="required", **OWN_CONTACT_DETAILS
    )
    target = dev_server.client.service_client.config.target_host
    worker_client = await Client.connect(target, data_converter=data_converter(settings))
    outsider = await Client.connect(target, data_converter=pydantic_data_converter)  # no codec
    reference = f"DR-2026-{uuid.uuid4().hex[:6].upper()}"
    notifications = RecordedNotifications()

    async with build_worker(worker_client, settings, notifications):
        handle = await outsider.start_workflow("DisagreementCase", open_case(), id=reference, task_queue=settings.task_queue)
        for _ in range(200):
            events = [event.event_type async for event in handle.fetch_history_events()]
            if EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED in events:
                break
            await asyncio.sleep(0.1)

    assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED in events
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in events and notifications.notices == []
    await handle.terminate()
