"""The rules about which comments are waiting, and for whom, as select() builders.

Each builder returns a ``Select`` so views, the CLI and later reports share one
tested definition of "unanswered", "overdue", "escalated" and "flagged", and of who
looks after a comment now (``owns``, ``flagged``, ``waiting_for``): the moderation
page, notifications, reminders, digests and feeds all ask these. The two rules that
also apply to one loaded object, "overdue" (``Comment.is_overdue``) and "named
author" (``Post.names_author``), are hybrid methods: one expression for both.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, func, literal, or_, select
from sqlalchemy.orm import aliased, selectinload

from .enums import Decision, FollowUp, SpamCheck, SubscriptionScope, View
from .extensions import db
from .models import (
    Comment,
    CommentStatus,
    ModerationAction,
    Post,
    PostAuthor,
    Role,
    Staff,
    SubscriberAddress,
    Subscription,
)
from .services.names import skeleton


def unanswered() -> Select:
    """Published reader comments that no staff member has answered or dismissed, oldest first."""
    return (
        select(Comment)
        .where(Comment.is_waiting)
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
    View.ESCALATED: unanswered,  # narrowed by escalated_only(), which needs the time
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


def of_kind(query: Select, kind: str | None) -> Select:
    """Reader comments staff tagged with this kind; with ``None``, those still to tag:
    published or held ones with no kind (taken-down comments are not tagged)."""
    query = query.where(Comment.staff_id.is_(None))
    if kind is not None:
        return query.where(Comment.kind == kind)
    taggable = [CommentStatus.APPROVED, CommentStatus.PENDING]
    return query.where(Comment.kind.is_(None), Comment.status.in_(taggable))


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
    """Narrow a comment query to what this staff member may act on.

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
    """The posts a staff member looks after, by title: the choices of the post filter."""
    query = select(Post).order_by(Post.title, Post.id)
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
    """Narrow a query of waiting comments to the escalated ones (the Escalated tab)."""
    return query.where(Comment.is_overdue(now, escalate_after))


def overdue(now: datetime, answer_within: timedelta) -> Select:
    """Unanswered comments that have waited longer than the answer-within time."""
    return unanswered().where(Comment.is_overdue(now, answer_within))


def public_comment_rows() -> Select:
    """The public columns of every approved comment, oldest first, with its answer state.

    Plain rows rather than ORM objects: reading a thread is the hot path.
    """
    answerer = aliased(Staff)
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
            Comment.answered_at,
            answerer.name.label("answered_by"),
            Comment.answered_privately.label("answered_privately"),
            Comment.private_answer_shown,
            Comment.is_waiting.label("waiting"),
            Comment.follow_up,
            Comment.follow_up_note,
        )
        .outerjoin(Staff, Comment.staff_id == Staff.id)
        .outerjoin(answerer, Comment.answered_by_id == answerer.id)
        .where(Comment.status == CommentStatus.APPROVED, Comment.erased_at.is_(None))
        .order_by(Comment.created_at, Comment.id)
    )


def figure_rows(since: datetime, until: datetime) -> Select:
    """The reader comments the answer-time figures count, received in [since, until).

    Published reader comments only: held, spam and deleted ones are left out. Each
    row says when it came in, when and by whom it was first answered (the stored
    answer of services.answers), and whether it still waits (``Comment.is_waiting``).
    """
    answerer = aliased(Staff)
    return (
        select(
            Comment.id,
            Comment.post_id,
            Comment.created_at,
            Comment.answered_at,
            answerer.name.label("answered_by"),
            Comment.answered_privately.label("answered_privately"),
            Comment.is_waiting.label("waiting"),
            Comment.kind,
        )
        .outerjoin(answerer, Comment.answered_by_id == answerer.id)
        .where(
            Comment.staff_id.is_(None),
            Comment.status == CommentStatus.APPROVED,
            Comment.created_at >= since,
            Comment.created_at < until,
        )
        .order_by(Comment.created_at, Comment.id)
    )


def post_author_rows() -> Select:
    """Every post's named authors, as (post_id, name): whom a comment's figures count for."""
    return select(PostAuthor.post_id, PostAuthor.name).order_by(
        PostAuthor.post_id, PostAuthor.position
    )


