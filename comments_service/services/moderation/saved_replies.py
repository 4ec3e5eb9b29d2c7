"""Saved replies: short answers staff give often, kept to insert into an answer box.

Each staff member keeps their own; an admin may share theirs with everyone, and any
admin may then change or take back a shared one. Nothing here commits.
"""

from sqlalchemy import Select, func, or_, select

from comments_service.extensions import db
from comments_service.models import SavedReply, Staff
from comments_service.services.moderation.rules import NotAllowed

TITLE_LIMIT = 80
ONLY_ADMINS_SHARE = "Only admins can share saved replies with everyone."


def usable_by(staff: Staff) -> Select:
    """The replies this person may insert: their own first, then the shared ones, by title."""
    return (
        select(SavedReply)
        .where(or_(SavedReply.owner_id == staff.id, SavedReply.shared))
        .order_by(SavedReply.shared, func.lower(SavedReply.title), SavedReply.id)
    )


def usable(staff: Staff, reply_id: int | None) -> SavedReply | None:
    """This reply, if this person may insert it; None for any other number."""
    if reply_id is None:
        return None
    return db.session.scalar(usable_by(staff).where(SavedReply.id == reply_id))


def may_change(reply: SavedReply, staff: Staff) -> bool:
    return reply.owner_id == staff.id or (staff.is_admin and reply.shared)


def add(staff: Staff, title: str, body: str, shared: bool) -> SavedReply:
    if shared and not staff.is_admin:
        raise NotAllowed(ONLY_ADMINS_SHARE)
    reply = SavedReply(owner=staff, title=title, body=body, shared=shared)
    db.session.add(reply)
    return reply


def change(reply: SavedReply, staff: Staff, title: str, body: str, shared: bool) -> None:
    _check_may_change(reply, staff)
    if shared != reply.shared and not staff.is_admin:
        raise NotAllowed(ONLY_ADMINS_SHARE)
    reply.title, reply.body, reply.shared = title, body, shared


def remove(reply: SavedReply, staff: Staff) -> None:
    _check_may_change(reply, staff)
    db.session.delete(reply)


def inserted(draft: str, text: str) -> str:
    """The draft with a reply added where a page without a cursor puts it: after what was
    typed, as a paragraph of its own."""
    typed = draft.rstrip()
    return f"{typed}\n\n{text}" if typed else text


def _check_may_change(reply: SavedReply, staff: Staff) -> None:
    if not may_change(reply, staff):
        raise NotAllowed(
            "This saved reply is not yours: only its owner, or an admin once it is shared,"
            " can change it."
        )
