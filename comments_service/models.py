"""Database models: posts and their named authors, staff and their sessions, comments."""

import secrets
from datetime import UTC, date, datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Computed,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    func,
    literal_column,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import (
    Mapped,
    foreign,
    mapped_column,
    query_expression,
    relationship,
    remote,
    validates,
)
from sqlalchemy.sql.functions import FunctionElement

from comments_service.enums import (
    BlockKind,
    BlockList,
    CommentEventKind,
    CommentStatus,
    Decision,
    DigestKind,
    FollowUp,
    ImportSource,
    MailStatus,
    Notify,
    PrivateChannel,
    Role,
    SpamCheck,
    SubscriptionScope,
)
from comments_service.extensions import db
from comments_service.words.names import skeleton

__all__ = ["Comment", "CommentStatus", "Decision", "ModerationAction", "Post", "PostAuthor"]
__all__ += ["Digest", "OutboxMessage", "Role", "Staff", "StaffSession", "utcnow"]
__all__ += ["ReaderSummary", "ReportSend", "SavedReply", "SubscriberAddress", "Subscription"]
__all__ += ["AnswerBandGroup", "AnswerBandMonth", "BlocklistEntry", "FigureDay", "Revision"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_link_key() -> str:
    """A row's own random value, signed into every link that names the row.

    An id names a row only while the row exists: a restore, an import or (without
    AUTOINCREMENT) SQLite can give the number to a later row. A link also carries this
    value, which the later row does not have, so it never acts on that row.
    """
    return secrets.token_hex(16)


# Rows that links name keep their number for good on SQLite too (AUTOINCREMENT): a
# deleted row's number is never handed out again. PostgreSQL sequences never go back.
IDS_NEVER_REUSED = {"sqlite_autoincrement": True}


class UTCDateTime(TypeDecorator):
    """Store naive UTC, hand back aware UTC: SQLite keeps no zone, PostgreSQL would."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def _enum(cls, name, checked: bool = True):
    """A closed vocabulary stored as its values. ``checked=False``: a column that began as
    a free string has no CHECK constraint (migration 0007), so the schema stays the same."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=checked,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


class Post(db.Model):
    """A published article, as the blog's build manifest describes it."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(String(500))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Goes up by one in every transaction that changes what readers see of the post's
    # thread (services.freshness), so a re-baker knows which pages are behind.
    comments_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    authors: Mapped[list["PostAuthor"]] = relationship(
        order_by="PostAuthor.position", cascade="all, delete-orphan"
    )

    @property
    def author_names(self) -> list[str]:
        return [author.name for author in self.authors]

    @hybrid_method
    def names_author(self, name: str) -> bool:
        """Whether the post names this person as an author: the root of "who looks after"."""
        return name in self.author_names

    @names_author.expression
    def names_author(cls, name):
        return cls.authors.any(PostAuthor.name == name)


class PostAuthor(db.Model):
    """A named author of a post, by the name Pelican uses; may or may not have an account."""

    __tablename__ = "post_authors"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(120), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Staff(UserMixin, db.Model):
    """An account that can log in to moderation: an author or an admin."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # What the name reads as (services/names.py): readers may not post under anything
    # that reads the same (services.seldom_changed.reads_as_staff).
    name_skeleton: Mapped[str] = mapped_column(Text, index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "staff_role"), default=Role.AUTHOR)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notify: Mapped[Notify] = mapped_column(_enum(Notify, "notify"), default=Notify.EACH)
    # Away from the first to the last day, both included (UTC); both set or neither.
    away_from: Mapped[date | None] = mapped_column(Date)
    away_until: Mapped[date | None] = mapped_column(Date)
    # A hash of the secret in the address of their private feed of waiting comments.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The language of their moderation pages and mails ("de"); none: the blog's.
    language: Mapped[str | None] = mapped_column(String(16))

    # The token of the sign-in this object was loaded for (see services.staff); it is
    # what Flask-Login keeps in the session and the remember-me cookie.
    session_token = None

    @validates("name")
    def _keep_skeleton(self, key: str, name: str) -> str:
        self.name_skeleton = skeleton(name)
        return name

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_active(self) -> bool:
        return self.active

    @hybrid_method
    def is_away(self, today: date) -> bool:
        """Whether today falls in their away period: one expression for Python and SQL."""
        return self.away_from is not None and self.away_from <= today <= self.away_until

    @is_away.expression
    def is_away(cls, today):
        return and_(cls.away_from.is_not(None), cls.away_from <= today, cls.away_until >= today)


