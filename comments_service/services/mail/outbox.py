"""The mail outbox: messages are stored with their cause, then claimed and sent one by one.

Emails, and messages to the team's chat channels (a row with a ``channel``).

A message is written in the same transaction as the event behind it. A sender
claims it with one conditional UPDATE (a compare-and-set on the claim token and
its lease; on PostgreSQL the row is also picked with ``FOR UPDATE SKIP LOCKED``, so
senders never queue behind each other), commits, talks to SMTP or chat, then records the
outcome only if its claim still holds. These functions add to the session and
never commit: the sender (services.mail.sender) commits each step.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select, update

from comments_service.enums import MailStatus
from comments_service.extensions import db
from comments_service.models import OutboxMessage

LONGEST_ERROR = 2000
# A sender that finds its picked row taken by another tries this often before giving up.
CLAIM_TRIES = 3


@dataclass(frozen=True)
class Mail:
    """What one message says; the sender adds From, Date, Message-ID and the rest."""

    recipient: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how soon a failed message is tried again."""

    max_attempts: int
    first_delay: timedelta

    def delay_after(self, attempts: int) -> timedelta:
        """Exponential backoff: the first delay, doubled after each further failure."""
        return self.first_delay * 2 ** max(attempts - 1, 0)


def enqueue(mail: Mail, now: datetime) -> OutboxMessage:
    """Store a message to be sent; it leaves only when the caller's transaction commits."""
    message = OutboxMessage(
        recipient=mail.recipient,
        subject=_fitting(mail.subject, OutboxMessage.subject.type.length),
        body_text=mail.text,
        body_html=mail.html,
        headers=mail.headers,
        status=MailStatus.QUEUED,
        created_at=now,
        attempts=0,
        next_attempt_at=now,
    )
    db.session.add(message)
    return message


def enqueue_chat(channel: str, subject: str, text: str, now: datetime) -> OutboxMessage:
    """Store a message for a chat channel (its fingerprint, services.mail.chat): a row
    like an email's, with no address, sent and retried the same way."""
    message = enqueue(Mail("", subject, text, "", {}), now)
    message.channel = channel
    return message


def _fitting(text: str, limit: int) -> str:
    """Shorten a subject built from long titles and names rather than fail the comment."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _claimable(now: datetime):
    """Queued, due, and not held by a sender whose lease is still running."""
    return (
        OutboxMessage.status == MailStatus.QUEUED,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def due(now: datetime) -> Select:
    """Messages a sender may claim now, oldest due first."""
    return (
        select(OutboxMessage)
        .where(*_claimable(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )


def claim_next(now: datetime, lease: timedelta) -> tuple[OutboxMessage, str] | None:
    """Claim the next due message for this sender, or None when nothing is due.

    One UPDATE both picks and claims: SQLite takes its write lock at once (no
    read-then-write upgrade that could fail), and the WHERE clause is checked again
    on the row it updates, so of two senders only one ever gets a given message.
    On PostgreSQL a sender can lose the row it picked to another; it tries again.
    """
    token = secrets.token_hex(16)
    for _ in range(CLAIM_TRIES):
        if _claim_one(token, now, lease):
            message = db.session.scalar(
                select(OutboxMessage)
                .where(OutboxMessage.claim_token == token)
                .execution_options(populate_existing=True)
            )
            return message, token
    return None


def _claim_one(token: str, now: datetime, lease: timedelta) -> bool:
    pick = (
        select(OutboxMessage.id)
        .where(*_claimable(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == pick, *_claimable(now))
        .values(claim_token=token, claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _settle(message_id: int, token: str, **values) -> bool:
    """Record an outcome if this sender's claim still holds; release the claim."""
    done = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token)
        .values(claim_token=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def record_sent(message_id: int, token: str, now: datetime) -> bool:
    return _settle(message_id, token, status=MailStatus.SENT, sent_at=now, last_error=None)


def record_logged(message_id: int, token: str) -> bool:
    """No SMTP server is set up: the message went to the log and stays here, marked so."""
    return _settle(message_id, token, status=MailStatus.LOGGED, last_error="no SMTP host set")


def record_undeliverable(message_id: int, token: str, error: str) -> bool:
    """A message no attempt can send (its chat channel is no longer set up): failed now."""
    return _settle(message_id, token, status=MailStatus.FAILED, last_error=error[:LONGEST_ERROR])


def record_failure(
    message: OutboxMessage, token: str, error: str, now: datetime, retry: RetryPolicy
) -> bool:
    """Count a failed attempt: try again later, or mark it failed once attempts run out."""
    attempts = message.attempts + 1
    exhausted = attempts >= retry.max_attempts
    return _settle(
        message.id,
        token,
        attempts=attempts,
        last_error=error[:LONGEST_ERROR],
        status=MailStatus.FAILED if exhausted else MailStatus.QUEUED,
        next_attempt_at=now + retry.delay_after(attempts),
    )


def requeue(statuses: list[MailStatus], now: datetime) -> int:
    """Queue failed or logged messages again, with fresh attempts; returns how many."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status.in_(statuses))
        .values(status=MailStatus.QUEUED, attempts=0, next_attempt_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
