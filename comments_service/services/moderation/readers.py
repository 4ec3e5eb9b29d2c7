"""Readers known by name: published reader comments grouped by the person who wrote them.

A reader is their email address, in any letter case; a comment without one belongs to
the name it was signed with. Only published comments count: held, spam, deleted and
erased ones are no one's. Whether a comment was answered is the stored answer of
services.answers, and the share answered is the figures' (services.figures).

A reader's page is reached by a key that names one of their listed comments (their
latest: its id and its link key, signed with the service's secret key and a salt of its
own), never their address: a URL ends up in logs and browser histories, and a signed
value is only encoded, not hidden. The link key keeps a key from opening the page of
whoever's comment later takes the number. Nothing here touches Flask globals.
"""

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select, tuple_
from sqlalchemy.orm import aliased

from comments_service.models import Comment, ReaderSummary, Staff
from comments_service.queries.listening import reader_identity
from comments_service.services.report.figures import share_answered
from comments_service.services.tokens import Signed

KEY_SALT = "porch.moderation.reader"


def published(comment=Comment) -> ColumnElement[bool]:
    """A reader comment readers can see (``Comment.is_public``)."""
    return and_(comment.staff_id.is_(None), comment.is_public)


def same_reader(email, name, other=Comment) -> ColumnElement[bool]:
    """``other`` was written by the reader with this email (any case), or, without an
    email, with this name: columns of another comment, or a loaded comment's values
    (then written so the indexes on the email and the name serve)."""
    if email is None:
        return and_(other.author_email.is_(None), other.author_name == name)
    if isinstance(email, str):
        return func.lower(other.author_email) == email.lower()
    return or_(
        func.lower(other.author_email) == func.lower(email),
        and_(email.is_(None), other.author_email.is_(None), other.author_name == name),
    )


_EARLIER = aliased(Comment, name="earlier")  # built once, as care._OTHER_STAFF


def is_first_comment() -> ColumnElement[bool]:
    """A published reader comment with no earlier published one by the same reader.

    Correlated NOT EXISTS, so a page of the queue asks it only for its own rows. The
    reader's two readings (same_reader: the email, else the name) are asked apart, so
    each is one probe of an index in time order (ix_comments_reader_email_time, the
    name's) that stops at the reader's first comment, even for a reader with hundreds.
    """
    earlier = _EARLIER
    before = tuple_(earlier.created_at, earlier.id) < tuple_(Comment.created_at, Comment.id)
    same_email = func.lower(earlier.author_email) == func.lower(Comment.author_email)
    same_name = and_(
        Comment.author_email.is_(None),
        earlier.author_email.is_(None),
        earlier.author_name == Comment.author_name,
    )
    return and_(
        published(),
        ~exists().where(published(earlier), same_email, before),
        ~exists().where(published(earlier), same_name, before),
    )


def published_comments() -> Select:
    """Every published reader comment: what the Readers view groups (narrow it first)."""
    return select(Comment).where(published())


def readers(comments: Select, kinds: tuple[str, ...]) -> Select:
    """One row per reader of these comments, the latest comment first: one grouped query.

    The name and email shown, and the comment the key names, are those of their latest
    comment (found by the one window the query needs anyway). A reader's page asks it of
    their comments; the Readers view reads what ``summaries()`` kept of it.
    """
    newest = func.row_number().over(
        partition_by=reader_identity(), order_by=(Comment.created_at.desc(), Comment.id.desc())
    )
    rows = (
        comments.order_by(None)
        .with_only_columns(
            Comment.id,
            Comment.post_id,
            Comment.author_name,
            Comment.author_email,
            Comment.created_at,
            Comment.kind,
            Comment.link_key,
            reader_identity().label("reader"),
            newest.label("newest"),
            case((Comment.answered_at.is_not(None), 1), else_=0).label("answered"),
            case((Comment.is_waiting, 1), else_=0).label("waiting"),
        )
        .subquery()
    )
    latest = rows.c.newest == 1
    return (
        select(
            rows.c.reader,
            func.max(case((latest, rows.c.author_name))).label("name"),
            func.max(case((latest, rows.c.author_email))).label("email"),
            func.max(case((latest, rows.c.id))).label("key_id"),
            func.max(case((latest, rows.c.link_key))).label("key_link_key"),
            func.count().label("comments"),
            func.count(rows.c.post_id.distinct()).label("posts"),
            func.min(rows.c.created_at).label("first_at"),
            func.max(rows.c.created_at).label("last_at"),
            func.sum(rows.c.answered).label("answered"),
            func.sum(rows.c.waiting).label("waiting"),
            *(
                func.count(case((rows.c.kind == kind, 1))).label(f"kind_{i}")
                for i, kind in enumerate(kinds)
            ),
        )
        .group_by(rows.c.reader)
        .order_by(func.max(rows.c.created_at).desc(), rows.c.reader)
    )


