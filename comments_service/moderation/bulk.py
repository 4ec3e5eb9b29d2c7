"""One decision on many comments at once (the checkboxes of a tab), and its undo."""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from comments_service.enums import Action, View
from comments_service.extensions import db
from comments_service.models import Comment
from comments_service.moderation import bp
from comments_service.moderation.forms import ActionForm
from comments_service.moderation.routes import FILTERS, decided, offer_undo, teach_spam_checker
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation import decisions as moderation
from comments_service.services.moderation.rules import BULK, RECORDED_AS

MAX_SELECTED = 500


@bp.post("/bulk")
def bulk():
    """Apply the chosen decision to every selected comment, or to none of them."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, gettext("The form expired; reload the page and try again."))
    action = _action()
    comments = selected_comments()
    if not comments:
        flash(gettext("Select at least one comment first."), "error")
        return back_to_listing()
    try:
        readers = ReaderMail.for_app(current_app)
        moderation.decide_all(action, comments, current_user, readers)
    except moderation.NotAllowed as error:
        abort(403, str(error))
    except moderation.ModerationError as error:
        db.session.rollback()
        flash(gettext("Nothing was changed. %(why)s", why=error), "error")
        return back_to_listing()
    db.session.commit()
    decision = RECORDED_AS[action]
    teach_spam_checker(decision, comments)
    flash(decided(decision, comments), "success")
    if action in moderation.UNDO:
        offer_undo(action, [comment.id for comment in comments])
    return back_to_listing()


def _action() -> Action:
    """The decision of the button pressed (the form names it ``decision``)."""
    try:
        action = Action(request.form.get("decision", ""))
    except ValueError:
        action = None
    if action not in BULK:
        abort(400, gettext("Choose approve, spam, not spam, delete or restore."))
    return action


def selected_comments() -> list[Comment]:
    """The ticked comments; an id that is not a number or not a comment is refused."""
    raw = request.form.getlist("ids")
    if len(raw) > MAX_SELECTED:
        abort(400, gettext("Select at most %(most)s comments at a time.", most=MAX_SELECTED))
    if not all(value.isascii() and value.isdigit() and len(value) <= 10 for value in raw):
        abort(400, gettext("Comment numbers must be whole numbers."))
    ids = {int(value) for value in raw}
    comments = db.session.scalars(select(Comment).where(Comment.id.in_(ids))).all()
    if len(comments) != len(ids):
        abort(404, gettext("Some of the selected comments no longer exist."))
    return sorted(comments, key=lambda comment: comment.id)


def back_to_listing():
    """The same tab, filters and page the staff member acted from."""
    args = {name: request.form.get(name) for name in (*FILTERS, "page") if request.form.get(name)}
    view = request.form.get("view")
    if view in set(View):
        args["view"] = view
    return redirect(url_for("moderation.queue", **args), code=303)
