"""Staff decisions on a comment; each leaves a ModerationAction behind."""

from ..extensions import db
from ..models import Comment, CommentStatus, ModerationAction, Staff, utcnow
from .answers import recompute_answers


class ModerationError(ValueError):
    """A decision that does not fit the comment's current state."""


def approve(comment: Comment, staff: Staff) -> None:
    if comment.status != CommentStatus.PENDING:
        raise ModerationError("Only a comment waiting for approval can be approved.")
    comment.status = CommentStatus.APPROVED
    comment.published_at = utcnow()
    _record(comment, staff, "approve")


def mark_spam(comment: Comment, staff: Staff) -> None:
    _take_down(comment, staff, CommentStatus.SPAM, "spam")


def delete(comment: Comment, staff: Staff, reason: str | None = None) -> None:
    _take_down(comment, staff, CommentStatus.DELETED, "delete", reason)


def dismiss(comment: Comment, staff: Staff, reason: str) -> None:
    """Mark a reader comment "no answer needed": it leaves every queue, with the reason kept."""
    if not comment.is_reader:
        raise ModerationError("Only reader comments wait for an answer.")
    if comment.status in (CommentStatus.SPAM, CommentStatus.DELETED):
        raise ModerationError("This comment was taken down; it waits for nobody.")
    if comment.answered_at or comment.dismissed_at:
        raise ModerationError("This comment is no longer waiting for an answer.")
    comment.dismissed_at = utcnow()
    comment.dismissed_by = staff
    comment.dismiss_reason = reason
    _record(comment, staff, "dismiss", reason)


def _take_down(comment, staff, status, action, reason=None) -> None:
    if comment.status in (CommentStatus.SPAM, CommentStatus.DELETED):
        raise ModerationError("This comment has already been taken down.")
    comment.status = status
    if not comment.is_reader:
        db.session.flush()
        recompute_answers(comment.post_id)
    _record(comment, staff, action, reason)


def _record(comment: Comment, staff: Staff, action: str, reason: str | None = None) -> None:
    db.session.add(ModerationAction(comment=comment, staff=staff, action=action, reason=reason))
    db.session.commit()
