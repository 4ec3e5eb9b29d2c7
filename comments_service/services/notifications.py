"""Who hears about a new reader comment, and what the email says.

The flagged staff of a post (``queries.flagged_staff``) hear about each new
reader comment that is published or held, as one email each or in a daily
digest, as each of them chose (``Staff.notify``). Messages go to the outbox in
the caller's transaction; nothing here commits or touches Flask globals.
"""

from datetime import datetime, timedelta

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import select

from ..enums import CommentStatus, DigestKind, Notify
from ..extensions import db
from ..models import Comment, Digest, Post, Staff
from ..queries import flagged_staff, new_reader_comments, overdue
from .outbox import Mail, enqueue

templates = Environment(
    loader=PackageLoader("comments_service", "templates/mail"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
FIRST_DIGEST_COVERS = timedelta(days=1)


def moderation_link(public_url: str, comment: Comment) -> str:
    """Where staff see the comment and answer it: the moderation page, at the comment."""
    return f"{public_url.rstrip('/')}/moderation/#comment-{comment.id}"


def _render(name: str, public_url: str, **context) -> tuple[str, str]:
    """The text and HTML bodies of one mail template; each ends with where to change it."""
    context["settings_link"] = f"{public_url.rstrip('/')}/auth/settings"
    text = templates.get_template(f"{name}.txt").render(**context)
    return text, templates.get_template(f"{name}.html").render(**context)


def notify_flagged_staff(comment: Comment, *, public_url: str, now: datetime) -> None:
    """Queue an email about a new reader comment for each flagged staff member who wants one."""
    if comment.status == CommentStatus.SPAM:
        return
    db.session.flush()  # the comment's id goes into the link
    held = comment.status == CommentStatus.PENDING
    verb = "Held for approval" if held else "New comment"
    subject = f"{verb}: {comment.author_name} on “{comment.post.title}”"
    link = moderation_link(public_url, comment)
    text, html = _render("comment", public_url, comment=comment, held=held, link=link)
    for staff in flagged_staff(comment.post):
        if staff.notify == Notify.EACH:
            headers = {"X-Porch-Comment": str(comment.id)}
            enqueue(Mail(staff.email, subject, text, html, headers), now)


class _FlaggedStaff:
    """Who each post's comments are flagged for, looked up once per post."""

    def __init__(self):
        self._by_post: dict[int, list[Staff]] = {}

    def __call__(self, post: Post) -> list[Staff]:
        if post.id not in self._by_post:
            self._by_post[post.id] = flagged_staff(post)
        return self._by_post[post.id]

    def ids(self, post: Post) -> set[int]:
        return {staff.id for staff in self(post)}


def _already_sent_today(staff: Staff, kind: DigestKind, now: datetime) -> bool:
    return db.session.get(Digest, (staff.id, kind, now.date())) is not None


def _record(staff: Staff, kind: DigestKind, mail: Mail, now: datetime) -> None:
    """Queue a daily message and remember it was sent today."""
    message = enqueue(mail, now)
    db.session.add(
        Digest(staff_id=staff.id, kind=kind, day=now.date(), covers_until=now, message=message)
    )


def queue_digests(*, public_url: str, now: datetime) -> int:
    """Queue today's digest for every staff member who chose one; returns how many."""
    flagged = _FlaggedStaff()
    readers = db.session.scalars(
        select(Staff).where(Staff.active, Staff.notify == Notify.DIGEST).order_by(Staff.id)
    ).all()
    return sum(_queue_digest(staff, flagged.ids, public_url, now) for staff in readers)


def _queue_digest(staff: Staff, flagged_ids, public_url: str, now: datetime) -> bool:
    """One staff member's digest: comments since their last one, at most one a day.

    A day with nothing new sends nothing and records nothing, so the next digest
    still starts where the last one ended.
    """
    if _already_sent_today(staff, DigestKind.NEW_COMMENTS, now):
        return False
    since = _last_digest_end(staff) or now - FIRST_DIGEST_COVERS
    comments = [
        comment
        for comment in db.session.scalars(new_reader_comments(since, now))
        if staff.id in flagged_ids(comment.post)
    ]
    if not comments:
        return False
    links = {comment.id: moderation_link(public_url, comment) for comment in comments}
    day = now.date()
    text, html = _render("digest", public_url, staff=staff, comments=comments, links=links, day=day)
    count = f"{len(comments)} new reader comment{'s' if len(comments) != 1 else ''}"
    mail = Mail(staff.email, f"{count} on your posts", text, html, {"X-Porch-Digest": str(day)})
    _record(staff, DigestKind.NEW_COMMENTS, mail, now)
    return True


def _last_digest_end(staff: Staff) -> datetime | None:
    return db.session.scalar(
        select(Digest.covers_until)
        .where(Digest.staff_id == staff.id, Digest.kind == DigestKind.NEW_COMMENTS)
        .order_by(Digest.covers_until.desc())
        .limit(1)
    )


def queue_overdue_reminders(*, public_url: str, now: datetime, answer_within: timedelta) -> int:
    """Remind each staff member, once a day, of the readers waiting too long for them.

    "Too long" is ``queries.overdue``; "for them" is who the comment is flagged for.
    Those who turned email off get none. Returns how many reminders were queued.
    """
    flagged = _FlaggedStaff()
    waiting: dict[int, list[Comment]] = {}
    people: dict[int, Staff] = {}
    for comment in db.session.scalars(overdue(now, answer_within)):
        for staff in flagged(comment.post):
            people[staff.id] = staff
            waiting.setdefault(staff.id, []).append(comment)
    queued = 0
    for staff_id, comments in waiting.items():
        staff = people[staff_id]
        if staff.notify == Notify.OFF or _already_sent_today(staff, DigestKind.OVERDUE, now):
            continue
        _record(staff, DigestKind.OVERDUE, _reminder(staff, comments, public_url, now), now)
        queued += 1
    return queued


def _reminder(staff: Staff, comments: list[Comment], public_url: str, now: datetime) -> Mail:
    """ "3 readers are waiting for you; the oldest for 31 hours", and which ones."""
    hours = {
        comment.id: int((now - comment.created_at).total_seconds() // 3600) for comment in comments
    }
    oldest = max(hours.values())
    if len(comments) == 1:
        subject = f"1 reader is waiting for you, for {oldest} hours"
    else:
        subject = f"{len(comments)} readers are waiting for you; the oldest for {oldest} hours"
    links = {comment.id: moderation_link(public_url, comment) for comment in comments}
    text, html = _render(
        "overdue", public_url, staff=staff, comments=comments, hours=hours, links=links
    )
    return Mail(staff.email, subject, text, html, {"X-Porch-Reminder": str(now.date())})
