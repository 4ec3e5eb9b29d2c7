"""The Readers view's rows, kept in the transaction of every write that changes them.

Grouping every published reader comment by reader on each visit reads the whole table
(a second at a million comments); a ``ReaderSummary`` row per reader, and per reader
and staff member, lets the view read one page of an index instead. Every change to a
comment goes through the ORM (services.comments.freshness says the same), so one flush
hook finds what a flush changed and counts again, from the comments themselves, the
readers it touched (a reader's new comment, written without the flush by
services.comments.inserting, is counted there with ``count_new_comment``):

- a reader comment added, deleted, or changed in anything the view shows or counts
  (published or not, erased, answered, dismissed, its name, email, kind, post, time,
  or whom it is handed to): its reader, before and after the change;
- a post's named authors changed: every reader of the post (whose the comments are);
- a staff member added or renamed (the posts that name them): their rows; removed: gone.

A reader is counted again whole (an index probe and their comments), so the rows are
a recount, with one exception: a flush whose only counted change is one new published
comment (every post through the API) adds it to its reader's rows in one statement
(``add_comment``), which is what a recount of them would write. Rows written outside
the ORM (the data-scale bench's COPY) are counted with ``rebuild_all``, as the
migration does.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    String,
    TextClause,
    bindparam,
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.orm import Session

from comments_service.enums import CommentStatus
from comments_service.models import Comment, PostAuthor, ReaderSummary, Staff, UTCDateTime
from comments_service.queries.listening import reader_identity
from comments_service.services.moderation.readers import published

# A reader comment's fields the Readers view shows or counts.
COUNTED_FIELDS = (
    "status",
    "erased_at",
    "author_name",
    "author_email",
    "answered_at",
    "dismissed_at",
    "kind",
    "post_id",
    "assigned_to_id",
    "assigned_to",
    "post",
    "created_at",
    "link_key",
)
CHUNK = 500  # values per IN list, well under every database's limit
SIGNERS_PER_UNION = 100  # SQLite allows 500 SELECTs in one compound query
# PostgreSQL's advisory lock that a recount of some readers shares and a recount of a
# whole scope takes alone (SQLite lets one transaction write at a time anyway).
EVERY_READER_LOCK = 0x706F7263_00000001
SUMMARIES = ReaderSummary.__table__
SCOPE_ALL = ReaderSummary.EVERYONE


@dataclass
class _Tally:
    """One reader's comments in one scope, as they are counted."""

    comments: int = 0
    posts: set = field(default_factory=set)
    first_at: datetime | None = None
    latest: tuple = ()
    answered: int = 0
    waiting: int = 0
    kinds: Counter = field(default_factory=Counter)
    signed_as: set = field(default_factory=set)

    def add(self, row) -> None:
        self.comments += 1
        self.posts.add(row.post_id)
        if self.first_at is None or row.created_at < self.first_at:
            self.first_at = row.created_at
        if not self.latest or (row.created_at, row.id) > self.latest[:2]:
            self.latest = (row.created_at, row.id, row.author_name, row.author_email, row.link_key)
        self.answered += row.answered
        self.waiting += row.waiting
        if row.kind is not None:
            self.kinds[row.kind] += 1
        self.signed_as.update(value for value in (row.author_name, row.author_email) if value)

    def row(self, scope_id: int, reader: str) -> dict:
        last_at, key_id, name, email, link_key = self.latest
        return dict(
            scope_id=scope_id,
            reader=reader,
            name=name,
            email=email,
            key_id=key_id,
            key_link_key=link_key,
            comments=self.comments,
            posts=len(self.posts),
            first_at=self.first_at,
            last_at=last_at,
            answered=self.answered,
            waiting=self.waiting,
            kinds=dict(sorted(self.kinds.items())),
            signed_as="\n".join(sorted(self.signed_as)),
        )


def _counted_comments() -> Select:
    """Published reader comments with what a tally reads of each, and their reader."""
    return select(
        Comment.id,
        Comment.post_id,
        Comment.author_name,
        Comment.author_email,
        Comment.created_at,
        Comment.kind,
        Comment.link_key,
        Comment.assigned_to_id,
        case((Comment.answered_at.is_not(None), 1), else_=0).label("answered"),
        case((Comment.is_waiting, 1), else_=0).label("waiting"),
        reader_identity().label("reader"),
    ).where(published())


