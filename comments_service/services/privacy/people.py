"""What Porch holds about one email address, and erasing it at its owner's request.

An address is matched without regard to case, as readers type it. What holds it:
the reader comments written with it (with the name, website and request context
kept beside them), the address's row for answers by email and its subscriptions,
and the outbox: messages sent to it, and messages to staff or other readers about
its comments. Staff answers are the team's, not a reader's, and are left alone.

Erasing keeps the answer figures where they are: a comment with replies stays as
an anonymous placeholder with its status and answer state (so it still counts as
answered, or not, in its month); one without replies was never answered (an
answer is a reply) and goes. Nothing here commits or touches Flask globals.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, exists, func, select, update

from comments_service.enums import Decision, MailStatus
from comments_service.extensions import db
from comments_service.models import (
    Comment,
    CommentEvent,
    ModerationAction,
    OutboxMessage,
    Post,
    Staff,
    SubscriberAddress,
    Subscription,
)

FORMAT, VERSION = "porch-person", 1
COMMENT_LINK = re.compile(r"#comment-(\d+)\b")
ERASED_MAIL = "This message was about a reader's comment, erased at its writer's request."
KEPT_REASON = "Erased at the author's request; its place kept for the replies beneath it."
GONE_REASON = "Comment {id} on “{slug}” erased at the author's request, with nothing beneath it."
UNSENT = (MailStatus.QUEUED, MailStatus.FAILED)
# What staff pages and the CLI call the writer of an erased comment kept for its replies.
ERASED_NAME = "Erased reader"


class StaffAddress(ValueError):
    """The address is a staff account's: its mail is the team's, not a reader's, to erase."""


def normalised(email: str) -> str:
    return email.strip().lower()


def is_staff_address(email: str) -> bool:
    return db.session.scalar(select(exists().where(func.lower(Staff.email) == normalised(email))))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def comments_of(email: str):
    """The reader comments written with this address, oldest first."""
    return (
        select(Comment)
        .where(Comment.staff_id.is_(None), func.lower(Comment.author_email) == normalised(email))
        .order_by(Comment.id)
    )


def first_comment(email: str) -> Comment | None:
    """The row a reader's signed links name instead of their address."""
    return db.session.scalar(comments_of(email).limit(1))


def _address_row(email: str) -> SubscriberAddress | None:
    return db.session.scalar(
        select(SubscriberAddress).where(SubscriberAddress.email == normalised(email))
    )


def _subscriptions(email: str, comment_ids: list[int]) -> list[Subscription]:
    address = _address_row(email)
    mine = Subscription.comment_id.in_(comment_ids)
    if address is not None:
        mine = mine | (Subscription.address_id == address.id)
    return list(db.session.scalars(select(Subscription).where(mine).order_by(Subscription.id)))


def _mail(email: str, comment_ids: list[int]) -> tuple[list, list]:
    """Messages sent to the address, and the other messages that name it or quote its comments.

    Those are found by what they carry: the address itself, a link to one of its comments
    (new-comment mails, digests, reminders), or the ``X-Porch-Comment`` header of one of
    its comments or of a reply to one (a reply's mail quotes the comment it answers).
    """
    replies = select(Comment.id).where(Comment.parent_id.in_(comment_ids))
    headed = {str(number) for number in [*comment_ids, *db.session.scalars(replies)]}
    linked = {str(number) for number in comment_ids}
    email = normalised(email)
    to_them, about_them = [], []
    every = select(OutboxMessage).order_by(OutboxMessage.id).execution_options(yield_per=500)
    for message in db.session.scalars(every):
        text = f"{message.subject}\n{message.body_text}\n{message.body_html}".lower()
        if message.recipient.lower() == email:
            to_them.append(message)
        elif (
            (message.headers or {}).get("X-Porch-Comment") in headed
            or email in text
            or linked & set(COMMENT_LINK.findall(text))
        ):
            about_them.append(message)
    return to_them, about_them


