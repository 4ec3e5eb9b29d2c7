"""Approved comments as the flat thread readers get, from the API and in the export.

A thread is one list in reading order: each comment followed by the replies
beneath it, siblings oldest first. Every node says how deep it sits (``depth``,
0 for a top-level comment) and what it answers (``parent_id``, ``in_reply_to``),
so a renderer can nest it, or stop nesting at its own limit, without lookups.
Readers decide how deep threads go: nothing here recurses, and a flat list
serialises at any depth (nested JSON stops at about a thousand levels).
"""

from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import aliased

from comments_service.enums import FollowUp
from comments_service.extensions import db
from comments_service.models import Comment, Post
from comments_service.queries.public import public_comment_rows, removed_comment_rows
from comments_service.words.answer_words import answer_line
from comments_service.words.times import iso
from porch_contract import split_pages


def public_node(row) -> dict:
    """One comment as readers see it: never the email address, request context, private
    answer's note or internal follow-up notes."""
    node = _node(row, row.body_html, row.staff_name, row.staff_role)
    answer = _answer(row, row.answered_by, row.answered_privately, row.waiting)
    return {**node, **answer, "what_we_did": _what_we_did(row)}


def comment_node(comment: Comment) -> dict:
    """A comment just published, shaped and placed like the nodes of its thread."""
    staff = comment.staff
    node = _node(comment, comment.body_html, staff and staff.name, staff and staff.role)
    answerer = comment.answered_by
    answerer_name = answerer and answerer.name
    node.update(_answer(comment, answerer_name, comment.answered_privately, comment.is_waiting))
    node["what_we_did"] = _what_we_did(comment)
    parent = comment.parent
    node["depth"] = depth_of(comment.id) if parent else 0
    node["in_reply_to"] = parent.author_name if parent else None
    return node


AUTHOR_REQUEST = "author_request"


def removed_node(row) -> dict:
    """Stands where a removed comment was, so the replies under it keep their place.

    ``removed_reason`` is ``author_request`` where its writer had it erased (the page then
    says so), null where the team took it down.
    """
    node = _node(row, None, None, None)
    reason = AUTHOR_REQUEST if row.erased_at else None
    return {
        **node,
        **_answer(None, None, False, False),
        "what_we_did": None,
        "author_name": None,
        "removed": True,
        "removed_reason": reason,
    }


def _node(source, html, staff_name, staff_role) -> dict:
    return {
        "id": source.id,
        "parent_id": source.parent_id,
        "depth": 0,
        "in_reply_to": None,
        "author_name": getattr(source, "author_name", None),
        "author_website": getattr(source, "author_website", None),
        "html": html,
        "created_at": iso(source.created_at),
        "edited_at": _iso_or_none(getattr(source, "edited_at", None)),
        "edited_by_team": getattr(source, "team_edited_at", None) is not None,
        "staff": {"name": staff_name, "role": staff_role.value} if staff_name else None,
    }


def _answer(source, answered_by: str | None, privately: bool, waiting: bool) -> dict:
    """Who first answered a reader comment and how long after it came in, or that it waits,
    and the line pages show for it (``answer_line``, the blog's and the script's one wording).

    A first answer given privately is public only as ``got_in_touch`` (who), and only
    when its author chose to show it. Staff answers, comments marked "no answer needed"
    and placeholders carry none of these.
    """
    answered_at = source and not privately and source.answered_at
    after = int((answered_at - source.created_at).total_seconds()) if answered_at else None
    shown = privately and source.private_answer_shown
    fields = {
        "answered_by": answered_by if answered_at else None,
        "answered_after_seconds": after,
        "got_in_touch": answered_by if shown else None,
        "waiting": bool(waiting),
    }
    return {**fields, "answer_line": answer_line(fields)}


def _what_we_did(source) -> str | None:
    """The public note of a follow-up acted on; the other steps' notes stay with staff."""
    return source.follow_up_note if source.follow_up == FollowUp.ACTED_ON else None


def _iso_or_none(moment) -> str | None:
    return iso(moment) if moment else None


def thread_nodes(rows, load_removed: Callable[[], dict]) -> list[dict]:
    """Approved comments (and placeholders for removed parents) in thread order.

    ``load_removed`` gives the removed comments by id and is called only if needed.
    A reply under a comment still held for approval cannot exist, so none is shown.
    """
    nodes = {row.id: public_node(row) for row in rows}
    _add_placeholders(nodes, load_removed)
    replies: dict[int | None, list[dict]] = defaultdict(list)
    for node in nodes.values():
        replies[node["parent_id"]].append(node)
    for siblings in replies.values():
        siblings.sort(key=lambda node: (node["created_at"], node["id"]))
    return _in_thread_order(replies)


