"""Who hears about a new reader comment, and what the email says.

Whoever a comment is flagged for (``queries.flagged``: its owners, or who covers
for them while they are away, and the admins once it is escalated) hears about
each new reader comment that is published or held, as one email each or in a
daily digest, as each of them chose (``Staff.notify``), and is reminded of the
overdue ones once a day. Each mail is written in its recipient's language
(``Staff.language``, else the blog's: words.language.speaking). Messages go to the
outbox in the caller's transaction; nothing here commits or touches Flask globals but
the language spoken.

The team's chat channels hear of the same events: services.mail.channels.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import quote, urlencode

from flask_babel import get_translations, gettext, ngettext
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from comments_service.enums import DigestKind, Notify
from comments_service.extensions import db
from comments_service.models import Comment, Digest, Staff
from comments_service.queries.care import flagged_by_comment, overdue
from comments_service.queries.mail import new_reader_comments
from comments_service.service_urls import ServiceUrls
from comments_service.services.inbound.reply_address import ReplyAddresses
from comments_service.services.mail import channels as chat
from comments_service.services.mail.outbox import Mail, enqueue
from comments_service.words import times
from comments_service.words.language import as_text, page_words, speaking

templates = Environment(
    loader=PackageLoader("comments_service", "templates/mail"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    finalize=as_text,
    keep_trailing_newline=True,
    extensions=["jinja2.ext.i18n"],
)
templates.filters.update(times.FILTERS)
# The mails' words in the language spoken when they are rendered, as Flask-Babel gives
# Flask's own templates theirs: ``_("...")`` and ``ngettext`` (newstyle).
templates.install_gettext_callables(
    gettext=lambda string: get_translations().ugettext(string),
    ngettext=lambda singular, plural, n: get_translations().ungettext(singular, plural, n),
    newstyle=True,
)
FIRST_DIGEST_COVERS = timedelta(days=1)


def moderation_link(urls: ServiceUrls, comment: Comment) -> str:
    """Where staff see the comment and answer it: the moderation page, at the comment."""
    return urls("moderation.queue", anchor=f"comment-{comment.id}")


def render_mail(name: str, urls: ServiceUrls, **context) -> tuple[str, str]:
    """The text and HTML bodies of one mail template, in the language spoken (render it
    ``with speaking(staff.language)``); each ends with where to change it."""
    context["settings_link"] = urls("auth.settings")
    return render_bodies(name, **context)


def render_bodies(name: str, **context) -> tuple[str, str]:
    """The text and HTML bodies of one mail template, in the language spoken, with the
    HTML's ``lang`` and ``dir``."""
    context = {**page_words(), **context}
    text = templates.get_template(f"{name}.txt").render(**context)
    return text, templates.get_template(f"{name}.html").render(**context)


def reply_headers(replies: ReplyAddresses | None, comment: Comment, staff: Staff, now) -> dict:
    """The headers of a mail to ``staff`` about one comment: a reply to it answers it."""
    headers = {"X-Porch-Comment": str(comment.id)}
    if replies is not None:
        headers["Reply-To"] = replies.address(comment, staff, now)
    return headers


def reply_links(replies: ReplyAddresses | None, comments, staff: Staff, now) -> dict[int, str]:
    """For a mail about several comments: a "reply to this one" mailto: link for each,
    its subject in the language spoken."""
    if replies is None:
        return {}
    return {
        comment.id: f"mailto:{replies.address(comment, staff, now)}?"
        + urlencode({"subject": _reply_subject(comment)}, quote_via=quote)
        for comment in comments
    }


def _reply_subject(comment: Comment) -> str:
    return gettext("Re: %(name)s on %(title)s", name=comment.author_name, title=comment.post.title)


