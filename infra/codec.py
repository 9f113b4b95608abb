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
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from google.protobuf.message import DecodeError
from temporalio.converter import PayloadCodec, SerializationContext, WithSerializationContext

from infra.keys import KeyRing

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
CASE_METADATA = "case-reference"  # the workflow id: a case reference, never personal data
VERSION_METADATA = "encryption-version"
VERSION = b"2"  # key id and case reference bound as associated data; absent: release 1.0.0's format
AAD_LABEL = b"send-disagreement payload v2"  # associated data of this format and of nothing else
NONCE_BYTES = 12  # the nonce size AES-GCM is designed for; random per payload
TAG_BYTES = 16  # AES-GCM's authentication tag, at the end of every ciphertext


class DecryptionError(Exception):
    """A payload cannot be decrypted; the message names the key id, never the content."""


class EncryptionCodec(PayloadCodec, WithSerializationContext):
    def __init__(self, key_ring: KeyRing, *, refuse_plaintext: bool = False) -> None:
        self._current_id = key_ring.current_id
        self._ciphers = {key_id: AESGCM(key) for key_id, key in key_ring.keys.items()}
        self._refuse_plaintext = refuse_plaintext
        self._case: str | None = None

    def with_context(self, context: SerializationContext) -> EncryptionCodec:
        """The SDK says which workflow a payload belongs to; encrypted payloads note it."""
        scoped = copy.copy(self)
        scoped._case = getattr(context, "workflow_id", None)
        return scoped

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decode(payload) for payload in payloads]

    def _decode(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") == ENCODING:
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
        version = payload.metadata.get(VERSION_METADATA)
        if version is None:
            bound = None  # release 1.0.0's payloads: no associated data, as they were written
        elif version == VERSION:
            case = payload.metadata[CASE_METADATA] if CASE_METADATA in payload.metadata else None
            bound = associated_data(payload.metadata[KEY_ID_METADATA], case)
        else:
            raise DecryptionError(
                f"payload has {VERSION_METADATA} {version[:16].decode(errors='replace')!r}, which this release "
                f"does not know (it writes {VERSION.decode()}): it was altered, or written by a newer release"
            )
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