def _tally(rows: Iterable, scopes_of: Callable) -> dict[tuple[int, str], _Tally]:
    tallies: dict[tuple[int, str], _Tally] = defaultdict(_Tally)
    for row in rows:
        for scope_id in scopes_of(row):
            tallies[scope_id, row.reader].add(row)
    return tallies


def _write(connection: Connection, tallies: dict[tuple[int, str], _Tally]) -> None:
    rows = [tally.row(scope_id, reader) for (scope_id, reader), tally in tallies.items()]
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(SUMMARIES), rows[start : start + CHUNK])


def _chunks(values, size: int = CHUNK) -> Iterable[list]:
    values = sorted(values, key=repr)
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Looking:
    """Whose each post is: the staff members its named authors are (``for_staff``)."""

    def __init__(self, connection: Connection, post_ids: Iterable[int] | None):
        query = select(PostAuthor.post_id, Staff.id).join(Staff, Staff.name == PostAuthor.name)
        found = (
            connection.execute(query)
            if post_ids is None
            else (
                row
                for chunk in _chunks(set(post_ids))
                for row in connection.execute(query.where(PostAuthor.post_id.in_(chunk)))
            )
        )
        self._staff: dict[int, set[int]] = defaultdict(set)
        for post_id, staff_id in found:
            self._staff[post_id].add(staff_id)

    def scopes_of(self, row) -> set[int]:
        """Everyone's view, the post's authors', and that of whom it is handed to."""
        handed = {row.assigned_to_id} if row.assigned_to_id is not None else set()
        return {SCOPE_ALL, *self._staff.get(row.post_id, ()), *handed}


def _lock(connection: Connection, readers: set[str] | None) -> None:
    """Wait for any other transaction counting these readers (``None``: any reader) to
    commit, so this count reads what it wrote (PostgreSQL reads each statement's rows
    as committed when it starts) and the two never write the same row.

    In the readers' order, so two flushes that count readers never wait for each
    other (a transaction that flushes twice may: PostgreSQL then ends one of them).
    """
    if connection.dialect.name != "postgresql":
        return
    if readers is None:
        connection.execute(select(func.pg_advisory_xact_lock(EVERY_READER_LOCK)))
        return
    if len(readers) == 1:
        connection.execute(_LOCK_ONE, {"reader": next(iter(readers)), "every": EVERY_READER_LOCK})
        return
    connection.execute(select(func.pg_advisory_xact_lock_shared(EVERY_READER_LOCK)))
    connection.execute(_LOCK_IN_ORDER, {"readers": sorted(readers)})


# The shared lock first (the subquery is run before the row it gives is read).
_LOCK_ONE = text(
    "SELECT pg_advisory_xact_lock(hashtextextended(:reader, 0))"
    " FROM (SELECT pg_advisory_xact_lock_shared(:every) OFFSET 0) AS shared"
)
# One statement for all of them (a deep chain's answer counts thousands of readers),
# taken in the readers' order: the sorted rows are locked as they come.
_LOCK_IN_ORDER = text(
    "SELECT pg_advisory_xact_lock(hashtextextended(reader, 0))"
    " FROM (SELECT reader FROM unnest(CAST(:readers AS text[])) AS reader"
    " ORDER BY reader) AS sorted"
)


def recount_readers(connection: Connection, readers: set[str]) -> None:
    """Count these readers (``reader_identity`` values) again from their comments."""
    emails = {reader.removeprefix("email:") for reader in readers if reader.startswith("email:")}
    names = {reader.removeprefix("name:") for reader in readers if reader.startswith("name:")}
    _lock(connection, readers)
    rows = []
    for chunk in _chunks(readers):
        connection.execute(delete(SUMMARIES).where(SUMMARIES.c.reader.in_(chunk)))
    for chunk in _chunks(emails):
        found = _counted_comments().where(func.lower(Comment.author_email).in_(chunk))
        rows += connection.execute(found).all()
    for chunk in _chunks(names):
        no_email = func.nullif(Comment.author_email, "").is_(None)
        found = _counted_comments().where(Comment.author_name.in_(chunk), no_email)
        rows += connection.execute(found).all()
    rows = [row for row in rows if row.reader in readers]
    looking = _Looking(connection, {row.post_id for row in rows})
    _write(connection, _tally(rows, looking.scopes_of))