def export_person(email: str, now: datetime) -> dict:
    """Everything stored about an address, as the document ``people export`` prints."""
    comments = list(db.session.scalars(comments_of(email)))
    ids = [comment.id for comment in comments]
    address = _address_row(email)
    to_them, about_them = _mail(email, ids)
    return {
        "format": FORMAT,
        "version": VERSION,
        "email": normalised(email),
        "exported_at": _iso(now),
        "names": sorted({comment.author_name for comment in comments}),
        "websites": sorted({c.author_website for c in comments if c.author_website}),
        "comments": [_comment(comment) for comment in comments],
        "subscriber_address": address and _address(address),
        "subscriptions": [_subscription(s) for s in _subscriptions(email, ids)],
        "mail_to_you": [_message(message) for message in to_them],
        "mail_about_you": [_message(message, recipient=False) for message in about_them],
    }


def _comment(comment: Comment) -> dict:
    post: Post = comment.post
    return {
        "id": comment.id,
        "post": {"slug": post.slug, "title": post.title, "path": post.path},
        "parent_id": comment.parent_id,
        "status": comment.status.value,
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_website": comment.author_website,
        "body_markdown": comment.body_markdown,
        "created_at": _iso(comment.created_at),
        "published_at": _iso(comment.published_at),
        "answered_at": _iso(comment.answered_at),
        "dismissed_at": _iso(comment.dismissed_at),
        "remote_addr": comment.remote_addr,
        "user_agent": comment.user_agent,
        "referrer": comment.referrer,
        "import_source": comment.import_source,
        "import_id": comment.import_id,
    }


def _address(address: SubscriberAddress) -> dict:
    return {
        "email": address.email,
        "created_at": _iso(address.created_at),
    }


def _subscription(subscription: Subscription) -> dict:
    return {
        "comment_id": subscription.comment_id,
        "scope": subscription.scope.value,
        "created_at": _iso(subscription.created_at),
        "confirmation_sent_at": _iso(subscription.confirmation_sent_at),
        "confirmed_at": _iso(subscription.confirmed_at),
        "ended_at": _iso(subscription.ended_at),
    }


def _message(message: OutboxMessage, recipient: bool = True) -> dict:
    """A message as its reader may see it; staff's addresses are not theirs to see."""
    shown = {
        "id": message.id,
        "subject": message.subject,
        "status": message.status.value,
        "created_at": _iso(message.created_at),
        "sent_at": _iso(message.sent_at),
    }
    if not recipient:
        return shown
    return {"recipient": message.recipient, **shown, "body_text": message.body_text}


@dataclass
class Erasure:
    """What forgetting an address removes: ``apply_erasure`` does it, a dry run shows it."""

    email: str
    kept: list[Comment] = field(default_factory=list)  # anonymised, for their replies
    gone: list[Comment] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    address: SubscriberAddress | None = None
    mail_deleted: list[OutboxMessage] = field(default_factory=list)
    mail_blanked: list[OutboxMessage] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.kept or self.gone or self.subscriptions or self.address)


def plan_erasure(email: str) -> Erasure:
    """Work out what forgetting this address touches, changing nothing; raises StaffAddress.

    Newest first, so a reader's reply beneath their own comment is settled before it:
    when every reply under a comment is theirs, the comment goes too.
    """
    if is_staff_address(email):
        raise StaffAddress(
            f"{normalised(email)} belongs to a staff account: deactivate the account instead."
        )
    comments = list(db.session.scalars(comments_of(email)))
    ids = {comment.id for comment in comments}
    erasure = Erasure(normalised(email), address=_address_row(email))
    for comment in sorted(comments, key=lambda c: c.id, reverse=True):
        if _has_replies_besides(comment.id, {c.id for c in erasure.gone}):
            erasure.kept.append(comment)
        else:
            erasure.gone.append(comment)
    erasure.subscriptions = _subscriptions(email, sorted(ids))
    to_them, about_them = _mail(email, sorted(ids))
    erasure.mail_deleted = [m for m in to_them if m.status in UNSENT]
    erasure.mail_blanked = [m for m in to_them if m.status not in UNSENT] + about_them
    return erasure


