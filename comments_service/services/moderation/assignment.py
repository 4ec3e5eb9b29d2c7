"""Handing a reader comment to a colleague: it becomes theirs in every queue and mail.

The comment keeps the colleague on ``Comment.assigned_to``; ``queries.owns`` reads it,
so the queue, notifications, reminders, digests and escalation all follow. Nothing
here commits: the request or command commits once.
"""

from datetime import datetime

from sqlalchemy import select

from comments_service.enums import Action, Decision
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, Staff
from comments_service.service_urls import ServiceUrls
from comments_service.services.inbound.reply_address import ReplyAddresses
from comments_service.services.mail.notifications import notify_handed_over
from comments_service.services.moderation.rules import ModerationError, check


def reassign(
    comment: Comment,
    by: Staff,
    colleague: Staff,
    *,
    urls: ServiceUrls,
    now: datetime,
    replies: ReplyAddresses | None = None,
) -> None:
    """Make the comment the colleague's, record who did it, and tell the colleague.

    An admin may hand on any waiting comment, an author one in their own queue
    (services.moderation.rules).
    """
    check(Action.REASSIGN, comment, by, now)
    if not colleague.active:
        raise ModerationError(f"{colleague.name} can no longer sign in; choose someone else.")
    if comment.assigned_to_id == colleague.id:
        raise ModerationError(f"This comment is already handed to {colleague.name}.")
    comment.assigned_to = colleague
    db.session.add(
        ModerationAction(
            comment=comment,
            staff=by,
            action=Decision.REASSIGN,
            reason=f"Handed to {colleague.name}",
            created_at=now,
        )
    )
    notify_handed_over(comment, by, colleague, urls=urls, now=now, replies=replies)


def active_colleagues() -> list[Staff]:
    """Everyone a comment can be handed to, by name."""
    return list(db.session.scalars(select(Staff).where(Staff.active).order_by(Staff.name)))
