"""What every delivery backend offers, and the message it is handed.

A backend either hands the message over (`Delivery(status=sent)`), reports a refusal that trying
again will not change (`Delivery(status=failed, reason=...)`: a rejected address, HTTP 400/403), or
raises `TemporaryFailure` so that Temporal retries the activity with backoff (server down, timeout,
HTTP 429/5xx). Reasons are read by staff and kept in plaintext: they never hold personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from temporalio.exceptions import ApplicationError

from domain.messages import RenderedMessage
from domain.models import Channel, DeliveryStatus
from domain.notifications import Delivery, Notice, Template


class TemporaryFailure(ApplicationError):
    """Worth trying again later. Raised without its cause: server replies may quote addresses."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, type="TemporaryDeliveryFailure")


@dataclass(frozen=True)
class Message:
    """A notice rendered for one channel and addressed."""

    notice: Notice
    channel: Channel
    content: RenderedMessage
    to: str  # an email address, a phone number, or the postal address on one line
    copy_to: str | None = None  # the family's SENDIASS adviser, on email to the applicant

    @property
    def key(self) -> str:
        return self.notice.key

    def sent(self) -> Delivery:
        return Delivery(status=DeliveryStatus.sent, channel=self.channel)

    def refused(self, reason: str) -> Delivery:
        return Delivery(status=DeliveryStatus.failed, channel=self.channel, reason=reason)


class DeliveryBackend(Protocol):
    name: str

    def can_send(self, template: Template, channel: Channel) -> bool:
        """Whether this backend can send this message by this channel at all."""

    async def send(self, message: Message, *, maybe_sent: bool) -> Delivery:
        """Hand the message over. `maybe_sent`: an earlier attempt may already have done so, and
        died before it could record it; a backend that can tell must not send it twice."""