def notify_flagged_staff(
    comment: Comment,
    flagged: Sequence[Staff],
    *,
    held: bool,
    urls: ServiceUrls,
    now: datetime,
    replies: ReplyAddresses | None = None,
    channels: chat.Channels = chat.NO_CHANNELS,
) -> None:
    """Queue an email about a new reader comment for each of the staff it is ``flagged``
    for (queries.care, at ``now``) who wants one, and the chat channels' messages.

    ``held``: the comment waited for approval when it came. The outbox's sender calls
    this for each new comment's event (services.mail.events).
    """
    chat.queue_channel_messages(
        comment, flagged, held, channels, partial(moderation_link, urls), now
    )
    recipients = [staff for staff in flagged if staff.notify == Notify.EACH]
    if not recipients:
        return
    link = moderation_link(urls, comment)
    by_mail = replies is not None
    said = {}  # the mail in each recipient's language, written once per language
    for staff in recipients:
        if staff.language not in said:
            with speaking(staff.language):
                said[staff.language] = (
                    _new_comment_subject(comment, held),
                    *render_mail(
                        "comment",
                        urls,
                        comment=comment,
                        held=held,
                        link=link,
                        reply_by_mail=by_mail,
                    ),
                )
        subject, text, html = said[staff.language]
        headers = reply_headers(replies, comment, staff, now)
        enqueue(Mail(staff.email, subject, text, html, headers), now)


def _new_comment_subject(comment: Comment, held: bool) -> str:
    """ "New comment: Jo on “Tea”", or "Held for approval: …", in the language spoken."""
    if held:
        return gettext(
            "Held for approval: %(name)s on “%(title)s”",
            name=comment.author_name,
            title=comment.post.title,
        )
    return gettext(
        "New comment: %(name)s on “%(title)s”", name=comment.author_name, title=comment.post.title
    )


def _already_sent_today(staff: Staff, kind: DigestKind, now: datetime) -> bool:
    return db.session.get(Digest, (staff.id, kind, now.date())) is not None


def _record(staff: Staff, kind: DigestKind, mail: Mail, now: datetime) -> bool:
    """Queue a daily message and remember it was sent today; False if another run did.

    Insert-or-ignore on the day's row: two runs at the same moment (a `mail send
    --loop` on each host) both pass the "already sent" check, and only one may queue.
    The loser's message is deleted before its transaction commits, so it never leaves.
    """
    message = enqueue(mail, now)
    db.session.flush()
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[
        db.session.get_bind().dialect.name
    ]
    recorded = db.session.scalar(
        insert(Digest)
        .values(
            staff_id=staff.id, kind=kind, day=now.date(), covers_until=now, message_id=message.id
        )
        .on_conflict_do_nothing()
        .returning(Digest.staff_id)
    )
    if recorded is not None:
        return True
    db.session.delete(message)
    return False


def queue_digests(
    *,
    urls: ServiceUrls,
    now: datetime,
    replies: ReplyAddresses | None = None,
    channels: chat.Channels = chat.NO_CHANNELS,
) -> int:
    """Queue today's digest for every staff member who chose one; returns how many."""
    readers = db.session.scalars(
        select(Staff).where(Staff.active, Staff.notify == Notify.DIGEST).order_by(Staff.id)
    ).all()
    queued = sum(_queue_digest(staff, urls, now, replies) for staff in readers)
    return queued + chat.queue_channel_digests(channels, partial(moderation_link, urls), now)


def _queue_digest(staff: Staff, urls: ServiceUrls, now: datetime, replies=None) -> bool:
    """One staff member's digest: comments since their last one, at most one a day.

    A day with nothing new sends nothing and records nothing, so the next digest
    still starts where the last one ended.
    """
    if _already_sent_today(staff, DigestKind.NEW_COMMENTS, now):
        return False
    since = _last_digest_end(staff) or now - FIRST_DIGEST_COVERS
    new = db.session.scalars(new_reader_comments(since, now)).all()
    flagged = flagged_by_comment([comment.id for comment in new], now)
    comments = [c for c in new if staff.id in {s.id for s in flagged.get(c.id, [])}]
    if not comments:
        return False
    links = {comment.id: moderation_link(urls, comment) for comment in comments}
    day = now.date()
    with speaking(staff.language):
        mailto = reply_links(replies, comments, staff, now)
        text, html = render_mail(
            "digest", urls, staff=staff, comments=comments, links=links, day=day, mailto=mailto
        )
        subject = ngettext(
            "%(num)s new reader comment on your posts",
            "%(num)s new reader comments on your posts",
            len(comments),
        )
    mail = Mail(staff.email, subject, text, html, {"X-Porch-Digest": str(day)})
    return _record(staff, DigestKind.NEW_COMMENTS, mail, now)


def _last_digest_end(staff: Staff) -> datetime | None:
    return db.session.scalar(
        select(Digest.covers_until)
        .where(Digest.staff_id == staff.id, Digest.kind == DigestKind.NEW_COMMENTS)
        .order_by(Digest.covers_until.desc())
        .limit(1)
    )


