"""Bring the built blog's article pages up to their posts' comments versions.

Works with a ``porch_pelican.rebake.Rebaker`` for the site on this host; adds
nothing to the session, only reads.
"""

from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Post
from comments_service.services.comments.threads import published_thread
from comments_service.services.site.answering import active_staff_names, answering
from comments_service.words.language import speaking


def rebake_posts(rebaker, post_ids, baked: dict[str, int] | None = None) -> dict[str, int]:
    """Re-bake these posts' pages from their current threads where the pages are older.

    Returns the pages written, slug -> version. ``baked``, if given, learns the version
    each page carries now (the thread's, or a newer one another re-baker wrote).
    """
    written, active = {}, active_staff_names()
    for post in db.session.scalars(select(Post).where(Post.id.in_(post_ids))):
        if post.slug not in rebaker.posts:
            continue
        with speaking(None):  # the blog's words, even after a staff member's request
            thread = thread_to_bake(post, active)
        if rebaker.rebake(post.slug, thread):
            written[post.slug] = thread["version"]
        if baked is not None:
            baked[post.slug] = thread["version"]
    return written


def thread_to_bake(post: Post, active: set[str]) -> dict:
    """The published thread, and who answers it (``active``: the active staff's names)."""
    return {**published_thread(post), "answering": answering(post.author_names, active)}


def rebake_behind(rebaker, baked: dict[str, int]) -> dict[str, int]:
    """Re-bake every page whose baked version (``baked``, slug -> version) is behind.

    ``baked`` is updated in place; the pages written are returned with their versions.
    A version already in the page is never baked again, so repeating a pass is harmless.
    """
    versions = db.session.execute(select(Post.id, Post.slug, Post.comments_version)).all()
    behind = [
        post.id
        for post in versions
        if post.slug in baked and post.comments_version > baked[post.slug]
    ]
    return rebake_posts(rebaker, behind, baked) if behind else {}
