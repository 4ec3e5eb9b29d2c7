"""What the team's chat channels hear about readers waiting for an answer.

The same events as staff email (notifications.py): each new reader comment that is
published or held, or one daily digest of them (PORCH_NOTIFY_CHOICE), and once a day
the readers waiting too long, escalated ones said to be with the admins. Every
message names the reader (never their email address), the post, the start of the
comment, who it waits for, and where to answer it.

Messages go to the outbox in the caller's transaction, one row per channel, known by
its fingerprint (services.mail.chat); the sender posts them. They are written in the
blog's language (words.language.speaking). Like notifications.py, nothing here commits
or touches Flask globals but the language spoken.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.lists import format_list
from flask_babel import gettext, ngettext
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from comments_service.config import notify_urls
from comments_service.enums import DigestKind, Notify
from comments_service.extensions import db
from comments_service.models import ChannelDigest, Comment, OutboxMessage, Staff
from comments_service.queries.care import flagged_by_comment
from comments_service.queries.mail import new_reader_comments
from comments_service.services.mail.chat import fingerprint
from comments_service.services.mail.outbox import enqueue_chat
from comments_service.words import times
from comments_service.words.language import current_locale, speaking

EXCERPT_CHARS = 200
FIRST_DIGEST_COVERS = timedelta(days=1)

# Where staff answer a comment: notifications.moderation_link, bound to the service's URLs.
LinkTo = Callable[[Comment], str]


@dataclass(frozen=True)
class Channels:
    """The chat channels, by fingerprint, and what they hear (each, digest or off)."""

    names: tuple[str, ...]
    choice: Notify

    @classmethod
    def for_app(cls, app) -> "Channels":
        config = app.config
        names = tuple(fingerprint(url) for url in notify_urls(config))
        return cls(names, config["PORCH_NOTIFY_CHOICE"])


NO_CHANNELS = Channels((), Notify.OFF)


def excerpt(text: str) -> str:
    """The start of a comment on one line: a chat message shows it whole."""
    line = " ".join(text.split())
    return line if len(line) <= EXCERPT_CHARS else line[: EXCERPT_CHARS - 1] + "…"


def _names(people: Sequence[Staff]) -> str:
    """ "Ana Lima", "Ana Lima and Ben Okafor", "Ana Lima, Ben Okafor and Morgan Reyes"
    (joined as the language spoken joins a list)."""
    names = [person.name for person in people]
    if not names:
        return gettext("the team")
    return format_list(names, locale=current_locale())


def _about(comment: Comment, waiting: str, link_to: LinkTo) -> str:
    """One comment's lines: who on which post said what, who it waits for, where to answer."""
    said = gettext(
        "%(name)s on “%(title)s”: “%(excerpt)s”",
        name=comment.author_name,
        title=comment.post.title,
        excerpt=excerpt(comment.body_markdown),
    )
    answer = gettext("Answer it here: %(link)s", link=link_to(comment))
    return f"{said}\n{waiting}\n{answer}"


def _waiting_for(people: Sequence[Staff]) -> str:
    return gettext("Waiting for %(names)s.", names=_names(people))


def queue_channel_messages(
    comment: Comment,
    flagged: Sequence[Staff],
    held: bool,
    channels: Channels,
    link_to: LinkTo,
    now: datetime,
) -> None:
    """One message per channel about a new reader comment (``held``: it waited for
    approval when it came), when they hear of each."""
    if channels.choice != Notify.EACH:
        return
    with speaking(None):
        if held:
            subject = gettext(
                "Held for approval: %(name)s on “%(title)s”",
                name=comment.author_name,
                title=comment.post.title,
            )
        else:
            subject = gettext(
                "New comment: %(name)s on “%(title)s”",
                name=comment.author_name,
                title=comment.post.title,
            )
        text = _about(comment, _waiting_for(flagged), link_to)
    for channel in channels.names:
        enqueue_chat(channel, subject, text, now)


def queue_channel_digests(channels: Channels, link_to: LinkTo, now: datetime) -> int:
    """Today's digest for each channel, when they hear of the day's comments in one;
    returns how many were queued."""
    if channels.choice != Notify.DIGEST:
        return 0
    return sum(_queue_digest(channel, link_to, now) for channel in channels.names)


