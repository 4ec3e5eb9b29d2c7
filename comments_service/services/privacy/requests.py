"""Readers ask for their data, or for it to be erased, from the blog's privacy page.

The form takes an address; the answer is the same whether Porch knows it or not, so
the page tells nobody whose address is on file. A known address gets a signed link
by mail (through the outbox); an unknown one gets nothing, so the form cannot be used
to send mail to strangers. The link names the address's first comment, not the
address, and stops working once that comment is erased (a later comment that takes its
number has another link key, services.tokens). The mail is written in the blog's
language. Nothing here commits or touches Flask globals but the language spoken.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext

from comments_service.extensions import db
from comments_service.models import Comment
from comments_service.service_urls import ServiceUrls
from comments_service.services.mail.notifications import render_bodies
from comments_service.services.mail.outbox import Mail, enqueue
from comments_service.services.privacy import people
from comments_service.services.tokens import BadLink, Tokens
from comments_service.words.language import speaking

EXPORT = "porch.privacy.export"
FORGET = "porch.privacy.forget"
PURPOSES = {"export": EXPORT, "forget": FORGET}
SUBJECTS = {
    "export": lazy_gettext("Your data on the blog: download link"),
    "forget": lazy_gettext("Erase your data from the blog: confirmation link"),
}


@dataclass(frozen=True)
class PrivacyLinks:
    """Where the service is, how links are signed, and how long they work."""

    urls: ServiceUrls
    tokens: Tokens
    valid_for: timedelta

    @classmethod
    def for_app(cls, app) -> "PrivacyLinks":
        config = app.config
        return cls(
            urls=ServiceUrls.of(app),
            tokens=Tokens(config["SECRET_KEY"]),
            valid_for=timedelta(hours=config["PORCH_PRIVACY_LINK_HOURS"]),
        )

    def link(self, wish: str, comment: Comment) -> str:
        token = self.tokens.make(PURPOSES[wish], comment)
        return self.urls(f"privacy.{wish}_page", token=token)


def request_link(email: str, wish: str, links: PrivacyLinks, now: datetime) -> None:
    """Mail a link for this wish ("export" or "forget") if a reader wrote a comment with the
    address; staff addresses are answered like unknown ones (their mail is the team's)."""
    comment = people.first_comment(email)
    if comment is None or people.is_staff_address(email):
        return
    link = links.link(wish, comment)
    with speaking(None):
        text, html = render_bodies("privacy_link", wish=wish, link=link, valid_for=links.valid_for)
        subject = str(SUBJECTS[wish])
    enqueue(Mail(people.normalised(email), subject, text, html, {}), now)


def address_in_link(wish: str, token: str, links: PrivacyLinks, now: datetime) -> str:
    """The address a genuine, unexpired link was made for; raises BadLink or ExpiredLink."""
    signed = links.tokens.read(PURPOSES[wish], token, now=now, max_age=links.valid_for)
    comment = db.session.get(Comment, signed.row_id)
    if not signed.names(comment) or not comment.author_email:
        raise BadLink("This link is for data that has already been erased.")
    return people.normalised(comment.author_email)
