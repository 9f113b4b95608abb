"""Encryption of payloads and failures, key rotation, and the key settings."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from pydantic import BaseModel
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.converter import DataConverter
from temporalio.exceptions import ApplicationError

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf import json_format
from temporalio.client import WorkflowHistory
from temporalio.converter import WorkflowSerializationContext

from infra.codec import CASE_METADATA, ENCODING, KEY_ID_METADATA, VERSION_METADATA, DecryptionError, EncryptionCodec
from infra.converter import data_converter
from infra.keys import new_key_entry, parse_key_ring
from infra.settings import Settings, SettingsError, load_settings
from tests.conftest import TEST_KEYS

KEYS_VARIABLE = "DISAGREEMENT_ENCRYPTION_KEYS"
SECRET_NAME = "Robin Example-Child"  # stands in for personal data that must never show


class Child(BaseModel):
    name: str
    needs: list[str]


CHILD = Child(name=SECRET_NAME, needs=["speech and language therapy"])


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """No keys from the machine's environment, and a fresh `load_settings` each time."""
    monkeypatch.delenv(KEYS_VARIABLE, raising=False)
    monkeypatch.setenv("DISAGREEMENT_DATA_DIR", str(tmp_path))
    load_settings.cache_clear()
    yield
    load_settings.cache_clear()


def converter(*entries: str) -> DataConverter:
    return data_converter(Settings(encryption_keys=",".join(entries)))


async def test_pydantic_model_round_trips_encrypted() -> None:
    dc = converter(new_key_entry("k1"))

    [payload] = await dc.encode([CHILD])

    assert payload.metadata["encoding"] == ENCODING
    assert payload.metadata[KEY_ID_METADATA] == b"k1"
    assert SECRET_NAME.encode() not in payload.SerializeToString()
    assert await dc.decode([payload], [Child]) == [CHILD]


async def test_same_value_encrypts_differently_each_time() -> None:
    dc = converter(new_key_entry("k1"))
    first, second = await dc.encode([CHILD, CHILD])
    assert first.data != second.data  # a fresh nonce per payload


async def test_rotation_new_key_encrypts_old_key_still_decrypts() -> None:
    old, new = new_key_entry("2025-a"), new_key_entry("2026-a")
    [from_before] = await converter(old).encode([CHILD])

    rotated = converter(new, old)
    [from_now_on] = await rotated.encode([CHILD])

    assert from_now_on.metadata[KEY_ID_METADATA] == b"2026-a"
    assert await rotated.decode([from_before, from_now_on], [Child, Child]) == [CHILD, CHILD]


async def test_unknown_key_id_is_a_clear_error_without_content() -> None:
    [payload] = await converter(new_key_entry("retired")).encode([CHILD])

    with pytest.raises(DecryptionError, match="'retired'") as raised:
        await converter(new_key_entry("current")).decode([payload], [Child])
    assert SECRET_NAME not in str(raised.value)


async def test_altered_payload_does_not_decrypt() -> None:
    dc = converter(new_key_entry("k1"))
    [payload] = await dc.encode([CHILD])
    altered = Payload(metadata=payload.metadata, data=payload.data[:-1] + b"\x00")

    with pytest.raises(DecryptionError, match="does not authenticate"):
        await dc.decode([altered], [Child])


# --- The metadata is bound to the ciphertext (encryption versions 2 and 3) -----------------------

REFERENCE, OTHER_REFERENCE = "DR-2026-7KQ3XZ", "DR-2026-4MN8PQ"
NO_CASE = "records-purge-2026-12-01T02:00:00Z"  # a workflow of no case: the key ring's, version 2
HISTORIES = Path(__file__).parent / "histories"


def case_codec(keys: str, workflow: str = REFERENCE) -> EncryptionCodec:
    """The codec as the worker has it for one workflow (the SDK names it), its data keys in the
    test's records file."""
    return ring_codec(keys).with_context(WorkflowSerializationContext("default", workflow))


def ring_codec(keys: str = TEST_KEYS) -> EncryptionCodec:
    """The codec with no workflow named: the records store's and the codec server's."""
    return data_converter(Settings(encryption_keys=keys)).payload_codec


