"""The data converter of the recorded histories (tests/histories/, `python -m tests.record_histories`).

A deployment keeps each case's data key in its records database (records/case_keys.py). A history
recorded once must replay on any machine, long after the recording's database is gone: here each
case's key is derived from the tests' ring key and the case reference, for recording and replay alike.
"""

from __future__ import annotations

import dataclasses

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from temporalio.converter import DataConverter

from infra.codec import EncryptionCodec
from infra.converter import data_converter
from infra.keys import KeyRing, parse_key_ring
from infra.settings import Settings
from tests.conftest import TEST_KEYS


class DerivedDataKeys:
    def __init__(self, ring: KeyRing) -> None:
        self._secret = ring.keys[ring.current_id]

    def _key(self, reference: str) -> bytes:
        return HKDF(hashes.SHA256(), 32, salt=None, info=b"recorded history " + reference.encode()).derive(self._secret)

    async def to_encrypt(self, reference: str) -> bytes:
        return self._key(reference)

    async def to_decrypt(self, reference: str) -> bytes:
        return self._key(reference)

    async def warm(self, references) -> None:
        """Nothing to read: every key is derived."""


def history_converter() -> DataConverter:
    ring = parse_key_ring(TEST_KEYS)
    return dataclasses.replace(
        data_converter(Settings(encryption_keys=TEST_KEYS)), payload_codec=EncryptionCodec(ring, DerivedDataKeys(ring))
    )
