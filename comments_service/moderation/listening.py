"""What readers told us, from the moderation page: kinds, private answers, follow-ups.

The service pages run no scripts, so tagging is one click: each kind is a submit
button of a small form under the comment, and the bulk form has one button per kind.
"""

from datetime import UTC

from flask import abort, current_app, flash, request
from flask_babel import gettext, ngettext
from flask_login import current_user

from comments_service.config import comment_kinds
from comments_service.enums import Decision, FollowUp, PrivateChannel
from comments_service.extensions import db
from comments_service.models import utcnow
from comments_service.moderation import bp
from comments_service.moderation.bulk import back_to_listing, selected_comments
from comments_service.moderation.forms import ActionForm, FollowUpForm, PrivateAnswerForm
from comments_service.moderation.routes import back, back_with_errors, comment_in_my_care, decided
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation import decisions as moderation
from comments_service.services.moderation import listening
from comments_service.services.moderation.listening import STEP_DECISIONS


@bp.post("/comments/<int:comment_id>/tag")
def tag(comment_id: int):
    """Tag one comment with the kind of the button pressed; an empty kind clears it."""
    comment = comment_in_my_care(comment_id)
    if not ActionForm().validate_on_submit():
        abort(400, gettext("The form expired; reload the page and try again."))
    kind = request.form.get("kind", "").strip() or None
    _refused_or_done(listening.tag, comment, current_user, kind, _kinds())
    db.session.commit()
    name = comment.author_name
    if kind:
        flash(gettext("Comment by %(name)s: %(kind)s.", name=name, kind=kind), "success")
    else:
        flash(gettext("Comment by %(name)s: no kind.", name=name), "success")
    return back(comment_id)


@bp.post("/bulk/tag")
def bulk_tag():
    """Tag every selected comment with one kind, or none of them."""
    if not ActionForm().validate_on_submit():
        abort(400, gettext("The form expired; reload the page and try again."))
    comments = selected_comments()
    if not comments:
        flash(gettext("Select at least one comment first."), "error")
        return back_to_listing()
    # Not "kind": that is the list's kind filter, which the form keeps for the way back.
    kind = request.form.get("tag_as", "").strip() or None
    try:
        listening.tag_all(comments, current_user, kind, _kinds())
    except moderation.NotAllowed as error:
        abort(403, str(error))
    except moderation.ModerationError as error:
        db.session.rollback()
        abort(400, gettext("Nothing was changed. %(why)s", why=error))
    db.session.commit()
    flash(_tagged(comments, kind), "success")
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
    flash(decided(Decision.ANSWER_PRIVATELY, [comment]), "success")
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
    flash(decided(STEP_DECISIONS[step], [comment]), "success")
    return back(comment_id)


def _tagged(comments: list, kind: str | None) -> str:
    """What tagging many comments says: "Comment by Jo tagged: idea.", "3 comments tagged:
    no kind."."""
    if len(comments) == 1:
        name = comments[0].author_name
        if kind:
            return gettext("Comment by %(name)s tagged: %(kind)s.", name=name, kind=kind)
        return gettext("Comment by %(name)s tagged: no kind.", name=name)
    n = len(comments)
    if kind:
        return ngettext(
            "%(num)s comment tagged: %(kind)s.", "%(num)s comments tagged: %(kind)s.", n, kind=kind
        )
    return ngettext("%(num)s comment tagged: no kind.", "%(num)s comments tagged: no kind.", n)


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
