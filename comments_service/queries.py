"""The rules about which comments are waiting, and for whom, as select() builders.

Each builder returns a ``Select`` so views, the CLI and later reports share one
tested definition of "unanswered", "overdue" and "flagged". The two rules that
also apply to one loaded object, "overdue" (``Comment.is_overdue``) and "named
author" (``Post.names_author``), are hybrid methods: one expression for both.
"""

from datetime import datetime, timedelta

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from .enums import SpamCheck, View
from .extensions import db
from .models import Comment, CommentStatus, Post, Role, Staff


def unanswered() -> Select:
    """Published reader comments that no staff member has answered or dismissed, oldest first."""
    return (
        select(Comment)
        .where(
            Comment.staff_id.is_(None),
            Comment.status == CommentStatus.APPROVED,
            Comment.answered_at.is_(None),
            Comment.dismissed_at.is_(None),
        )
        .options(selectinload(Comment.post).selectinload(Post.authors))
        .order_by(Comment.created_at, Comment.id)
    )


def pending_approval() -> Select:
    """Reader comments held for a staff decision, oldest first."""
    return (
        select(Comment)
        .where(Comment.staff_id.is_(None), Comment.status == CommentStatus.PENDING)
        .options(selectinload(Comment.post).selectinload(Post.authors))
        .order_by(Comment.created_at, Comment.id)
    )


def in_spam() -> Select:
    """Spam staff may look through, newest first: blatant spam Akismet discarded is left out."""
    return (
        _with_status(CommentStatus.SPAM)
        .where(not_discarded())
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )


def not_discarded():
    """Akismet's blatant spam stays out of every list and count until it is purged."""
    return or_(Comment.spam_check.is_(None), Comment.spam_check != SpamCheck.DISCARDED)


def removed() -> Select:
    """Comments a staff member deleted, newest first."""
    return _with_status(CommentStatus.DELETED).order_by(
        Comment.created_at.desc(), Comment.id.desc()
    )


