"""The contact index: a keyed hash of each normalised email and phone number beside its record.

Subject access looks a person up by these hashes, so finding their cases decrypts nothing else.
The hash is HMAC-SHA256 with an index key derived (HKDF) from each key in the payload key ring, so
the same secret never serves two purposes, and a stolen database cannot be searched by guessing
addresses without the keys. Every key in the ring is tried on look-up, so records indexed before a
key rotation are still found; new records are indexed with the current key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from infra.keys import KeyRing
from records.models import Person

_INDEX_KEY_INFO = b"send-disagreement records contact index v1"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_phone(phone: str) -> str:
    """E.164 (+447700900123), so 07700 900123 and +44 7700 900123 are the same person."""
    import phonenumbers  # here, not at the top: slow to import, and `disagreement list` needs none

    try:
        return phonenumbers.format_number(phonenumbers.parse(phone, "GB"), phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return "".join(character for character in phone if character.isdigit() or character == "+")


class ContactIndex:
    def __init__(self, key_ring: KeyRing) -> None:
        self._current = _index_key(key_ring.keys[key_ring.current_id])
        self._all = [_index_key(key) for key in key_ring.keys.values()]

    def digests_of(self, people: Iterable[Person]) -> set[str]:
        """What to store beside a record: one digest per distinct email and phone, current key."""
        return {_digest(self._current, value) for value in _normalised(people)}

    def lookups(self, email: str | None = None, phone: str | None = None) -> list[str]:
        """Every digest under which this email or phone may have been stored, any key in the ring."""
        return [_digest(key, value) for key in self._all for value in _asked(email, phone)]

    def subject_of(self, email: str | None = None, phone: str | None = None) -> str:
        """Whom a subject access export was about, for its log: the digests a record of theirs is
        indexed under now (current key), comma-separated, so the log names nobody yet can be matched
        against the index."""
        return ",".join(_digest(self._current, value) for value in _asked(email, phone))


def _asked(email: str | None, phone: str | None) -> list[str]:
    return ([f"email:{normalise_email(email)}"] if email else []) + ([f"phone:{normalise_phone(phone)}"] if phone else [])


def _normalised(people: Iterable[Person]) -> set[str]:
    values = set()
    for person in people:
        if person.email:
            values.add(f"email:{normalise_email(person.email)}")
        if person.phone:
            values.add(f"phone:{normalise_phone(person.phone)}")
    return values


def _index_key(key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INDEX_KEY_INFO).derive(key)


def _digest(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def is_person(person: Person, email: str | None, phone: str | None) -> bool:
    """Whether a decrypted record's person is the one asked about (after the index found the case)."""
    return bool(
        (email and person.email and normalise_email(person.email) == normalise_email(email))
        or (phone and person.phone and normalise_phone(person.phone) == normalise_phone(phone))
    )
