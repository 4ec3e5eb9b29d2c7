"""Saved replies: the page that keeps them, and putting one into an answer box.

Without JavaScript the box's Insert button sends the box here: the reply goes after
what was typed, into the draft the page puts back in the same box. With JavaScript
(static/answer-tools.js) the reply goes in at the cursor, read from ``texts``.
"""

from flask import abort, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext
from flask_login import current_user

from comments_service.extensions import db
from comments_service.models import SavedReply
from comments_service.moderation import bp
from comments_service.moderation.answering import form_errors
from comments_service.moderation.forms import DraftForm, SavedReplyForm
from comments_service.moderation.routes import back, comment_in_my_care
from comments_service.services.moderation import saved_replies
from comments_service.services.moderation.rules import NotAllowed


@bp.context_processor
def saved_reply_picker() -> dict:
    """The answer boxes' list of replies, read once per page and only if a box asks."""
    return {"my_saved_replies": _mine}


def _mine() -> list[SavedReply]:
    if "porch_saved_replies" not in g:
        g.porch_saved_replies = db.session.scalars(saved_replies.usable_by(current_user)).all()
    return g.porch_saved_replies


@bp.get("/saved-replies")
def saved_replies_page():
    return _page(SavedReplyForm(formdata=None))


@bp.get("/saved-replies/texts")
def saved_reply_texts():
    """The texts of the replies this person may insert, by id, for the answer boxes' script."""
    return {"replies": {str(reply.id): reply.body for reply in _mine()}}


@bp.post("/saved-replies")
def add_saved_reply():
    form = SavedReplyForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        saved_replies.add(current_user, form.title.data, form.body.data, form.shared.data)
    except NotAllowed as error:
        abort(403, str(error))
    db.session.commit()
    flash(gettext("Saved reply “%(title)s” added.", title=form.title.data), "success")
    return _to_page()


@bp.post("/saved-replies/<int:reply_id>")
def change_saved_reply(reply_id: int):
    reply = db.get_or_404(SavedReply, reply_id, description=gettext("No such saved reply."))
    form = SavedReplyForm()
    if not form.validate_on_submit():
        return _page(SavedReplyForm(formdata=None), status=422, editing=(reply_id, form))
    try:
        saved_replies.change(reply, current_user, form.title.data, form.body.data, form.shared.data)
    except NotAllowed as error:
        abort(403, str(error))
    db.session.commit()
    flash(gettext("Saved reply “%(title)s” changed.", title=reply.title), "success")
    return _to_page()


@bp.post("/saved-replies/<int:reply_id>/delete")
def delete_saved_reply(reply_id: int):
    reply = db.get_or_404(SavedReply, reply_id, description=gettext("No such saved reply."))
    try:
        saved_replies.remove(reply, current_user)
    except NotAllowed as error:
        abort(403, str(error))
    db.session.commit()
    flash(gettext("Saved reply “%(title)s” deleted.", title=reply.title), "success")
    return _to_page()


@bp.post("/comments/<int:comment_id>/insert-reply")
def insert_saved_reply(comment_id: int):
    comment_in_my_care(comment_id)
    form = DraftForm()
    box = answer_box(form, comment_id)
    typed = form.body.data or ""
    if not form.validate_on_submit():
        return keep_in_box(box, typed, form_errors(form))
    reply = saved_replies.usable(current_user, form.saved_reply.data)
    if reply is None:
        return keep_in_box(box, typed, [gettext("Choose one of your saved replies to insert.")])
    flash(
        gettext("“%(title)s” is in the box: read it over before you publish.", title=reply.title),
        "success",
    )
    return keep_in_box(box, saved_replies.inserted(typed, reply.body), [])


def answer_box(form: DraftForm, comment_id: int) -> str:
    """The box the form came from: the comment's answer box or its edit-your-answer box."""
    box = form.into.data
    if box not in (f"answer-{comment_id}", f"edit-{comment_id}"):
        abort(400, gettext("This form names no answer box of this comment; reload the page."))
    return box


def keep_in_box(box: str, body: str, errors: list[str], **kept):
    """Back to the page, at the box, holding ``body`` (and why it was refused)."""
    session["porch_draft"] = {"form": box, "body": body, "errors": errors, **kept}
    for message in errors:
        flash(message, "error")
    response = back()
    response.location += f"#{box}"
    return response


def _page(form: SavedReplyForm, status: int = 200, editing: tuple | None = None):
    replies = _mine()
    page = render_template(
        "moderation/saved_replies.html",
        form=form,
        own=[reply for reply in replies if not reply.shared],
        shared=[reply for reply in replies if reply.shared],
        may_change=lambda reply: saved_replies.may_change(reply, current_user),
        editing=editing,
        blank=SavedReplyForm(formdata=None),
    )
    return page, status


def _to_page():
    return redirect(url_for("moderation.saved_replies_page"), code=303)
