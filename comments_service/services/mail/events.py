"""Comment events: a new reader comment's messages, written by the outbox's sender.

Posting a reader comment stores one small row (``CommentEvent``) in the comment's
transaction instead of its messages: who the comment is flagged for (a join of many
tables) and rendering the mails are left out of the request. The sender
(services.mail.sender) expands the pending events before it sends: in one transaction
per batch it takes the oldest events (one DELETE ... RETURNING; on PostgreSQL the rows
are picked with FOR UPDATE SKIP LOCKED, so two senders never take the same one),
writes their messages as they read when posted (flagged staff decided for the event's
own time, its held-or-published state), and commits both at once. A sender that stops
before its commit took nothing: the events wait for the next pass. So a committed
comment always gets its messages, and each event becomes them exactly once.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import selectinload

from comments_service.enums import CommentEventKind, CommentStatus
from comments_service.extensions import db
from comments_service.models import Comment, CommentEvent
from comments_service.queries.care import flagged_by_comment
from comments_service.service_urls import ServiceUrls
from comments_service.services.inbound.reply_address import ReplyAddresses
from comments_service.services.mail.channels import Channels
from comments_service.services.mail.notifications import notify_flagged_staff


@dataclass(frozen=True)
class Notices:
    """What the messages about a comment need: the service's addresses for their links,
    the reply addresses (None: no inbound address) and the team's chat channels."""

    urls: ServiceUrls
    replies: ReplyAddresses | None
    channels: Channels

    @classmethod
    def for_app(cls, app) -> "Notices":
        return cls(
            urls=ServiceUrls.of(app),
            replies=ReplyAddresses.from_config(app.config),
            channels=Channels.for_app(app),
        )


NEW_EVENT = insert(CommentEvent.__table__)


def record_new_comment(comment: Comment, now: datetime) -> None:
    """Note a stored reader comment for the sender, in the caller's transaction; one the
    spam guard binned is nobody's news. One INSERT: nothing reads the event back."""
    values = new_comment_event(comment, now)
    if values is not None:
        db.session.connection().execute(NEW_EVENT, {"comment_id": comment.id, **values})


def new_comment_event(comment: Comment, now: datetime) -> dict | None:
    """The event row of a reader comment about to be stored, but its ``comment_id``; None
    for one the spam guard binned. Posting writes it with the comment
    (services.comments.inserting)."""
    if comment.status == CommentStatus.SPAM:
        return None
    held = comment.status == CommentStatus.PENDING
    return dict(kind=CommentEventKind.NEW_COMMENT, held=held, created_at=now)


def expand_pending(notices: Notices, batch_size: int) -> int:
    """Turn every pending event into its messages, a batch per transaction; how many.

    Stops at the first batch that is not full: what arrives meanwhile is the next pass's.
    """
    expanded = 0
    while True:
        taken = _expand_batch(notices, batch_size)
        db.session.commit()
        expanded += taken
        if taken < batch_size:
            return expanded


def _expand_batch(notices: Notices, batch_size: int) -> int:
    events = _take(batch_size)
    comments = _comments([event.comment_id for event in events])
    flagged = _flagged(events)
    for event in events:
        comment = comments.get(event.comment_id)
        if comment is None or comment.erased_at is not None:  # its writer had it erased
            continue
        notify_flagged_staff(
            comment,
            flagged.get(comment.id, []),
            held=event.held,
            urls=notices.urls,
            now=event.created_at,
            replies=notices.replies,
            channels=notices.channels,
        )
    return len(events)


def _take(batch_size: int) -> list:
    """Delete the oldest pending events and return them, oldest first. Nobody else can
    take them; if this transaction rolls back, they were never taken."""
    oldest = (
        select(CommentEvent.id)
        .order_by(CommentEvent.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    taken = db.session.execute(
        delete(CommentEvent)
        .where(CommentEvent.id.in_(oldest))
        .returning(
            CommentEvent.id, CommentEvent.comment_id, CommentEvent.held, CommentEvent.created_at
        )
        .execution_options(synchronize_session=False)
    )
    return sorted(taken, key=lambda event: event.id)


def _comments(ids: list[int]) -> dict[int, Comment]:
    query = (
        select(Comment)
        .where(Comment.id.in_(ids))
        .options(selectinload(Comment.post), selectinload(Comment.parent))
    )
    return {comment.id: comment for comment in db.session.scalars(query)}


def _flagged(events) -> dict:
    """Who each event's comment is flagged for at the event's time: one query per day,
    as without escalation who is flagged depends on the day alone."""
    by_day = defaultdict(list)
    for event in events:
        by_day[event.created_at.date()].append(event)
    flagged = {}
    for same_day in by_day.values():
        ids = [event.comment_id for event in same_day]
        flagged.update(flagged_by_comment(ids, same_day[0].created_at))
    return flagged