def with_metadata(payload: Payload, **changes: bytes | None) -> Payload:
    """The payload with some metadata replaced (None removes it), the ciphertext untouched."""
    metadata = dict(payload.metadata)
    for name, value in changes.items():
        name = name.replace("_", "-")
        if value is None:
            metadata.pop(name, None)
        else:
            metadata[name] = value
    return Payload(metadata=metadata, data=payload.data)


async def test_a_payload_of_no_case_names_its_workflow_key_and_version_and_decrypts() -> None:
    plain = Payload(metadata={"encoding": b"json/plain"}, data=SECRET_NAME.encode())
    [payload] = await case_codec(TEST_KEYS, NO_CASE).encode([plain])

    assert payload.metadata[VERSION_METADATA] == b"2" and payload.metadata[KEY_ID_METADATA] == b"test-1"
    assert payload.metadata[CASE_METADATA] == NO_CASE.encode()
    assert await case_codec(TEST_KEYS, NO_CASE).decode([payload]) == [plain]
    assert await ring_codec().decode([payload]) == [plain]  # as the codec server


@pytest.mark.parametrize(
    "changes",
    [
        {"case_reference": OTHER_REFERENCE.encode()},
        {"case_reference": None},
        {"case_reference": b""},
        {"encryption_version": None},  # passed off as release 1.0.0's format, which bound nothing
        {"encryption_key_id": b"test-2"},  # another id for the same key
    ],
    ids=["another-case", "case-removed", "case-emptied", "marker-removed", "key-id-swapped"],
)
async def test_swapped_metadata_does_not_decrypt(changes: dict) -> None:
    same_key_twice = TEST_KEYS + "," + TEST_KEYS.replace("test-1:", "test-2:")
    plain = Payload(metadata={"encoding": b"json/plain"}, data=SECRET_NAME.encode())
    [payload] = await case_codec(same_key_twice, NO_CASE).encode([plain])

    with pytest.raises(DecryptionError, match="does not authenticate: it was altered") as raised:
        await case_codec(same_key_twice, NO_CASE).decode([with_metadata(payload, **changes)])
    assert SECRET_NAME not in str(raised.value)


async def test_a_payload_without_a_case_is_bound_to_having_none() -> None:
    """The codec server encodes outside any workflow: no case reference, and none may be added."""
    plain = Payload(metadata={"encoding": b"json/plain"}, data=SECRET_NAME.encode())
    codec = ring_codec()
    [payload] = await codec.encode([plain])

    assert CASE_METADATA not in payload.metadata and payload.metadata[VERSION_METADATA] == b"2"
    assert await codec.decode([payload]) == [plain]
    for added in (REFERENCE.encode(), b""):  # an empty reference is not the absence of one
        with pytest.raises(DecryptionError, match="does not authenticate"):
            await codec.decode([with_metadata(payload, case_reference=added)])


async def test_an_unknown_version_is_refused_in_words() -> None:
    [payload] = await case_codec(TEST_KEYS).encode([Payload(metadata={"encoding": b"json/plain"}, data=b"{}")])

    with pytest.raises(DecryptionError, match="encryption-version '4', which this release does not know"):
        await case_codec(TEST_KEYS).decode([with_metadata(payload, encryption_version=b"4")])


async def test_a_payload_of_release_1_0_0_still_decrypts_as_before() -> None:
    """Written without associated data and without the marker: its metadata (even a case reference
    changed since) was never authenticated, and it decrypts exactly as it always did."""
    plain = Payload(metadata={"encoding": b"json/plain"}, data=SECRET_NAME.encode())
    ring = parse_key_ring(TEST_KEYS)
    nonce = os.urandom(12)
    sealed = AESGCM(ring.keys["test-1"]).encrypt(nonce, plain.SerializeToString(), None)
    old = Payload(
        metadata={"encoding": ENCODING, KEY_ID_METADATA: b"test-1", CASE_METADATA: REFERENCE.encode()}, data=nonce + sealed
    )

    assert await case_codec(TEST_KEYS).decode([old]) == [plain]
    assert await ring_codec().decode([with_metadata(old, case_reference=OTHER_REFERENCE.encode())]) == [plain]


