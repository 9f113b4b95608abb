"""Files that hold case data (the data folder, outbox messages, the sent-log, keys) are the
owner's alone: folders 0700, files 0600, whatever the process's umask."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def private_folder(path: Path) -> Path:
    """Create the folder owner-only if it is missing (an existing one is left as it is)."""
    path.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    return path


def write_private_text(path: Path, text: str) -> None:
    """Write (or replace) a file that only its owner can read."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(descriptor, PRIVATE_FILE)  # an existing file keeps its mode on open: tighten it
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
