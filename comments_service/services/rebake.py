"""Bring the built blog's article pages up to their posts' comments versions.

Works with a ``porch_pelican.rebake.Rebaker`` for the site on this host; adds
nothing to the session, only reads.
"""

from sqlalchemy import select

from ..extensions import db
from ..models import Post
from .threads import published_thread


def rebake_posts(rebaker, post_ids) -> dict[str, int]:
    """Re-bake these posts' pages from their current threads; slug -> version now baked."""
    posts = db.session.scalars(select(Post).where(Post.id.in_(post_ids)))
    return {
        post.slug: rebaker.rebake(post.slug, published_thread(post))
        for post in posts
        if post.slug in rebaker.posts
    }


def rebake_behind(rebaker, baked: dict[str, int]) -> dict[str, int]:
    """Re-bake every page whose baked version (``baked``, slug -> version) is behind.

    ``baked`` is updated in place; the pages re-baked are returned with their versions.
    A version already in the page is never baked again, so repeating a pass is harmless.
    """
    versions = db.session.execute(select(Post.id, Post.slug, Post.comments_version)).all()
    behind = [
        post.id
        for post in versions
        if post.slug in baked and post.comments_version > baked[post.slug]
    ]
    done = rebake_posts(rebaker, behind) if behind else {}
    baked.update(done)
    return done
