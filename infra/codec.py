"""AES-GCM payload codec: every payload leaves the process encrypted (DESIGN section 5).

An encrypted payload names its key in the metadata, so that after a rotation old histories still
decrypt with the old key while new payloads use the current one, and the case (workflow id) it
belongs to, when the SDK says, so that the codec server can log which case was decoded. Payloads
that are not encrypted pass through decoding unchanged, except in production, where they are refused.

Since encryption version 2 (`encryption-version: 2` in the metadata) the key id and the case
reference are AES-GCM associated data: authenticated with the ciphertext, so a payload whose
metadata was swapped (another case's reference, another key id, the marker removed) does not
decrypt, and the case the codec server logs is the payload's own. Payloads written before (release
1.0.0, no marker) decrypt exactly as they always did: their metadata was never authenticated.

Since encryption version 3, a case's payloads (the workflow id is a case reference) are encrypted
with the case's own data key (`DataKeys`, records/case_keys.py), which erasure destroys: the
metadata names the case, by which the key is found, and the case reference is associated data. Payloads
of no case (the records purge) are encrypted with the key ring's current key, as version 2.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from google.protobuf.message import DecodeError
from temporalio.converter import DataConverter, PayloadCodec, SerializationContext, WithSerializationContext

from domain.models import REFERENCE_PATTERN
from infra.keys import KeyRing

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
CASE_METADATA = "case-reference"  # the workflow id: a case reference, never personal data
VERSION_METADATA = "encryption-version"
VERSION = b"2"  # key id and case reference bound as associated data; absent: release 1.0.0's format
CASE_VERSION = b"3"  # the case's data key; the case reference bound as associated data
AAD_LABEL = b"send-disagreement payload v2"  # associated data of this format and of nothing else
CASE_AAD_LABEL = b"send-disagreement payload v3"
NONCE_BYTES = 12  # the nonce size AES-GCM is designed for; random per payload
TAG_BYTES = 16  # AES-GCM's authentication tag, at the end of every ciphertext


class DecryptionError(Exception):
    """A payload cannot be decrypted; the message names the key id or the case, never the content."""


class CaseErased(Exception):
    """Nothing more is encrypted for an erased case: its data key was destroyed, and it gets no other."""

    def __init__(self, reference: str) -> None:
        super().__init__(f"case {reference} was erased: its data key was destroyed, and nothing is encrypted for it again")


class DataKeys(Protocol):
    """Each case's own data key, found by its reference."""

    async def to_encrypt(self, reference: str) -> bytes:
        """Made at the case's first use; raises CaseErased once destroyed."""

    async def to_decrypt(self, reference: str) -> bytes:
        """Raises DecryptionError, naming the case, when there is none or it was destroyed."""

    async def warm(self, references: Sequence[str]) -> None:
        """Have the keys of many cases at hand before decrypting each (a report reads every case)."""


