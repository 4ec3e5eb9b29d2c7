"""Who looks after a comment now: its owners, who covers for them, what waits for whom.

Also what is overdue or escalated.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, or_, select
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


def for_staff(query: Select, staff: Staff) -> Select:
    """Narrow a comment query to what this staff member may act on, and so open and read
    (the tabs, the readers' pages, the report's quotes; ``looks_after`` for one comment).

    Admins look after every post, including posts whose authors have no account;
    an author looks after the posts that name them and the comments handed to them.
    """
    if staff.is_admin:
        return query
    return query.where(or_(_on_posts_of(staff), Comment.assigned_to_id == staff.id))


def looks_after(staff: Staff, comment: Comment) -> bool:
    """The rule of for_staff() for one comment already loaded."""
    return (
        staff.is_admin
        or comment.post.names_author(staff.name)
        or comment.assigned_to_id == staff.id
    )


def posts_for(staff: Staff, most: int) -> Select:
    """The newest ``most`` posts a staff member looks after, as (slug, title): the choices
    of the post filter. A large blog has thousands; a page listing them all would spend
    most of its time writing options, so no Post objects are loaded either."""
    newest_first = (Post.published_at.desc().nulls_last(), Post.id.desc())
    query = select(Post.slug, Post.title).order_by(*newest_first)
    query = query if staff.is_admin else query.where(Post.names_author(staff.name))
    return query.limit(most)


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
    on_their_post = _on_posts_of(staff)
    theirs = or_(handed_to_them, and_(Comment.assigned_to_id.is_(None), on_their_post))
    if staff.is_away(now.date()):
        return query.where(theirs)
    # What ``flagged`` gives a present author beyond their own: covering for the
    # owners of a comment on their post who are all away.
    covering = and_(on_their_post, ~_someone(owns, now.date()))
    return query.where(or_(theirs, covering))


def _on_posts_of(staff: Staff) -> ColumnElement[bool]:
    """Post.names_author for a name known in advance, asked of post_authors alone: the
    database hashes the author's posts once instead of walking every post."""
    return Comment.post_id.in_(select(PostAuthor.post_id).where(PostAuthor.name == staff.name))


def owns(person) -> ColumnElement[bool]:
    """The comment belongs to this (active) staff member: handed to them, else a named author.

    ``person`` is Staff or an alias of it, in a query about Comment.
    """
    named = and_(Comment.assigned_to_id.is_(None), Comment.post.has(Post.names_author(person.name)))
    return and_(person.active, or_(Comment.assigned_to_id == person.id, named))


# Built once: each new alias costs SQLAlchemy a walk of the table's columns for every
# column the statement names, on every page of the queue.
_OTHER_STAFF = aliased(Staff, name="other_staff")


def _someone(rule, today: date) -> ColumnElement[bool]:
    """Some staff member who is present fits the rule for this comment."""
    other = _OTHER_STAFF
    return select(other.id).where(rule(other), ~other.is_away(today)).exists()


@dataclass(frozen=True)
class _Facts:
    """What the flagging rule reads of one comment."""

    id: int
    post_id: int
    assigned_to_id: int | None
    created_at: datetime
    waiting: bool


class _Flagging:
    """Who a comment is flagged for now: who looks after it.

    - its owners (``owns``: handed to them, else the post's named authors) who are present;
    - when every owner is away (or the comment was handed to a deactivated account),
      the post's named authors who are present, else the admins;
    - once it has waited longer than the escalation delay, the admins as well.

    Away periods are whole UTC days. Admins who are away are passed over while another
    admin is present. Without ``escalate_after`` nothing is escalated. Only active staff
    are ever flagged. Applied in Python to a few facts per comment: a page of comments
    is asked in three small queries, where SQL joined each comment with every staff
    member through nested subqueries (``waiting_for`` is this rule for one person, in
    SQL; test_away holds the two together).
    """

    def __init__(self, staff: list[Staff], now: datetime, escalate_after: timedelta | None):
        today = now.date()
        self.staff = staff
        # By id: Staff's equality is Flask-Login's, by sign-in token, not by person.
        self.present = {person.id for person in staff if not person.is_away(today)}
        admins = {person.id for person in staff if person.role == Role.ADMIN}
        self.admins_on_duty = admins & self.present or admins
        self.escalated_before = None if escalate_after is None else now - escalate_after

    def flagged_for(self, comment: _Facts, authors: set[str]) -> list[Staff]:
        def owns(person: Staff) -> bool:
            if comment.assigned_to_id is None:
                return person.name in authors
            return comment.assigned_to_id == person.id

        present = [person for person in self.staff if person.id in self.present]
        owned = any(owns(person) for person in present)
        covered = not owned and any(person.name in authors for person in present)
        to_admins = not (owned or covered) or self._escalated(comment)
        return [
            person
            for person in self.staff
            if (
                person.id in self.present
                and (owns(person) or (not owned and person.name in authors))
            )
            or (to_admins and person.id in self.admins_on_duty)
        ]

    def _escalated(self, comment: _Facts) -> bool:
        if self.escalated_before is None:
            return False
        return comment.waiting and comment.created_at < self.escalated_before


def flagged_staff(
    comment: Comment, now: datetime, escalate_after: timedelta | None = None
) -> list[Staff]:
    """Who one comment is flagged for now, by name."""
    return flagged_by_comment([comment.id], now, escalate_after).get(comment.id, [])


def flagged_by_comment(
    comment_ids, now: datetime, escalate_after: timedelta | None = None
) -> dict[int, list[Staff]]:
    """Who each of these comments is flagged for (``_Flagging``), each list by name."""
    ids = list(comment_ids)
    if not ids:
        return {}
    facts = [
        _Facts(*row)
        for row in db.session.execute(
            select(
                Comment.id,
                Comment.post_id,
                Comment.assigned_to_id,
                Comment.created_at,
                Comment.is_waiting,
            ).where(Comment.id.in_(ids))
        )
    ]
    authors: dict[int, set[str]] = defaultdict(set)
    posts = {fact.post_id for fact in facts}
    for post_id, name in db.session.execute(
        select(PostAuthor.post_id, PostAuthor.name).where(PostAuthor.post_id.in_(posts))
    ):
        authors[post_id].add(name)
    # As stored now (an away period set meanwhile elsewhere counts), as SQL would read it.
    staff = db.session.scalars(
        select(Staff)
        .where(Staff.active)
        .order_by(Staff.name)
        .execution_options(populate_existing=True)
    ).all()
    flagging = _Flagging(list(staff), now, escalate_after)
    flagged_for = {}
    for fact in sorted(facts, key=lambda fact: fact.id):
        if people := flagging.flagged_for(fact, authors[fact.post_id]):
            flagged_for[fact.id] = people
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