# One new published comment, added to its reader's row in each scope that sees it (the
# blog's and the post's authors'): a new row if it is the reader's first there, else
# the row plus this comment, which is what ``_Tally`` would count. The post counts
# once more only if no other published comment of theirs is on it: looked for among
# the reader's comments (``+`` keeps SQLite off the post's index, which would read
# every comment on a busy post), and only on a conflict (the subquery names ``excluded``:
# SQLite runs a subquery that names only values once before the statement, conflict
# or not). A name or email not yet in ``signed_as`` is put at its end; ``add_comment``
# puts the lines in order. The status is written as it is, not as a parameter: SQLite
# prepares a statement again at every run when a parameter is compared with a column
# that a partial index's condition names (it might choose that index), and here that
# took eight times as long as the statement itself.
_ADD_COMMENT = """
INSERT INTO reader_summaries (reader, scope_id, name, email, key_id, key_link_key,
    comments, posts, first_at, last_at, answered, waiting, kinds, signed_as)
SELECT :reader, scopes.scope_id, :name, :email, :id, :link_key, 1, 1, :created_at,
    :created_at, :answered, :waiting, {no_kinds}, :signed_as
FROM (SELECT {everyone} AS scope_id UNION SELECT staff.id FROM post_authors
    JOIN staff ON staff.name = post_authors.name WHERE post_authors.post_id = :post_id
) AS scopes WHERE true
ON CONFLICT (reader, scope_id) DO UPDATE SET
    comments = reader_summaries.comments + 1,
    posts = reader_summaries.posts + CASE WHEN EXISTS (
        SELECT 1 FROM comments WHERE {same_reader} AND +comments.post_id = :post_id
        AND comments.id <> excluded.key_id AND comments.staff_id IS NULL
        AND comments.status = '{published}' AND comments.erased_at IS NULL
    ) THEN 0 ELSE 1 END,
    first_at = CASE WHEN excluded.first_at < reader_summaries.first_at
        THEN excluded.first_at ELSE reader_summaries.first_at END,
    name = CASE WHEN {newer} THEN excluded.name ELSE reader_summaries.name END,
    email = CASE WHEN {newer} THEN excluded.email ELSE reader_summaries.email END,
    key_id = CASE WHEN {newer} THEN excluded.key_id ELSE reader_summaries.key_id END,
    key_link_key = CASE WHEN {newer}
        THEN excluded.key_link_key ELSE reader_summaries.key_link_key END,
    last_at = CASE WHEN {newer} THEN excluded.last_at ELSE reader_summaries.last_at END,
    answered = reader_summaries.answered + excluded.answered,
    waiting = reader_summaries.waiting + excluded.waiting,
    signed_as = reader_summaries.signed_as
        || CASE WHEN :name = '' OR {position}(:nl || reader_summaries.signed_as || :nl,
            :nl || :name || :nl) > 0 THEN '' ELSE :nl || :name END
        || CASE WHEN :signed_email = '' OR {position}(:nl || reader_summaries.signed_as || :nl,
            :nl || :signed_email || :nl) > 0 THEN '' ELSE :nl || :signed_email END
RETURNING scope_id, signed_as
"""
_NEWER = (
    "(excluded.last_at > reader_summaries.last_at OR (excluded.last_at ="
    " reader_summaries.last_at AND excluded.key_id > reader_summaries.key_id))"
)
_SAME_READER = {
    True: "lower(comments.author_email) = :email_lower",
    False: "comments.author_name = :name AND nullif(comments.author_email, '') IS NULL",
}
_ADDING: dict[tuple[str, bool], TextClause] = {}


def _adding(dialect: str, by_email: bool) -> TextClause:
    """The statement of ``_ADD_COMMENT`` for this database and kind of reader."""
    key = (dialect, by_email)
    if key not in _ADDING:
        sql = _ADD_COMMENT.format(
            no_kinds="CAST('{}' AS JSON)" if dialect == "postgresql" else "'{}'",
            everyone=SCOPE_ALL,
            same_reader=_SAME_READER[by_email],
            newer=_NEWER,
            position="strpos" if dialect == "postgresql" else "instr",
            published=CommentStatus.APPROVED.value,
        )
        _ADDING[key] = text(sql).bindparams(
            bindparam("created_at", type_=UTCDateTime()),
            bindparam("id", type_=Integer()),
            bindparam("post_id", type_=Integer()),
        )
    return _ADDING[key]


