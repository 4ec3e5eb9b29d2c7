"""Staff changing a reader's words from the moderation page: a typo, personal data
pasted by mistake. Readers see the comment marked "edited by the team"."""

from flask import abort, flash
from flask_babel import gettext
from flask_login import current_user

from comments_service.enums import Action
from comments_service.extensions import db
from comments_service.moderation import bp
from comments_service.moderation.answering import form_errors, keep_draft
from comments_service.moderation.forms import EditCommentForm
from comments_service.moderation.routes import back, comment_in_my_care
from comments_service.services.moderation import decisions as moderation
from comments_service.services.moderation.rules import check


@bp.post("/comments/<int:comment_id>/edit-comment")
def edit_comment(comment_id: int):
    comment = comment_in_my_care(comment_id)
    try:
        check(Action.EDIT_COMMENT, comment, current_user)
    except moderation.NotAllowed as error:
        abort(403, str(error))
    except moderation.ModerationError as error:
        flash(str(error), "error")
        return back()
    form = EditCommentForm()
    if not form.validate_on_submit():
        return _keep(form, form_errors(form), comment_id)
    try:
        moderation.edit_comment(
            comment, current_user, form.body.data, form.reason.data, seen=form.seen.data
        )
    except moderation.ModerationError as error:
        db.session.rollback()
        return _keep(form, [str(error)], comment_id)
    db.session.commit()
    flash(
        gettext(
            "The comment by %(name)s is changed; readers see it marked “edited by the team”.",
            name=comment.author_name,
        ),
        "success",
    )
    return back(comment_id)


def _keep(form: EditCommentForm, errors: list[str], comment_id: int):
    """The words and the reason go back into the form, with why they were refused."""
    reason = form.reason.data or ""
    return keep_draft(f"fix-{comment_id}", form.body.data, errors, comment_id, reason=reason)
