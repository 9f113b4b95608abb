"""A data key per case: erasing the case destroys it, and with it every copy of the case's payloads,
wherever they are kept (Temporal's database, a backup of it, a copy of the records), crypto-shredding.

A key is 256-bit random, made at the case's first encryption and kept in the records database
(`case_keys`), wrapped (AES-GCM) by the key ring's current key; the wrapping key's id is kept with
it, so a ring rotated since still unwraps it. Every process that encrypts or decrypts (workers, the
command line, the console, the codec server) must use the same records database.

Two processes making a case's first key at once keep one: each inserts its own if none is there,
then reads back what is. `destroy`, in the deletion's own transaction, removes the wrapped key and
leaves a tombstone on the same row: the insert of a late first use then finds it, so the reference
is never given another key (in PostgreSQL too, where the row's key orders the two).

Unwrapped keys are kept in memory for a short while (`KeyCache`), so an encode does not reach the
database each time: a process that used a case's key may still read it that long after erasure.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from infra.codec import CaseErased, DecryptionError
from infra.keys import KEY_BYTES, KeyRing
from infra.settings import CommandSettings
from records.database import Database, Transaction, instant, records_database_for

WRAP_LABEL = b"send-disagreement case key v1"  # associated data of a wrapped key and of nothing else
NONCE_BYTES = 12
# How many cases' keys a process keeps unwrapped, and for how long: a worker's busy cases, each
# read from the database once in a while rather than at every workflow task.
CACHED_CASES = 4096
CACHE_SECONDS = 300.0
# Keys read together by `warm`: well within the cache, and within any database's limit on parameters.
WARM_BATCH = 500


class KeyCache:
    """The unwrapped keys of the cases used lately: at most `size` of them, each for `seconds`."""

    def __init__(
        self, size: int = CACHED_CASES, seconds: float = CACHE_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._size, self._seconds, self._clock = size, seconds, clock
        self._keys: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    def get(self, reference: str) -> bytes | None:
        found = self._keys.get(reference)
        if found is None:
            return None
        if found[0] <= self._clock():
            del self._keys[reference]
            return None
        self._keys.move_to_end(reference)
        return found[1]

    def put(self, reference: str, key: bytes) -> None:
        self._keys[reference] = (self._clock() + self._seconds, key)
        self._keys.move_to_end(reference)
        while len(self._keys) > self._size:
            self._keys.popitem(last=False)


class CaseKeys:
    """The codec's data keys (infra.codec.DataKeys), in the records database."""

    def __init__(self, database: Database, ring: KeyRing, cache: KeyCache | None = None) -> None:
        self._db = database
        self._ring = ring
        self._cache = cache or KeyCache()

    async def to_encrypt(self, reference: str) -> bytes:
        """The case's key, made now if it has none; raises CaseErased if it was destroyed."""
        key = self._cache.get(reference)
        if key is not None:
            return key
        wrapped = _wrap(self._ring, reference, os.urandom(KEY_BYTES))
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO case_keys (reference, wrapped, wrapped_with, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (reference) DO NOTHING",
                (reference, wrapped, self._ring.current_id, instant(datetime.now(UTC))),
            )
            rows = await _stored(tx, reference)
        if rows[0][0] is None:
            raise CaseErased(reference)
        return self._unwrapped(reference, rows[0])

    async def to_decrypt(self, reference: str) -> bytes:
        """The case's key; raises DecryptionError, in words, if there is none or it was destroyed."""
        key = self._cache.get(reference)
        if key is not None:
            return key
        async with self._db.transaction() as tx:
            rows = await _stored(tx, reference)
        if not rows:
            raise DecryptionError(
                f"payload of case {reference} cannot be decrypted: the records database has no data key for it "
                "(every process must use the same records database: DISAGREEMENT_RECORDS_URL, or the records file)"
            )
        if rows[0][0] is None:
            raise DecryptionError(
                f"payload of case {reference} cannot be decrypted: its data key was destroyed when it was erased"
            )
        return self._unwrapped(reference, rows[0])

    async def warm(self, references: Sequence[str]) -> None:
        """The keys of many cases read in one transaction and kept in the cache, for a reader about to
        decrypt them all (a report): one round trip where `to_decrypt` would make one for each. At most
        `WARM_BATCH` at a time, so that the cache still holds them when they are used. A key missing,
        destroyed or not unwrapping is left for `to_decrypt` to report, in words, case by case."""
        wanted = [reference for reference in dict.fromkeys(references) if self._cache.get(reference) is None]
        if not wanted:
            return
        if len(wanted) > WARM_BATCH:
            raise ValueError(f"at most {WARM_BATCH} cases' keys are read together, not {len(wanted)}")
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                f"SELECT reference, wrapped, wrapped_with FROM case_keys WHERE reference IN ({', '.join('?' * len(wanted))})",
                tuple(wanted),
            )
        for reference, wrapped, wrapped_with in rows:
            if wrapped is not None:
                with contextlib.suppress(DecryptionError):
                    self._unwrapped(reference, (wrapped, wrapped_with))

    def _unwrapped(self, reference: str, row: Sequence) -> bytes:
        wrapped, key_id = bytes(row[0]), row[1]
        wrapping = self._ring.keys.get(key_id)
        if wrapping is None:
            raise DecryptionError(
                f"the data key of case {reference} is wrapped with key id {key_id!r}, which is not in the key ring "
                "(DISAGREEMENT_ENCRYPTION_KEYS or the key file); old keys must stay listed while data keys use them"
            )
        try:
            key = AESGCM(wrapping).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], wrapping_bound(reference, key_id))
        except InvalidTag:
            raise DecryptionError(
                f"the data key of case {reference} does not unwrap with key id {key_id!r}: the key table was altered, "
                "or that id names a different key here"
            ) from None
        self._cache.put(reference, key)
        return key


async def destroy(tx: Transaction, reference: str, at: datetime) -> None:
    """Erasure: the case's wrapped key goes, a tombstone stays (also for a case that never had one)."""
    await tx.execute(
        "INSERT INTO case_keys (reference, created_at, destroyed_at) VALUES (?, ?, ?)"
        " ON CONFLICT (reference) DO UPDATE SET wrapped = NULL, wrapped_with = NULL, destroyed_at = excluded.destroyed_at",
        (reference, instant(at), instant(at)),
    )


def case_keys_for(settings: CommandSettings, ring: KeyRing, cache: KeyCache | None = None) -> CaseKeys:
    """In the records database, as `records.store.records_store_for` chooses it; a connection per
    transaction, as the converter holding it is never closed."""
    return CaseKeys(records_database_for(settings, per_transaction=True), ring, cache)


async def _stored(tx: Transaction, reference: str) -> list[tuple]:
    return await tx.fetchall("SELECT wrapped, wrapped_with FROM case_keys WHERE reference = ?", (reference,))


def _wrap(ring: KeyRing, reference: str, key: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(ring.keys[ring.current_id]).encrypt(nonce, key, wrapping_bound(reference, ring.current_id))


def wrapping_bound(reference: str, key_id: str) -> bytes:
    """A wrapped key authenticates its case and its wrapping key's id: moved to another row, it
    does not unwrap."""
    fields = [WRAP_LABEL, reference.encode(), key_id.encode()]
    return b"".join(len(field).to_bytes(4, "big") + field for field in fields)
