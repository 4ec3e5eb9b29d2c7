"""Handing a reader comment to a colleague: it becomes theirs in every queue and mail.

The comment keeps the colleague on ``Comment.assigned_to``; ``queries.owns`` reads it,
so the queue, notifications, reminders, digests and escalation all follow. Nothing
here commits: the request or command commits once.
"""

from datetime import datetime

from sqlalchemy import select

from comments_service.enums import CommentStatus, Decision
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, Staff
from comments_service.queries.care import waiting_for
from comments_service.service_urls import ServiceUrls
from comments_service.services.mail.notifications import notify_handed_over
from comments_service.services.moderation.decisions import ModerationError, NotAllowed


def may_reassign(staff: Staff, comment: Comment, now: datetime) -> bool:
    """An admin may hand on any comment; an author only one in their own queue."""
    in_their_queue = waiting_for(select(Comment.id).where(Comment.id == comment.id), staff, now)
    return staff.is_admin or db.session.scalar(in_their_queue) is not None


def reassign(
    comment: Comment, by: Staff, colleague: Staff, *, urls: ServiceUrls, now: datetime
) -> None:
    """Make the comment the colleague's, record who did it, and tell the colleague."""
    if not may_reassign(by, comment, now):
        raise NotAllowed("You can hand on only comments waiting for you.")
    _check_waiting(comment)
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
    notify_handed_over(comment, by, colleague, urls=urls, now=now)


def _check_waiting(comment: Comment) -> None:
    if not comment.is_reader:
        raise ModerationError(
            "Staff answers wait for nobody; only reader comments can be handed on."
        )
    if comment.status != CommentStatus.APPROVED:
        raise ModerationError("Only a published comment waiting for an answer can be handed on.")
    if comment.answered_at or comment.dismissed_at:
        raise ModerationError("This comment is no longer waiting for an answer.")


def active_colleagues() -> list[Staff]:
    """Everyone a comment can be handed to, by name."""
    return list(db.session.scalars(select(Staff).where(Staff.active).order_by(Staff.name)))
