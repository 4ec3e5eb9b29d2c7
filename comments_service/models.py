"""Database models: posts and their named authors, staff, threaded comments."""

import enum
import hashlib
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, ForeignKey, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


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


class Role(enum.StrEnum):
    AUTHOR = "author"
    ADMIN = "admin"


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    DELETED = "deleted"


def _enum(cls, name):
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
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
    authors: Mapped[list["PostAuthor"]] = relationship(
        order_by="PostAuthor.position", cascade="all, delete-orphan"
    )

    @property
    def author_names(self) -> list[str]:
        return [author.name for author in self.authors]


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
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "staff_role"), default=Role.AUTHOR)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def get_id(self) -> str:
        """The session names the account and its password: a new password ends old sessions."""
        return f"{self.id}:{self.password_fingerprint}"

    @property
    def password_fingerprint(self) -> str:
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_active(self) -> bool:
        return self.active


class Comment(db.Model):
    """A comment by a reader (staff_id is NULL) or a staff member, in a thread."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    author_name: Mapped[str] = mapped_column(String(120))
    author_email: Mapped[str | None] = mapped_column(String(254))
    author_website: Mapped[str | None] = mapped_column(String(500))
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[CommentStatus] = mapped_column(
        _enum(CommentStatus, "comment_status"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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

    post: Mapped[Post] = relationship()
    parent: Mapped["Comment | None"] = relationship(remote_side=[id])
    staff: Mapped[Staff | None] = relationship(foreign_keys=[staff_id])
    answered_by: Mapped[Staff | None] = relationship(foreign_keys=[answered_by_id])
    dismissed_by: Mapped[Staff | None] = relationship(foreign_keys=[dismissed_by_id])

    @property
    def is_reader(self) -> bool:
        return self.staff_id is None


class ModerationAction(db.Model):
    """What a staff member did to a comment, and why: the audit trail."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment] = relationship()
    staff: Mapped[Staff | None] = relationship()
