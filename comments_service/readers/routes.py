"""Thin views for the links in readers' mails. GET only shows; a button posts the change.

Mail scanners follow links, so opening a link never changes anything. Subscribing again
takes a button with a CSRF token, like confirming. Unsubscribing
takes the one-click POST a mail client sends for ``List-Unsubscribe-Post`` (RFC 8058),
which carries no CSRF token: the signed token in the address is what authenticates it.
"""

from flask import current_app, render_template
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm

from comments_service.extensions import csrf, db
from comments_service.models import utcnow
from comments_service.readers import bp
from comments_service.services.mail import subscriptions
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.tokens import BadLink, ExpiredLink
from comments_service.words.times import duration

EXPIRED_CONFIRMATION = lazy_gettext(
    "This confirmation link has expired: links work for %(valid_for)s. Nothing was changed. "
    "Leave your next comment with the email box ticked and we will send you a fresh link."
)
BROKEN_LINK = lazy_gettext(
    "This link is not complete or was changed, so nothing was changed. Open it again from "
    "the email, or copy the whole link (it is long) into your browser."
)


def _readers() -> ReaderMail:
    return ReaderMail.for_app(current_app)


def _link_problem(error: BadLink, readers: ReaderMail):
    """A page that says what went wrong with a link and what to do; 410 once it expired."""
    if isinstance(error, ExpiredLink):
        valid_for = duration(readers.confirm_within)
        message, status = str(EXPIRED_CONFIRMATION) % {"valid_for": valid_for}, 410
    else:
        message, status = str(BROKEN_LINK), 400
    return render_template("readers/link_problem.html", message=message), status


@bp.get("/confirm/<token>")
def confirm_page(token: str):
    readers = _readers()
    try:
        subscription = subscriptions.subscription_to_confirm(token, readers, utcnow())
    except BadLink as error:
        return _link_problem(error, readers)
    return render_template("readers/confirm.html", subscription=subscription, form=FlaskForm())


@bp.post("/confirm/<token>")
def confirm(token: str):
    """Confirm one comment's mail; CSRF-protected like every form of the service's own pages."""
    readers = _readers()
    try:
        subscription = subscriptions.subscription_to_confirm(token, readers, utcnow())
    except BadLink as error:
        return _link_problem(error, readers)
    subscriptions.confirm(subscription, utcnow())
    db.session.commit()
    return render_template("readers/confirmed.html", subscription=subscription)


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    readers = _readers()
    try:
        subscription = subscriptions.subscription_to_end(token, readers, utcnow())
    except BadLink as error:
        return _link_problem(error, readers)
    return render_template(
        "readers/unsubscribe.html", subscription=subscription, form=_again_form(subscription)
    )


def _again_form(subscription) -> FlaskForm | None:
    """The CSRF token of "Email me again", only once the mail stopped: making one sets the
    session cookie that holds it, and a reader who still gets mail needs none."""
    return FlaskForm() if subscription.ended_at else None


@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe(token: str):
    """The page's button and a mail client's one-click POST alike; the token is the proof."""
    readers = _readers()
    try:
        subscription = subscriptions.subscription_to_end(token, readers, utcnow())
    except BadLink as error:
        return _link_problem(error, readers)
    subscriptions.unsubscribe(subscription, utcnow())
    db.session.commit()
    return render_template(
        "readers/unsubscribed.html", subscription=subscription, form=_again_form(subscription)
    )


@bp.post("/resubscribe/<token>")
def resubscribe(token: str):
    """Undo an unsubscribe from its own page: a button with a CSRF token, never the link alone."""
    readers = _readers()
    try:
        subscription = subscriptions.subscription_to_end(token, readers, utcnow())
    except BadLink as error:
        return _link_problem(error, readers)
    subscriptions.resubscribe(subscription, utcnow())
    db.session.commit()
    return render_template("readers/unsubscribe.html", subscription=subscription, again=True)
