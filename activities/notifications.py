"""The `send_notification` activity: one notice, rendered for the best channel and delivered once.

The channel is the recipient's preferred one, else the first their contact details allow that the
backend can send this message by; staff are emailed at `<staff id>@<staff email domain>`. Email to
the applicant copies their SENDIASS adviser. Exactly once: see `activities.sent_log`.

For the workflow: a refusal comes back as `Delivery(status=failed, reason=...)`, a temporary
failure is raised (`TemporaryFailure`) for Temporal to retry with backoff.
"""

from __future__ import annotations

import structlog
from temporalio import activity

from activities.delivery import DeliveryBackend, Message, TemporaryFailure, backend_for
from activities.sent_log import SentLog
from domain.messages import MessageError, address_lines, channels_for, render
from domain.models import Channel, DeliveryStatus
from domain.notifications import Delivery, Notice, RecipientKind
from infra.settings import Settings

logger = structlog.get_logger()


class NotificationActivities:
    def __init__(self, settings: Settings, backend: DeliveryBackend | None = None) -> None:
        self.backend = backend or backend_for(settings)
        self.sent_log = SentLog(settings.sent_log_path)
        self._staff_email_domain = settings.staff_email_domain
        self._service = settings.service_contact

    @activity.defn(name="send_notification")
    async def send_notification(self, notice: Notice) -> Delivery:
        log = logger.bind(key=notice.key, template=notice.template.value, backend=self.backend.name)
        earlier = await self.sent_log.find(notice.key)
        if earlier is not None and earlier.status is not DeliveryStatus.pending:
            log.info("notification_already_done", status=earlier.status.value)
            return earlier
        try:
            message = self._message(notice, earlier.channel if earlier else self._channel(notice))
        except MessageError as problem:
            log.warning("notification_undeliverable", reason=str(problem))
            return Delivery(status=DeliveryStatus.failed, reason=str(problem))

        if earlier is None:
            await self.sent_log.claim(notice.key, notice.template, message.channel)
        try:
            delivery = await self.backend.send(message, maybe_sent=earlier is not None)
        except TemporaryFailure as failure:
            log.warning("notification_deferred", channel=message.channel.value, reason=failure.message)
            raise
        await self.sent_log.record(notice.key, notice.template, delivery)
        if delivery.status is DeliveryStatus.failed:
            log.warning("notification_refused", channel=message.channel.value, reason=delivery.reason)
        else:
            log.info("notification_sent", channel=message.channel.value)
        return delivery

    def _channel(self, notice: Notice) -> Channel:
        allowed = channels_for(notice.recipient)
        usable = [channel for channel in allowed if self.backend.can_send(notice.template, channel)]
        if usable:
            return usable[0]
        if not allowed:
            raise MessageError("no contact details")
        raise MessageError(
            f"the {self.backend.name} backend cannot send {notice.template.value} by "
            f"{' or '.join(channel.value for channel in allowed)}"
        )

    def _message(self, notice: Notice, channel: Channel) -> Message:
        recipient = notice.recipient
        contact = recipient.contact
        match channel:
            case Channel.email if contact and contact.email:
                to = contact.email
            case Channel.email if recipient.kind is RecipientKind.case_officer:
                to = f"{notice.facts.case_officer}@{self._staff_email_domain}"
            case Channel.sms if contact and contact.phone:
                to = contact.phone
            case Channel.letter:
                to = ", ".join(address_lines(recipient).values())
            case _:
                raise MessageError(f"no {channel.value} details")
        copies_adviser = channel is Channel.email and recipient.kind is RecipientKind.applicant
        return Message(
            notice=notice, channel=channel, content=render(notice, channel, self._service), to=to,
            copy_to=recipient.supporter_email if copies_adviser else None,
        )
