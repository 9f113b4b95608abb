"""Email through an SMTP server, with aiosmtplib.

What SMTP can and cannot guarantee. Once the server answers 250 to the message data it has taken
the message on, and the sent-log records that straight after. If the worker dies between that
answer and the record, or the connection drops after the data but before the answer (RFC 1047),
the next attempt cannot ask the server whether it has the message: SMTP has no such question. So
it sends again: never lost, but possibly twice within that window. Both copies carry the same
Message-ID, made from the idempotency key, so mail systems and clients that de-duplicate by it
show one. Never sending again instead would risk losing a message a family needs, which is worse.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib
from pydantic import NameEmail

from activities.delivery.base import Message, TemporaryFailure
from domain.models import Channel
from domain.notifications import Delivery, Template
from infra.settings import Settings


class SmtpBackend:
    name = "smtp"

    def __init__(
        self,
        *,
        host: str,
        mail_from: NameEmail,
        port: int | None = None,
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30,
    ) -> None:
        self.mail_from = mail_from
        self._connection = dict(
            hostname=host,
            port=port,  # None: aiosmtplib picks 465 with TLS, 587 with STARTTLS, 25 without
            use_tls=security == "tls",
            start_tls=security == "starttls",
            username=username,
            password=password,
            timeout=timeout,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpBackend:
        assert settings.smtp_host and settings.mail_from  # checked when the settings were loaded
        return cls(
            host=settings.smtp_host,
            mail_from=settings.mail_from,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            timeout=settings.smtp_timeout_seconds,
        )

    def can_send(self, template: Template, channel: Channel) -> bool:
        return channel is Channel.email

    async def send(self, message: Message, *, maybe_sent: bool) -> Delivery:
        recipients = [message.to, *filter(None, [message.copy_to])]
        try:
            email = self._email(message)
        except ValueError:  # e.g. a non-ASCII local part (input checks refuse them; older cases may hold one)
            return message.refused("the email address cannot be written in an email header")
        try:
            refused, _ = await aiosmtplib.send(email, sender=self.mail_from.email, recipients=recipients, **self._connection)
        except (aiosmtplib.SMTPNotSupported, UnicodeError):
            # The address needs SMTPUTF8 and this server does not offer it: retrying will not help.
            return message.refused("the mail server cannot deliver to an address with non-ASCII characters")
        except aiosmtplib.SMTPRecipientsRefused as error:
            code = next(refusal.code for refusal in error.recipients if refusal.recipient == message.to)
            return _refused_recipient(message, code)
        except aiosmtplib.SMTPDataError as error:
            if _permanent(error.code):
                return message.refused(f"the mail server refused the message ({error.code})")
            raise TemporaryFailure(f"the mail server deferred the message ({error.code})") from None
        except aiosmtplib.SMTPResponseException as error:
            # Greeting, login or sender refused: our set-up or the server's, not this message.
            raise TemporaryFailure(f"the mail server answered {error.code}") from None
        except (aiosmtplib.SMTPException, OSError) as error:
            raise TemporaryFailure(f"the mail server could not be reached or used ({type(error).__name__})") from None
        if message.to in refused:  # the adviser's copy went, the family's did not
            return _refused_recipient(message, refused[message.to].code)
        return message.sent()

    def _email(self, message: Message) -> EmailMessage:
        email = EmailMessage()
        email["From"] = str(self.mail_from)
        email["To"] = Address(display_name=" ".join(message.notice.recipient.name.split()), addr_spec=message.to)
        if message.copy_to:
            email["Cc"] = message.copy_to
        email["Subject"] = message.content.subject
        email["Date"] = formatdate(usegmt=True)
        # The same on every attempt, so that a copy sent twice (see above) is recognisably one.
        email["Message-ID"] = f"<{message.key}@{self.mail_from.email.rpartition('@')[2]}>"
        email.set_content(message.content.body)
        return email


def _permanent(code: int) -> bool:
    return 500 <= code < 600


def _refused_recipient(message: Message, code: int) -> Delivery:
    if _permanent(code):
        return message.refused(f"the mail server refused the email address ({code})")
    raise TemporaryFailure(f"the mail server deferred the email address ({code})") from None