def scope_of(staff: Staff) -> int:
    """Whose readers' rows a staff member reads: everyone's for an admin (``for_staff``)."""
    return ReaderSummary.EVERYONE if staff.is_admin else staff.id


def summaries(scope_id: int, search: str = "") -> Select:
    """The Readers view: ``readers()`` of everything in the scope, as counted at each
    write (services.moderation.reader_summaries), latest comment first.

    ``search`` looks in every name and email a reader signed with, one a line: a search
    across a line break matches nothing, as no name or email holds one.
    """
    query = select(ReaderSummary).where(ReaderSummary.scope_id == scope_id)
    if "\n" in search:
        query = query.where(false())
    elif search:
        query = query.where(ReaderSummary.signed_as.icontains(search, autoescape=True))
    return query.order_by(ReaderSummary.last_at.desc(), ReaderSummary.reader)


@dataclass(frozen=True)
class Reader:
    """One row of the Readers view."""

    key: str
    name: str
    email: str | None
    comments: int
    posts: int
    first_at: datetime
    last_at: datetime
    answered: int
    waiting: int
    by_kind: dict[str, int]

    @property
    def share_answered(self) -> float | None:
        return share_answered(self.answered, self.waiting)


class ReaderKeys:
    """Makes and reads the keys in the addresses of readers' pages."""

    def __init__(self, secret_key: str):
        self._serializer = URLSafeSerializer(secret_key, salt=KEY_SALT)

    def make(self, comment_id: int, link_key: str) -> str:
        return self._serializer.dumps(Signed(comment_id, link_key).payload)

    def read(self, key: str) -> Signed | None:
        """The comment a genuine key names (check it with ``Signed.names``); None for a
        changed or made-up one, or one made before keys carried the link key."""
        try:
            return Signed.of(self._serializer.loads(key))
        except BadData:
            return None

    def reader(self, row, kinds: tuple[str, ...]) -> Reader:
        """A row of ``readers()`` as the view shows it."""
        return Reader(
            key=self.make(row.key_id, row.key_link_key),
            name=row.name,
            email=row.email,
            comments=row.comments,
            posts=row.posts,
            first_at=row.first_at,
            last_at=row.last_at,
            answered=row.answered,
            waiting=row.waiting,
            by_kind={kind: row._mapping[f"kind_{i}"] for i, kind in enumerate(kinds)},
        )


def summary_reader(keys: ReaderKeys, row: ReaderSummary, kinds: tuple[str, ...]) -> Reader:
    """A row of ``summaries()`` as the view shows it."""
    return Reader(
        key=keys.make(row.key_id, row.key_link_key),
        name=row.name,
        email=row.email,
        comments=row.comments,
        posts=row.posts,
        first_at=row.first_at,
        last_at=row.last_at,
        answered=row.answered,
        waiting=row.waiting,
        by_kind={kind: row.kinds.get(kind, 0) for kind in kinds},
    )


def comments_of(comments: Select, comment: Comment, newest_first: bool = False) -> Select:
    """The reader's comments among ``comments``: the one named and every other of theirs."""
    order = (Comment.created_at, Comment.id)
    if newest_first:
        order = tuple(column.desc() for column in order)
    by_them = same_reader(comment.author_email, comment.author_name)
    return comments.where(by_them).order_by(*order)