def answered() -> Select:
    """Published reader comments that no longer wait: answered or marked no answer needed."""
    return (
        _with_status(CommentStatus.APPROVED)
        .where(
            Comment.staff_id.is_(None),
            or_(Comment.answered_at.is_not(None), Comment.dismissed_at.is_not(None)),
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )


def discarded_before(cutoff: datetime) -> Select:
    """Ids of blatant spam that came in before cutoff and has no replies: what purging deletes."""
    reply = aliased(Comment)
    has_reply = select(reply.id).where(reply.parent_id == Comment.id).exists()
    return select(Comment.id).where(
        Comment.status == CommentStatus.SPAM,
        Comment.spam_check == SpamCheck.DISCARDED,
        Comment.created_at < cutoff,
        ~has_reply,
    )


def spam_check_failing_since() -> Select:
    """When the current run of failed Akismet checks began; NULL while the latest succeeded.

    Read from the comments themselves, so every host of the service agrees.
    """
    answered = [SpamCheck.PASSED, SpamCheck.SPAM, SpamCheck.DISCARDED]
    last_answer = (
        select(func.max(Comment.created_at)).where(Comment.spam_check.in_(answered))
    ).scalar_subquery()
    return select(func.min(Comment.created_at)).where(
        Comment.spam_check == SpamCheck.FAILED,
        or_(last_answer.is_(None), Comment.created_at > last_answer),
    )


def has_approved_comment_from(email: str) -> Select:
    """Whether a reader with this email address (in any case) has a published comment."""
    return select(
        exists().where(
            Comment.staff_id.is_(None),
            Comment.status == CommentStatus.APPROVED,
            func.lower(Comment.author_email) == email.lower(),
        )
    )


def every_comment() -> Select:
    """Every comment in any state, staff answers included, newest first (blatant spam aside)."""
    return (
        select(Comment)
        .where(not_discarded())
        .options(selectinload(Comment.post).selectinload(Post.authors))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )


def _with_status(status: CommentStatus) -> Select:
    return (
        select(Comment)
        .where(Comment.status == status)
        .options(selectinload(Comment.post).selectinload(Post.authors))
    )


VIEWS = {
    View.WAITING: unanswered,
    View.HELD: pending_approval,
    View.SPAM: in_spam,
    View.REMOVED: removed,
    View.ANSWERED: answered,
    View.ALL: every_comment,
}


def on_post(query: Select, slug: str) -> Select:
    return query.where(Comment.post.has(Post.slug == slug))


def by_post_author(query: Select, name: str) -> Select:
    """Comments on posts that name this author (whether or not they have an account)."""
    return query.where(Comment.post.has(Post.names_author(name)))


def matching(query: Select, text: str) -> Select:
    """Comments whose text, reader name, email or address contains ``text``, any case.

    ``%`` and ``_`` are matched literally. SQLite folds only ASCII letters' case.
    """
    columns = (
        Comment.body_markdown,
        Comment.author_name,
        Comment.author_email,
        Comment.remote_addr,
    )
    return query.where(or_(*(column.icontains(text, autoescape=True) for column in columns)))


def count_of(query: Select) -> Select:
    """How many rows a comment query selects, counted by the database without loading them."""
    return select(func.count()).select_from(query.order_by(None).subquery())


def for_staff(query: Select, staff: Staff) -> Select:
    """Narrow a comment query to what this staff member looks after.

    Admins look after every post, including posts whose authors have no account;
    an author looks after the posts that name them.
    """
    if staff.is_admin:
        return query
    return query.where(Comment.post.has(Post.names_author(staff.name)))


def looks_after(staff: Staff, post: Post) -> bool:
    """The rule of for_staff() for one post already loaded."""
    return staff.is_admin or post.names_author(staff.name)


def posts_for(staff: Staff) -> Select:
    """The posts a staff member looks after, by title: the choices of the post filter."""
    query = select(Post).order_by(Post.title, Post.id)
    return query if staff.is_admin else query.where(Post.names_author(staff.name))


def unanswered_for(staff: Staff) -> Select:
    return for_staff(unanswered(), staff)


def overdue(now: datetime, answer_within: timedelta) -> Select:
    """Unanswered comments that have waited longer than the answer-within time."""
    return unanswered().where(Comment.is_overdue(now, answer_within))


def public_comment_rows() -> Select:
    """The public columns of every approved comment, oldest first.

    Plain rows rather than ORM objects: reading a thread is the hot path.
    """
    return (
        select(
            Comment.post_id,
            Comment.id,
            Comment.parent_id,
            Comment.author_name,
            Comment.author_website,
            Comment.body_html,
            Comment.created_at,
            Comment.edited_at,
            Staff.name.label("staff_name"),
            Staff.role.label("staff_role"),
        )
        .outerjoin(Staff, Comment.staff_id == Staff.id)
        .where(Comment.status == CommentStatus.APPROVED)
        .order_by(Comment.created_at, Comment.id)
    )


def removed_comment_rows() -> Select:
    """Where comments taken down (spam, deleted) sat in their threads; never their content."""
    return select(Comment.post_id, Comment.id, Comment.parent_id, Comment.created_at).where(
        Comment.status.in_([CommentStatus.SPAM, CommentStatus.DELETED])
    )


def flagged_staff(post: Post) -> list[Staff]:
    """Who a reader comment on this post is flagged for: its authors with accounts, else admins."""
    named = select(Post.id).where(Post.id == post.id, Post.names_author(Staff.name)).exists()
    authors = db.session.scalars(
        select(Staff).where(Staff.active, named).order_by(Staff.name)
    ).all()
    if authors:
        return list(authors)
    return list(
        db.session.scalars(
            select(Staff).where(Staff.active, Staff.role == Role.ADMIN).order_by(Staff.name)
        )
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


def staff_by_name(name: str) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.name == name))


def post_by_slug(slug: str) -> Post | None:
    return db.session.scalar(select(Post).where(Post.slug == slug))


def changed_posts() -> Select:
    """Slug, path and comments version of every post whose public thread has changed."""
    return (
        select(Post.slug, Post.path, Post.comments_version.label("version"))
        .where(Post.comments_version > 0)
        .order_by(Post.slug)
    )
