from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..extensions import db
from ..models import Comment, utcnow
from ..queries import (
    flagged_staff,
    for_staff,
    looks_after,
    pending_approval,
    spam_check_failing_since,
    unanswered_for,
)
from ..services import akismet, moderation
from ..services import spam as spam_guard
from ..services.comments import add_staff_answer
from . import bp
from .forms import ActionForm, AnswerForm, DismissForm

QUEUE_LIMIT = 200


@bp.before_request
@login_required
def require_staff():
    """Every page here is for signed-in staff only."""


@bp.get("/")
def queue():
    waiting_query = unanswered_for(current_user)
    waiting = db.session.scalars(waiting_query.limit(QUEUE_LIMIT)).all()
    waiting_count = db.session.scalar(select(func.count()).select_from(waiting_query.subquery()))
    pending = db.session.scalars(
        for_staff(pending_approval(), current_user).limit(QUEUE_LIMIT)
    ).all()
    answer_within = timedelta(hours=current_app.config["PORCH_ANSWER_WITHIN_HOURS"])
    now = utcnow()
    return render_template(
        "moderation/queue.html",
        waiting=waiting,
        waiting_count=waiting_count,
        pending=pending,
        now=now,
        answer_within=answer_within,
        overdue=lambda comment: comment.is_overdue(now, answer_within),
        flagged_for=_flagged_names(),
        answer_form=AnswerForm(),
        dismiss_form=DismissForm(),
        action_form=ActionForm(),
        blog_url=current_app.config["PORCH_BLOG_URL"].rstrip("/"),
        spam_checking=akismet.for_app(current_app) is not None,
        spam_check_failing_since=db.session.scalar(spam_check_failing_since()),
    )


def _flagged_names():
    """Who each comment is flagged for, looked up once per post on the page."""
    names: dict[int, list[str]] = {}

    def flagged_for(comment: Comment) -> list[str]:
        if comment.post_id not in names:
            names[comment.post_id] = [staff.name for staff in flagged_staff(comment.post)]
        return names[comment.post_id]

    return flagged_for


@bp.post("/comments/<int:comment_id>/answer")
def answer(comment_id: int):
    comment = _comment_in_my_care(comment_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _back_with_errors(form)
    try:
        reply = add_staff_answer(comment, current_user, form.body.data.strip())
    except moderation.ModerationError as error:
        flash(str(error), "error")
        return _back()
    db.session.commit()
    flash(f"Your answer to {comment.author_name} is published.", "success")
    return _back(reply.id)


@bp.post("/comments/<int:comment_id>/dismiss")
def dismiss(comment_id: int):
    comment = _comment_in_my_care(comment_id)
    form = DismissForm()
    if not form.validate_on_submit():
        return _back_with_errors(form)
    reason = form.reason.data.strip()
    return _decide(moderation.dismiss, comment, reason, done="marked no answer needed")


@bp.post("/comments/<int:comment_id>/approve")
def approve(comment_id: int):
    return _simple_action(moderation.approve, comment_id, "approved")


@bp.post("/comments/<int:comment_id>/spam")
def spam(comment_id: int):
    comment = _comment_in_my_care(comment_id)
    return _decide(moderation.mark_spam, comment, done="marked as spam", then=report_spam)


def report_spam(comment: Comment) -> None:
    """Once the decision is stored, teach Akismet (best-effort: a failure is only logged)."""
    spam_guard.report_spam(comment, akismet.for_app(current_app))


@bp.post("/comments/<int:comment_id>/delete")
def delete(comment_id: int):
    return _simple_action(moderation.delete, comment_id, "deleted")


def _simple_action(action, comment_id: int, done: str):
    """Approve, spam, delete: the CSRF token (checked for every form) is all they carry."""
    return _decide(action, _comment_in_my_care(comment_id), done=done)


def _decide(action, comment: Comment, *args, done: str, then=None):
    try:
        action(comment, current_user, *args)
    except moderation.NotAllowed as error:
        abort(403, str(error))
    except moderation.ModerationError as error:
        flash(str(error), "error")
        return _back()
    db.session.commit()
    if then:
        then(comment)
    flash(f"Comment by {comment.author_name} {done}.", "success")
    return _back()


def _comment_in_my_care(comment_id: int) -> Comment:
    comment = db.get_or_404(Comment, comment_id, description="No such comment.")
    if not looks_after(current_user, comment.post):
        abort(403, "This comment is on a post you are not an author of.")
    return comment


def _back(anchor: int | None = None):
    target = url_for("moderation.queue")
    return redirect(f"{target}#comment-{anchor}" if anchor else target, code=303)


def _back_with_errors(form):
    for messages in form.errors.values():
        for message in messages:
            flash(message, "error")
    return _back()
