"""Who looks after a comment now: its owners, who covers for them, what waits for whom.

Also what is overdue or escalated.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import aliased

from comments_service.extensions import db
from comments_service.models import (
    Comment,
    Post,
    PostAuthor,
    Role,
    Staff,
)
from comments_service.queries.states import unanswered
from comments_service.words.names import readings


def for_staff(query: Select, staff: Staff) -> Select:
    """Narrow a comment query to what this staff member may act on, and so open and read
    (the tabs, the readers' pages, the report's quotes; ``looks_after`` for one comment).

    Admins look after every post, including posts whose authors have no account;
    an author looks after the posts that name them and the comments handed to them.
    """
    if staff.is_admin:
        return query
    return query.where(
        or_(Comment.post.has(Post.names_author(staff.name)), Comment.assigned_to_id == staff.id)
    )


def looks_after(staff: Staff, comment: Comment) -> bool:
    """The rule of for_staff() for one comment already loaded."""
    return (
        staff.is_admin
        or comment.post.names_author(staff.name)
        or comment.assigned_to_id == staff.id
    )


def posts_for(staff: Staff) -> Select:
    """The posts a staff member looks after, as (slug, title) by title: the choices of the
    post filter, thousands of them on a large blog, so no Post objects are loaded."""
    query = select(Post.slug, Post.title).order_by(Post.title, Post.id)
    return query if staff.is_admin else query.where(Post.names_author(staff.name))


def unanswered_for(staff: Staff, now: datetime) -> Select:
    return waiting_for(unanswered(), staff, now)


def waiting_for(query: Select, staff: Staff, now: datetime) -> Select:
    """Narrow a comment query to this staff member's queue: "Waiting for you".

    Admins see every comment. An author sees the comments that are theirs (even
    while away) and those flagged for them because their owners are away: ``owns``
    or ``flagged`` for this one person, written with their name and dates as values
    so the count of a long queue stays one plain query
    (``test_an_authors_queue_is_what_is_theirs_or_flagged_for_them`` holds the two together).
    """
    if staff.is_admin:
        return query
    handed_to_them = Comment.assigned_to_id == staff.id
    # Post.names_author for a name known in advance, asked of post_authors alone: the
    # database hashes the author's posts once instead of walking every post.
    on_their_post = Comment.post_id.in_(
        select(PostAuthor.post_id).where(PostAuthor.name == staff.name)
    )
    theirs = or_(handed_to_them, and_(Comment.assigned_to_id.is_(None), on_their_post))
    if staff.is_away(now.date()):
        return query.where(theirs)
    # What ``flagged`` gives a present author beyond their own: covering for the
    # owners of a comment on their post who are all away.
    covering = and_(on_their_post, ~_someone(owns, now.date()))
    return query.where(or_(theirs, covering))


def owns(person) -> ColumnElement[bool]:
    """The comment belongs to this (active) staff member: handed to them, else a named author.

    ``person`` is Staff or an alias of it, in a query about Comment.
    """
    named = and_(Comment.assigned_to_id.is_(None), Comment.post.has(Post.names_author(person.name)))
    return and_(person.active, or_(Comment.assigned_to_id == person.id, named))


def flagged(person, now: datetime, escalate_after: timedelta | None = None) -> ColumnElement[bool]:
    """Whether a comment is flagged for this staff member now: who looks after it.

    - its owners (``owns``) who are not away;
    - when every owner is away (or the comment was handed to a deactivated account),
      the post's named authors who are present, else the admins;
    - once it has waited longer than the escalation delay, the admins as well.

    Away periods are whole UTC days. Admins who are away are passed over while
    another admin is present. Without ``escalate_after`` nothing is escalated.
    """
    today = now.date()
    present = ~person.is_away(today)
    covered = and_(present, _named_author(person))
    to_admins = and_(~_someone(owns, today), ~_someone(_named_author, today))
    if escalate_after is not None:
        to_admins = or_(to_admins, Comment.is_overdue(now, escalate_after))
    return or_(
        and_(owns(person), present),
        and_(~_someone(owns, today), covered),
        and_(_admin_on_duty(person, today), to_admins),
    )


def _named_author(person) -> ColumnElement[bool]:
    return and_(person.active, Comment.post.has(Post.names_author(person.name)))


def _someone(rule, today: date) -> ColumnElement[bool]:
    """Some staff member who is present fits the rule for this comment."""
    other = aliased(Staff)
    return select(other.id).where(rule(other), ~other.is_away(today)).exists()


def _admin_on_duty(person, today: date) -> ColumnElement[bool]:
    """An active admin who is present, or any active admin while every one of them is away."""
    other = aliased(Staff)
    admin_present = (
        select(other.id)
        .where(other.active, other.role == Role.ADMIN, ~other.is_away(today))
        .exists()
    )
    return and_(
        person.active, person.role == Role.ADMIN, or_(~person.is_away(today), ~admin_present)
    )


def flagged_pairs(now: datetime, escalate_after: timedelta | None = None) -> Select:
    """(comment id, staff member) for each comment and each person it is flagged for.

    Narrow it with ``.where(Comment.id.in_(...))``; ordered by comment, then name.
    Without escalation it depends on the day alone, and every new comment asks it:
    it is built once a day, not once a post.
    """
    if escalate_after is None:
        return _flagged_pairs_on(now.date())
    return _flagged_pairs(now, escalate_after)


@lru_cache(maxsize=2)
def _flagged_pairs_on(today: date) -> Select:
    return _flagged_pairs(datetime.combine(today, time(), UTC), None)


def _flagged_pairs(now: datetime, escalate_after: timedelta | None) -> Select:
    return (
        select(Comment.id, Staff)
        .join(Staff, flagged(Staff, now, escalate_after))
        .order_by(Comment.id, Staff.name)
    )


def flagged_staff(
    comment: Comment, now: datetime, escalate_after: timedelta | None = None
) -> list[Staff]:
    """Who one comment is flagged for now, by name."""
    query = flagged_pairs(now, escalate_after).where(Comment.id == comment.id)
    return [staff for _, staff in db.session.execute(query)]


def flagged_by_comment(
    comment_ids, now: datetime, escalate_after: timedelta | None = None
) -> dict[int, list[Staff]]:
    """Who each of these comments is flagged for, in one query."""
    query = flagged_pairs(now, escalate_after).where(Comment.id.in_(list(comment_ids)))
    flagged_for: dict[int, list[Staff]] = {}
    for comment_id, staff in db.session.execute(query):
        flagged_for.setdefault(comment_id, []).append(staff)
    return flagged_for


def escalated(now: datetime, escalate_after: timedelta) -> Select:
    """Unanswered comments that have waited longer than the escalation delay: admins' too."""
    return escalated_only(unanswered(), now, escalate_after)


def escalated_only(query: Select, now: datetime, escalate_after: timedelta) -> Select:
    """Narrow a comment query to the escalated ones (the Escalated tab).

    ``Comment.is_overdue`` holds the waiting rule itself, so an answered comment never
    passes, whatever query it narrows.
    """
    return query.where(Comment.is_overdue(now, escalate_after))


def overdue(now: datetime, answer_within: timedelta) -> Select:
    """Unanswered comments that have waited longer than the answer-within time, oldest first."""
    return unanswered().where(Comment.is_overdue(now, answer_within))


def staff_by_name(name: str) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.name == name))


def reads_as_staff(name: str) -> Select:
    """Whether any reading of a name is a staff member's skeleton (words/names.py):
    one indexed lookup.

    A name that reads as nothing (only punctuation) reserves nothing.
    """
    own = sorted(readings(name))
    return select(exists().where(Staff.name_skeleton.in_(own), Staff.name_skeleton != ""))
