"""The comments export the blog bakes: every post's public thread, and the answer-time figures.

Written by ``flask comments export`` and read by the Pelican plugin at build time; its
version and JSON Schema are porch_contract's (porch_contract/export.py), and a test
checks that what this writes follows them.
"""

from collections import defaultdict
from functools import cache

from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Post
from comments_service.queries.public import public_comment_rows
from comments_service.services.comments.threads import (
    counted,
    removed_placeholders,
    thread_nodes,
)
from comments_service.services.report.figures import for_export
from comments_service.services.site.answering import answering_by_post
from comments_service.words.times import iso
from porch_contract.export import EXPORT_VERSION


def export_document(now) -> dict:
    """Every post's approved thread, count and comments version, keyed by slug, to bake in,
    the blog's answer-time figures, and who answers the posts where that is not every
    named author (optional keys: older builds ignore them).

    Posts whose threads changed but show nothing now are listed too, so a build bakes
    their version and no re-baker takes the page for one that is behind.
    """
    posts = db.session.execute(select(Post.id, Post.slug, Post.comments_version)).all()
    slugs = {post.id: post.slug for post in posts}
    by_post = defaultdict(list)
    for row in db.session.execute(public_comment_rows()):
        by_post[slugs[row.post_id]].append(row)
    load_removed = cache(removed_placeholders)
    threads = {
        post.slug: {
            **counted(thread_nodes(by_post[post.slug], load_removed)),
            "version": post.comments_version,
        }
        for post in sorted(posts, key=lambda post: post.slug)
        if post.slug in by_post or post.comments_version
    }
    return {
        "version": EXPORT_VERSION,
        "exported_at": iso(now),
        "posts": threads,
        "figures": for_export(now),
        "answering": answering_by_post(),
    }
