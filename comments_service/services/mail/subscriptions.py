"""Readers hear back: double opt-in subscriptions to the replies to their comment.

A reader who leaves an address may ask to be emailed when the team answers their
comment, or when anyone replies to it. The first time an address asks, it gets a
link to confirm it, and nothing else is sent to it until then; once confirmed, the
address is trusted for its later subscriptions. Every mail goes to the outbox in
the caller's transaction and carries a signed one-click unsubscribe link (RFC 8058).
Nothing here commits or touches Flask globals.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from comments_service.enums import CommentStatus, SubscriptionScope
from comments_service.extensions import db
from comments_service.models import Comment, SubscriberAddress, Subscription
from comments_service.queries.mail import subscribers_to_tell
from comments_service.services.mail.notifications import templates
from comments_service.services.mail.outbox import Mail, enqueue
from comments_service.services.tokens import CONFIRM, UNSUBSCRIBE, BadLink, Tokens

SCOPE_WORDS = {
    SubscriptionScope.TEAM: "when the team answers",
    SubscriptionScope.ANYONE: "when anyone replies",
}


@dataclass(frozen=True)
class ReaderMail:
    """What readers' mails need: where the service and the blog are, and how links are signed."""

    public_url: str
    blog_url: str
    tokens: Tokens
    confirm_within: timedelta

    @classmethod
    def from_config(cls, config) -> "ReaderMail":
        return cls(
            public_url=config["PORCH_PUBLIC_URL"],
            blog_url=config["PORCH_BLOG_URL"],
            tokens=Tokens(config["SECRET_KEY"]),
            confirm_within=timedelta(hours=config["PORCH_SUBSCRIPTION_CONFIRM_HOURS"]),
        )

    def confirm_link(self, address: SubscriberAddress) -> str:
        return f"{self.public_url}/subscriptions/confirm/{self.tokens.make(CONFIRM, address.id)}"

    def unsubscribe_link(self, subscription: Subscription) -> str:
        token = self.tokens.make(UNSUBSCRIBE, subscription.id)
        return f"{self.public_url}/subscriptions/unsubscribe/{token}"

    def blog_link(self, comment: Comment) -> str:
        """Where readers find a comment: the article on the blog, at the comment."""
        return f"{self.blog_url}{comment.post.path}#comment-{comment.id}"


def render_mail(name: str, **context) -> tuple[str, str]:
    text = templates.get_template(f"{name}.txt").render(**context)
    return text, templates.get_template(f"{name}.html").render(**context)


def subscribe(
    comment: Comment, scope: SubscriptionScope, readers: ReaderMail, now: datetime
) -> Subscription:
    """Subscribe a reader comment's writer to its replies; ask a new address to confirm.

    A comment the spam guard binned sends no confirmation: a bot must not be able to
    make Porch write to addresses of its choosing.
    """
    address = _address_of(comment.author_email, now)
    subscription = Subscription(comment=comment, address=address, scope=scope, created_at=now)
    db.session.add(subscription)
    if comment.status != CommentStatus.SPAM and _needs_confirmation(address, readers, now):
        _ask_to_confirm(address, subscription, readers, now)
    return subscription


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


def _needs_confirmation(address: SubscriberAddress, readers: ReaderMail, now: datetime) -> bool:
    """Unconfirmed, and no earlier confirmation link that still works: one mail per window."""
    if address.confirmed_at is not None:
        return False
    sent = address.confirmation_sent_at
    return sent is None or now - sent >= readers.confirm_within


def _ask_to_confirm(
    address: SubscriberAddress, subscription: Subscription, readers: ReaderMail, now: datetime
) -> None:
    db.session.flush()  # the address's id goes into the link
    address.confirmation_sent_at = now
    comment = subscription.comment
    text, html = render_mail(
        "confirm_subscription",
        comment=comment,
        scope=SCOPE_WORDS[subscription.scope],
        link=readers.confirm_link(address),
        hours=int(readers.confirm_within.total_seconds() // 3600),
    )
    subject = f"Please confirm: email me about replies on “{comment.post.title}”"
    headers = {"X-Porch-Subscription": str(subscription.id)}
    enqueue(Mail(address.email, subject, text, html, headers), now)


def subscription_state(comment: Comment) -> str | None:
    """What a reader is told after asking for email: "confirm" their address, or "active".

    Without an address there is nothing to ask the database: no subscription has none.
    """
    if not comment.author_email:
        return None
    subscription = db.session.scalar(
        select(Subscription).where(Subscription.comment_id == comment.id)
    )
    if subscription is None:
        return None
    return "active" if subscription.address.confirmed_at else "confirm"


def address_to_confirm(token: str, readers: ReaderMail, now: datetime) -> SubscriberAddress:
    """The address a confirmation link was made for; raises BadLink or ExpiredLink."""
    address_id = readers.tokens.read(CONFIRM, token, now=now, max_age=readers.confirm_within)
    address = db.session.get(SubscriberAddress, address_id)
    if address is None:
        raise BadLink("This link is for an address we no longer know.")
    return address


def confirm(address: SubscriberAddress, now: datetime) -> None:
    """Trust the address from now on: its subscriptions, past and future, are active."""
    if address.confirmed_at is None:
        address.confirmed_at = now


def subscription_to_end(token: str, readers: ReaderMail, now: datetime) -> Subscription:
    """The subscription an unsubscribe link was made for; these links never expire."""
    subscription_id = readers.tokens.read(UNSUBSCRIBE, token, now=now, max_age=None)
    subscription = db.session.get(Subscription, subscription_id)
    if subscription is None:
        raise BadLink("This link is for a subscription we no longer know.")
    return subscription


def unsubscribe(subscription: Subscription, now: datetime) -> None:
    if subscription.ended_at is None:
        subscription.ended_at = now


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
    verb = "answered" if staff else "replied to"
    unsubscribe_link = readers.unsubscribe_link(subscription)
    text, html = render_mail(
        "reply",
        reply=reply,
        staff=staff,
        verb=verb,
        scope=SCOPE_WORDS[subscription.scope],
        link=readers.blog_link(reply),
        unsubscribe=unsubscribe_link,
    )
    subject = f"{reply.author_name} {verb} your comment on “{reply.post.title}”"
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Porch-Comment": str(reply.id),
    }
    return Mail(subscription.address.email, subject, text, html, headers)
