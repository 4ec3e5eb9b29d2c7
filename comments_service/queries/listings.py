"""Narrowing a listing of comments: by post, by the post's author, by kind, by words."""

from sqlalchemy import ColumnElement, Integer, Select, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from comments_service.extensions import db
from comments_service.models import (
    Comment,
    CommentStatus,
    Post,
)


def on_post(query: Select, slug: str) -> Select:
    return query.where(Comment.post.has(Post.slug == slug))


def by_post_author(query: Select, name: str) -> Select:
    """Comments on posts that name this author (whether or not they have an account)."""
    return query.where(Comment.post.has(Post.names_author(name)))


def of_kind(query: Select, kind: str | None) -> Select:
    """Reader comments staff tagged with this kind; with ``None``, those still to tag:
    published or held ones with no kind (taken-down comments are not tagged)."""
    query = query.where(Comment.staff_id.is_(None))
    if kind is not None:
        return query.where(Comment.kind == kind)
    taggable = [CommentStatus.APPROVED, CommentStatus.PENDING]
    return query.where(Comment.kind.is_(None), Comment.status.in_(taggable))


def matching(query: Select, text: str) -> Select:
    """Comments whose text, reader name, email or address contains ``text``, any case."""
    return query.where(contains(text))


def contains(text: str) -> ColumnElement[bool]:
    """Whether a comment's text, reader name, email or address contains ``text``, any
    case. On PostgreSQL the trigram indexes find the few comments that do.

    ``%`` and ``_`` are matched literally. SQLite folds only ASCII letters' case.
    """
    columns = (
        Comment.body_markdown,
        Comment.author_name,
        Comment.author_email,
        Comment.remote_addr,
    )
    return or_(*(column.icontains(text, autoescape=True) for column in columns))


def found_by(text: str, most: int) -> list[int] | ColumnElement[bool]:
    """What a search found, for ``among``: the ids of the comments that contain ``text``,
    looked up once here, so the statements narrowed to them read no index of words again
    (on PostgreSQL the trigram search costs more than the counts and the page it feeds).
    Past ``most`` of them, ``contains`` itself: the words are then in so many comments
    that each statement finds its few (a tab's first 101, a page's 50) soonest by
    checking the words on the rows it reads in its own order.
    """
    ids = db.session.scalars(search_lookup(text, most)).all()
    return ids if len(ids) <= most else contains(text)


def search_lookup(text: str, most: int) -> Select:
    """The statement ``found_by`` runs: the ids of ``most + 1`` comments that contain ``text``."""
    return select(Comment.id).where(contains(text)).limit(most + 1)


def among(query: Select, found: list[int] | ColumnElement[bool]) -> Select:
    """Narrow a comment query to what a search found (``found_by``)."""
    if isinstance(found, list):
        return query.where(_one_of_ids(found))
    return query.where(found)


def _one_of_ids(ids: list[int]) -> ColumnElement[bool]:
    """``comments.id`` among these, named by one parameter for every statement of a page:
    on PostgreSQL one array, on SQLite (no arrays) one list SQLAlchemy spells out."""
    if db.session.get_bind().dialect.name == "postgresql":
        return Comment.id == any_(bindparam("found_ids", ids, type_=ARRAY(Integer)))
    return Comment.id.in_(bindparam("found_ids", ids, expanding=True))


def count_of(query: Select) -> Select:
    """How many rows a comment query selects, counted by the database without loading them."""
    return select(func.count()).select_from(query.order_by(None).subquery())


def counted(queries: dict[str, Select], most: int, exact=()) -> Select:
    """The counts of several comment queries in one statement, each labelled with its
    name: those in ``exact`` exactly, the others up to ``most + 1`` (``count_up_to``)."""
    return select(
        *(
            (count_of(query) if name in exact else count_up_to(query, most))
            .scalar_subquery()
            .label(name)
            for name, query in queries.items()
        )
    )


def count_up_to(query: Select, most: int) -> Select:
    """How many rows a comment query selects, counted no further than ``most + 1``.

    A long listing's count then costs what reading ``most`` of its rows costs, however
    many there are: at a million comments, "All" or "Answered" would read them all.
    """
    return select(func.count()).select_from(query.order_by(None).limit(most + 1).subquery())
