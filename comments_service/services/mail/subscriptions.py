"""Readers hear back: double opt-in subscriptions to the replies to their comment.

A reader who leaves an address may ask to be emailed when the team answers their
comment, or when anyone replies to it. Each such comment's subscription waits for its
own yes from the address: a mail with a link that confirms that comment only. Anyone
can type an address, so having said yes once trusts nobody else with it. The one
exception is the writer's own browser: it holds the own-comment token of an earlier
comment whose mail the address confirmed, and sending it proves the same writer.
The answer to a post says "confirm" for every address without that proof, known or not.

Confirmation mails to one address are capped (``confirm_mails`` unanswered while their
links work), so nobody can be flooded with them either. Every mail goes to the outbox
in the caller's transaction, written in the blog's language (the outbox's sender
writes them with no request, and a staff member's page may speak another); reply mails
carry a signed one-click unsubscribe link (RFC 8058). Nothing here commits or touches
Flask globals but the language spoken.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext
from sqlalchemy import event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from comments_service.enums import CommentStatus, SubscriptionScope, SubscriptionState
from comments_service.extensions import db
from comments_service.models import Comment, SubscriberAddress, Subscription
from comments_service.queries.mail import subscribers_to_tell
from comments_service.service_urls import ServiceUrls
from comments_service.services.mail.notifications import render_bodies
from comments_service.services.mail.outbox import Mail, enqueue
from comments_service.services.tokens import CONFIRM, OWN, UNSUBSCRIBE, BadLink, Tokens
from comments_service.words.language import speaking


@dataclass(frozen=True)
class ReaderMail:
    """What readers' mails need: where the service and the blog are, how links are
    signed, how long a confirmation link works and how many may wait for an answer."""

    urls: ServiceUrls
    blog_url: str
    tokens: Tokens
    confirm_within: timedelta
    confirm_mails: int

    @classmethod
    def for_app(cls, app) -> "ReaderMail":
        config = app.config
        return cls(
            urls=ServiceUrls.of(app),
            blog_url=config["PORCH_BLOG_URL"],
            tokens=Tokens(config["SECRET_KEY"]),
            confirm_within=timedelta(hours=config["PORCH_SUBSCRIPTION_CONFIRM_HOURS"]),
            confirm_mails=config["PORCH_SUBSCRIPTION_CONFIRM_MAILS"],
        )

    def confirm_link(self, subscription: Subscription) -> str:
        token = self.tokens.make(CONFIRM, subscription)
        return self.urls("readers.confirm_page", token=token)

    def unsubscribe_link(self, subscription: Subscription) -> str:
        token = self.tokens.make(UNSUBSCRIBE, subscription)
        return self.urls("readers.unsubscribe_page", token=token)

    def blog_link(self, comment: Comment) -> str:
        """Where readers find a comment: the article on the blog, at the comment."""
        return f"{self.blog_url}{comment.post.path}#comment-{comment.id}"


def render_mail(name: str, **context) -> tuple[str, str]:
    """A reader's mail, text and HTML, in the language spoken: render it, and its
    subject, ``with speaking(None)`` (the blog's language)."""
    return render_bodies(name, **context)


def subscribe(
    comment: Comment,
    scope: SubscriptionScope,
    readers: ReaderMail,
    now: datetime,
    own_tokens: Sequence[str] = (),
) -> Subscription:
    """Subscribe a reader comment's writer to its replies: at once if ``own_tokens`` (the
    writer's browser's) prove an earlier confirmed comment of the address, else once the
    address confirms this comment by mail.

    A comment the spam guard binned sends no confirmation: a bot must not be able to
    make Porch write to addresses of its choosing.
    """
    address = _address_of(comment.author_email, now)
    proven = _earlier_writer(address, own_tokens, readers.tokens)
    ask = not proven and comment.status != CommentStatus.SPAM and _may_ask(address, readers, now)
    subscription = Subscription(
        comment=comment,
        address=address,
        scope=scope,
        created_at=now,
        confirmed_at=now if proven else None,
    )
    db.session.add(subscription)
    db.session.info.setdefault(MADE_IN_TRANSACTION, []).append(subscription)
    if ask:
        _ask_to_confirm(subscription, readers, now)
    return subscription


# The subscriptions made in a session's transaction (``subscription_state``).
MADE_IN_TRANSACTION = "porch_subscriptions_made"


@event.listens_for(Session, "after_transaction_end")
def _forget_made(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(MADE_IN_TRANSACTION, None)


def _address_of(email: str, now: datetime) -> SubscriberAddress:
    """The address's row, made if new.

    Insert-or-ignore rather than look-then-insert: two comments from a new address at
    the same moment must both find the one row, not fail on its unique email.
    """
    email = email.lower()
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[
        db.session.get_bind().dialect.name
    ]
    db.session.execute(
        insert(SubscriberAddress)
        .values(email=email, created_at=now)
        .on_conflict_do_nothing(index_elements=[SubscriberAddress.email])
    )
    return db.session.scalar(select(SubscriberAddress).where(SubscriberAddress.email == email))


def _earlier_writer(address: SubscriberAddress, own_tokens: Sequence[str], tokens: Tokens) -> bool:
    """Whether the browser wrote an earlier comment whose mail this address confirmed:
    one of ``own_tokens`` is that comment's own token, which only its writer's browser
    holds. An unconfirmed comment proves nothing: anyone may have typed the address."""
    signed = defaultdict(list)  # by the comment id each names
    for token in own_tokens:
        try:
            found = tokens.read(OWN, token, now=datetime.min, max_age=None)
        except BadLink:
            continue
        signed[found.row_id].append(found)
    if not signed:
        return False
    confirmed = db.session.scalars(
        select(Comment)
        .join(Subscription, Subscription.comment_id == Comment.id)
        .where(
            Subscription.address_id == address.id,
            Comment.id.in_(list(signed)),
            Subscription.confirmed_at.is_not(None),
        )
    )
    return any(s.names(comment) for comment in confirmed for s in signed[comment.id])


def _may_ask(address: SubscriberAddress, readers: ReaderMail, now: datetime) -> bool:
    """Fewer than ``confirm_mails`` of the address's confirmation links still work unanswered."""
    waiting = select(func.count(Subscription.id)).where(
        Subscription.address_id == address.id,
        Subscription.confirmed_at.is_(None),
        Subscription.confirmation_sent_at >= now - readers.confirm_within,
    )
    return db.session.scalar(waiting) < readers.confirm_mails


def _ask_to_confirm(subscription: Subscription, readers: ReaderMail, now: datetime) -> None:
    db.session.flush()  # the subscription's id goes into the link
    subscription.confirmation_sent_at = now
    comment = subscription.comment
    with speaking(None):
        text, html = render_mail(
            "confirm_subscription",
            comment=comment,
            scope=subscription.scope,
            link=readers.confirm_link(subscription),
            valid_for=readers.confirm_within,
        )
        subject = gettext(
            "Please confirm: email me about replies on “%(title)s”", title=comment.post.title
        )
    headers = {"X-Porch-Subscription": str(subscription.id)}
    enqueue(Mail(subscription.address.email, subject, text, html, headers), now)


def subscription_state(comment: Comment, stored_now: bool = False) -> SubscriptionState | None:
    """What a reader is told after asking for email: "confirm" it by mail, or "active"
    (only for a browser that proved its writer: nobody else learns the address's story).

    Without an address there is nothing to ask the database: no subscription has none.
    Nor for a comment ``stored_now``, in the session's transaction: its subscription, if
    it asked for one, was made in the session too.
    """
    if not comment.author_email:
        return None
    if stored_now:
        made = db.session.info.get(MADE_IN_TRANSACTION, ())
        subscription = next((each for each in made if each.comment is comment), None)
    else:
        subscription = db.session.scalar(
            select(Subscription).where(Subscription.comment_id == comment.id)
        )
    if subscription is None:
        return None
    if subscription.confirmed_at:
        return SubscriptionState.ACTIVE
    return SubscriptionState.CONFIRM


def subscription_to_confirm(token: str, readers: ReaderMail, now: datetime) -> Subscription:
    """The subscription a confirmation link was made for; raises BadLink or ExpiredLink."""
    signed = readers.tokens.read(CONFIRM, token, now=now, max_age=readers.confirm_within)
    subscription = db.session.get(Subscription, signed.row_id)
    if not signed.names(subscription):
        raise BadLink("This link is for a comment we no longer know.")
    return subscription


def confirm(subscription: Subscription, now: datetime) -> None:
    """The address said yes to mail about this comment; its other comments wait for theirs."""
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now


def subscription_to_end(token: str, readers: ReaderMail, now: datetime) -> Subscription:
    """The subscription an unsubscribe link was made for; these links never expire."""
    signed = readers.tokens.read(UNSUBSCRIBE, token, now=now, max_age=None)
    subscription = db.session.get(Subscription, signed.row_id)
    if not signed.names(subscription):
        raise BadLink("This link is for a subscription we no longer know.")
    return subscription


def unsubscribe(subscription: Subscription, now: datetime) -> None:
    if subscription.ended_at is None:
        subscription.ended_at = now


def resubscribe(subscription: Subscription, now: datetime) -> None:
    """Mail about this comment again, as first asked. The unsubscribe link came by mail to
    the address, so using it shows the reader holds the address: it confirms too."""
    subscription.ended_at = None
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now


def tell_subscriber(reply: Comment, readers: ReaderMail, now: datetime) -> None:
    """Queue the mail about a reply just published, for the subscription that wants it.

    Called once, when a reply is first published (posted, approved, or approved by
    an answer beneath it), so no reply is mailed twice.
    """
    if reply.parent_id is None:
        return
    db.session.flush()  # the reply's id goes into the link
    for subscription in db.session.scalars(subscribers_to_tell(reply)):
        enqueue(_reply_mail(reply, subscription, readers), now)


def _reply_mail(reply: Comment, subscription: Subscription, readers: ReaderMail) -> Mail:
    staff = not reply.is_reader
    unsubscribe_link = readers.unsubscribe_link(subscription)
    with speaking(None):
        text, html = render_mail(
            "reply",
            reply=reply,
            staff=staff,
            scope=subscription.scope,
            link=readers.blog_link(reply),
            unsubscribe=unsubscribe_link,
        )
        if staff:
            subject = gettext(
                "%(name)s answered your comment on “%(title)s”",
                name=reply.author_name,
                title=reply.post.title,
            )
        else:
            subject = gettext(
                "%(name)s replied to your comment on “%(title)s”",
                name=reply.author_name,
                title=reply.post.title,
            )
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Porch-Comment": str(reply.id),
    }
    return Mail(subscription.address.email, subject, text, html, headers)