def _add_placeholders(nodes: dict, load_removed: Callable[[], dict]) -> None:
    """Put a placeholder wherever a published reply's parent, or its parent's parent...,
    was removed; a reply whose line breaks at anything else is left unreachable."""
    missing = {node["parent_id"] for node in nodes.values()} - nodes.keys() - {None}
    removed = load_removed() if missing else {}
    while missing:
        row = removed.get(missing.pop())
        if row is None:
            continue
        nodes[row.id] = removed_node(row)
        if row.parent_id is not None and row.parent_id not in nodes:
            missing.add(row.parent_id)


def _in_thread_order(replies: dict) -> list[dict]:
    """Walk from the top-level comments down with an explicit stack: each node, then its replies."""
    thread = []
    stack = [(node, None) for node in reversed(replies[None])]
    while stack:
        node, parent = stack.pop()
        if parent is not None:
            node["depth"] = parent["depth"] + 1
            node["in_reply_to"] = None if node.get("removed") else parent["author_name"]
        thread.append(node)
        stack.extend((reply, node) for reply in reversed(replies[node["id"]]))
    return thread


def count_comments(thread: list[dict]) -> int:
    """How many comments a thread shows; placeholders do not count."""
    return sum(not node.get("removed") for node in thread)


def counted(thread: list[dict]) -> dict:
    """A thread with its count, as both the API and the export hand it out."""
    return {"comments": thread, "count": count_comments(thread)}


def thread_page(thread: dict, number: int, per_page: int) -> dict | None:
    """Page ``number`` of a counted thread, with the count of the whole thread and how many
    pages it has; None when the thread has no such page."""
    pages = split_pages(thread["comments"], per_page)
    if not 1 <= number <= len(pages):
        return None
    return {**thread, "comments": pages[number - 1], "page": number, "pages": len(pages)}


def page_holding(thread: list[dict], comment_id: int, per_page: int) -> int | None:
    """The page of the thread that shows this comment, or None when it is not shown."""
    for number, page in enumerate(split_pages(thread, per_page), start=1):
        if any(node["id"] == comment_id for node in page):
            return number
    return None


def thread_for(post: Post) -> list[dict]:
    rows = db.session.execute(public_comment_rows().where(Comment.post_id == post.id)).all()
    return thread_nodes(rows, lambda: removed_placeholders(Comment.post_id == post.id))


def published_thread(post: Post) -> dict:
    """A post's thread, count and comments version, as the API and a re-baker read it.

    The version is read first: the thread read after it is at least that new.
    """
    version = db.session.scalar(select(Post.comments_version).where(Post.id == post.id))
    return {**counted(thread_for(post)), "version": version}


def removed_placeholders(*conditions) -> dict:
    return {row.id: row for row in db.session.execute(removed_comment_rows().where(*conditions))}


def _lineage(comment_id: int):
    """This comment and every comment above it with its distance, as one recursive query."""
    start = select(Comment.id, Comment.parent_id, literal(0).label("distance"))
    lineage = start.where(Comment.id == comment_id).cte("lineage", recursive=True)
    above = aliased(Comment)
    return lineage.union_all(
        select(above.id, above.parent_id, lineage.c.distance + 1).join(
            lineage, above.id == lineage.c.parent_id
        )
    )


def ancestors_of(comment_id: int) -> Select:
    """The comments above this one, nearest first: one query however deep it sits."""
    lineage = _lineage(comment_id)
    return (
        select(Comment)
        .join(lineage, Comment.id == lineage.c.id)
        .where(lineage.c.distance > 0)
        .order_by(lineage.c.distance)
    )


def staff_thread(comment: Comment) -> list[tuple[Comment, int]]:
    """The whole thread a comment sits in, any state, in reading order with each depth.

    For staff: held, spam and deleted comments are listed where they are. Two
    queries (the line up to the top, then everything beneath it) and a walk with an
    explicit stack, so a deep thread costs no recursion.
    """
    above = db.session.scalars(ancestors_of(comment.id)).all()
    root = above[-1] if above else comment
    replies: dict[int | None, list[Comment]] = defaultdict(list)
    for member in db.session.scalars(_beneath(root.id)):
        replies[member.parent_id].append(member)
    thread, stack = [], [(root, 0)]
    while stack:
        member, depth = stack.pop()
        thread.append((member, depth))
        stack.extend((reply, depth + 1) for reply in reversed(replies[member.id]))
    return thread


def _beneath(root_id: int) -> Select:
    """Every reply under this comment, at any depth, oldest first: one recursive query."""
    tree = select(Comment.id).where(Comment.id == root_id).cte("tree", recursive=True)
    reply = aliased(Comment)
    tree = tree.union_all(select(reply.id).join(tree, reply.parent_id == tree.c.id))
    return (
        select(Comment)
        .where(Comment.id.in_(select(tree.c.id)), Comment.id != root_id)
        .order_by(Comment.created_at, Comment.id)
    )


def depth_of(comment_id: int) -> int:
    """How many comments sit above this one: its depth in the thread, 0 at the top."""
    return db.session.scalar(select(func.max(_lineage(comment_id).c.distance)))
