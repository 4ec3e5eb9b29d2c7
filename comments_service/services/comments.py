"""Writing comments: a reader's new comment, and a staff member's answer."""

from dataclasses import dataclass

from ..extensions import db
from ..models import Comment, CommentStatus, ModerationAction, Post, Staff, utcnow
from . import spam
from .answers import record_answer
from .moderation import ModerationError
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


def initial_status(verdict: spam.Verdict, policy: str) -> CommentStatus:
    if verdict.decision == "spam":
        return CommentStatus.SPAM
    if verdict.decision == "hold" or policy == "queue":
        return CommentStatus.PENDING
    return CommentStatus.APPROVED


def add_reader_comment(
    post: Post,
    parent: Comment | None,
    submission: Submission,
    context: SubmissionContext,
    *,
    policy: str,
    max_links: int,
) -> Comment:
    html = render_comment(submission.body)
    verdict = spam.assess(html=html, honeypot=submission.honeypot, max_links=max_links)
    status = initial_status(verdict, policy)
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
    )
    db.session.add(comment)
    if verdict.reason:
        db.session.add(
            ModerationAction(comment=comment, action=status.value, reason=verdict.reason)
        )
    db.session.commit()
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
        db.session.add(ModerationAction(comment=parent, staff=staff, action="approve"))
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
    db.session.add(ModerationAction(comment=parent, staff=staff, action="answer"))
    db.session.commit()
    return answer