def _has_replies_besides(comment_id: int, going: set[int]) -> bool:
    replies = select(Comment.id).where(Comment.parent_id == comment_id, Comment.id.not_in(going))
    return db.session.scalar(select(exists(replies)))


def apply_erasure(erasure: Erasure, now: datetime) -> None:
    """Forget the address, with an audit row per comment that names nobody."""
    for subscription in erasure.subscriptions:
        db.session.delete(subscription)
    if erasure.address is not None:
        db.session.delete(erasure.address)
    for message in erasure.mail_deleted:
        db.session.delete(message)
    for message in erasure.mail_blanked:
        _blank(message, erasure.email)
    _drop_pending_events(erasure.kept + erasure.gone)
    db.session.flush()
    for comment in erasure.kept:
        _anonymise(comment, now)
    for comment in erasure.gone:  # newest first: replies before what they answer
        _remove(comment, now)
        db.session.flush()


def _drop_pending_events(comments: list[Comment]) -> None:
    """A comment erased before the outbox's sender wrote its messages (services.mail.events)
    gets none: nobody is told of words their writer took back."""
    ids = [comment.id for comment in comments]
    db.session.execute(
        delete(CommentEvent)
        .where(CommentEvent.comment_id.in_(ids))
        .execution_options(synchronize_session=False)
    )


def _blank(message: OutboxMessage, email: str) -> None:
    """Keep a message's delivery record, without what it said about the reader."""
    message.subject = ERASED_MAIL
    message.body_text = ERASED_MAIL
    message.body_html = f"<p>{ERASED_MAIL}</p>"
    if message.recipient.lower() == email:
        message.recipient = "erased@invalid"


def _anonymise(comment: Comment, now: datetime) -> None:
    """Keep the row for its replies and the figures: its status and answer state stay.

    A comment that still waited is marked "no answer needed": nobody can answer a
    comment whose words are gone.
    """
    comment.author_name = ERASED_NAME
    comment.body_markdown = comment.body_html = ""
    comment.author_email = comment.author_website = None
    comment.remote_addr = comment.user_agent = comment.referrer = None
    comment.idempotency_key = None
    _erase_private_notes(comment)
    comment.erased_at = now
    if comment.is_waiting:
        comment.dismissed_at, comment.dismiss_reason = now, KEPT_REASON
    db.session.add(
        ModerationAction(
            comment=comment, action=Decision.FORGET, reason=KEPT_REASON, created_at=now
        )
    )


# Audit rows whose reason holds the reader's words: a private answer's note names them,
# and an edit keeps the words before it.
READERS_WORDS_IN = (Decision.ANSWER_PRIVATELY, Decision.EDIT)


def _erase_private_notes(comment: Comment) -> None:
    """Staff's note of a call or an email with the reader names them, and the audit row of
    each edit the reader made keeps their earlier words: they go too, on the comment and in
    the audit rows that recorded them."""
    comment.private_note = None
    db.session.execute(
        update(ModerationAction)
        .where(
            ModerationAction.comment_id == comment.id,
            ModerationAction.action.in_(READERS_WORDS_IN),
        )
        .values(reason=None)
    )


def _remove(comment: Comment, now: datetime) -> None:
    """Delete a comment nothing replies to; its audit rows stay, no longer pointing at it."""
    _erase_private_notes(comment)
    db.session.execute(
        update(ModerationAction)
        .where(ModerationAction.comment_id == comment.id)
        .values(comment_id=None)
    )
    reason = GONE_REASON.format(id=comment.id, slug=comment.post.slug)
    db.session.add(ModerationAction(action=Decision.FORGET, reason=reason, created_at=now))
    db.session.delete(comment)
