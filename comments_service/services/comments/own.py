"""A reader's own comment: changing or taking back what they just wrote, and seeing it held.

Readers have no accounts. The writer of a comment is whoever holds the token the
service handed out in its answer to the post (one salt, one purpose: nothing else is
signed with it); the blog's script keeps it in the reader's browser. A comment may be
changed or deleted only for a short while after it was posted and before the team
answered it: an answer must never end up answering words that are no longer there.
Nothing here commits or touches Flask globals.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import format_decimal, gettext, lazy_gettext, ngettext
from sqlalchemy import exists, select

from comments_service.enums import CommentStatus, Decision
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, Subscription
from comments_service.services.comments.answers import lock_thread
from comments_service.services.comments.posting import GUARD_DECISIONS, STATUS_OF
from comments_service.services.privacy.people import Erasure, apply_erasure
from comments_service.services.spam import guard as spam
from comments_service.services.tokens import OWN, BadLink, Tokens
from comments_service.words.rendering import render_comment

EDITED = "Edited by its writer. Before the edit:\n{before}"
# The stricter status wins: an edit can hold a published comment, never publish a held one.
STRICTNESS = [CommentStatus.APPROVED, CommentStatus.PENDING, CommentStatus.SPAM]


class Refused(Exception):
    """The change is not allowed; ``kind`` is the API's error, the message says what to do."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


BAD_TOKEN = Refused(
    "bad_token", lazy_gettext("This browser did not write that comment, so it cannot change it.")
)
GONE = Refused("unknown_comment", lazy_gettext("That comment is no longer on the blog."))


def own_token(tokens: Tokens, comment: Comment) -> str:
    return tokens.make(OWN, comment)


def edit_until(comment: Comment, window: timedelta) -> datetime:
    """The window's end to the second, as the API writes it: the page and the service agree."""
    return (comment.created_at + window).replace(microsecond=0)


def own_comment(tokens: Tokens, token, comment_id: int) -> Comment:
    """The comment this token was handed out for; raises Refused."""
    if not isinstance(token, str):
        raise BAD_TOKEN
    try:  # no age limit: the window after posting bounds every change
        signed = tokens.read(OWN, token, now=datetime.min, max_age=None)
    except BadLink:
        raise BAD_TOKEN from None
    if signed.row_id != comment_id:
        raise BAD_TOKEN
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise GONE
    if not signed.names(comment):  # a later comment that took the number
        raise BAD_TOKEN
    if comment.status == CommentStatus.DELETED or comment.erased_at:
        raise GONE
    return comment


def check_changeable(comment: Comment, now: datetime, window: timedelta) -> None:
    """Refuse once the window has closed or the team has answered."""
    if comment.answered_at is not None:
        raise Refused(
            "answered",
            gettext(
                "The team has answered this comment, so it stays as they read it."
                " Add a reply below it instead."
            ),
        )
    if now > edit_until(comment, window):
        raise Refused("edit_window_closed", _window_closed(window.total_seconds() / 60))


def _window_closed(minutes: float) -> str:
    if minutes.is_integer():
        return ngettext(
            "Comments can be changed or deleted for %(minutes)s minute after posting;"
            " that time is over. Add a reply below it instead.",
            "Comments can be changed or deleted for %(minutes)s minutes after posting;"
            " that time is over. Add a reply below it instead.",
            int(minutes),
            minutes=format_decimal(int(minutes)),
        )
    # A part of a minute (tests use one) has no plural form gettext can choose.
    return gettext(
        "Comments can be changed or deleted for %(minutes)s minutes after posting;"
        " that time is over. Add a reply below it instead.",
        minutes=format_decimal(minutes),
    )


def edited_draft(comment: Comment, body: str) -> Comment:
    """The comment as it reads with its new words, outside the session: the guard judges
    it once the reading transaction is over (Akismet weighs the writer's details too)."""
    return Comment(
        post=comment.post,
        parent_id=comment.parent_id,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_website=comment.author_website,
        remote_addr=comment.remote_addr,
        user_agent=comment.user_agent,
        referrer=comment.referrer,
        created_at=comment.created_at,
        body_markdown=body,
        body_html=render_comment(body),
    )


