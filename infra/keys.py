"""Encryption keys: the key ring that protects case payloads, and the development key file.

Keys are written as `id:base64key` entries separated by commas or new lines. The first entry is the
current key, which encrypts; every entry decrypts. To rotate, put a new entry first and keep the
old ones for as long as any workflow history may hold payloads encrypted with them.
Plain Python on purpose: settings check keys at start-up without importing Temporal,
cryptography or structlog (whose import the workflow sandbox refuses).

`python -m infra.keys [KEY_ID]` prints a fresh entry (`--help` says so).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import os
import stat
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
KEY_BYTES = 32  # AES-256
# Key ids travel in payload metadata and error messages: keep them short and printable.
_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: Mapping[str, bytes] = field(repr=False)  # never printed or logged


def parse_key_ring(text: str) -> KeyRing:
    """Reads `id:base64key` entries. Errors name entries and key ids, never key material."""
    entries = [entry for entry in re.split(r"[,\s]+", text) if entry]
    if not entries:
        raise ValueError("no keys given; expected id:base64key[,id:base64key...]")
    keys: dict[str, bytes] = {}
    for position, entry in enumerate(entries, start=1):
        key_id, colon, encoded = entry.partition(":")
        if not colon or not _KEY_ID.fullmatch(key_id):
            raise ValueError(
                f"entry {position} is not id:base64key "
                "(the id is 1-64 letters, digits, '.', '_' or '-')"
            )
        if key_id in keys:
            raise ValueError(f"key id {key_id!r} is listed twice")
        keys[key_id] = _decode_key(key_id, encoded)
    return KeyRing(current_id=entries[0].partition(":")[0], keys=keys)


def _decode_key(key_id: str, encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise ValueError(f"key {key_id!r} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"key {key_id!r} must be 256-bit ({KEY_BYTES} bytes before base64)")
    return key


def new_key_entry(key_id: str) -> str:
    if not _KEY_ID.fullmatch(key_id):
        raise ValueError("a key id is 1-64 letters, digits, '.', '_' or '-'")
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


def read_key_file(path: Path) -> str:
    """The key file's text; refused when anyone but its owner may read or change it."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise PermissionError(
            f"{path} can be read or changed by other users (mode {mode:04o}): keys must be the "
            f"owner's alone. Run `chmod 600 {path}`"
        )
    return path.read_text()


def write_dev_key_file(path: Path) -> Path | None:
    """For `make run` when no key is configured anywhere: write a development key file at `path`.

    Returns the file's path when it wrote one. Deleting that file makes the cases in the
    development server unreadable.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Owner-only, and never replace an existing key: O_EXCL fails if the file exists.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return None
    with os.fdopen(descriptor, "w") as key_file:
        key_file.write(new_key_entry(f"dev-{datetime.now(UTC):%Y%m%d}") + "\n")
    return path


def write_dev_secret_file(path: Path) -> bytes:
    """A development secret at `path`: the one there, else a new random one written (owner-only).
    Written whole under another name and linked into place, so two processes starting together
    agree on one secret and neither reads a half-written file."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f"{path.name}.{os.getpid()}.partial")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as secret_file:
        secret_file.write(secrets.token_urlsafe(32) + "\n")
    try:
        os.link(draft, path)  # fails if another process got there first: its secret wins
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_bytes().strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m infra.keys",
        description="Print a new encryption key entry (id:base64key) for DISAGREEMENT_ENCRYPTION_KEYS. "
        "Put it first to make it current; keep the old entries after it so old payloads still decrypt.",
    )
    parser.add_argument(
        "key_id", nargs="?", default=f"key-{datetime.now(UTC):%Y%m%d}",
        help="the new key's id: 1-64 letters, digits, '.', '_' or '-' (default: key-<today>)",
    )
    arguments = parser.parse_args(argv)
    try:
        print(new_key_entry(arguments.key_id))
    except ValueError as error:
        parser.exit(2, f"python -m infra.keys: {error}\n")


if __name__ == "__main__":
    main()
