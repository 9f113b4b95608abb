"""The `send_notification` activity: one notice, rendered for the best channel and delivered once.

The channel is the recipient's preferred one, else the first their contact details allow that the
backend can send this message by; staff are emailed at `<staff id>@<staff email domain>`. Email to
the applicant copies their SENDIASS adviser. Exactly once: see `activities.sent_log`. A message that
asks a party something carries a link to the public site, minted as it is written (`_answer_link`).

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
from domain.messages import AnswerLinkWords, MessageError, address_lines, channels_for, render
from domain.models import Channel, DeliveryStatus
from domain.notifications import Delivery, Notice, RecipientKind
from infra.settings import Settings
from records.answer_links import AnswerLinks, expiry_of, identity_check
from records.database import RecordsUnavailable, records_database_for

logger = structlog.get_logger()

# Who answers through a link: the parties, never staff or the mediator.
ANSWERING = frozenset({RecipientKind.applicant, RecipientKind.organisation})

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
    def __init__(
        self, settings: Settings, backend: DeliveryBackend | None = None, sent_log: SentLog | None = None,
        links: AnswerLinks | None = None,
    ) -> None:
        self.backend = backend or backend_for(settings)
        self.sent_log = sent_log or sent_log_for(settings)
        self._staff_email_domain = settings.staff_email_domain
        self._service = settings.service_contact
        self.time_limit = settings.delivery_time_limit_seconds
        self._settings = settings
        self._links = links
        self._public_url = settings.public_base_url

    @property
    def links(self) -> AnswerLinks:
        """The public site's links, in the records database; opened when a message first asks something."""
        if self._links is None:
            self._links = AnswerLinks(records_database_for(self._settings), self._settings.public_site_secret())
        return self._links

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
            message = await self._message(notice, claim.channel or self._channel(notice))
        except MessageError as problem:
            log.warning("notification_undeliverable", reason=str(problem))
            return Delivery(status=DeliveryStatus.failed, reason=str(problem))
        except RecordsUnavailable as problem:
            log.warning("notification_deferred", reason="the records database did not answer for its link")
            await self.sent_log.release(notice.key, attempt)
            raise TemporaryFailure(str(problem)) from None
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

    async def _answer_link(self, notice: Notice, channel: Channel, to: str) -> AnswerLinkWords | None:
        """A message that asks something carries a link of its own (DESIGN section 14), minted here,
        just before the message is written: a retry that writes it again mints another and adds it,
        so a link that went out in an earlier attempt keeps working. None where nothing is asked,
        the recipient is not a party, or nothing only they know is on file to check who they are."""
        facts = notice.facts
        recipient = notice.recipient
        if facts.asks is None or facts.answer_until is None or recipient.kind not in ANSWERING:
            return None
        check = identity_check(recipient, channel, to)
        if check is None:
            return None
        token = await self.links.mint(
            facts.reference, recipient.id, facts.asks, notice.key, check, expiry_of(facts.answer_until),
        )
        return AnswerLinkWords(url=f"{self._public_url}/{token}", check=check.kind.value)

    async def _message(self, notice: Notice, channel: Channel) -> Message:
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
        link = await self._answer_link(notice, channel, to)
        return Message(
            notice=notice, channel=channel, content=render(notice, channel, self._service, link), to=to,
            copy_to=recipient.supporter_email if copies_adviser else None,
        )



def _count_deferred(message: Message) -> None:
    if not activity.in_activity():  # called directly, as some tests do
        return
    counter = activity.metric_meter().create_counter(
        DEFERRED, "Message attempts that failed for now and will be retried, by channel and template"
    )
    counter.add(1, {"channel": message.channel.value, "template": message.notice.template.value})
