"""Answers from the moderation page: publish one (a held comment too), edit your own.

A refused answer keeps what was typed: the text and the reasons go in the session
and the page puts them back in the same box. A published answer is linked on the
blog, where readers see it, since the comment it answered leaves the tab.
"""

from flask import abort, current_app, flash, session
from flask_babel import gettext
from flask_login import current_user

from comments_service.enums import Action
from comments_service.extensions import db
from comments_service.models import Comment
from comments_service.moderation import bp
from comments_service.moderation.forms import AnswerForm, NewAnswerForm
from comments_service.moderation.routes import back, comment_in_my_care
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation import decisions as moderation
from comments_service.services.moderation.rules import check


@bp.post("/comments/<int:comment_id>/answer")
def answer(comment_id: int):
    comment = comment_in_my_care(comment_id)
    form = NewAnswerForm()
    if not form.validate_on_submit():
        return keep_draft(f"answer-{comment_id}", form.body.data, form_errors(form), comment_id)
    try:
        check(Action.ANSWER, comment, current_user)
        readers = ReaderMail.for_app(current_app)
        body = form.body.data.strip()
        reply = add_staff_answer(comment, current_user, body, readers, seen=form.seen.data)
    except moderation.ModerationError as error:
        return keep_draft(f"answer-{comment_id}", form.body.data, [str(error)], comment_id)
    db.session.commit()
    flash(gettext("Your answer to %(name)s is published.", name=comment.author_name), "success")
    session["porch_published"] = blog_link(reply)
    return back()


@bp.post("/comments/<int:comment_id>/edit")
def edit(comment_id: int):
    comment = comment_in_my_care(comment_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return keep_draft(f"edit-{comment_id}", form.body.data, form_errors(form), comment_id)
    try:
        moderation.edit_answer(comment, current_user, form.body.data.strip())
    except moderation.NotAllowed as error:
        abort(403, str(error))
    except moderation.ModerationError as error:
        return keep_draft(f"edit-{comment_id}", form.body.data, [str(error)], comment_id)
    db.session.commit()
    flash(gettext("Your answer is updated; readers see it marked edited."), "success")
    session["porch_published"] = blog_link(comment)
    return back(comment_id)


def blog_link(comment: Comment) -> str:
    """Where readers find this comment: the article on the blog, at the comment."""
    blog = current_app.config["PORCH_BLOG_URL"]
    return f"{blog}{comment.post.path}#comment-{comment.id}"


def form_errors(form) -> list[str]:
    """The form's refusals as text (a form's own messages are lazy: said when read)."""
    return [str(message) for messages in form.errors.values() for message in messages]


def keep_draft(form_id: str, body: str | None, errors: list[str], comment_id: int, **kept):
    """Send the text back to the box it came from, with why it was refused (and ``kept``:
    what else the form held)."""
    session["porch_draft"] = {"form": form_id, "body": body or "", "errors": errors, **kept}
    for message in errors:
        flash(message, "error")
    return back(comment_id)
