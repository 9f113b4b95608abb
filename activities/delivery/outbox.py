"""The development outbox: one readable text file per message, named by its idempotency key."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from urllib.parse import quote

from activities.delivery.base import Message
from domain.models import Channel
from domain.notifications import Delivery, Template
from infra.files import private_folder, write_private_text


class OutboxBackend:
    """Sends every channel by writing it down. Writing a message again replaces its own file, so a
    retry can never leave two copies."""

    name = "outbox"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def can_send(self, template: Template, channel: Channel) -> bool:
        return True

    async def send(self, message: Message, *, maybe_sent: bool) -> Delivery:
        await asyncio.to_thread(self._write, message)
        return message.sent()

    def erase_case(self, reference: str) -> int:
        """Delete every message of one case (an erasure): its files are named by keys that begin
        with the reference. Returns how many went."""
        if not self.directory.exists():
            return 0
        named = quote(reference, safe="")  # as `path_of` names its files (glob's `[*?` escaped too)
        files = [path for path in self.directory.glob(f"{named}.*") if path.name.startswith(f"{named}.")]
        for path in files:
            path.unlink(missing_ok=True)
        return len(files)

    def path_of(self, key: str) -> Path:
        """One file per key and never one for two: a key of plain letters, digits, dots, dashes and
        underscores (every key of a checked reference) is its own name; anything else is escaped
        (`%F0%9D%9F%B8`), so a look-alike key cannot land on another message's file."""
        return self.directory / f"{quote(key, safe='')}.txt"

    def _write(self, message: Message) -> None:
        private_folder(self.directory)
        path = self.path_of(message.key)
        draft = path.with_suffix(".partial")
        write_private_text(draft, _as_text(message))  # it holds names and addresses: owner-only
        os.replace(draft, path)  # the whole message or nothing, even if the worker dies mid-write


def _as_text(message: Message) -> str:
    headers = {
        "Channel": message.channel.value,
        "To": f"{message.notice.recipient.name} <{message.to}>",
        "Cc": message.copy_to,
        "Subject": message.content.subject,
        "Template": message.notice.template.value,
        "Key": message.key,
    }
    lines = [f"{name}: {value}" for name, value in headers.items() if value]
    return "\n".join(lines) + "\n\n" + message.content.body + "\n"
