"""Approved comments as the nested JSON readers get, from the API and in the export."""

from collections import defaultdict

from sqlalchemy import select

from ..extensions import db
from ..models import Comment, Post
from ..queries import public_comment_rows

EXPORT_VERSION = 1


def iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def public_node(row) -> dict:
    """One comment as readers see it: never the email address or request context."""
    return _node(row, row.body_html, row.staff_name, row.staff_role)


def comment_node(comment: Comment) -> dict:
    staff = comment.staff
    return _node(comment, comment.body_html, staff and staff.name, staff and staff.role)


def _node(source, html, staff_name, staff_role) -> dict:
    return {
        "id": source.id,
        "parent_id": source.parent_id,
        "author_name": source.author_name,
        "author_website": source.author_website,
        "html": html,
        "created_at": iso(source.created_at),
        "staff": {"name": staff_name, "role": staff_role.value} if staff_name else None,
        "replies": [],
    }


def build_tree(rows) -> list[dict]:
    """Nest comments (oldest first) under their parents.

    A reply whose parent is not among the rows (held, spam or deleted) is left out
    with its whole subtree: a thread never shows answers to a question it hides.
    """
    nodes = {row.id: public_node(row) for row in rows}
    roots = []
    for row in rows:
        if row.parent_id is None:
            roots.append(nodes[row.id])
        elif row.parent_id in nodes:
            nodes[row.parent_id]["replies"].append(nodes[row.id])
    return roots


def count_nodes(nodes: list[dict]) -> int:
    return sum(1 + count_nodes(node["replies"]) for node in nodes)


def thread_for(post: Post) -> list[dict]:
    rows = db.session.execute(public_comment_rows().where(Comment.post_id == post.id)).all()
    return build_tree(rows)


def export_document(now) -> dict:
    """Every post's approved thread, keyed by slug, for the blog build to bake in."""
    slugs = dict(db.session.execute(select(Post.id, Post.slug)).all())
    by_post = defaultdict(list)
    for row in db.session.execute(public_comment_rows()):
        by_post[slugs[row.post_id]].append(row)
    posts = {slug: build_tree(rows) for slug, rows in sorted(by_post.items())}
    return {"version": EXPORT_VERSION, "exported_at": iso(now), "posts": posts}