def _queue_digest(channel: str, link_to: LinkTo, now: datetime) -> bool:
    """One channel's digest: the comments since its last one, at most one a day.

    A day with nothing new sends and records nothing, so the next digest still starts
    where the last one ended.
    """
    if db.session.get(ChannelDigest, (channel, DigestKind.NEW_COMMENTS, now.date())):
        return False
    since = _last_digest_end(channel) or now - FIRST_DIGEST_COVERS
    comments = db.session.scalars(new_reader_comments(since, now)).all()
    if not comments:
        return False
    flagged = flagged_by_comment([comment.id for comment in comments], now)
    with speaking(None):
        blocks = [
            _about(comment, _waiting_for(flagged.get(comment.id, [])), link_to)
            for comment in comments
        ]
        subject = ngettext(
            "%(num)s new reader comment on %(day)s",
            "%(num)s new reader comments on %(day)s",
            len(comments),
            day=times.day_label(now.date()),
        )
    message = enqueue_chat(channel, subject, "\n\n".join(blocks), now)
    return _record(channel, DigestKind.NEW_COMMENTS, message, now)


def _last_digest_end(channel: str) -> datetime | None:
    return db.session.scalar(
        select(ChannelDigest.covers_until)
        .where(ChannelDigest.channel == channel, ChannelDigest.kind == DigestKind.NEW_COMMENTS)
        .order_by(ChannelDigest.covers_until.desc())
        .limit(1)
    )


def queue_channel_reminders(
    comments: Sequence[Comment],
    flagged: dict[int, list[Staff]],
    channels: Channels,
    link_to: LinkTo,
    *,
    now: datetime,
    escalate_after: timedelta,
) -> int:
    """Once a day, tell each channel of the readers waiting too long (``comments``,
    with who each is ``flagged`` for); nothing when the channels hear nothing.
    Returns how many messages were queued."""
    if channels.choice == Notify.OFF or not comments:
        return 0
    with speaking(None):
        subject, text = _reminder(comments, flagged, link_to, now, escalate_after)
    queued = 0
    for channel in channels.names:
        if db.session.get(ChannelDigest, (channel, DigestKind.OVERDUE, now.date())):
            continue
        message = enqueue_chat(channel, subject, text, now)
        queued += _record(channel, DigestKind.OVERDUE, message, now)
    return queued


def _reminder(comments, flagged, link_to: LinkTo, now, escalate_after) -> tuple[str, str]:
    """ "3 readers are waiting too long; the oldest for 4 days", then each of them: whom
    they wait for and how long, or that they are escalated to the admins."""
    waits = {comment.id: times.duration(now - comment.created_at) for comment in comments}
    oldest = times.duration(max(now - comment.created_at for comment in comments))
    subject = ngettext(
        "%(num)s reader is waiting too long, for %(wait)s",
        "%(num)s readers are waiting too long; the oldest for %(wait)s",
        len(comments),
        wait=oldest,
    )
    blocks = []
    for comment in comments:
        if comment.is_overdue(now, escalate_after):
            admins = [staff for staff in flagged.get(comment.id, []) if staff.is_admin]
            waiting = gettext(
                "Escalated to the admins (%(names)s): waiting %(wait)s.",
                names=_names(admins),
                wait=waits[comment.id],
            )
        else:
            waiting = gettext(
                "Waiting for %(names)s, for %(wait)s.",
                names=_names(flagged.get(comment.id, [])),
                wait=waits[comment.id],
            )
        blocks.append(_about(comment, waiting, link_to))
    return subject, "\n\n".join(blocks)


def _record(channel: str, kind: DigestKind, message: OutboxMessage, now: datetime) -> bool:
    """Remember a channel's daily message; False if another run queued today's first.

    Insert-or-ignore on the day's row, as notifications._record does for staff: of two
    runs at the same moment only one may queue, and the loser's message is deleted
    before its transaction commits, so it never leaves.
    """
    db.session.flush()
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[
        db.session.get_bind().dialect.name
    ]
    recorded = db.session.scalar(
        insert(ChannelDigest)
        .values(channel=channel, kind=kind, day=now.date(), covers_until=now, message_id=message.id)
        .on_conflict_do_nothing()
        .returning(ChannelDigest.channel)
    )
    if recorded is not None:
        return True
    db.session.delete(message)
    return False
