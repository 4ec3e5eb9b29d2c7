"""One comment's whole thread for staff: every comment in it, flat, with its depth."""

from flask import current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction
from comments_service.moderation import bp
from comments_service.moderation.routes import comment_in_my_care
from comments_service.services.comments.threads import staff_thread

# Deeper replies are indented no further: the depth is still written out.
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
    return render_template(
        "moderation/thread.html",
        comment=comment,
        members=members,
        indent_levels=INDENT_LEVELS,
        blog_url=current_app.config["PORCH_BLOG_URL"],
    )
