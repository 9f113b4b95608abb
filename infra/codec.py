"""AES-GCM payload codec: every payload leaves the process encrypted (DESIGN section 5).

An encrypted payload names its key in the metadata, so that after a rotation old histories still
decrypt with the old key while new payloads use the current one, and the case (workflow id) it
belongs to, when the SDK says, so that the codec server can log which case was decoded. Payloads
that are not encrypted pass through decoding unchanged, except in production, where they are refused.
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
        ciphertext = cipher.encrypt(nonce, payload.SerializeToString(), None)
        metadata = {"encoding": ENCODING, KEY_ID_METADATA: self._current_id.encode()}
        if self._case:
            metadata[CASE_METADATA] = self._case.encode()
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
        nonce, ciphertext = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            return Payload.FromString(cipher.decrypt(nonce, ciphertext, None))
        except (InvalidTag, DecodeError):
            raise DecryptionError(
                f"payload encrypted with key id {key_id!r} does not authenticate: it was altered, "
                "or that id names a different key here"
            ) from None