def removed_comment_rows() -> Select:
    """Where comments taken down (spam, deleted) or erased at their writer's request sat in
    their threads; never their content."""
    return select(
        Comment.post_id, Comment.id, Comment.parent_id, Comment.created_at, Comment.erased_at
    ).where(
        or_(
            Comment.status.in_([CommentStatus.SPAM, CommentStatus.DELETED]),
            Comment.erased_at.is_not(None),
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


def subscribers_to_tell(reply: Comment) -> Select:
    """The subscription that hears about this newly published reply, if any.

    The one on the comment it replies to, when that is active (its address confirmed,
    not unsubscribed) and wants this kind of reply: a staff answer for "team", any
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
            SubscriberAddress.confirmed_at.is_not(None),
        )
    )
    if reply.is_reader and reply.author_email:
        query = query.where(SubscriberAddress.email != reply.author_email.lower())
    return query


def subscription_to_hear_back(comment: Comment) -> Select:
    """The reader's active subscription on their own comment, of either scope: a
    follow-up acted on is news they asked for whether they wanted the team or anyone."""
    return (
        select(Subscription)
        .join(Subscription.address)
        .where(
            Subscription.comment_id == comment.id,
            Subscription.ended_at.is_(None),
            SubscriberAddress.confirmed_at.is_not(None),
        )
    )


def staff_by_name(name: str) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.name == name))


def post_by_slug(slug: str) -> Post | None:
    return db.session.scalar(select(Post).where(Post.slug == slug))


def reads_as_staff(name: str) -> Select:
    """Whether a name reads as a staff member's (services/names.py): one indexed lookup.

    A name that reads as nothing (only punctuation) reserves nothing.
    """
    own = skeleton(name)
    return select(exists().where(Staff.name_skeleton == own, Staff.name_skeleton != ""))


# What a thread's cached body is keyed by: id, title and comments version, by slug
# (parameter ``slug``). Built once: it is asked on every read of every thread.
THREAD_STATE = select(Post.id, Post.title, Post.comments_version).where(
    Post.slug == bindparam("slug")
)


def changed_posts() -> Select:
    """Slug, path and comments version of every post whose public thread has changed."""
    return (
        select(Post.slug, Post.path, Post.comments_version.label("version"))
        .where(Post.comments_version > 0)
        .order_by(Post.slug)
    )


# The kinds the report follows until they are settled: a question until it is answered,
# an idea or a problem until its follow-up has an outcome.
OPEN_QUESTION_KINDS = ("question",)
OPEN_FOLLOW_UP_KINDS = ("idea", "problem")


def _published_reader(comment=Comment) -> ColumnElement:
    return and_(comment.staff_id.is_(None), comment.status == CommentStatus.APPROVED)


def still_open() -> ColumnElement:
    """A published reader comment the team still owes something: a question that waits
    (``Comment.is_waiting``: not answered, not marked no answer needed), or an idea or a
    problem whose follow-up is not acted on or declined (none yet, or passed on)."""
    unsettled = or_(Comment.follow_up.is_(None), Comment.follow_up == FollowUp.PASSED_ON)
    return or_(
        and_(Comment.kind.in_(OPEN_QUESTION_KINDS), Comment.is_waiting),
        and_(Comment.kind.in_(OPEN_FOLLOW_UP_KINDS), _published_reader(), unsettled),
    )


def open_items(since: datetime, until: datetime) -> Select:
    """The reader comments received in [since, until) that are still open, oldest first."""
    return (
        select(Comment)
        .where(still_open(), Comment.created_at >= since, Comment.created_at < until)
        .options(selectinload(Comment.post))
        .order_by(Comment.created_at, Comment.id)
    )


def follow_up_steps(since: datetime, until: datetime) -> Select:
    """Every follow-up step (passed on, acted on, declined) taken in [since, until), in order."""
    steps = (Decision.PASS_ON, Decision.ACT_ON, Decision.DECLINE)
    return (
        select(ModerationAction)
        .where(
            ModerationAction.action.in_(steps),
            ModerationAction.comment_id.is_not(None),
            ModerationAction.created_at >= since,
            ModerationAction.created_at < until,
        )
        .options(
            selectinload(ModerationAction.comment).selectinload(Comment.post),
            selectinload(ModerationAction.staff),
        )
        .order_by(ModerationAction.created_at, ModerationAction.id)
    )


def reader_identity(comment=Comment) -> ColumnElement:
    """Who wrote a reader comment: their address in lower case, else the name they gave."""
    email = func.lower(func.nullif(comment.author_email, ""))
    return func.coalesce(
        literal("email:").concat(email), literal("name:").concat(comment.author_name)
    )


def readers_in(since: datetime, until: datetime) -> Select:
    """Each reader with a published comment in [since, until), and when their first
    published comment ever came in. Erased comments have no writer to count."""
    earlier = aliased(Comment)
    every = (
        select(reader_identity(earlier).label("reader"), earlier.created_at)
        .where(_published_reader(earlier), earlier.erased_at.is_(None))
        .subquery()
    )
    first = (
        select(every.c.reader, func.min(every.c.created_at).label("at"))
        .group_by(every.c.reader)
        .subquery()
    )
    in_period = (
        select(reader_identity().label("reader"))
        .where(
            _published_reader(),
            Comment.erased_at.is_(None),
            Comment.created_at >= since,
            Comment.created_at < until,
        )
        .distinct()
        .subquery()
    )
    return select(in_period.c.reader, first.c.at.label("first_at")).join(
        first, first.c.reader == in_period.c.reader
    )