async def test_a_recorded_history_of_release_1_0_0_still_decrypts() -> None:
    history = WorkflowHistory.from_json("declined", json.loads((HISTORIES / "declined.json").read_text()))
    [payload] = history.events[0].workflow_execution_started_event_attributes.input.payloads
    assert VERSION_METADATA not in payload.metadata  # written before version 2

    [decoded] = await case_codec(TEST_KEYS, payload.metadata[CASE_METADATA].decode()).decode([payload])
    assert decoded.metadata["encoding"] == b"json/plain" and "applicant" in json.loads(decoded.data)


async def test_failure_message_is_encrypted_and_restored() -> None:
    dc = converter(new_key_entry("k1"))
    failure = Failure()

    await dc.encode_failure(ApplicationError(f"no school place for {SECRET_NAME}"), failure)

    assert SECRET_NAME.encode() not in failure.SerializeToString()
    assert failure.encoded_attributes.metadata[KEY_ID_METADATA] == b"k1"
    restored = await dc.decode_failure(failure)
    assert isinstance(restored, ApplicationError)
    assert restored.message == f"no school place for {SECRET_NAME}"


def test_no_key_anywhere_says_how_to_make_one() -> None:
    with pytest.raises(SettingsError, match=KEYS_VARIABLE) as raised:
        data_converter(load_settings())
    assert "python -m infra.keys" in str(raised.value)


@pytest.mark.parametrize(
    "keys",
    [
        "no-colon-here",
        "k1:not*base64",
        "k1:" + base64.b64encode(os.urandom(16)).decode(),  # 128-bit
        "bad/id:" + base64.b64encode(os.urandom(32)).decode(),
        new_key_entry("k1") + "," + new_key_entry("k1"),
    ],
    ids=["no-id", "not-base64", "short-key", "bad-id", "duplicate-id"],
)
def test_malformed_keys_stop_start_up_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, keys: str
) -> None:
    monkeypatch.setenv(KEYS_VARIABLE, keys)
    with pytest.raises(SettingsError, match=KEYS_VARIABLE) as raised:
        load_settings()
    key_material = [entry.partition(":")[2] for entry in keys.split(",")]
    assert not any(secret and secret in str(raised.value) for secret in key_material)


def test_dev_key_file_is_made_once_owner_only_and_used(tmp_path: Path) -> None:
    settings = load_settings()

    created = settings.ensure_dev_key_file()
    written = settings.encryption_key_path.read_text()
    created_again = settings.ensure_dev_key_file()

    assert created == settings.encryption_key_path == tmp_path / "encryption-keys"
    assert created_again is None
    assert settings.encryption_key_path.read_text() == written  # never replaced
    assert stat.S_IMODE(settings.encryption_key_path.stat().st_mode) == 0o600
    assert settings.encryption_key_ring().current_id.startswith("dev-")


def test_no_dev_key_file_when_keys_are_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEYS_VARIABLE, new_key_entry("k1"))
    settings = load_settings()

    assert settings.ensure_dev_key_file() is None
    assert not settings.encryption_key_path.exists()


def test_malformed_key_file_names_file_and_variable() -> None:
    settings = load_settings()
    settings.encryption_key_path.write_text("garbage\n")
    settings.encryption_key_path.chmod(0o600)

    with pytest.raises(SettingsError, match=f"encryption-keys.*{KEYS_VARIABLE}"):
        settings.encryption_key_ring()


def test_codec_server_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISAGREEMENT_UI_PORT", "9233")
    assert load_settings().codec_allowed_origins == ["http://localhost:9233", "http://127.0.0.1:9233"]

    load_settings.cache_clear()
    monkeypatch.setenv("DISAGREEMENT_CODEC_CORS_ORIGIN", "http://localhost:9233/")
    with pytest.raises(SettingsError, match="DISAGREEMENT_CODEC_CORS_ORIGIN"):
        load_settings()

    load_settings.cache_clear()
    monkeypatch.delenv("DISAGREEMENT_CODEC_CORS_ORIGIN")
    monkeypatch.setenv("DISAGREEMENT_CODEC_TOKEN", "short")
    with pytest.raises(SettingsError, match="DISAGREEMENT_CODEC_TOKEN"):
        load_settings()
