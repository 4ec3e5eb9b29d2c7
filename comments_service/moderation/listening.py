"""What readers told us, from the moderation page: kinds, private answers, follow-ups.

The service pages run no scripts, so tagging is one click: each kind is a submit
button of a small form under the comment, and the bulk form has one button per kind.
"""

from datetime import UTC

from flask import abort, current_app, flash, request
from flask_login import current_user

from comments_service.config import comment_kinds
from comments_service.enums import Decision, FollowUp, PrivateChannel
from comments_service.extensions import db
from comments_service.models import utcnow
from comments_service.moderation import bp
from comments_service.moderation.bulk import back_to_listing, how_many, selected_comments
from comments_service.moderation.forms import ActionForm, FollowUpForm, PrivateAnswerForm
from comments_service.moderation.routes import back, back_with_errors, comment_in_my_care
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation import decisions as moderation
from comments_service.services.moderation import listening
from comments_service.services.moderation.listening import STEP_DECISIONS
from comments_service.services.moderation.rules import DONE


@bp.post("/comments/<int:comment_id>/tag")
def tag(comment_id: int):
    """Tag one comment with the kind of the button pressed; an empty kind clears it."""
    comment = comment_in_my_care(comment_id)
    if not ActionForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    kind = request.form.get("kind", "").strip() or None
    _refused_or_done(listening.tag, comment, current_user, kind, _kinds())
    db.session.commit()
    flash(f"Comment by {comment.author_name}: {kind or 'no kind'}.", "success")
    return back(comment_id)


@bp.post("/bulk/tag")
def bulk_tag():
    """Tag every selected comment with one kind, or none of them."""
    if not ActionForm().validate_on_submit():
        abort(400, "The form expired; reload the page and try again.")
    comments = selected_comments()
    if not comments:
        flash("Select at least one comment first.", "error")
        return back_to_listing()
    # Not "kind": that is the list's kind filter, which the form keeps for the way back.
    kind = request.form.get("tag_as", "").strip() or None
    try:
        listening.tag_all(comments, current_user, kind, _kinds())
    except moderation.NotAllowed as error:
        abort(403, str(error))
    except moderation.ModerationError as error:
        db.session.rollback()
        abort(400, f"Nothing was changed. {error}")
    db.session.commit()
    flash(f"{how_many(comments)} tagged: {kind or 'no kind'}.", "success")
    return back_to_listing()


@bp.post("/comments/<int:comment_id>/answer-privately")
def answer_privately(comment_id: int):
    comment = comment_in_my_care(comment_id)
    form = PrivateAnswerForm()
    if not form.validate_on_submit():
        return back_with_errors(form)
    now = utcnow()
    at = form.at.data.replace(tzinfo=UTC) if form.at.data else now
    how = PrivateChannel(form.how.data)
    note = form.note.data
    _refused_or_done(
        listening.answer_privately, comment, current_user, how, note, at, now, form.show.data
    )
    db.session.commit()
    flash(f"Comment by {comment.author_name} {DONE[Decision.ANSWER_PRIVATELY]}.", "success")
    return back(comment_id)


@bp.post("/comments/<int:comment_id>/follow-up")
def follow_up(comment_id: int):
    comment = comment_in_my_care(comment_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return back_with_errors(form)
    step = FollowUp(form.step.data)
    readers = ReaderMail.for_app(current_app)
    _refused_or_done(
        listening.follow_up,
        comment,
        current_user,
        step,
        form.note.data or "",
        utcnow(),
        readers,
        team=form.team.data,
    )
    db.session.commit()
    seen = "; readers see what was done" if step == FollowUp.ACTED_ON else ""
    flash(f"Comment by {comment.author_name} {DONE[STEP_DECISIONS[step]]}{seen}.", "success")
    return back(comment_id)


def _kinds() -> tuple[str, ...]:
    return comment_kinds(current_app.config)


def _refused_or_done(step, *args, **options) -> None:
    """Take the step; a refusal is a 4xx with its reason, and nothing is stored."""
    try:
        step(*args, **options)
    except moderation.NotAllowed as error:
        abort(403, str(error))
    except moderation.ModerationError as error:
        db.session.rollback()
        abort(400, str(error))
