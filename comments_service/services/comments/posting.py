"""Writing comments: a reader's new comment, and a staff member's answer.

These functions add to the session and never commit: the request or CLI command
that calls them commits once, so everything one event causes lands together.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TypeVar

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from comments_service.enums import Decision, ModerationPolicy, SpamVerdict, SubscriptionScope
from comments_service.extensions import db, one_writer_at_a_time
from comments_service.models import Comment, CommentStatus, ModerationAction, Post, Staff, utcnow
from comments_service.queries.states import has_approved_comment_from
from comments_service.services.comments.answers import lock_thread, record_answer, words_seen
from comments_service.services.comments.inserting import insert_comment
from comments_service.services.mail.events import new_comment_event
from comments_service.services.mail.subscriptions import ReaderMail, subscribe, tell_subscriber
from comments_service.services.moderation.decisions import ModerationError, approve
from comments_service.services.spam import akismet, blocklist
from comments_service.services.spam import guard as spam
from comments_service.words.rendering import render_comment


@dataclass(frozen=True)
class Submission:
    """A reader's comment as validated by the API."""

    author_name: str
    body: str
    email: str | None = None
    website: str | None = None
    honeypot: str = ""
    # Seconds between the page opening (or the reader's previous comment) and sending,
    # as the blog's script measured them; None when the form came without it (no JavaScript).
    fill_seconds: float | None = None
    # Which replies the reader wants by email (needs ``email``); None: no email.
    subscribe: SubscriptionScope | None = None
    # The own-comment tokens the writer's browser holds: proof of earlier comments.
    own_tokens: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubmissionContext:
    """Where a comment came from; stored for spam checks and abuse reports."""

    remote_addr: str | None = None
    user_agent: str | None = None
    referrer: str | None = None
    # Sent by a client so that a retry after a lost answer finds the first comment.
    idempotency_key: str | None = None


Answer = TypeVar("Answer")


class NoSuchParent(LookupError):
    """The comment a reader replies to is not a published comment on the same post."""


def reply_target(post: Post, parent_id: int | None) -> Comment | None:
    """The comment a reader may reply to: only a published one, on the same post."""
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or not parent.is_public or parent.post_id != post.id:
        raise NoSuchParent(
            gettext("There is no comment %(number)s on this post to reply to.", number=parent_id)
        )
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
        raise KeyReused(
            gettext(
                "This %(header)s was sent before with another comment; use a new key.",
                header="Idempotency-Key",
            )
        )
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


def policy_hold(policy: ModerationPolicy, email: str | None) -> str | None:
    """Why the moderation policy holds a reader comment the guard let through, if it does.

    Under "first-time" a reader is known by an email address with a published comment;
    a reader who gives none cannot be recognised, so is held every time.
    """
    if policy == ModerationPolicy.QUEUE:
        return "every reader comment is approved first (policy: queue)"
    if policy == ModerationPolicy.FIRST_TIME:
        if not email:
            return "no email address to recognise the reader by (policy: first-time)"
        if not db.session.scalar(has_approved_comment_from(email)):
            return "first comment from this email address (policy: first-time)"
    return None


def draft_reader_comment(
    post: Post, parent: Comment | None, submission: Submission, context: SubmissionContext
) -> Comment:
    """A reader comment as it will be stored, not yet in the session: judged first."""
    return Comment(
        post=post,
        post_id=post.id,
        parent=parent,
        parent_id=parent and parent.id,  # Akismet's comment_type reads it before the flush
        author_name=submission.author_name,
        author_email=submission.email,
        author_website=submission.website,
        body_markdown=submission.body,
        body_html=render_comment(submission.body),
        created_at=utcnow(),
        remote_addr=context.remote_addr,
        user_agent=context.user_agent,
        referrer=context.referrer,
        idempotency_key=context.idempotency_key,
    )


@dataclass(frozen=True)
class Screening:
    """What the cheap checks and the database said about a draft; Akismet is asked last."""

    cheap: spam.Assessment
    policy_reason: str | None

    def verdict(self, comment: Comment, guard: spam.Guard) -> spam.Assessment:
        """The final verdict. It reads nothing from the database, so the caller can end
        its transaction first and wait for a slow Akismet holding no connection or lock."""
        verdict = spam.then_akismet(self.cheap, comment, guard)
        if verdict.verdict == SpamVerdict.PUBLISH and self.policy_reason:
            return spam.Assessment(SpamVerdict.HOLD, self.policy_reason, verdict.check)
        return verdict


def screen_draft(
    comment: Comment, submission: Submission, *, policy: ModerationPolicy, guard: spam.Guard
) -> Screening:
    """Everything of the verdict that needs no Akismet: the blocklists, the cheap checks,
    the policy. A comment on the Spam list is never sent to Akismet."""
    cheap = blocklist.screen(comment).then(
        spam.cheap_checks(
            comment, honeypot=submission.honeypot, fill_seconds=submission.fill_seconds, guard=guard
        )
    )
    reason = None
    if cheap.verdict == SpamVerdict.PUBLISH:
        reason = policy_hold(policy, submission.email)
    return Screening(cheap, reason)


