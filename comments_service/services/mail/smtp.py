"""Turning an outbox row into a proper email, and handing it to an SMTP server.

Standard library only: ``email.message.EmailMessage`` for a text + HTML message
with the headers mail clients and filters expect, written under ``MAIL_POLICY``
(words/mail_headers.py: reader text is written literally and never becomes a
header of its own), ``smtplib`` to send it.
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from comments_service.enums import SmtpSecurity
from comments_service.models import OutboxMessage
from comments_service.words.mail_headers import MAIL_POLICY


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send; host empty means no SMTP server is set up."""

    host: str
    port: int
    user: str
    password: str
    security: SmtpSecurity
    timeout: float
    mail_from: str

    @classmethod
    def from_config(cls, config) -> "SmtpSettings":
        return cls(
            host=config["PORCH_SMTP_HOST"],
            port=config["PORCH_SMTP_PORT"],
            user=config["PORCH_SMTP_USER"],
            password=config["PORCH_SMTP_PASSWORD"],
            security=config["PORCH_SMTP_SECURITY"],
            timeout=config["PORCH_SMTP_TIMEOUT_SECONDS"],
            mail_from=config["PORCH_MAIL_FROM"],
        )


def sender_domain(mail_from: str) -> str:
    """The domain of the From address: Message-IDs are made under it."""
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def compose(message: OutboxMessage, mail_from: str) -> EmailMessage:
    """The email for an outbox row: text first, HTML as the richer alternative.

    The Message-ID comes from the row, so a retried message keeps its identity and
    mail servers and clients can recognise a copy. ``Auto-Submitted`` keeps
    out-of-office replies from answering a robot. A header value with a line break
    raises ValueError: the message cannot be written.
    """
    email = EmailMessage(policy=MAIL_POLICY)
    email["From"] = mail_from
    email["To"] = Address(addr_spec=message.recipient)
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    stamp = int(message.created_at.timestamp())
    email["Message-ID"] = f"<porch.{message.id}.{stamp}@{sender_domain(mail_from)}>"
    email["Auto-Submitted"] = "auto-generated"
    email["X-Auto-Response-Suppress"] = "All"
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An open, authenticated SMTP session; every wait is bounded by the timeout."""
    if settings.security == SmtpSecurity.SSL:
        context = ssl.create_default_context()
        server = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == SmtpSecurity.STARTTLS:
            server.starttls(context=ssl.create_default_context())
        if settings.user:
            server.login(settings.user, settings.password)
    except BaseException:
        server.close()
        raise
    return server


def disconnect(server: smtplib.SMTP) -> None:
    """Say goodbye politely if the server still listens; close the socket either way."""
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()
