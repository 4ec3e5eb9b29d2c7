"""Who hears about a comment: new reader comments for digests, and subscribers to tell."""

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from comments_service.enums import SubscriptionScope
from comments_service.models import (
    Comment,
    CommentStatus,
    Post,
    SubscriberAddress,
    Subscription,
)


def new_reader_comments(since: datetime, until: datetime) -> Select:
    """Reader comments posted in (since, until] that a person should see: published or held."""
    return (
        select(Comment)
        .where(
            Comment.staff_id.is_(None),
            Comment.status.in_([CommentStatus.APPROVED, CommentStatus.PENDING]),
            Comment.created_at > since,
            Comment.created_at <= until,
        )
        .options(selectinload(Comment.post).selectinload(Post.authors))
        .order_by(Comment.created_at, Comment.id)
    )


def subscribers_to_tell(reply: Comment) -> Select:
    """The subscription that hears about this newly published reply, if any.

    The one on the comment it replies to, when that is active (confirmed, not
    unsubscribed) and wants this kind of reply: a staff answer for "team", any
    reply for "anyone". Never the reply's own writer: nobody hears about themselves.
    """
    scopes = [SubscriptionScope.ANYONE]
    if not reply.is_reader:
        scopes.append(SubscriptionScope.TEAM)
    query = (
        select(Subscription)
        .join(Subscription.address)
        .where(
            Subscription.comment_id == reply.parent_id,
            Subscription.ended_at.is_(None),
            Subscription.scope.in_(scopes),
            Subscription.confirmed_at.is_not(None),
        )
    )
    if reply.is_reader and reply.author_email:
        query = query.where(SubscriberAddress.email != reply.author_email.lower())
    return query


def subscription_to_hear_back(comment: Comment) -> Select:
    """The reader's active subscription on their own comment, of either scope: a
    follow-up acted on is news they asked for whether they wanted the team or anyone."""
    return select(Subscription).where(
        Subscription.comment_id == comment.id,
        Subscription.ended_at.is_(None),
        Subscription.confirmed_at.is_not(None),
    )
