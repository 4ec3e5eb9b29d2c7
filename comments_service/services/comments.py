"""Writing comments: a reader's new comment, and a staff member's answer.

These functions add to the session and never commit: the request or CLI command
that calls them commits once, so everything one event causes lands together.
"""

from dataclasses import dataclass

from sqlalchemy import select

from ..enums import Decision, ModerationPolicy, SpamVerdict
from ..extensions import db
from ..models import Comment, CommentStatus, ModerationAction, Post, Staff, utcnow
from . import spam
from .answers import record_answer
from .moderation import ModerationError
from .notifications import notify_flagged_staff
from .rendering import render_comment


@dataclass(frozen=True)
class Submission:
    """A reader's comment as validated by the API."""

    author_name: str
    body: str
    email: str | None = None
    website: str | None = None
    honeypot: str = ""


@dataclass(frozen=True)
class SubmissionContext:
    """Where a comment came from; stored for spam checks and abuse reports."""

    remote_addr: str | None = None
    user_agent: str | None = None
    referrer: str | None = None
    # Sent by a client so that a retry after a lost answer finds the first comment.
    idempotency_key: str | None = None


class NoSuchParent(LookupError):
    """The comment a reader replies to is not a published comment on the same post."""


def reply_target(post: Post, parent_id: int | None) -> Comment | None:
    """The comment a reader may reply to: only a published one, on the same post."""
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.post_id != post.id or parent.status != CommentStatus.APPROVED:
        raise NoSuchParent(f"There is no comment {parent_id} on this post to reply to.")
    return parent


class KeyReused(ValueError):
    """A client sent an idempotency key again, but with a different comment."""


def already_posted(
    post: Post, submission: Submission, parent_id: int | None, idempotency_key: str | None
) -> Comment | None:
    """The comment an earlier request with this key created, if there was one.

    A key names one comment. Answering a different text with the earlier comment would
    drop the new text without a word, so that is refused instead.
    """
    if not idempotency_key:
        return None
    earlier = db.session.scalar(
        select(Comment).where(
            Comment.post_id == post.id, Comment.idempotency_key == idempotency_key
        )
    )
    if earlier is not None and not _stores(earlier, submission, parent_id):
        raise KeyReused("This Idempotency-Key was sent before with another comment; use a new key.")
    return earlier


def _stores(comment: Comment, submission: Submission, parent_id: int | None) -> bool:
    """Whether a stored comment is what this submission asks to store."""
    return (
        comment.author_name == submission.author_name
        and comment.body_markdown == submission.body
        and comment.author_email == submission.email
        and comment.author_website == submission.website
        and comment.parent_id == parent_id
    )


def initial_status(verdict: SpamVerdict, policy: ModerationPolicy) -> CommentStatus:
    if verdict == SpamVerdict.SPAM:
        return CommentStatus.SPAM
    if verdict == SpamVerdict.HOLD or policy == ModerationPolicy.QUEUE:
        return CommentStatus.PENDING
    return CommentStatus.APPROVED


GUARD_DECISIONS = {SpamVerdict.SPAM: Decision.SPAM, SpamVerdict.HOLD: Decision.HOLD}


def add_reader_comment(
    post: Post,
    parent: Comment | None,
    submission: Submission,
    context: SubmissionContext,
    *,
    policy: ModerationPolicy,
    max_links: int,
    public_url: str,
) -> Comment:
    html = render_comment(submission.body)
    assessment = spam.assess(html=html, honeypot=submission.honeypot, max_links=max_links)
    status = initial_status(assessment.verdict, policy)
    now = utcnow()
    comment = Comment(
        post=post,
        parent=parent,
        author_name=submission.author_name,
        author_email=submission.email,
        author_website=submission.website,
        body_markdown=submission.body,
        body_html=html,
        status=status,
        created_at=now,
        published_at=now if status == CommentStatus.APPROVED else None,
        remote_addr=context.remote_addr,
        user_agent=context.user_agent,
        referrer=context.referrer,
        idempotency_key=context.idempotency_key,
    )
    db.session.add(comment)
    if assessment.verdict in GUARD_DECISIONS:
        decision = GUARD_DECISIONS[assessment.verdict]
        db.session.add(ModerationAction(comment=comment, action=decision, reason=assessment.reason))
    notify_flagged_staff(comment, public_url=public_url, now=now)
    return comment


def add_staff_answer(parent: Comment, staff: Staff, body: str) -> Comment:
    """Publish a staff reply; it answers every waiting reader comment above it.

    Answering a comment that was held for approval approves it: a person has read it.
    """
    if parent.status in (CommentStatus.SPAM, CommentStatus.DELETED):
        raise ModerationError("This comment was taken down; answers to it would never show.")
    now = utcnow()
    if parent.status == CommentStatus.PENDING:
        parent.status = CommentStatus.APPROVED
        parent.published_at = now
        db.session.add(ModerationAction(comment=parent, staff=staff, action=Decision.APPROVE))
    answer = Comment(
        post=parent.post,
        parent=parent,
        staff=staff,
        author_name=staff.name,
        body_markdown=body,
        body_html=render_comment(body),
        status=CommentStatus.APPROVED,
        created_at=now,
        published_at=now,
    )
    db.session.add(answer)
    record_answer(answer)
    db.session.add(ModerationAction(comment=parent, staff=staff, action=Decision.ANSWER))
    db.session.flush()
    return answer