def identity_of(connection: Connection, comment: Comment) -> str:
    """``reader_identity`` of a comment: worked out here when the database's lower()
    could change nothing (no address, or one in lower-case ASCII), else asked."""
    email = comment.author_email
    if not email:
        return "name:" + comment.author_name
    if email.isascii() and email == email.lower():
        return "email:" + email
    return identities(connection, {(email, comment.author_name)}).pop()


def add_comment(connection: Connection, comment: Comment, locked_reader: str | None = None) -> None:
    """Count one new published reader comment into its reader's rows, the others of
    theirs already counted (``_one_comment_added`` says when that holds).

    ``locked_reader``: the comment's reader (``identity_of``), whose lock the caller took
    as ``_lock`` does, in an earlier statement of this transaction."""
    reader = locked_reader
    if reader is None:
        reader = identity_of(connection, comment)
        _lock(connection, {reader})
    by_email = reader.startswith("email:")
    signed = {value for value in (comment.author_name, comment.author_email) if value}
    params = dict(
        reader=reader,
        name=comment.author_name,
        email=comment.author_email,
        id=comment.id,
        link_key=comment.link_key,
        created_at=comment.created_at,
        answered=int(comment.answered_at is not None),
        waiting=int(bool(comment.is_waiting)),
        signed_as="\n".join(sorted(signed)),
        post_id=comment.post_id,
        nl="\n",
        signed_email=comment.author_email or "",
    )
    if by_email:
        params["email_lower"] = reader.removeprefix("email:")
    rows = connection.execute(_adding(connection.dialect.name, by_email), params).all()
    for scope_id, signed_as in rows:
        in_order = "\n".join(sorted({line for line in signed_as.split("\n") if line}))
        if in_order != signed_as:
            connection.execute(
                SUMMARIES.update()
                .where(SUMMARIES.c.reader == reader, SUMMARIES.c.scope_id == scope_id)
                .values(signed_as=in_order)
            )


def count_new_comment(
    connection: Connection, comment: Comment, locked_reader: str | None = None
) -> None:
    """What the flush hook does for one new comment written without the unit of work
    (services.comments.inserting): a published reader comment joins its reader's rows.
    ``locked_reader`` as for ``add_comment``, when ``added_alone`` said so."""
    if locked_reader is not None:
        add_comment(connection, comment, locked_reader)
        return
    changed = [(comment, True)] if comment.staff_id is None and comment.is_public else []
    if not changed:
        return
    if _one_comment_added(changed) is not None:
        add_comment(connection, comment)
    else:
        recount_readers(connection, identities(connection, _signed(comment)))


def added_alone(comment: Comment) -> bool:
    """Whether ``count_new_comment`` counts this new comment with ``add_comment``: the
    lock it takes then is one reader's, which the caller may take itself, earlier."""
    return (
        comment.staff_id is None
        and comment.is_public
        and _one_comment_added([(comment, True)]) is not None
    )


def recount_staff(connection: Connection, staff_id: int, name: str) -> None:
    """Count again the rows of what one staff member looks after (``for_staff``)."""
    _lock(connection, None)
    connection.execute(delete(SUMMARIES).where(SUMMARIES.c.scope_id == staff_id))
    on_their_posts = select(PostAuthor.post_id).where(PostAuthor.name == name)
    theirs = _counted_comments().where(
        or_(Comment.post_id.in_(on_their_posts), Comment.assigned_to_id == staff_id)
    )
    _write(connection, _tally(connection.execute(theirs), lambda row: (staff_id,)))


def rebuild_all(connection: Connection) -> None:
    """Count every reader again: after rows were written outside the ORM."""
    _lock(connection, None)
    connection.execute(delete(SUMMARIES))
    looking = _Looking(connection, None)
    rows = connection.execute(_counted_comments().execution_options(yield_per=10_000))
    _write(connection, _tally(rows, looking.scopes_of))


