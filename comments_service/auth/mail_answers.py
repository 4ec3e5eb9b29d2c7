"""Taking back an answer published from a mail, with the signed link its confirmation
carries (services/inbound/telling.py): no sign-in, for the first 15 minutes only."""

from datetime import timedelta

from flask import abort, current_app, render_template
from flask_babel import gettext
from flask_wtf import FlaskForm

from comments_service.auth import bp
from comments_service.enums import CommentStatus
from comments_service.extensions import db
from comments_service.models import Comment, utcnow
from comments_service.services.inbound.deciding import VIA_EMAIL
from comments_service.services.moderation import decisions
from comments_service.services.tokens import UNDO_MAIL_ANSWER, BadLink, ExpiredLink, Tokens

UNDO_WITHIN = timedelta(minutes=15)


@bp.route("/mail-answer/<token>/undo", methods=["GET", "POST"])
def undo_mail_answer(token: str):
    tokens = Tokens(current_app.config["PORCH_SECRET_KEY"])
    try:
        signed = tokens.read(UNDO_MAIL_ANSWER, token, now=utcnow(), max_age=UNDO_WITHIN)
    except ExpiredLink:
        return _page("expired", None, 410)
    except BadLink:
        abort(404, gettext("This link is not complete or was changed."))
    answer = db.session.get(Comment, signed.row_id)
    if not signed.names(answer) or answer.staff is None:
        abort(404, gettext("There is no such answer: it may have been erased."))
    if answer.status != CommentStatus.APPROVED:
        return _page("gone", answer)
    form = FlaskForm()
    if form.validate_on_submit():
        decisions.delete(answer, answer.staff, "taken back from the confirmation mail", VIA_EMAIL)
        db.session.commit()
        return _page("done", answer)
    return _page("ask", answer, form=form)


def _page(state: str, answer: Comment | None, status: int = 200, form=None):
    return render_template(
        "auth/undo_mail_answer.html", state=state, answer=answer, form=form
    ), status
