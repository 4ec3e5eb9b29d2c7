"""The outbox sender: claims due messages, hands them to SMTP or to their chat channel
(services.mail.chat), records what happened.

First it writes the messages of the comment events posting left for it
(services.mail.events). Like a CLI command, the sender is an edge and commits, once per
step: each batch of events with its messages, the claim
(before any SMTP or chat talk, so no transaction stays open while a server is slow),
then the outcome of each message. A chat message that fails is retried as an email
is; one whose channel is no longer in PORCH_NOTIFY_URLS fails at once.
``flask --app comments_service mail send`` runs one pass; ``mail send --loop`` keeps
running passes.
"""

import enum
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from comments_service.config import notify_urls
from comments_service.extensions import db
from comments_service.models import OutboxMessage, utcnow
from comments_service.services.mail import chat, outbox
from comments_service.services.mail.events import Notices, expand_pending
from comments_service.services.mail.smtp import SmtpSettings, compose, connect, disconnect

log = logging.getLogger(__name__)

# The server refused this one message, or it cannot be written as an email (a line
# break in a header, a malformed address): the connection is still good for the next.
REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    ValueError,
)
# Anything else (nothing listening, a timeout, a dropped connection) ends the pass.
UNREACHABLE = (smtplib.SMTPException, OSError)


@dataclass
class PassReport:
    sent: int = 0
    logged: int = 0
    failed: int = 0


@dataclass(frozen=True)
class SenderSettings:
    smtp: SmtpSettings
    retry: outbox.RetryPolicy
    lease: timedelta
    batch_size: int
    # The chat channels' Apprise URLs, by the fingerprint outbox rows name them with.
    channels: dict[str, str]
    # What the messages about comment events need (services.mail.events).
    notices: Notices

    @classmethod
    def for_app(cls, app) -> "SenderSettings":
        config = app.config
        return cls(
            smtp=SmtpSettings.from_config(config),
            retry=outbox.RetryPolicy(
                max_attempts=config["PORCH_MAIL_MAX_ATTEMPTS"],
                first_delay=timedelta(seconds=config["PORCH_MAIL_RETRY_SECONDS"]),
            ),
            lease=timedelta(seconds=config["PORCH_MAIL_LEASE_SECONDS"]),
            batch_size=config["PORCH_MAIL_BATCH_SIZE"],
            channels=chat.by_fingerprint(notify_urls(config)),
            notices=Notices.for_app(app),
        )


class Outcome(enum.Enum):
    SENT = "sent"
    REFUSED = "refused"  # this message failed; the next may go
    UNREACHABLE = "unreachable"  # the server failed; the pass stops


class _Connection:
    """One SMTP connection per pass, opened when the first message needs it."""

    def __init__(self, settings: SmtpSettings):
        self._settings = settings
        self._server: smtplib.SMTP | None = None

    def send(self, email) -> None:
        if self._server is None:
            self._server = connect(self._settings)
        self._server.send_message(email)

    def drop(self) -> None:
        """After a timeout or a lost connection the session is unusable: just close it."""
        if self._server is not None:
            self._server.close()
            self._server = None

    def close(self) -> None:
        if self._server is not None:
            disconnect(self._server)
            self._server = None


def send_due(settings: SenderSettings, clock: Callable[[], datetime] = utcnow) -> PassReport:
    """One bounded pass over the due messages: at most ``batch_size`` of them, after the
    pending comment events are written as messages (services.mail.events).

    The clock is read again for each message: a pass slowed by a struggling server
    must not claim with a lease that started minutes ago and has already run out.
    """
    expand_pending(settings.notices, settings.batch_size)
    report = PassReport()
    connection = _Connection(settings.smtp)
    try:
        for _ in range(settings.batch_size):
            claim = outbox.claim_next(clock(), settings.lease)
            db.session.commit()
            if claim is None:
                break
            message, token = claim
            if message.channel is None and not settings.smtp.host:
                _log_instead(message, token)
                report.logged += 1
                continue
            outcome = _send(connection, settings, message, token, clock)
            report.sent += outcome is Outcome.SENT
            report.failed += outcome is not Outcome.SENT
            if outcome is Outcome.UNREACHABLE:
                break
    finally:
        connection.close()
    return report


def _send(connection, settings: SenderSettings, message, token: str, clock) -> Outcome:
    """An email goes over the pass's SMTP connection, a chat message to its channel."""
    if message.channel is not None:
        return _post(settings, message, token, clock)
    return _deliver(connection, settings, message, token, clock)


def _deliver(connection, settings: SenderSettings, message, token: str, clock) -> Outcome:
    """Send one claimed message and record the outcome under this sender's claim."""
    try:
        connection.send(compose(message, settings.smtp.mail_from))
    except REFUSED as error:
        _failed(message, token, error, clock(), settings)
        return Outcome.REFUSED
    except UNREACHABLE as error:
        connection.drop()
        _failed(message, token, error, clock(), settings)
        return Outcome.UNREACHABLE
    _sent(message, token, clock)
    return Outcome.SENT


def _post(settings: SenderSettings, message, token: str, clock) -> Outcome:
    """Post one claimed chat message to its channel; a failure ends only this message."""
    url = settings.channels.get(message.channel)
    if url is None:
        error = f"the channel {message.channel} is no longer in PORCH_NOTIFY_URLS"
        log.warning("Message %d not sent: %s", message.id, error)
        outbox.record_undeliverable(message.id, token, error)
        db.session.commit()
        return Outcome.REFUSED
    try:
        chat.post(url, message.subject, message.body_text)
    except chat.ChatError as error:
        _failed(message, token, error, clock(), settings)
        return Outcome.REFUSED
    _sent(message, token, clock)
    return Outcome.SENT


def _sent(message, token: str, clock) -> None:
    if not outbox.record_sent(message.id, token, clock()):
        log.warning("Message %d was sent after its claim ran out (lease too short?)", message.id)
    db.session.commit()


def _failed(message, token, error, now, settings: SenderSettings) -> None:
    description = f"{type(error).__name__}: {error}"
    log.warning("Message %d to %s not sent: %s", message.id, message.destination, description)
    outbox.record_failure(message, token, description, now, settings.retry)
    db.session.commit()


def _log_instead(message: OutboxMessage, token: str) -> None:
    """No SMTP host: show the message in the log and keep it, marked "logged". Its
    Reply-To is shown too: in development, that is where to send an answer by mail."""
    reply_to = (message.headers or {}).get("Reply-To")
    log.info(
        "No SMTP host set (PORCH_SMTP_HOST); message %d kept in the outbox.\n"
        "To: %s\nSubject: %s%s\n\n%s",
        message.id,
        message.recipient,
        message.subject,
        f"\nReply-To: {reply_to}" if reply_to else "",
        message.body_text,
    )
    outbox.record_logged(message.id, token)
    db.session.commit()