def judge_edit(draft: Comment, guard: spam.Guard, blocked: spam.Assessment) -> spam.Assessment:
    """The guard's verdict on new words, as on a new comment's. It reads nothing from the
    database (``blocked``, the blocklists' word, was read before): the caller holds no
    transaction, so a slow Akismet holds up nobody else."""
    cheap = blocked.then(spam.cheap_checks(draft, honeypot="", fill_seconds=None, guard=guard))
    return spam.then_akismet(cheap, draft, guard)


def changeable_under_lock(comment_id: int, now: datetime, window: timedelta) -> Comment:
    """The comment read again after taking the lock a staff answer takes; raises Refused.

    What was checked before (a slow Akismet call ago) may no longer hold: a staff answer
    stored meanwhile wins, and the comment stays as it was answered.
    """
    post_id = db.session.scalar(select(Comment.post_id).where(Comment.id == comment_id))
    if post_id is None:
        raise GONE
    lock_thread(post_id)
    comment = db.session.get(Comment, comment_id, populate_existing=True)
    if comment is None or comment.status == CommentStatus.DELETED or comment.erased_at:
        raise GONE
    check_changeable(comment, now, window)
    return comment


def store_edit(comment: Comment, draft: Comment, verdict: spam.Assessment, now: datetime) -> None:
    """Write judged new words on a comment read under the lock (changeable_under_lock).

    The audit keeps the words this edit replaced as they are now: another edit by the
    same writer may have been stored since this one was read.
    """
    edited = EDITED.format(before=comment.body_markdown)
    comment.body_markdown = draft.body_markdown
    comment.body_html = draft.body_html
    comment.edited_at = now
    status = max(comment.status, STATUS_OF[verdict.verdict], key=_strictness)
    db.session.add(
        ModerationAction(comment=comment, action=Decision.EDIT, reason=edited, created_at=now)
    )
    if status != comment.status:
        decision = GUARD_DECISIONS[verdict.verdict]
        db.session.add(
            ModerationAction(
                comment=comment, action=decision, reason=verdict.reason, created_at=now
            )
        )
        comment.status = status


def _strictness(status: CommentStatus) -> int:
    return STRICTNESS.index(status)


def delete_comment(comment: Comment, now: datetime) -> None:
    """Gone, or a placeholder "removed at its author's request" where others replied."""
    erasure = Erasure(email="", subscriptions=_subscriptions_of(comment))
    replied = db.session.scalar(select(exists().where(Comment.parent_id == comment.id)))
    (erasure.kept if replied else erasure.gone).append(comment)
    apply_erasure(erasure, now)


def _subscriptions_of(comment: Comment) -> list[Subscription]:
    query = select(Subscription).where(Subscription.comment_id == comment.id)
    return list(db.session.scalars(query))


SHOWN_TO_WRITER = (CommentStatus.APPROVED, CommentStatus.PENDING)


def comments_of_writer(tokens: Tokens, held: list, now: datetime, max_age: timedelta) -> list:
    """The comments these tokens were handed out for that are still there and not spam.

    Tokens that are forged, changed or older than ``max_age``, or whose comment's number
    went to a later comment, are left out, not refused: a browser keeps what it was given
    and asks for all of it.
    """
    signed = defaultdict(list)  # by the id each names
    for token in held:
        try:
            found = tokens.read(OWN, token, now=now, max_age=max_age)
        except (BadLink, TypeError):
            continue
        signed[found.row_id].append(found)
    if not signed:
        return []
    query = (
        select(Comment)
        .where(Comment.id.in_(list(signed)), Comment.status.in_(SHOWN_TO_WRITER))
        .where(Comment.erased_at.is_(None))
        .order_by(Comment.id)
    )
    comments = db.session.scalars(query)
    return [comment for comment in comments if any(s.names(comment) for s in signed[comment.id])]
