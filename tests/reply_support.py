"""Replies to Porch's mails as an author's mail client sends them, for the inbound tests."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from comments_service.models import utcnow

from .mail_helpers import outbox_rows

INBOUND = "answers@porch.test"


def reply_address(app, recipient: str) -> str:
    """The Reply-To of the newest mail queued for ``recipient``."""
    rows = [row for row in outbox_rows(app) if row.recipient == recipient]
    assert rows, f"no mail was queued for {recipient}"
    return rows[-1].headers["Reply-To"]


def reply(
    sender: str,
    to: str,
    answer: str,
    quoted: str = "Does the lantern work in the rain?",
    message_id: str | None = None,
    **headers: str,
) -> bytes:
    """A plain-text reply above a quote of the mail it answers, as Thunderbird writes one."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Re: New comment: Jo Reader on “Hello”"
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id or make_msgid(domain="mail.porch.test")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    quote = "\n".join(f"> {line}" for line in quoted.splitlines())
    message.set_content(f"{answer}\n\nOn 7 Dec 2026 at 10:02, Porch wrote:\n{quote}\n")
    return message.as_bytes()