def readers_of_posts(connection: Connection, post_ids: set[int]) -> set[str]:
    """Everyone with a published comment on these posts."""
    found = set()
    for chunk in _chunks(post_ids):
        query = select(reader_identity()).where(published(), Comment.post_id.in_(chunk)).distinct()
        found.update(connection.scalars(query))
    return found


def identities(connection: Connection, signed: set[tuple[str | None, str]]) -> set[str]:
    """The readers these (email, name) pairs are, as the database reads them (its
    lower() is the one the comments are grouped by)."""
    found = set()
    for chunk in _chunks(signed, SIGNERS_PER_UNION):
        each = [select(reader_identity(_signed_with(email, name))) for email, name in chunk]
        found.update(connection.scalars(each[0] if len(each) == 1 else union(*each)))
    return found


def _signed_with(email: str | None, name: str) -> SimpleNamespace:
    """Values in the place of a comment's columns, for ``reader_identity``."""
    return SimpleNamespace(author_email=literal(email, String), author_name=literal(name, String))


def _signed(comment: Comment) -> set[tuple[str | None, str]]:
    """The (email, name) a comment is signed with now and was before this flush."""
    state = inspect(comment)
    emails = {comment.author_email, *state.attrs.author_email.history.deleted}
    names = {comment.author_name, *state.attrs.author_name.history.deleted}
    return {(email, name) for email in emails for name in names}


def _changes_count(comment: Comment, is_new: bool) -> bool:
    if is_new:
        return comment.is_public
    state = inspect(comment)
    return any(state.attrs[name].history.has_changes() for name in COUNTED_FIELDS)


def _changed_authorship(session: Session) -> set[int]:
    """Posts whose set of named authors this flush changed (a manifest sync writes the
    list anew whenever anything of the post changed: the same names change nothing)."""
    new = {(a.post_id, a.name) for a in session.new if isinstance(a, PostAuthor)}
    gone = {(a.post_id, a.name) for a in session.deleted if isinstance(a, PostAuthor)}
    return {post_id for post_id, _ in new ^ gone}


def _counted_changes(session: Session) -> list[tuple[Comment, bool]]:
    """The reader comments this flush added, deleted or changed in a counted field, each
    with whether it is new."""
    new = set(session.new)
    changed = []
    for comment in (*new, *session.dirty, *session.deleted):
        if not isinstance(comment, Comment) or comment.staff_id is not None:
            continue
        is_new = comment in new
        if comment in session.deleted or _changes_count(comment, is_new):
            changed.append((comment, is_new))
    return changed


def _one_comment_added(changed: list[tuple[Comment, bool]]) -> Comment | None:
    """The new comment, if it is all a flush changed of its readers' comments and
    ``add_comment`` can count it (no kind, nobody it is handed to)."""
    if len(changed) != 1:
        return None
    comment, is_new = changed[0]
    if is_new and comment.kind is None and comment.assigned_to_id is None:
        return comment
    return None


def _staff_changed(session: Session) -> list[Staff]:
    """Staff members added or renamed: the posts that name them are others now."""
    return [
        person
        for person in (*session.new, *session.dirty)
        if isinstance(person, Staff)
        and (person in session.new or inspect(person).attrs.name.history.has_changes())
    ]


@event.listens_for(Session, "after_flush")
def _recount_what_the_flush_changed(session: Session, flush_context) -> None:
    """After the rows are written, while the session still knows what the flush changed."""
    changed, posts = _counted_changes(session), _changed_authorship(session)
    staff = _staff_changed(session)
    gone = [person.id for person in session.deleted if isinstance(person, Staff)]
    if not (changed or posts or staff or gone):
        return
    connection = session.connection()
    added = None if posts else _one_comment_added(changed)
    if added is not None:
        add_comment(connection, added)
    else:
        signed = set().union(*(_signed(comment) for comment, _ in changed))
        readers = identities(connection, signed) | readers_of_posts(connection, posts)
        if readers:
            recount_readers(connection, readers)
    for person in staff:
        recount_staff(connection, person.id, person.name)
    if gone:
        connection.execute(delete(SUMMARIES).where(SUMMARIES.c.scope_id.in_(gone)))
