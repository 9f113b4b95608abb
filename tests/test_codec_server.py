"""The codec server as the Web UI and the `temporal` CLI call it."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from google.protobuf import json_format
from structlog.testing import capture_logs
from temporalio.api.common.v1 import Payload, Payloads

from infra.codec import ENCODING
from infra.codec_server import build_app, endpoint, serve
from infra.converter import data_converter
from infra.keys import new_key_entry
from infra.settings import Settings

UI_ORIGIN = "http://localhost:8233"
TOKEN = "a-long-enough-test-token"
CASE = {"reference": "DR-2026-7KQ3XZ", "applicant": "Robin Example-Parent"}


KEYS = new_key_entry("k1")
JSON = {"Content-Type": "application/json"}
AUTHORISED = {"Authorization": f"Bearer {TOKEN}", **JSON}


def make_settings(tmp_path: Path, **overrides) -> Settings:
    return Settings(data_dir=tmp_path, encryption_keys=KEYS, ui_port=8233, **overrides)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest_asyncio.fixture
async def client(settings: Settings) -> AsyncIterator[TestClient]:
    async with codec_client(settings) as test_client:
        yield test_client


def codec_client(settings: Settings) -> TestClient:
    """A client of the codec server that, like the Web UI, addresses it by a host name it knows."""
    port = free_port()
    listening = settings.model_copy(update={"codec_server_port": port})
    return TestClient(TestServer(build_app(listening), host="127.0.0.1", port=port))


async def encrypted_body(settings: Settings) -> str:
    payloads = await data_converter(settings).encode([CASE])
    return json_format.MessageToJson(Payloads(payloads=payloads))


def parse(body: str) -> list[Payload]:
    return list(json_format.Parse(body, Payloads()).payloads)


def plaintext_values(body: str) -> list:
    payloads = parse(body)
    assert all(payload.metadata["encoding"] == b"json/plain" for payload in payloads)
    return [json.loads(payload.data) for payload in payloads]


@pytest.mark.parametrize("path", ["/decode", "/default/decode"])
async def test_decode_returns_plaintext_json(
    client: TestClient, settings: Settings, path: str
) -> None:
    body = await encrypted_body(settings)
    assert all(b"Robin" not in payload.data for payload in parse(body))

    response = await client.post(path, data=body, headers={"Content-Type": "application/json"})

    assert response.status == 200
    assert plaintext_values(await response.text()) == [CASE]


async def test_encode_then_decode(tmp_path: Path) -> None:
    payload = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(CASE).encode())
    plain = json_format.MessageToJson(Payloads(payloads=[payload]))
    async with codec_client(make_settings(tmp_path, codec_token=TOKEN)) as client:
        encoded = await (await client.post("/encode", data=plain, headers=AUTHORISED)).text()
        decoded = await (await client.post("/decode", data=encoded, headers=AUTHORISED)).text()
    [encrypted] = parse(encoded)
    assert encrypted.metadata["encoding"] == ENCODING and b"Robin" not in encrypted.data
    assert plaintext_values(decoded) == [CASE]


async def test_unknown_key_is_a_bad_request_naming_the_key(
    client: TestClient, tmp_path: Path
) -> None:
    other = Settings(data_dir=tmp_path, encryption_keys=new_key_entry("elsewhere"))
    response = await client.post("/decode", data=await encrypted_body(other), headers=JSON)

    assert response.status == 400
    assert "'elsewhere'" in await response.text() and "'k1'" not in await response.text()


async def test_not_payloads_json_is_a_bad_request(client: TestClient) -> None:
    response = await client.post("/decode", data="Robin Example-Parent", headers=JSON)
    assert response.status == 400
    assert "Robin" not in await response.text()


async def test_preflight_from_the_ui_origin_is_allowed(client: TestClient) -> None:
    response = await client.options(
        "/decode",
        headers={
            "Origin": UI_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-namespace",
        },
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == UI_ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed_headers = response.headers["Access-Control-Allow-Headers"].split(",")
    assert {"content-type", "x-namespace", "authorization"} <= set(allowed_headers)


@pytest.mark.parametrize("origin", [UI_ORIGIN, "http://127.0.0.1:8233"])
async def test_the_dev_web_ui_is_allowed_by_either_loopback_name(
    client: TestClient, settings: Settings, origin: str
) -> None:
    """The console is on 127.0.0.1, so people open the Web UI there too, not only on localhost."""
    preflight = await client.options("/decode", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    answer = await client.post("/decode", data=await encrypted_body(settings), headers={"Origin": origin, **JSON})

    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert answer.status == 200 and answer.headers["Access-Control-Allow-Origin"] == origin
    assert plaintext_values(await answer.text()) == [CASE]


async def test_other_origins_get_no_cors_headers(client: TestClient, settings: Settings) -> None:
    foreign = {"Origin": "http://evil.example"}
    preflight = await client.options(
        "/decode", headers={**foreign, "Access-Control-Request-Method": "POST"}
    )
    with capture_logs() as logged:
        answer = await client.post("/decode", data=await encrypted_body(settings), headers={**foreign, **JSON})

    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Origin" not in answer.headers
    text = await answer.text()
    assert answer.status == 403 and "Robin" not in text
    # The refusal names what it expected, in the answer and in the log: a mismatch is seen at once.
    expected = ["http://localhost:8233", "http://127.0.0.1:8233"]
    assert all(origin in text for origin in [*expected, "http://evil.example"])
    [refusal] = [line for line in logged if line["event"] == "codec request refused: foreign origin"]
    assert refusal["origin"] == "http://evil.example" and refusal["expected"] == expected


async def test_a_set_origin_is_the_only_one_allowed(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, codec_cors_origin="https://temporal.council.gov.uk")
    body = await encrypted_body(settings)
    async with codec_client(settings) as client:
        own = await client.post("/decode", data=body, headers={"Origin": "https://temporal.council.gov.uk", **JSON})
        dev = await client.post("/decode", data=body, headers={"Origin": UI_ORIGIN, **JSON})
        refusal = await dev.text()

    assert own.status == 200
    assert dev.status == 403 and "expects the Web UI at https://temporal.council.gov.uk (" in refusal


async def test_token_is_required_when_configured(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, codec_token=TOKEN)
    body = await encrypted_body(settings)
    async with codec_client(settings) as client:
        missing = await client.post("/decode", data=body, headers={"Origin": UI_ORIGIN, **JSON})
        wrong = await client.post("/decode", data=body, headers={"Authorization": "Bearer nope", **JSON})
        preflight = await client.options("/decode", headers={"Origin": UI_ORIGIN})
        right = await client.post("/decode", data=body, headers=AUTHORISED)

    assert missing.status == wrong.status == 401
    assert missing.headers["Access-Control-Allow-Origin"] == UI_ORIGIN  # the UI can show why
    assert preflight.status == 204
    assert right.status == 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def post_when_listening(url: str, body: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        for _ in range(100):
            try:
                async with session.post(url, data=body, headers=JSON) as response:
                    return response.status, await response.text()
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)  # not listening yet
    raise AssertionError(f"nothing listening at {url}")


async def test_serve_listens_on_the_configured_port(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, codec_server_port=free_port())
    server = asyncio.create_task(serve(settings))
    try:
        status, text = await post_when_listening(
            f"{endpoint(settings)}/decode", await encrypted_body(settings)
        )
    finally:
        server.cancel()
        with pytest.raises(asyncio.CancelledError):
            await server

    assert status == 200
    assert plaintext_values(text) == [CASE]