class Revision(db.Model):
    """How many times something every post checks against was written: the staff's
    names, the blocklists. Raised by database triggers (migration 0032), so each process
    reads its copy again only when the number moved (services.seldom_changed)."""

    __tablename__ = "revisions"
    STAFF_NAMES = "staff_names"
    BLOCKLISTS = "blocklists"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class StaffSession(db.Model):
    """One sign-in, kept on the server so that signing out really ends it.

    Only a hash of the token is stored: a copy of the database opens no session.
    """

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    staff: Mapped[Staff] = relationship()


# Whole seconds from a comment to its first answer, as int(timedelta.total_seconds())
# (truncated toward zero), computed by the database from the stored naive UTC times.
ANSWER_SECONDS_SQL = {
    "postgresql": "CAST(trunc(EXTRACT(EPOCH FROM answered_at - created_at)) AS BIGINT)",
    "sqlite": "((CAST(strftime('%s', answered_at) AS INTEGER)"
    " - CAST(strftime('%s', created_at) AS INTEGER)) * 1000000"
    " + CAST(substr(answered_at, 21, 6) AS INTEGER)"
    " - CAST(substr(created_at, 21, 6) AS INTEGER)) / 1000000",
}


# Answer times under ten minutes have a band each: the band is the time.
EXACT_BANDS = 600
# AnswerBandGroup counts bands in groups of this many (band // BANDS_PER_GROUP).
BANDS_PER_GROUP = 16


def answer_band_sql(seconds: str) -> str:
    """The band of answer times ``seconds`` falls in: bands never overlap and go up with
    the time (one second wide under ten minutes, then a minute, ten minutes, an hour, a
    day), so a month's k-th answer time lies in the band its running count reaches first."""
    s = f"({seconds})"
    return (
        f"CASE WHEN {s} < 0 THEN -1 WHEN {s} < {EXACT_BANDS} THEN {s}"
        f" WHEN {s} < 7200 THEN 600 + ({s} - 600) / 60"
        f" WHEN {s} < 86400 THEN 710 + ({s} - 7200) / 600"
        f" WHEN {s} < 864000 THEN 842 + ({s} - 86400) / 3600"
        f" ELSE 1058 + ({s} - 864000) / 86400 END"
    )


class AnswerSeconds(FunctionElement):
    """``Comment.answer_seconds``'s generated expression, in the database's own SQL."""

    type = BigInteger()
    inherit_cache = True


class AnswerBand(FunctionElement):
    """``Comment.answer_band``'s generated expression (a generated column cannot read
    another on PostgreSQL, so it repeats the seconds)."""

    type = Integer()
    inherit_cache = True


@compiles(AnswerSeconds)
def _answer_seconds(element, compiler, **kw):
    return ANSWER_SECONDS_SQL[compiler.dialect.name]


@compiles(AnswerBand)
def _answer_band(element, compiler, **kw):
    return answer_band_sql(ANSWER_SECONDS_SQL[compiler.dialect.name])


# The rows the answer-time figures count answer times of: answered published reader comments.
ANSWERED_ROWS = "staff_id IS NULL AND status = 'approved' AND answered_at IS NOT NULL"

# The comments the answer-time figures count: published reader comments.
COUNTED_ROWS = "staff_id IS NULL AND status = 'approved'"
# What a report asks of them besides ix_comments_counted's key: whether they are public and
# who wrote them (its readers), whether they are settled (its open items), whom they are
# handed to (an author's open items) and which they are (the open items it quotes).
COUNTED_INCLUDES = [
    "erased_at",
    "author_email",
    "author_name",
    "answered_at",
    "dismissed_at",
    "follow_up",
    "assigned_to_id",
    "id",
]

