"""Approved comments as the nested JSON readers get, from the API and in the export."""

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Comment, CommentStatus, Post
from ..queries import approved_comments

EXPORT_VERSION = 1


def iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def comment_node(comment: Comment) -> dict:
    staff = comment.staff
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author_name": comment.author_name,
        "author_website": comment.author_website,
        "html": comment.body_html,
        "created_at": iso(comment.created_at),
        "staff": {"name": staff.name, "role": staff.role.value} if staff else None,
        "replies": [],
    }


def build_tree(comments: list[Comment]) -> list[dict]:
    """Nest comments (oldest first) under their parents.

    A reply whose parent is not in the list (held, spam or deleted) is left out with
    its whole subtree: a thread never shows answers to a question it hides.
    """
    nodes = {comment.id: comment_node(comment) for comment in comments}
    roots = []
    for comment in comments:
        if comment.parent_id is None:
            roots.append(nodes[comment.id])
        elif comment.parent_id in nodes:
            nodes[comment.parent_id]["replies"].append(nodes[comment.id])
    return roots


def count_nodes(nodes: list[dict]) -> int:
    return sum(1 + count_nodes(node["replies"]) for node in nodes)


def thread_for(post: Post) -> list[dict]:
    return build_tree(db.session.scalars(approved_comments(post)).all())


def export_document(now) -> dict:
    """Every post's approved thread, keyed by slug, for the blog build to bake in."""
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.status == CommentStatus.APPROVED)
        .options(selectinload(Comment.staff), selectinload(Comment.post))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    by_post: dict[str, list[Comment]] = defaultdict(list)
    for comment in comments:
        by_post[comment.post.slug].append(comment)
    posts = {slug: build_tree(items) for slug, items in sorted(by_post.items())}
    return {"version": EXPORT_VERSION, "exported_at": iso(now), "posts": posts}
