"""The `send_notification` activity: one notice, rendered for the best channel and delivered once.

The channel is the recipient's preferred one, else the first their contact details allow that the
backend can send this message by; staff are emailed at `<staff id>@<staff email domain>`. Email to
the applicant copies their SENDIASS adviser. Exactly once: see `activities.sent_log`.

For the workflow: a refusal comes back as `Delivery(status=failed, reason=...)`, a temporary
failure is raised (`TemporaryFailure`) for Temporal to retry with backoff. Each send ends within
`delivery_time_limit_seconds`; its sent-log lease outlasts that limit. It does not heartbeat: the
workflow sets no heartbeat timeout, and a worker that dies mid-send is found by the activity's
start-to-close timeout (see `workflows.machinery`), which outlasts the send time limit.
"""

from __future__ import annotations

import asyncio
import uuid

import structlog
from temporalio import activity

from activities.delivery import DeliveryBackend, Message, TemporaryFailure, backend_for
from activities.names import SEND_NOTIFICATION
from activities.sent_log import Claim, ClaimState, SentLog, SqliteSentLog
from domain.messages import MessageError, address_lines, channels_for, render
from domain.models import Channel, DeliveryStatus
from domain.notifications import Delivery, Notice, RecipientKind
from infra.settings import Settings

logger = structlog.get_logger()

# Operators' count of attempts that failed for now and will be retried (a mail server down): labelled
# by channel and template only. Messages finally sent or failed are counted by the case
# (workflows/metrics.py), once each.
DEFERRED = "disagreement_message_attempts_deferred"

# An attempt's claim outlasts its time limit, so nobody takes over while it may still be sending
# (a Notify request on a worker thread cannot be cancelled, only waited out).
LEASE_FACTOR = 2


def sent_log_for(settings: Settings) -> SentLog:
    """The sent-log the settings name: PostgreSQL when several worker hosts share it, else SQLite.
    Chosen here, above both, so that neither sent-log module imports the other."""
    if settings.sent_log_url is not None:
        from activities.sent_log_postgres import PostgresSentLog  # psycopg only where it is used

        return PostgresSentLog(settings.sent_log_url.get_secret_value())
    return SqliteSentLog(settings.sent_log_path)


class NotificationActivities:
    def __init__(self, settings: Settings, backend: DeliveryBackend | None = None, sent_log: SentLog | None = None) -> None:
        self.backend = backend or backend_for(settings)
        self.sent_log = sent_log or sent_log_for(settings)
        self._staff_email_domain = settings.staff_email_domain
        self._service = settings.service_contact
        self.time_limit = settings.delivery_time_limit_seconds

    @property
    def lease_seconds(self) -> float:
        return self.time_limit * LEASE_FACTOR

    @activity.defn(name=SEND_NOTIFICATION)
    async def send_notification(self, notice: Notice) -> Delivery:
        attempt = uuid.uuid4().hex
        log = logger.bind(key=notice.key, template=notice.template.value, backend=self.backend.name, attempt=attempt)
        try:
            channel = self._channel(notice)
        except MessageError as problem:
            log.warning("notification_undeliverable", reason=str(problem))
            return Delivery(status=DeliveryStatus.failed, reason=str(problem))
        claim = await self.sent_log.claim(notice.key, notice.template, channel, attempt, self.lease_seconds)
        if claim.state is ClaimState.done:
            assert claim.delivery is not None
            log.info("notification_already_done", status=claim.delivery.status.value)
            return claim.delivery
        if claim.state is ClaimState.busy:
            log.info("notification_busy")
            raise TemporaryFailure("another attempt is sending this message; trying again later")

        delivery = await self._send(notice, claim, attempt, log)
        await self.sent_log.record(notice.key, notice.template, delivery, attempt)
        if delivery.status is DeliveryStatus.failed:
            log.warning("notification_refused", channel=delivery.channel, reason=delivery.reason)
        else:
            log.info("notification_sent", channel=delivery.channel)
        return delivery

    async def _send(self, notice: Notice, claim: Claim, attempt: str, log: structlog.BoundLogger) -> Delivery:
        """Hand the message over within the time limit; give the lease back when it surely was not."""
        try:
            message = self._message(notice, claim.channel or self._channel(notice))
        except MessageError as problem:
            log.warning("notification_undeliverable", reason=str(problem))
            return Delivery(status=DeliveryStatus.failed, reason=str(problem))
        try:
            async with asyncio.timeout(self.time_limit):
                return await self.backend.send(message, maybe_sent=claim.state is ClaimState.taken_over)
        except TemporaryFailure as failure:
            log.warning("notification_deferred", channel=message.channel.value, reason=failure.message)
            _count_deferred(message)
            await self.sent_log.release(notice.key, attempt)
            raise
        except TimeoutError:
            # Not released: the hand-over may still complete (a thread cannot be stopped), so the
            # next attempt waits for the lease to run out and then asks before sending again.
            log.warning("notification_timed_out", channel=message.channel.value, limit_seconds=self.time_limit)
            _count_deferred(message)
            raise TemporaryFailure(
                f"the {self.backend.name} backend did not finish within {self.time_limit:g} s"
            ) from None

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



def _count_deferred(message: Message) -> None:
    if not activity.in_activity():  # called directly, as some tests do
        return
    counter = activity.metric_meter().create_counter(
        DEFERRED, "Message attempts that failed for now and will be retried, by channel and template"
    )
    counter.add(1, {"channel": message.channel.value, "template": message.notice.template.value})
