from flask import abort, current_app, render_template
from flask_babel import gettext

from comments_service.extensions import db
from comments_service.feeds import bp
from comments_service.models import utcnow
from comments_service.queries.care import unanswered_for
from comments_service.service_urls import ServiceUrls
from comments_service.services.accounts.staff import staff_for_feed
from comments_service.services.mail.notifications import moderation_link
from comments_service.words.language import speaking

# The comments that have waited longest: a feed reader shows a page, not a whole queue.
FEED_ENTRIES = 100
EXCERPT_CHARS = 280


@bp.get("/waiting/<token>.atom")
def waiting(token: str):
    """The comments waiting for the owner of this secret, oldest first; 404 for any other."""
    staff = staff_for_feed(token)
    if staff is None:
        abort(
            404,
            gettext("There is no feed at this address; make a new one on your settings page."),
        )
    now = utcnow()
    comments = db.session.scalars(unanswered_for(staff, now).limit(FEED_ENTRIES)).all()
    urls = ServiceUrls.of(current_app)
    with speaking(staff.language):  # its owner's feed, in their language
        body = _feed(staff, comments, now, urls)
    response = current_app.response_class(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _excerpt(markdown: str) -> str:
    """The start of a comment as one line of plain text."""
    text = " ".join(markdown.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _feed(staff, comments, now, urls) -> str:
    return render_template(
        "feeds/waiting.xml",
        staff=staff,
        comments=comments,
        updated=max((comment.created_at for comment in comments), default=now),
        links={comment.id: moderation_link(urls, comment) for comment in comments},
        excerpt=_excerpt,
        queue_url=urls("moderation.queue"),
    )
