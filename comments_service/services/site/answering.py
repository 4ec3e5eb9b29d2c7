"""Who answers a post's comments, as the blog says it.

A reader comment belongs to the post's authors who have an active staff account; when
none has one, the admins answer it. The blog promises an answer on every article, so
the export it bakes and the re-baker tell it who that is wherever it is not simply the
named authors (porch_pelican/comments.py; the theme's ``answerers``).
"""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from comments_service.extensions import db
from comments_service.models import Post, Staff


def active_staff_names() -> set[str]:
    return set(db.session.scalars(select(Staff.name).where(Staff.active)))


def answering(authors: list[str], active: set[str]) -> list[str] | None:
    """The authors who answer, in byline order; [] when the admins do; None when every
    named author does (the blog then names them, as it always has)."""
    if authors and all(name in active for name in authors):
        return None
    return [name for name in authors if name in active]


def answering_by_post() -> dict[str, list[str]]:
    """``answering`` for every post where it is not every named author, by slug."""
    active = active_staff_names()
    posts = db.session.scalars(select(Post).options(selectinload(Post.authors)))
    found = {post.slug: answering(post.author_names, active) for post in posts}
    return {slug: names for slug, names in sorted(found.items()) if names is not None}
