"""Where received mail becomes answers: the one edge both ways in call.

``flask mail receive`` (SMTP) and ``flask mail fetch`` (IMAP) hand each raw message
to ``receive``, which decides it (services/inbound/deciding.py), commits, and bakes
the changed article page at once, as a request that changed a thread does. A message
the database could not take is not lost: ``TryLater`` tells the caller to keep it
(SMTP answers 451, so the sending server retries; IMAP leaves it in the mailbox).
"""

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from comments_service.extensions import db
from comments_service.models import InboundMail, utcnow
from comments_service.rebaking import rebake_session_changes
from comments_service.services.inbound.deciding import Inbound, Outcome, Receipt, decide
from comments_service.services.inbound.message import message_key, read_message
from comments_service.services.inbound.reply_address import ReplyAddresses

__all__ = ["Outcome", "Receipt", "TryLater", "is_reply_address", "receive"]


class TryLater(Exception):
    """The database could not be reached or was busy; nothing was recorded."""


def is_reply_address(address: str) -> bool:
    """Whether mail to ``address`` is for us: the inbound address with a token's shape."""
    replies = ReplyAddresses.from_config(current_app.config)
    return replies is not None and replies.token_in(address) is not None


def receive(raw: bytes, envelope_recipients: Sequence[str] = ()) -> Receipt:
    """Decide one message, commit, re-bake; raises TryLater when the database is away."""
    inbound = Inbound.for_app(current_app)
    if inbound is None:
        raise RuntimeError("PORCH_INBOUND_ADDRESS is not set: there is nothing to receive.")
    try:
        receipt = decide(raw, envelope_recipients, inbound, utcnow())
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if not _known(raw):
            raise
        return Receipt(Outcome.DUPLICATE, "another receiver took this message first")
    except DBAPIError as error:
        db.session.rollback()
        raise TryLater(f"the database did not take the message: {error.orig}") from error
    except BaseException:
        db.session.rollback()
        raise
    if receipt.outcome is Outcome.PUBLISHED:
        rebake_session_changes(current_app)
    return receipt


def _known(raw: bytes) -> bool:
    """After a unique-key failure: whether this message's row is there (another took it)."""
    key = message_key(raw, read_message(raw))
    return (
        db.session.scalar(select(InboundMail.id).where(InboundMail.message_key == key)) is not None
    )
