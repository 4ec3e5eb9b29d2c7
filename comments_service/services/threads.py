"""Approved comments as the nested JSON readers get, from the API and in the export."""

from collections import defaultdict
from collections.abc import Callable
from functools import cache

from sqlalchemy import select

from ..extensions import db
from ..models import Comment, Post
from ..queries import public_comment_rows, removed_comment_rows

EXPORT_VERSION = 1


def iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def public_node(row) -> dict:
    """One comment as readers see it: never the email address or request context."""
    return _node(row, row.body_html, row.staff_name, row.staff_role)


def comment_node(comment: Comment) -> dict:
    staff = comment.staff
    return _node(comment, comment.body_html, staff and staff.name, staff and staff.role)


def removed_node(row) -> dict:
    """Stands where a removed comment was, so the replies under it keep their place."""
    return {**_node(row, None, None, None), "author_name": None, "removed": True}


def _node(source, html, staff_name, staff_role) -> dict:
    return {
        "id": source.id,
        "parent_id": source.parent_id,
        "author_name": getattr(source, "author_name", None),
        "author_website": getattr(source, "author_website", None),
        "html": html,
        "created_at": iso(source.created_at),
        "staff": {"name": staff_name, "role": staff_role.value} if staff_name else None,
        "replies": [],
    }


def build_tree(rows, load_removed: Callable[[], dict]) -> list[dict]:
    """Nest approved comments (oldest first) under their parents.

    A removed (spam or deleted) parent of a published reply becomes a placeholder;
    ``load_removed`` gives the removed comments by id and is called only if needed.
    A reply under a comment still held for approval cannot exist, so none is shown.
    """
    nodes = {row.id: public_node(row) for row in rows}
    roots: list[dict] = []
    removed: dict | None = None
    for row in rows:
        node, parent_id = nodes[row.id], row.parent_id
        while parent_id is not None and parent_id not in nodes:
            removed = load_removed() if removed is None else removed
            if parent_id not in removed:
                break
            nodes[parent_id] = removed_node(removed[parent_id])
            nodes[parent_id]["replies"].append(node)
            node, parent_id = nodes[parent_id], removed[parent_id].parent_id
        else:
            (roots if parent_id is None else nodes[parent_id]["replies"]).append(node)
    return _oldest_first(roots)


def _oldest_first(nodes: list[dict]) -> list[dict]:
    nodes.sort(key=lambda node: (node["created_at"], node["id"]))
    for node in nodes:
        _oldest_first(node["replies"])
    return nodes


def count_nodes(nodes: list[dict]) -> int:
    """How many comments a tree shows; placeholders do not count."""
    return sum((not node.get("removed")) + count_nodes(node["replies"]) for node in nodes)


def thread_for(post: Post) -> list[dict]:
    rows = db.session.execute(public_comment_rows().where(Comment.post_id == post.id)).all()
    return build_tree(rows, lambda: _removed(Comment.post_id == post.id))


def export_document(now) -> dict:
    """Every post's approved thread, keyed by slug, for the blog build to bake in."""
    slugs = dict(db.session.execute(select(Post.id, Post.slug)).all())
    by_post = defaultdict(list)
    for row in db.session.execute(public_comment_rows()):
        by_post[slugs[row.post_id]].append(row)
    load_removed = cache(_removed)
    posts = {slug: build_tree(rows, load_removed) for slug, rows in sorted(by_post.items())}
    return {"version": EXPORT_VERSION, "exported_at": iso(now), "posts": posts}


def _removed(*conditions) -> dict:
    return {row.id: row for row in db.session.execute(removed_comment_rows().where(*conditions))}
