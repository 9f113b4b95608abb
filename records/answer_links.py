"""The public site's links (DESIGN section 14), kept in the records database (SQLite or PostgreSQL).

A link is `<public URL>/<token>`: 128 random bits (`secrets.token_urlsafe(16)`), minted by the
notification activity for one message that asks something, bound to one case, one recipient (party
id) and one purpose, expiring at the end of the last day the message gives (in England), spent once
the answer is recorded. A retried message mints another link beside the first: both work, so a
message that did go out keeps working.

Stored only as digests:
- the token as its SHA-256. A plain, fast hash is enough for 128 random bits: nobody can guess a
  token to hash and compare (2^128 tries), so neither a salt nor a slow or keyed hash adds anything,
  and the look-up needs a hash that is the same every time. A copy of the table opens no link.
- what only the recipient knows, for the identity check asked before anything about the case is
  shown (`IdentityCheck`): the last 4 digits of their phone, else their postcode, else the email
  address the message went to, as an HMAC-SHA256 under the site secret (settings
  `DISAGREEMENT_PUBLIC_SITE_SECRET_FILE`), bound to the token's digest. Keyed, because 4 digits
  are 10,000 guesses: without the secret, a copy of the table tells nobody the answer.

Failed tries (a link not recognised, a wrong answer to the check) are counted here too, against the
token and against the client's address (kept as a keyed digest, never the address), so that every
process of the public site shares one count and a restart does not reset it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from domain.calendar import london_time
from domain.models import Channel
from domain.notifications import AnswerPurpose, Recipient
from records.contacts import normalise_email
from records.database import Database, instant

TOKEN_BYTES = 16  # 128 random bits
# Failed tries allowed in a window before the site stops answering [policy]: 5 wrong answers to a
# link's check leave 9,995 of 10,000 last-4 combinations untried; 20 from one address leave room
# for a household or an office behind one address, not for guessing links.
TOKEN_FAILURES = 5
ADDRESS_FAILURES = 20
FAILURE_WINDOW = timedelta(hours=1)
# Wrong answers to a link's check in its whole life before it is locked for good [policy]. The hourly
# limit alone would let someone holding a forwarded link try 5 an hour for the weeks it lasts (over a
# thousand of the 10,000 last-4 combinations); 10 leave a 1 in 1,000 chance.
LINK_WRONG_ANSWERS = 10
# How long a link's row outlives its expiry, so that using it late says "expired", not "not
# recognised" [policy]; after that it is swept away.
KEPT_AFTER_EXPIRY = timedelta(days=90)


class CheckKind(StrEnum):
    """What the recipient is asked, in order of preference."""

    phone_last4 = "phone_last4"
    postcode = "postcode"
    email = "email"


@dataclass(frozen=True)
class IdentityCheck:
    kind: CheckKind
    answer: str  # normalised, as `normalised_answer` makes what is typed


def identity_check(recipient: Recipient, channel: Channel, sent_to: str) -> IdentityCheck | None:
    """What only this recipient knows: the last 4 digits of their phone, else their postcode, else the
    email address the message went to. None: nothing to ask, so no link."""
    contact = recipient.contact
    if contact is None:
        return None
    if contact.phone:
        return IdentityCheck(CheckKind.phone_last4, normalised_answer(CheckKind.phone_last4, contact.phone))
    if contact.address is not None:
        return IdentityCheck(CheckKind.postcode, normalised_answer(CheckKind.postcode, contact.address.postcode))
    email = sent_to if channel is Channel.email else contact.email
    return IdentityCheck(CheckKind.email, normalised_answer(CheckKind.email, str(email))) if email else None


def normalised_answer(kind: CheckKind, typed: str) -> str:
    """What was typed, or stored, as compared: the last 4 digits of a phone number, a postcode in
    capitals without spaces, an email address in lower case."""
    match kind:
        case CheckKind.phone_last4:
            return "".join(character for character in typed if character.isdigit())[-4:]
        case CheckKind.postcode:
            return "".join(typed.split()).upper()
        case CheckKind.email:
            return normalise_email(typed)


class LinkState(StrEnum):
    live = "live"
    spent = "spent"  # the answer it asked for is recorded
    expired = "expired"
    locked = "locked"  # its check answered wrongly `LINK_WRONG_ANSWERS` times


@dataclass(frozen=True)
class AnswerLink:
    digest: str  # of the token: what the link is known by here (and in logs, never the token)
    reference: str
    party: str
    purpose: AnswerPurpose
    check: CheckKind
    expires_at: datetime
    spent_at: datetime | None
    wrong_answers: int = 0  # to its identity check, in its whole life

    def state(self, now: datetime) -> LinkState:
        """Expired once its window ends, answered or not: an old message's link shows nothing more.
        Locked once its check has been answered wrongly too often, whoever asks."""
        if now >= self.expires_at:
            return LinkState.expired
        if self.wrong_answers >= LINK_WRONG_ANSWERS:
            return LinkState.locked
        return LinkState.spent if self.spent_at is not None else LinkState.live


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expiry_of(answer_until) -> datetime:
    """The end of the last day, in England: midnight after it."""
    return london_time(answer_until + timedelta(days=1), time(0, 0))


class AnswerLinks:
    def __init__(self, database: Database, secret: bytes, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._db = database
        self._secret = secret
        self._clock = clock

    async def close(self) -> None:
        await self._db.close()

    async def mint(
        self, reference: str, party: str, purpose: AnswerPurpose, notice_key: str, check: IdentityCheck,
        expires_at: datetime,
    ) -> str:
        """A new token for this message; only its digest is kept. Links long expired are swept."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        digest = token_digest(token)
        now = self._clock()
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM answer_links WHERE expires_at < ?", (instant(now - KEPT_AFTER_EXPIRY),))
            await tx.execute(
                "INSERT INTO answer_links (token_digest, reference, party, purpose, notice_key, check_kind, check_digest,"
                " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    digest, reference, party, purpose.value, notice_key, check.kind.value,
                    self._keyed(digest, check.kind, check.answer), instant(now), instant(expires_at),
                ),
            )
        return token

    async def find(self, token: str) -> AnswerLink | None:
        """The link this token opens; None for a token never minted (or swept away)."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT token_digest, reference, party, purpose, check_kind, expires_at, spent_at, wrong_answers"
                " FROM answer_links WHERE token_digest = ?",
                (token_digest(token),),
            )
        if not rows:
            return None
        digest, reference, party, purpose, check, expires_at, spent_at, wrong_answers = rows[0]
        return AnswerLink(
            digest=digest, reference=reference, party=party, purpose=AnswerPurpose(purpose), check=CheckKind(check),
            expires_at=datetime.fromisoformat(expires_at), spent_at=datetime.fromisoformat(spent_at) if spent_at else None,
            wrong_answers=wrong_answers,
        )

    async def is_recipient(self, link: AnswerLink, typed: str) -> bool:
        """Whether what was typed is what only the link's recipient knows (compared in constant time)."""
        async with self._db.transaction() as tx:
            [(stored,)] = await tx.fetchall("SELECT check_digest FROM answer_links WHERE token_digest = ?", (link.digest,))
        answer = normalised_answer(link.check, typed)
        return bool(answer) and hmac.compare_digest(stored, self._keyed(link.digest, link.check, answer))

    async def spend(self, link: AnswerLink) -> None:
        """The answer is recorded: the link shows it from now on and asks nothing more."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE answer_links SET spent_at = ? WHERE token_digest = ? AND spent_at IS NULL",
                (instant(self._clock()), link.digest),
            )

    # --- Failed tries ----------------------------------------------------------------------------

    def address_subject(self, address: str) -> str:
        return "address:" + hmac.new(self._secret, f"address|{address}".encode(), hashlib.sha256).hexdigest()

    async def limited(self, address: str, link: AnswerLink | None = None) -> bool:
        """Whether this client address, or this link, has failed too often in the last window."""
        since = instant(self._clock() - FAILURE_WINDOW)
        async with self._db.transaction() as tx:
            [(by_address,)] = await tx.fetchall(
                "SELECT COUNT(*) FROM answer_link_failures WHERE subject = ? AND failed_at > ?",
                (self.address_subject(address), since),
            )
            by_token = 0
            if link is not None:
                [(by_token,)] = await tx.fetchall(
                    "SELECT COUNT(*) FROM answer_link_failures WHERE subject = ? AND failed_at > ?",
                    (f"token:{link.digest}", since),
                )
        return by_address >= ADDRESS_FAILURES or by_token >= TOKEN_FAILURES

    async def failed(self, address: str, link: AnswerLink | None = None) -> LinkState | None:
        """A failed try from this address (against this link, if it was one: a wrong answer to its
        check, also counted for the link's life); old tries are swept. Returns the link's state
        after it (None: no link), `locked` once that was one wrong answer too many."""
        now = self._clock()
        subjects = [self.address_subject(address)] + ([f"token:{link.digest}"] if link is not None else [])
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM answer_link_failures WHERE failed_at <= ?", (instant(now - FAILURE_WINDOW),))
            for subject in subjects:
                await tx.execute(
                    "INSERT INTO answer_link_failures (subject, failed_at) VALUES (?, ?)", (subject, instant(now)),
                )
            if link is None:
                return None
            await tx.execute("UPDATE answer_links SET wrong_answers = wrong_answers + 1 WHERE token_digest = ?", (link.digest,))
            [(wrong_answers,)] = await tx.fetchall("SELECT wrong_answers FROM answer_links WHERE token_digest = ?", (link.digest,))
        return replace(link, wrong_answers=wrong_answers).state(now)

    def _keyed(self, digest: str, kind: CheckKind, answer: str) -> str:
        return hmac.new(self._secret, f"{digest}|{kind.value}|{answer}".encode(), hashlib.sha256).hexdigest()