def store_reader_comment(
    comment: Comment,
    verdict: spam.Assessment,
    submission: Submission,
    *,
    readers: ReaderMail,
) -> Comment:
    """Store a judged draft as published, held or spam, with the reason in the audit trail.

    With it go the mails it causes: to the reader it replies to if it is published, and
    the confirmation of its own writer's subscription; and the event from which the
    outbox's sender writes the mails to flagged staff and the chat channels' messages
    (services.mail.events).
    """
    now = comment.created_at
    comment.spam_check = verdict.check
    comment.status = STATUS_OF[verdict.verdict]
    comment.published_at = now if comment.status == CommentStatus.APPROVED else None
    insert_comment(db.session, comment, new_comment_event(comment, now))
    if verdict.verdict in GUARD_DECISIONS:
        decision = GUARD_DECISIONS[verdict.verdict]
        db.session.add(ModerationAction(comment=comment, action=decision, reason=verdict.reason))
    if submission.subscribe:
        subscribe(comment, submission.subscribe, readers, now, submission.own_tokens)
    if comment.status == CommentStatus.APPROVED:
        tell_subscriber(comment, readers, now)
    return comment


@dataclass(frozen=True)
class Posting:
    """What posting a reader comment needs besides the comment: rules and collaborators."""

    policy: ModerationPolicy
    guard: spam.Guard
    readers: ReaderMail
    # Writers of one process take turns on SQLite (extensions.one_writer_at_a_time).
    writer_turn: Callable[[], AbstractContextManager] = nullcontext

    @classmethod
    def for_app(cls, app) -> "Posting":
        config = app.config
        return cls(
            policy=config["PORCH_MODERATION_POLICY"],
            guard=spam.Guard(
                max_links=config["PORCH_MAX_LINKS"],
                min_fill_seconds=config["PORCH_MIN_FILL_SECONDS"],
                akismet=akismet.for_app(app),
            ),
            readers=ReaderMail.for_app(app),
            writer_turn=lambda: one_writer_at_a_time(app),
        )


def post_reader_comment(
    post: Post,
    submission: Submission,
    parent_id: int | None,
    context: SubmissionContext,
    posting: Posting,
    answer: Callable[[Comment], Answer] = lambda comment: comment,
) -> Answer:
    """Post a reader comment: the one path of the API, the scripts, the bench and the tests.

    A use case, so it owns its transactions, unlike the steps it calls: it reads (a
    retry's earlier comment, the parent, what the checks need), gives the connection
    back while Akismet is asked (when it is: else the one connection serves the whole
    post), then stores the comment with its mails and commits. A request with the same
    idempotency key that wins the race is answered instead.

    ``answer`` makes what the caller sends back of the comment (by default the comment
    itself). For a new comment it runs before the commit, on the comment just stored:
    the commit expires what the session holds, and nothing needs reading again after it.
    Raises NoSuchParent and KeyReused.
    """
    comment = already_posted(post, submission, parent_id, context.idempotency_key)
    if comment is not None:
        return answer(comment)
    parent = reply_target(post, parent_id)
    draft = draft_reader_comment(post, parent, submission, context)
    screening = screen_draft(draft, submission, policy=posting.policy, guard=posting.guard)
    if spam.asks_akismet(screening.cheap, posting.guard):
        db.session.close()  # no connection (nor SQLite's file) held while Akismet answers
    verdict = screening.verdict(draft, posting.guard)
    try:
        with posting.writer_turn():
            store_reader_comment(draft, verdict, submission, readers=posting.readers)
            db.session.flush()
            answered = answer(draft)
            db.session.commit()
    except IntegrityError:
        # Storing writes (its mails need the id): the race can show there or at the commit.
        db.session.rollback()
        comment = already_posted(post, submission, parent_id, context.idempotency_key)
        if comment is None:
            raise
        return answer(comment)
    return answered


STATUS_OF = {
    SpamVerdict.PUBLISH: CommentStatus.APPROVED,
    SpamVerdict.HOLD: CommentStatus.PENDING,
    SpamVerdict.SPAM: CommentStatus.SPAM,
}
GUARD_DECISIONS = {SpamVerdict.SPAM: Decision.SPAM, SpamVerdict.HOLD: Decision.HOLD}


class ChangedMeanwhile(ModerationError):
    """The reader changed the comment after the answerer read it."""


def add_staff_answer(
    parent: Comment,
    staff: Staff,
    body: str,
    readers: ReaderMail | None = None,
    seen: str | None = None,
    via: str | None = None,
) -> Comment:
    """Publish a staff reply; it answers every waiting reader comment above it.

    Answering a comment that was held for approval approves it, as ``approve`` does (a
    person has read it), then answers it. With ``readers``, the readers subscribed to
    the answered comment (and, if it was held, to the comment it replies to) are mailed;
    without, nobody is (scripts). With ``seen`` (answers.words_seen of the comment as
    the answerer read it), an answer to words its writer has changed since is refused.
    ``via`` says how the answer came when not from the page or a command ("email").
    """
    _check_answerable(parent, seen)
    now = utcnow()
    if parent.status == CommentStatus.PENDING:
        approve(parent, staff, readers, now)
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
    db.session.add(ModerationAction(comment=parent, staff=staff, action=Decision.ANSWER, via=via))
    db.session.flush()
    if readers is not None:
        tell_subscriber(answer, readers, now)
    return answer


def _check_answerable(parent: Comment, seen: str | None) -> None:
    """The comment as it is now, read under the thread's lock: a reader's edit stored
    while the answer was typed, or before this transaction writes, is seen here."""
    lock_thread(parent.post_id)
    db.session.refresh(parent)
    if parent.status in (CommentStatus.SPAM, CommentStatus.DELETED):
        raise ModerationError(
            gettext("This comment was taken down; answers to it would never show.")
        )
    if seen is not None and seen != words_seen(parent):
        raise ChangedMeanwhile(
            gettext(
                "%(name)s changed their comment while you were answering:"
                " read it again before you publish your answer.",
                name=parent.author_name,
            )
        )
