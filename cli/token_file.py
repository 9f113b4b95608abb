"""Where `disagreement login` keeps a member of staff's tokens between commands.

Whoever can read the file can act as them until the refresh token is revoked, so it is theirs alone,
like a key file (infra/keys.py): written owner-only (0600, in a folder made 0700) and atomically (a
token renewed mid-command never leaves half a file), and refused when anyone else may read it.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

from infra.files import PRIVATE_FILE, private_folder


class TokenFileExposed(Exception):
    """The token file can be read or changed by other users; the message says what to do."""


class TokenFileUnreadable(Exception):
    """The token file is not one this program wrote."""


@dataclass(frozen=True)
class SavedSignIn:
    issuer: str
    client_id: str
    id_token: str
    refresh_token: str | None
    expires_at: int  # the id_token's `exp`, seconds since the epoch


def save(path: Path, sign_in: SavedSignIn) -> None:
    private_folder(path.parent)  # made 0700 when missing; a folder the person chose is left alone
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    # O_EXCL: a file (or link) planted under that name is never written through.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(asdict(sign_in), file)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def load(path: Path) -> SavedSignIn | None:
    """The saved sign-in, or None when there is none."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None
    if mode & 0o077:
        raise TokenFileExposed(
            f"{path} can be read or changed by other users (mode {mode:04o}): your sign-in must be yours "
            "alone. Sign in again: disagreement logout, then disagreement login"
        )
    try:
        saved = SavedSignIn(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        saved = None
    if saved is None or not all(isinstance(text, str) for text in (saved.issuer, saved.client_id, saved.id_token)):
        raise TokenFileUnreadable(f"{path} is not a sign-in this program saved: sign in again (disagreement login)")
    return saved


def delete(path: Path) -> bool:
    """Forget the sign-in; False when there was none."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