def queue_overdue_reminders(
    *,
    urls: ServiceUrls,
    now: datetime,
    answer_within: timedelta,
    escalate_after: timedelta,
    replies: ReplyAddresses | None = None,
    channels: chat.Channels = chat.NO_CHANNELS,
) -> int:
    """Remind each staff member, once a day, of the readers waiting too long for them.

    "Too long" is ``queries.overdue``; "for them" is who the comment is flagged for,
    which includes the admins once a comment is escalated. Those who turned email
    off get none. Returns how many reminders were queued.
    """
    comments = db.session.scalars(overdue(now, answer_within)).all()
    flagged = flagged_by_comment([comment.id for comment in comments], now, escalate_after)
    people: dict[int, Staff] = {}
    waiting: dict[int, list[Comment]] = {}
    for comment in comments:
        for staff in flagged.get(comment.id, []):
            people[staff.id] = staff
            waiting.setdefault(staff.id, []).append(comment)
    queued = 0
    for staff_id, theirs in waiting.items():
        staff = people[staff_id]
        if staff.notify == Notify.OFF or _already_sent_today(staff, DigestKind.OVERDUE, now):
            continue
        escalated = [c for c in theirs if staff.is_admin and c.is_overdue(now, escalate_after)]
        mail = _reminder(staff, theirs, escalated, urls, now, replies)
        queued += _record(staff, DigestKind.OVERDUE, mail, now)
    link_to = partial(moderation_link, urls)
    return queued + chat.queue_channel_reminders(
        comments, flagged, channels, link_to, now=now, escalate_after=escalate_after
    )


def _reminder(staff, comments: list[Comment], escalated: list[Comment], urls, now, replies) -> Mail:
    """ "3 readers are waiting for you; the oldest for 31 hours", and which ones, each
    with its wait in the same words (words.times), in the staff member's language.

    An admin's reminder leads with the comments escalated to them:
    "2 comments escalated to you: oldest waiting 3 days".
    """
    waits = {comment.id: now - comment.created_at for comment in comments}
    links = {comment.id: moderation_link(urls, comment) for comment in comments}
    others = [comment for comment in comments if comment not in escalated]
    with speaking(staff.language):
        subject = _reminder_subject(comments, escalated, waits)
        text, html = render_mail(
            "overdue",
            urls,
            staff=staff,
            comments=others,
            escalated=escalated,
            waits=waits,
            links=links,
            mailto=reply_links(replies, comments, staff, now),
        )
    headers = {"X-Porch-Reminder": str(now.date())}
    if len(comments) == 1:  # about one comment: a reply to the reminder answers it
        headers = {**reply_headers(replies, comments[0], staff, now), **headers}
    return Mail(staff.email, subject, text, html, headers)


def _reminder_subject(comments: list[Comment], escalated: list[Comment], waits: dict) -> str:
    if escalated:
        longest = times.duration(max(waits[comment.id] for comment in escalated))
        return ngettext(
            "%(num)s comment escalated to you: oldest waiting %(wait)s",
            "%(num)s comments escalated to you: oldest waiting %(wait)s",
            len(escalated),
            wait=longest,
        )
    return ngettext(
        "%(num)s reader is waiting for you, for %(wait)s",
        "%(num)s readers are waiting for you; the oldest for %(wait)s",
        len(comments),
        wait=times.duration(max(waits.values())),
    )


def notify_handed_over(
    comment: Comment,
    by: Staff,
    colleague: Staff,
    *,
    urls: ServiceUrls,
    now,
    replies: ReplyAddresses | None = None,
) -> None:
    """Tell a colleague a comment was handed to them, unless they turned email off."""
    if colleague.notify == Notify.OFF:
        return
    link = moderation_link(urls, comment)
    by_mail = replies is not None
    with speaking(colleague.language):
        text, html = render_mail(
            "handed", urls, comment=comment, by=by, link=link, reply_by_mail=by_mail
        )
        subject = gettext(
            "%(by)s handed you a comment: %(name)s on “%(title)s”",
            by=by.name,
            name=comment.author_name,
            title=comment.post.title,
        )
    headers = reply_headers(replies, comment, colleague, now)
    enqueue(Mail(colleague.email, subject, text, html, headers), now)