# Comment.is_waiting as the condition of the partial index that serves it.
WAITING_ROWS = (
    "staff_id IS NULL AND status = 'approved' AND answered_at IS NULL AND dismissed_at IS NULL"
)
SET_ASIDE_ROWS = "status IN ('pending', 'spam', 'deleted')"
# ``status = 'approved'`` of the hybrids below, written into statements instead of bound:
# SQLite prepares a statement again at every run when a bound value is compared with a
# column that a partial index's condition names (the value might let it use the index:
# a waiting queue's page took 24 µs instead of 10), and PostgreSQL's generic plan of a
# prepared statement could not use such an index for a parameter.
PUBLISHED = literal_column(f"'{CommentStatus.APPROVED.value}'")
SET_ASIDE_COLUMNS = (
    "status", "created_at", "post_id", "assigned_to_id", "staff_id", "spam_check", "kind", "id"
)  # fmt: skip


class Comment(db.Model):
    """A comment by a reader (staff_id is NULL) or a staff member, in a thread."""

    __tablename__ = "comments"
    # A client that retries a post it got no answer for sends the same key again.
    # Every tab of the moderation page is one status, newest or oldest first.
    __table_args__ = (
        UniqueConstraint("post_id", "idempotency_key", name="uq_comments_idempotency_key"),
        Index("ix_comments_status_created_at", "status", "created_at"),
        # Comments of one kind. Only tagged ones: most comments have no kind, and an index
        # of them all drew PostgreSQL into reading every untagged comment to count "no
        # kind yet" among the few that wait (docs/indexes.md).
        Index(
            "ix_comments_kind",
            "kind",
            postgresql_where=text("kind IS NOT NULL"),
            sqlite_where=text("kind IS NOT NULL"),
        ),
        # A comment brought in from another system remembers where it came from, so
        # importing the same export again adds nothing twice.
        UniqueConstraint("import_source", "import_id", name="uq_comments_import"),
        # The waiting queue (docs/indexes.md): only comments that wait, in queue order,
        # with what says whose they are and their kind, so counting a queue, or its "no
        # kind yet", reads the index alone.
        Index(
            "ix_comments_waiting",
            "created_at",
            "id",
            "post_id",
            "assigned_to_id",
            "kind",
            postgresql_where=text(WAITING_ROWS),
            sqlite_where=text(WAITING_ROWS),
        ),
        # The Held, Spam and Removed tabs, likewise: their counts (and "no kind yet")
        # read this small index alone instead of a heap row per comment of the status.
        Index(
            "ix_comments_set_aside",
            *SET_ASIDE_COLUMNS,
            postgresql_where=text(SET_ASIDE_ROWS),
            sqlite_where=text(SET_ASIDE_ROWS),
        ),
        # A month's k-th answer time (services.report.figures): one band's rows of the
        # month, in answer-time order, read from the index alone.
        Index(
            "ix_comments_answer_bands",
            "answer_band",
            "created_at",
            "answer_seconds",
            "post_id",
            postgresql_where=text(ANSWERED_ROWS),
            sqlite_where=text(ANSWERED_ROWS),
        ),
        # A report's period (services.report.build): its comments by week and kind, its
        # answered ones by band, its readers and its open items, read from the index
        # alone. PostgreSQL keeps the columns only filtered or counted outside the key.
        Index(
            "ix_comments_counted",
            "created_at",
            "kind",
            "post_id",
            "answer_band",
            postgresql_include=COUNTED_INCLUDES,
            postgresql_where=text(COUNTED_ROWS),
            sqlite_where=text(COUNTED_ROWS),
        ),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Signed into the writer's own-comment token, privacy links and reader keys.
    link_key: Mapped[str] = mapped_column(String(32), default=new_link_key)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # The colleague a staff member handed this reader comment to: it is theirs now,
    # instead of the post's named authors' (queries.owns).
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    author_name: Mapped[str] = mapped_column(String(120), index=True)
    author_email: Mapped[str | None] = mapped_column(String(254))
    author_website: Mapped[str | None] = mapped_column(String(500))
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[CommentStatus] = mapped_column(_enum(CommentStatus, "comment_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When its words last changed (by its writer, or by the team: team_edited_at);
    # readers see it marked "edited".
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a staff member last changed a reader's words (a typo, personal data pasted
    # by mistake); readers see it marked "edited by the team" instead.
    team_edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first staff answer anywhere beneath a reader comment; kept so the time to
    # answer is exact and the "waiting" queue needs no tree walk.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    dismiss_reason: Mapped[str | None] = mapped_column(String(500))
    # Request context, kept for spam checks that need it later.
    remote_addr: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(500))
    referrer: Mapped[str | None] = mapped_column(String(1000))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    # Akismet's word when the comment came in; the moderation page's "spam checking is
    # failing" banner is read from the latest of these, so every host sees the same.
    spam_check: Mapped[SpamCheck | None] = mapped_column(_enum(SpamCheck, "spam_check"), index=True)
    # The system an imported comment came from (wordpress, disqus, isso) and its id there.
    import_source: Mapped[ImportSource | None] = mapped_column(
        _enum(ImportSource, "import_source", checked=False)
    )
    import_id: Mapped[str | None] = mapped_column(String(100))
    # Its parent's id there: an import links replies to parents by it once every
    # comment is stored, so it needs no map of the whole file in memory.
    import_parent_id: Mapped[str | None] = mapped_column(String(100))
    # When its writer had their data erased (services.people): the row stays, without
    # anything about them, only to keep the replies beneath it and the answer figures.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What kind of reader comment it is, from the PORCH_COMMENT_KINDS vocabulary. A
    # string, not an enum: the vocabulary is a setting, checked in services.listening.
    kind: Mapped[str | None] = mapped_column(String(32))
    # An answer given away from the blog (phone, email, in person): it answers the
    # comment at its own time (services.answers keeps it), with a note only staff see.
    private_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    private_answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    private_channel: Mapped[PrivateChannel | None] = mapped_column(
        _enum(PrivateChannel, "private_channel")
    )
    private_note: Mapped[str | None] = mapped_column(Text)
    # Whether the blog says "NAME got in touch privately" under the comment.
    private_answer_shown: Mapped[bool] = mapped_column(default=False)
    # "You said, we did": an idea or problem passed on to a team, then acted on or
    # declined. Only the note of an acted-on follow-up is public; the others stay
    # in the audit trail.
    follow_up: Mapped[FollowUp | None] = mapped_column(_enum(FollowUp, "follow_up"))
    follow_up_team: Mapped[str | None] = mapped_column(String(120))
    follow_up_note: Mapped[str | None] = mapped_column(String(500))
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Kept by the database: seconds to the first answer, and their band (answer_band_sql).
    answer_seconds: Mapped[int | None] = mapped_column(
        BigInteger, Computed(AnswerSeconds(), persisted=True)
    )
    answer_band: Mapped[int | None] = mapped_column(Integer, Computed(AnswerBand(), persisted=True))

    # Set only by queries that ask for it (``with_expression``): whether this is its
    # reader's first published comment (services.readers.is_first_comment).
    is_first_comment: Mapped[bool | None] = query_expression()

    post: Mapped[Post] = relationship()
    parent: Mapped["Comment | None"] = relationship(remote_side=[id])
    staff: Mapped[Staff | None] = relationship(foreign_keys=[staff_id])
    answered_by: Mapped[Staff | None] = relationship(foreign_keys=[answered_by_id])
    dismissed_by: Mapped[Staff | None] = relationship(foreign_keys=[dismissed_by_id])
    assigned_to: Mapped[Staff | None] = relationship(foreign_keys=[assigned_to_id])
    private_answered_by: Mapped[Staff | None] = relationship(foreign_keys=[private_answered_by_id])
    # The staff answers given right beneath it and still published, oldest first: what
    # the moderation page shows of its answers (services.moderation.given_answers).
    staff_answers: Mapped[list["Comment"]] = relationship(
        primaryjoin=lambda: and_(
            Comment.id == remote(foreign(Comment.parent_id)),
            remote(Comment.staff_id).is_not(None),
            remote(Comment.status) == CommentStatus.APPROVED,
        ),
        order_by=lambda: (Comment.created_at, Comment.id),
        viewonly=True,
    )
    # The audit trail, oldest first, for the moderation page; written through ModerationAction.
    actions: Mapped[list["ModerationAction"]] = relationship(
        order_by="ModerationAction.created_at, ModerationAction.id", viewonly=True
    )

    @property
    def is_reader(self) -> bool:
        return self.staff_id is None

    @property
    def comment_type(self) -> str:
        """What Akismet calls it: a reply to another comment, or a comment on the post."""
        return "reply" if self.parent_id is not None else "comment"

    @hybrid_property
    def is_public(self) -> bool:
        """Readers see it: approved, and its writer has not had it erased (then only a
        placeholder stands for it, as for a comment taken down).

        The one rule of what is public, as Python on a loaded comment (the reply page, the
        permalink, a reply's parent) and as SQL (threads, readers' pages).
        """
        return self.status == CommentStatus.APPROVED and self.erased_at is None

    @is_public.expression
    def is_public(cls):
        return and_(cls.status == PUBLISHED, cls.erased_at.is_(None))

    @hybrid_property
    def is_waiting(self) -> bool:
        """A published reader comment that no staff member has answered or dismissed yet.

        The waiting rule, as Python on a loaded comment and as SQL in queries.
        """
        return (
            self.staff_id is None
            and self.status == CommentStatus.APPROVED
            and self.answered_at is None
            and self.dismissed_at is None
        )

    @is_waiting.expression
    def is_waiting(cls):
        return and_(
            cls.staff_id.is_(None),
            cls.status == PUBLISHED,
            cls.answered_at.is_(None),
            cls.dismissed_at.is_(None),
        )

    @hybrid_property
    def answered_privately(self) -> bool:
        """Its first answer was given away from the blog: the private answer counts.

        One expression for Python and SQL: the figures count these apart, the blog
        shows "got in touch privately" (if chosen) instead of "Answered by".
        """
        return self.private_answered_at is not None and self.private_answered_at == self.answered_at

    @answered_privately.expression
    def answered_privately(cls):
        return and_(
            cls.private_answered_at.is_not(None), cls.private_answered_at == cls.answered_at
        )

    @hybrid_method
    def is_overdue(self, now: datetime, answer_within: timedelta) -> bool:
        """It still waits (``is_waiting``) and has waited longer than the answer-within time.

        An answer (public or private) or "no answer needed" ends it, however late it came:
        every page, mail, feed and command asks this one rule, as Python on a loaded
        comment and as SQL in queries (escalation is the same rule with a longer time).
        """
        return self.is_waiting and self.created_at < now - answer_within

    @is_overdue.expression
    def is_overdue(cls, now, answer_within):
        return and_(cls.is_waiting, cls.created_at < now - answer_within)


# A reader is known by their email in any letter case (services.readers, services.people);
# in time order, so "is this their first comment" reads one entry (docs/indexes.md).
Index(
    "ix_comments_reader_email_time",
    func.lower(Comment.author_email),
    Comment.created_at,
    Comment.id,
)


class ReaderSummary(db.Model):
    """One reader's published comments as the Readers view shows them, counted once per
    write (services.moderation.reader_summaries) instead of grouped on every visit.

    One row per reader for everyone's comments (``scope_id`` 0, what admins see) and one
    per reader and staff member for the comments that person looks after (``for_staff``:
    the posts that name them, and the comments handed to them). ``reader`` is
    ``reader_identity()``; the name, email and key are their latest comment's.
    """

    __tablename__ = "reader_summaries"
    EVERYONE = 0

    # The reader first: a write counts one reader again, in every scope.
    reader: Mapped[str] = mapped_column(String(300), primary_key=True)
    scope_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    key_id: Mapped[int] = mapped_column(Integer)
    key_link_key: Mapped[str] = mapped_column(String(32))
    comments: Mapped[int] = mapped_column(Integer)
    posts: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered: Mapped[int] = mapped_column(Integer)
    waiting: Mapped[int] = mapped_column(Integer)
    # Comments of each kind they were tagged with: {kind: count}.
    kinds: Mapped[dict] = mapped_column(JSON)
    # Every name and email they signed with, one a line (names and emails are single
    # lines), which the view's search looks in.
    signed_as: Mapped[str] = mapped_column(Text)


# The Readers view's order, latest comment first, read a page at a time (docs/indexes.md).
Index(
    "ix_reader_summaries_latest",
    ReaderSummary.scope_id,
    ReaderSummary.last_at.desc(),
    ReaderSummary.reader,
)
# A report's new readers: those whose first comment came in in its period.
Index("ix_reader_summaries_first", ReaderSummary.scope_id, ReaderSummary.first_at)


def made_on(dialect_name: str):
    """Alembic's ``include_object`` for one kind of database: an index made only on
    another (``ddl_if``, as the trigram indexes below) is left out of the comparison."""

    def include(item, name, type_, reflected, compare_to) -> bool:
        only_on = getattr(item, "_ddl_if", None)
        return only_on is None or only_on.dialect in (None, dialect_name)

    return include


# The moderation page's search (queries.listings.matching: any case, anywhere in the
# text) on PostgreSQL: trigram indexes find the few matching rows of a million.
SEARCHED_COLUMNS = ("body_markdown", "author_name", "author_email", "remote_addr")
for _column in SEARCHED_COLUMNS:
    Index(
        f"ix_comments_search_{_column}",
        Comment.__table__.c[_column],
        postgresql_using="gin",
        postgresql_ops={_column: "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")

# The Readers view's search, the same way, in every name and email a reader signed with.
Index(
    "ix_reader_summaries_search",
    ReaderSummary.signed_as,
    postgresql_using="gin",
    postgresql_ops={"signed_as": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")


# The scope of the whole blog's figures rows; any other scope is a post author's name.
BLOG_SCOPE = ""


class FigureDay(db.Model):
    """One day's published reader comments (UTC, by when they came in), for the whole
    blog or one named author: what the answer-time figures count, without reading the
    comments.

    Kept by database triggers on comments and post_authors (migration 0024_summary_rows), in the
    transaction of whatever write changes them; docs/indexes.md says how.
    """

    __tablename__ = "figure_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)  # BLOG_SCOPE or a name
    received: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    answered_privately: Mapped[int] = mapped_column(Integer, default=0)
    waiting: Mapped[int] = mapped_column(Integer, default=0)
    no_answer_needed: Mapped[int] = mapped_column(Integer, default=0)


class AnswerBandMonth(db.Model):
    """How many of a month's answered reader comments (blog or author) fall in each band
    of answer times (``Comment.answer_band``); kept like FigureDay."""

    __tablename__ = "answer_band_months"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    answered: Mapped[int] = mapped_column(Integer, default=0)


class AnswerBandGroup(db.Model):
    """AnswerBandMonth's counts summed per group of BANDS_PER_GROUP bands, so a rank is
    found by reading a month's groups, then one group's bands; kept like FigureDay."""

    __tablename__ = "answer_band_groups"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    band_group: Mapped[int] = mapped_column(Integer, primary_key=True)
    answered: Mapped[int] = mapped_column(Integer, default=0)


class AnswerBandRevision(db.Model):
    """How many times a month's band counts (AnswerBandMonth) of a scope have changed:
    bumped by a trigger on answer_band_months (migration 0031_kept_percentiles), never
    reset, so a percentile kept at one revision is known stale at the next."""

    __tablename__ = "answer_band_revisions"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, default=0)


class KeptPercentile(db.Model):
    """A finished month's nearest-rank answer seconds (None: nothing answered) for a scope
    and percent, as computed at ``revision`` of its AnswerBandRevision: the figures read
    it back while the revision is the same (services.report.figures.percentiles_of)."""

    __tablename__ = "kept_percentiles"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    percent: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_seconds: Mapped[int | None] = mapped_column(BigInteger)
    revision: Mapped[int] = mapped_column(BigInteger)


class KindDay(db.Model):
    """How many published reader comments of a kind came in on a day (UTC): the report's
    kinds, without reading its comments. ``kind`` is '' for comments with none.

    Kept by database triggers on comments (migration 0033_report_kept_rows), in the
    transaction of whatever write changes them, as FigureDay is; so are AnswerBandDay
    and ReaderMonth.
    """

    __tablename__ = "kind_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    received: Mapped[int] = mapped_column(Integer, default=0)


class AnswerBandDay(db.Model):
    """How many of a day's answered reader comments (the whole blog's) fall in each band
    of answer times: the medians of a report's weeks, whatever days it covers."""

    __tablename__ = "answer_band_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    band: Mapped[int] = mapped_column(Integer, primary_key=True)
    answered: Mapped[int] = mapped_column(Integer, default=0)


class ReaderMonth(db.Model):
    """How many public comments (``Comment.is_public``) a reader (``reader_identity()``)
    wrote in a calendar month (its first day): the readers of a report's whole months.
    A row whose count falls to 0 is deleted: a month's rows are its readers."""

    __tablename__ = "reader_months"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    reader: Mapped[str] = mapped_column(String(300), primary_key=True)
    comments: Mapped[int] = mapped_column(Integer, default=0)


class ModerationAction(db.Model):
    """What a staff member did to a comment, and why: the audit trail."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL once the comment itself was erased at its writer's request.
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[Decision] = mapped_column(_enum(Decision, "decision"))
    reason: Mapped[str | None] = mapped_column(Text)
    # How it was done when not on the moderation page or the command line: "email".
    via: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment | None] = relationship()
    staff: Mapped[Staff | None] = relationship()


class OutboxMessage(db.Model):
    """An email or a chat message, stored with the event that causes it and sent later
    by `mail send`.

    Written in the event's transaction, so a rolled-back comment sends nothing and a
    committed one always has its message. A sender claims a row (claim_token,
    claimed_until) in a short transaction of its own before it talks to SMTP or chat.
    """

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # An email's address; empty for a chat message.
    recipient: Mapped[str] = mapped_column(String(254))
    # NULL for an email. A chat message names its channel by the kind and a fingerprint
    # of its Apprise URL ("slack:3f2a..."), never the URL: that carries a secret.
    channel: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # Extra headers of this message (X-Porch-Comment...); the sender adds the usual ones.
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[MailStatus] = mapped_column(
        _enum(MailStatus, "mail_status"), default=MailStatus.QUEUED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    claim_token: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    @property
    def destination(self) -> str:
        """Where it goes, as an operator may see it: the address, or the channel's name."""
        return self.channel or self.recipient


class CommentEvent(db.Model):
    """Something that happened to a comment and that staff and chat channels hear of,
    waiting for the outbox's sender to write its messages (services.mail.events).

    Written in the comment's own transaction instead of the messages: deciding who it is
    flagged for and rendering the mails are left to the sender, out of the request. The
    sender writes the messages and deletes the event in one transaction, so each event
    becomes its messages exactly once. ``held`` is whether the comment waited for
    approval when it happened; ``created_at`` is the time the messages are decided for.
    """

    __tablename__ = "comment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    kind: Mapped[CommentEventKind] = mapped_column(_enum(CommentEventKind, "comment_event_kind"))
    held: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    comment: Mapped[Comment] = relationship()


class Digest(db.Model):
    """A daily message sent to one staff member: at most one of each kind per day.

    ``covers_until`` is where the next one starts, so no comment is listed twice
    and none falls between two digests.
    """

    __tablename__ = "mail_digests"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[DigestKind] = mapped_column(_enum(DigestKind, "digest_kind"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    covers_until: Mapped[datetime] = mapped_column(UTCDateTime)
    message_id: Mapped[int] = mapped_column(ForeignKey("mail_outbox.id"))

    message: Mapped[OutboxMessage] = relationship()


class ChannelDigest(db.Model):
    """A daily message sent to one chat channel: at most one of each kind per day, as
    ``Digest`` is for a staff member."""

    __tablename__ = "channel_digests"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[DigestKind] = mapped_column(_enum(DigestKind, "digest_kind"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    covers_until: Mapped[datetime] = mapped_column(UTCDateTime)
    message_id: Mapped[int] = mapped_column(ForeignKey("mail_outbox.id"))


class SubscriberAddress(db.Model):
    """A reader's email address that asked for answers on their comments.

    Addresses are kept in lower case, so one mailbox is one row however it was typed.
    Consent is given per comment, on its subscription, never once for the address.
    """

    __tablename__ = "subscriber_addresses"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    # Signed into the confirmation link.
    link_key: Mapped[str] = mapped_column(String(32), default=new_link_key)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscription(db.Model):
    """A reader's wish to hear about replies to one comment of theirs.

    Active once confirmed (by its own emailed link, or at once when the writer's browser
    proved an earlier confirmed comment) and until it ends (unsubscribed).
    ``confirmation_sent_at`` counts the address's unanswered confirmation mails.
    """

    __tablename__ = "subscriptions"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    # Signed into the unsubscribe link.
    link_key: Mapped[str] = mapped_column(String(32), default=new_link_key)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), unique=True
    )
    address_id: Mapped[int] = mapped_column(
        ForeignKey("subscriber_addresses.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[SubscriptionScope] = mapped_column(_enum(SubscriptionScope, "subscription_scope"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    comment: Mapped[Comment] = relationship()
    address: Mapped[SubscriberAddress] = relationship()


class ReportSend(db.Model):
    """The monthly report mailed for one period: at most once, however many senders run.

    The row is inserted (insert-or-ignore on the unique period start) in the same
    transaction as the report's messages; a second sender inserts nothing and queues nothing.
    """

    __tablename__ = "report_sends"

    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    period_until: Mapped[date] = mapped_column(Date)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer)


class BlocklistEntry(db.Model):
    """A word, address, domain or network that sends new reader comments to Held or Spam.

    ``value`` is stored normalised (words.blocking.normalise), so one thing is one row
    however it was typed: the pair (kind, value) is on one list at most.
    """

    __tablename__ = "blocklist_entries"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_blocklist_entries_kind_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BlockKind] = mapped_column(_enum(BlockKind, "block_kind"))
    value: Mapped[str] = mapped_column(String(300))
    sends_to: Mapped[BlockList] = mapped_column(_enum(BlockList, "block_list"))
    # Who put it there; NULL when it came from the command line without --by.
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    added_by: Mapped[Staff | None] = relationship()


class SavedReply(db.Model):
    """A short answer a staff member gives often, kept to insert into an answer box.

    Its owner's own; one an admin shares (``shared``) every staff member can insert.
    """

    __tablename__ = "saved_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[Staff] = relationship()


class InboundMail(db.Model):
    """A message received at the inbound address, and what became of it.

    One row per message, keyed by its Message-ID (or, without one, its bytes): the
    row is written in the transaction that publishes the answer, so a message that
    arrives twice, or at two receivers at once, publishes once (services.inbound).
    """

    __tablename__ = "inbound_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 of the Message-ID: ids may be long, the key stays short and indexable.
    message_key: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sender: Mapped[str] = mapped_column(String(254))
    outcome: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))

    answer: Mapped[Comment | None] = relationship(foreign_keys=[answer_id])
