"""GOV.UK Notify, with its Python client: email, text message and letter.

A message goes by a channel only if settings give a Notify template id for that message and
channel. The `reference` is the idempotency key, which names no person. Notify does not
de-duplicate by reference, so when an earlier attempt may have sent the message it is looked up by
reference first, and sent only if Notify does not have it.

The client is synchronous and not thread-safe: each delivery makes its own, on a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from uuid import UUID

import structlog
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from activities.delivery.base import Message, TemporaryFailure
from domain.messages import personalisation
from domain.models import Channel
from domain.notifications import Delivery, Template
from infra.settings import Settings

logger = structlog.get_logger()

PERMANENT = {400, 403}  # the request or the key is wrong: sending it again will not help


class NotifyBackend:
    name = "notify"

    def __init__(
        self, *, api_key: str, base_url: str, template_ids: Mapping[Template, Mapping[Channel, UUID]],
        request_timeout: float = 10,
    ) -> None:
        self._api_key = api_key
        self._request_timeout = request_timeout
        self._base_url = base_url
        self._template_ids = template_ids

    @classmethod
    def from_settings(cls, settings: Settings) -> NotifyBackend:
        assert settings.notify_api_key  # checked when the settings were loaded
        return cls(
            api_key=settings.notify_api_key.get_secret_value(),
            base_url=settings.notify_base_url,
            template_ids=settings.notify_template_ids,
            # A delivery makes at most four requests (look-up and send, for the family and the
            # adviser's copy): together they end within the delivery's time limit.
            request_timeout=settings.delivery_time_limit_seconds / 4,
        )

    def can_send(self, template: Template, channel: Channel) -> bool:
        return channel in self._template_ids.get(template, {})

    async def send(self, message: Message, *, maybe_sent: bool) -> Delivery:
        return await asyncio.to_thread(self._send, message, maybe_sent)

    def _send(self, message: Message, maybe_sent: bool) -> Delivery:
        client = NotificationsAPIClient(self._api_key, base_url=self._base_url, timeout=self._request_timeout)
        fields = personalisation(message.notice, message.channel, message.content)
        try:
            self._send_once(client, message, message.to, message.key, fields, maybe_sent)
        except HTTPError as error:
            return message.refused(_reason(error, message.channel.value))
        if message.copy_to:
            # Notify has no copies: the adviser gets the same email under a reference of its own.
            try:
                self._send_once(client, message, message.copy_to, f"{message.key}.copy", fields, maybe_sent)
            except HTTPError as error:
                logger.warning("adviser_copy_refused", key=message.key, reason=_reason(error, "copy"))
        return message.sent()

    def _send_once(
        self, client: NotificationsAPIClient, message: Message, to: str, reference: str,
        fields: dict[str, str], maybe_sent: bool,
    ) -> None:
        """Send one notification; raises HTTPError for a refusal, TemporaryFailure otherwise."""
        template_id = str(self._template_ids[message.notice.template][message.channel])
        try:
            if maybe_sent and _known(client, reference):
                return
            match message.channel:
                case Channel.email:
                    client.send_email_notification(to, template_id, personalisation=fields, reference=reference)
                case Channel.sms:
                    client.send_sms_notification(to, template_id, personalisation=fields, reference=reference)
                case Channel.letter:
                    client.send_letter_notification(template_id, personalisation=fields, reference=reference)
        except HTTPError as error:
            if error.status_code in PERMANENT:
                raise
            raise TemporaryFailure(f"GOV.UK Notify is unavailable ({error.status_code})") from None


def _known(client: NotificationsAPIClient, reference: str) -> bool:
    """Whether Notify already has a notification with this reference (it keeps 7 days of them)."""
    found = client.get_all_notifications(reference=reference).get("notifications", [])
    return any(notification.get("reference") == reference for notification in found)


def _reason(error: HTTPError, what: str) -> str:
    """In Notify's error names only: its messages are not promised to be free of personal data."""
    try:
        names = sorted({item["error"] for item in error.response.json()["errors"]})
    except (AttributeError, KeyError, TypeError, ValueError):
        names = []
    return f"GOV.UK Notify refused the {what} ({' '.join([str(error.status_code), *names])})"
