"""One comment's whole conversation for staff, in reading order, where they can answer,
approve and tag; each form comes back here (``routes.came_from``)."""

from flask import current_app, render_template, session
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from comments_service.config import comment_kinds
from comments_service.enums import View
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, utcnow
from comments_service.moderation import bp
from comments_service.moderation.routes import came_from, comment_in_my_care
from comments_service.services.comments.threads import staff_thread
from comments_service.services.moderation.rules import Moderator

# Deeper replies are indented no further; "reply to NAME" still says whom they answer.
INDENT_LEVELS = 8


@bp.get("/comments/<int:comment_id>/thread")
def thread(comment_id: int):
    comment = comment_in_my_care(comment_id)
    members = staff_thread(comment)
    db.session.scalars(  # the audit trails of the whole thread in one query
        select(Comment)
        .where(Comment.id.in_([member.id for member, _ in members]))
        .options(selectinload(Comment.actions).selectinload(ModerationAction.staff))
    ).all()
    moderator = Moderator(current_user, utcnow()).look_at([member for member, _ in members])
    return render_template(
        "moderation/thread.html",
        comment=comment,
        members=members,
        indent_levels=INDENT_LEVELS,
        blog_url=current_app.config["PORCH_BLOG_URL"],
        allowed=moderator.allowed,
        kinds=comment_kinds(current_app.config),
        draft=session.pop("porch_draft", None),
        published=session.pop("porch_published", None),
        view=View.ALL,
        here=came_from(),
    )
