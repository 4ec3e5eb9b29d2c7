"""The states a comment can be in, as select() builders: unanswered, held, spam, answered."""

from datetime import datetime

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from comments_service.enums import SpamCheck, View
from comments_service.models import (
    PUBLISHED,
    Comment,
    CommentStatus,
    Post,
)


def unanswered() -> Select:
    """Published reader comments that no staff member has answered or dismissed, oldest first."""
    return (
        select(Comment)
        .where(Comment.is_waiting)
        .options(selectinload(Comment.post).selectinload(Post.authors))
        .order_by(Comment.created_at, Comment.id)
    )


def pending_approval() -> Select:
    """Reader comments held for a staff decision, oldest first."""
    return (
        select(Comment)
        .where(Comment.staff_id.is_(None), Comment.status == CommentStatus.PENDING)
        .options(selectinload(Comment.post).selectinload(Post.authors))
        .order_by(Comment.created_at, Comment.id)
    )


def in_spam() -> Select:
    """Spam staff may look through, newest first: blatant spam Akismet discarded is left out."""
    return (
        _with_status(CommentStatus.SPAM)
        .where(not_discarded())
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )


def not_discarded():
    """Akismet's blatant spam stays out of every list and count until it is purged."""
    return or_(Comment.spam_check.is_(None), Comment.spam_check != SpamCheck.DISCARDED)


def removed() -> Select:
    """Comments a staff member deleted, newest first."""
    return _with_status(CommentStatus.DELETED).order_by(
        Comment.created_at.desc(), Comment.id.desc()
    )


def answered() -> Select:
    """Published reader comments that no longer wait: answered or marked no answer needed."""
    return (
        _with_status(CommentStatus.APPROVED)
        .where(
            Comment.staff_id.is_(None),
            or_(Comment.answered_at.is_not(None), Comment.dismissed_at.is_not(None)),
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )


def has_replies():
    """A comment others replied to: deleting its row would cut their thread."""
    reply = aliased(Comment)
    return select(reply.id).where(reply.parent_id == Comment.id).exists()


def discarded_before(cutoff: datetime) -> Select:
    """Ids of blatant spam that came in before cutoff and has no replies: what purging deletes."""
    return select(Comment.id).where(
        Comment.status == CommentStatus.SPAM,
        Comment.spam_check == SpamCheck.DISCARDED,
        Comment.created_at < cutoff,
        ~has_replies(),
    )


def spam_to_empty(up_to_id: int | None = None) -> Select:
    """Ids of what "Empty spam" deletes: the Spam tab's comments without replies (blatant
    spam is left to its purge); with ``up_to_id``, none that came in after the one asked
    about, so spam arriving while an admin confirms is not deleted unseen."""
    query = select(Comment.id).where(
        Comment.status == CommentStatus.SPAM, not_discarded(), ~has_replies()
    )
    return query if up_to_id is None else query.where(Comment.id <= up_to_id)


def spam_check_failing_since() -> Select:
    """When the current run of failed Akismet checks began; NULL while the latest succeeded.

    Read from the comments themselves, so every host of the service agrees.
    """
    answered = [SpamCheck.PASSED, SpamCheck.SPAM, SpamCheck.DISCARDED]
    last_answer = (
        select(func.max(Comment.created_at)).where(Comment.spam_check.in_(answered))
    ).scalar_subquery()
    return select(func.min(Comment.created_at)).where(
        Comment.spam_check == SpamCheck.FAILED,
        or_(last_answer.is_(None), Comment.created_at > last_answer),
    )


def has_approved_comment_from(email: str) -> Select:
    """Whether a reader with this email address (in any case) has a published comment."""
    return select(
        exists().where(
            Comment.staff_id.is_(None),
            Comment.status == PUBLISHED,
            func.lower(Comment.author_email) == email.lower(),
        )
    )


def every_comment() -> Select:
    """Every comment in any state, staff answers included, newest first (blatant spam aside)."""
    return (
        select(Comment)
        .where(not_discarded())
        .options(selectinload(Comment.post).selectinload(Post.authors))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )


def _with_status(status: CommentStatus) -> Select:
    return (
        select(Comment)
        .where(Comment.status == status)
        .options(selectinload(Comment.post).selectinload(Post.authors))
    )


VIEWS = {
    View.WAITING: unanswered,
    View.ESCALATED: unanswered,  # narrowed by escalated_only(), which needs the time
    View.HELD: pending_approval,
    View.SPAM: in_spam,
    View.REMOVED: removed,
    View.ANSWERED: answered,
    View.ALL: every_comment,
}
