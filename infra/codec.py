"""AES-GCM payload codec: every payload leaves the process encrypted (DESIGN section 5).

An encrypted payload names its key in the metadata, so that after a rotation old histories still
decrypt with the old key while new payloads use the current one. Payloads that are not encrypted
pass through decoding unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from infra.keys import KeyRing

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
NONCE_BYTES = 12  # the nonce size AES-GCM is designed for; random per payload


class DecryptionError(Exception):
    """A payload cannot be decrypted; the message names the key id, never the content."""


class EncryptionCodec(PayloadCodec):
    def __init__(self, key_ring: KeyRing) -> None:
        self._current_id = key_ring.current_id
        self._ciphers = {key_id: AESGCM(key) for key_id, key in key_ring.keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            self._decrypt(payload) if payload.metadata.get("encoding") == ENCODING else payload
            for payload in payloads
        ]

    def _encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        cipher = self._ciphers[self._current_id]
        ciphertext = cipher.encrypt(nonce, payload.SerializeToString(), None)
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID_METADATA: self._current_id.encode()},
            data=nonce + ciphertext,
        )

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
        nonce, ciphertext = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plaintext = cipher.decrypt(nonce, ciphertext, None)
        except InvalidTag:
            raise DecryptionError(
                f"payload encrypted with key id {key_id!r} does not authenticate: it was altered, "
                "or that id names a different key here"
            ) from None
        return Payload.FromString(plaintext)