class EncryptionCodec(PayloadCodec, WithSerializationContext):
    def __init__(self, key_ring: KeyRing, data_keys: DataKeys, *, refuse_plaintext: bool = False) -> None:
        self._current_id = key_ring.current_id
        self._ciphers = {key_id: AESGCM(key) for key_id, key in key_ring.keys.items()}
        self._data_keys = data_keys
        self._refuse_plaintext = refuse_plaintext
        self._case: str | None = None

    def with_context(self, context: SerializationContext) -> EncryptionCodec:
        """The SDK says which workflow a payload belongs to; encrypted payloads note it."""
        scoped = copy.copy(self)
        scoped._case = getattr(context, "workflow_id", None)
        return scoped

    async def warm(self, references: Sequence[str]) -> None:
        await self._data_keys.warm(references)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        if payloads and self._case is not None and REFERENCE_PATTERN.fullmatch(self._case):
            cipher = AESGCM(await self._data_keys.to_encrypt(self._case))
            return [_encrypt_for_case(cipher, self._case.encode(), payload) for payload in payloads]
        return [self._encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [await self._decode(payload) for payload in payloads]

    async def _decode(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") == ENCODING:
            version = payload.metadata.get(VERSION_METADATA)
            if version == CASE_VERSION:
                return await self._decrypt_for_case(payload)
            if version not in (None, VERSION):
                raise DecryptionError(
                    f"payload has {VERSION_METADATA} {version[:16].decode(errors='replace')!r}, which this release "
                    f"does not know (it writes {VERSION.decode()} and {CASE_VERSION.decode()}): it was altered, "
                    "or written by a newer release"
                )
            return self._decrypt(payload)
        if self._refuse_plaintext:
            # Production: anything unencrypted came from outside the product (a client without
            # the codec) and is not to be trusted, nor its personal data kept in the clear.
            raise DecryptionError("refused an unencrypted payload: in production every payload is encrypted")
        return payload

    def _encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        cipher = self._ciphers[self._current_id]
        key_id = self._current_id.encode()
        case = self._case.encode() if self._case else None
        ciphertext = cipher.encrypt(nonce, payload.SerializeToString(), associated_data(key_id, case))
        metadata = {"encoding": ENCODING, VERSION_METADATA: VERSION, KEY_ID_METADATA: key_id}
        if case is not None:
            metadata[CASE_METADATA] = case
        return Payload(metadata=metadata, data=nonce + ciphertext)

    async def _decrypt_for_case(self, payload: Payload) -> Payload:
        reference = payload.metadata[CASE_METADATA].decode(errors="replace") if CASE_METADATA in payload.metadata else ""
        if not REFERENCE_PATTERN.fullmatch(reference):
            raise DecryptionError(
                f"payload has {VERSION_METADATA} {CASE_VERSION.decode()} but its {CASE_METADATA} is not a case reference: "
                "it was altered"
            )
        if len(payload.data) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError("encrypted payload is too short to be one: it was cut or altered")
        cipher = AESGCM(await self._data_keys.to_decrypt(reference))
        nonce, ciphertext = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            return Payload.FromString(cipher.decrypt(nonce, ciphertext, case_associated_data(reference.encode())))
        except (InvalidTag, DecodeError):
            raise DecryptionError(
                f"payload of case {reference} does not authenticate with its data key: it was altered (its data, "
                f"or its metadata: {CASE_METADATA}, {VERSION_METADATA})"
            ) from None

    def _decrypt(self, payload: Payload) -> Payload:
        if KEY_ID_METADATA not in payload.metadata:
            raise DecryptionError(f"encrypted payload has no {KEY_ID_METADATA} metadata")
        key_id = payload.metadata[KEY_ID_METADATA].decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            # The ids this ring holds are not listed: whoever asks need not learn them.
            raise DecryptionError(
                f"payload encrypted with key id {key_id!r}, which is not in the key ring "
                "(DISAGREEMENT_ENCRYPTION_KEYS or the key file); old keys must stay listed to decrypt"
            )
        if len(payload.data) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError("encrypted payload is too short to be one: it was cut or altered")
        if VERSION_METADATA not in payload.metadata:
            bound = None  # release 1.0.0's payloads: no associated data, as they were written
        else:
            case = payload.metadata[CASE_METADATA] if CASE_METADATA in payload.metadata else None
            bound = associated_data(payload.metadata[KEY_ID_METADATA], case)
        nonce, ciphertext = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            return Payload.FromString(cipher.decrypt(nonce, ciphertext, bound))
        except (InvalidTag, DecodeError):
            raise DecryptionError(
                f"payload encrypted with key id {key_id!r} does not authenticate: it was altered (its data, "
                f"or its metadata: {KEY_ID_METADATA}, {CASE_METADATA}, {VERSION_METADATA}), "
                "or that id names a different key here"
            ) from None


def associated_data(key_id: bytes, case: bytes | None) -> bytes:
    """What a version 2 payload's ciphertext authenticates besides itself: its key id and its case
    reference, each length-prefixed, so that no two different pairs (nor a case reference absent
    and one empty) give the same bytes."""
    fields = [AAD_LABEL, key_id] if case is None else [AAD_LABEL, key_id, case]
    return b"".join(len(field).to_bytes(4, "big") + field for field in fields)


def _encrypt_for_case(cipher: AESGCM, case: bytes, payload: Payload) -> Payload:
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = cipher.encrypt(nonce, payload.SerializeToString(), case_associated_data(case))
    metadata = {"encoding": ENCODING, VERSION_METADATA: CASE_VERSION, CASE_METADATA: case}
    return Payload(metadata=metadata, data=nonce + ciphertext)


def case_associated_data(case: bytes) -> bytes:
    """What a version 3 payload's ciphertext authenticates besides itself: its format and its case."""
    return b"".join(len(field).to_bytes(4, "big") + field for field in (CASE_AAD_LABEL, case))


async def warm_keys(converter: DataConverter, references: Sequence[str]) -> None:
    """The data keys of `references` read at once, when `converter` encrypts by case; else nothing."""
    if isinstance(converter.payload_codec, EncryptionCodec):
        await converter.payload_codec.warm(references)
