"""The full export: every post, comment, answer and decision, and its restore.

The document follows ``comments_service/export-schema.json`` (format
``porch-full``, version 2; version 1 files still restore, their missing parts
empty). Staff are named by email, comments by their id, so a
restore into a database without comments gives back the same rows and a new
export of it is the same document. Email addresses are in it: it is a backup for
operators, never published. Link keys are not: restored rows get new ones, so no link
made before a restore matches a row that takes a deleted row's number after it.
Neither are password hashes or feed secrets (``full_export_parts``).
"""

import json
import secrets
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from importlib.resources import files
from typing import BinaryIO

import jsonschema
from flask_babel import gettext
from sqlalchemy import func, select, text

from comments_service.enums import (
    CommentStatus,
    Decision,
    FollowUp,
    PrivateChannel,
    Role,
    SpamCheck,
)
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, Post, PostAuthor, Staff
from comments_service.services.accounts.passwords import hash_password
from comments_service.services.imports.common import ImportFileError
from comments_service.services.imports.full_export_parts import (
    apply_staff_settings,
    export_parts,
    restore_parts,
    staff_settings,
)
from comments_service.services.imports.full_export_parts import iso as _iso
from comments_service.services.imports.full_export_parts import moment as _time
from comments_service.words.rendering import sanitise

FORMAT, VERSION = "porch-full", 2
SCHEMA = json.loads(files("comments_service").joinpath("export-schema.json").read_text())
COMMENT_TIMES = ("created_at", "published_at", "edited_at", "answered_at", "dismissed_at")
COMMENT_TEXTS = ("author_name", "author_email", "author_website", "body_markdown")
COMMENT_CONTEXT = ("dismiss_reason", "remote_addr", "user_agent", "referrer")
COMMENT_SOURCE = ("import_source", "import_id")
# What readers told us (services.listening); optional in a file, so older files restore.
LISTENING_VALUES = ("kind", "private_note", "follow_up_team", "follow_up_note")
LISTENING_TIMES = ("private_answered_at", "follow_up_at")
# Optional in a file too: files written before staff could edit readers' words lack it.
LATER_TIMES = ("team_edited_at",)
LISTENING_ENUMS = {"private_channel": PrivateChannel, "follow_up": FollowUp}


def export_full(now: datetime) -> dict:
    staff = {member.id: member for member in db.session.scalars(select(Staff))}
    email = {staff_id: member.email for staff_id, member in staff.items()}
    email[None] = None
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _iso(now),
        "staff": [_staff(member) for member in sorted(staff.values(), key=lambda s: s.email)],
        "posts": [_post(post) for post in db.session.scalars(select(Post).order_by(Post.slug))],
        "comments": [
            _comment(comment, email)
            for comment in db.session.scalars(select(Comment).order_by(Comment.id))
        ],
        "moderation": [
            _action(action, email)
            for action in db.session.scalars(select(ModerationAction).order_by(ModerationAction.id))
        ],
        **export_parts(email),
    }


def _staff(member: Staff) -> dict:
    return {
        "name": member.name,
        "email": member.email,
        "role": member.role.value,
        **staff_settings(member),
    }


def _post(post: Post) -> dict:
    return {
        "slug": post.slug,
        "title": post.title,
        "path": post.path,
        "published_at": _iso(post.published_at),
        "authors": post.author_names,
    }


def _comment(comment: Comment, email: dict) -> dict:
    return {
        "id": comment.id,
        "post": comment.post.slug,
        "parent_id": comment.parent_id,
        "status": comment.status.value,
        "staff": email[comment.staff_id],
        "answered_by": email[comment.answered_by_id],
        "dismissed_by": email[comment.dismissed_by_id],
        "assigned_to": email[comment.assigned_to_id],
        "spam_check": comment.spam_check.value if comment.spam_check else None,
        **{name: getattr(comment, name) for name in COMMENT_TEXTS + COMMENT_CONTEXT},
        "body_html": comment.body_html,
        **{name: _iso(getattr(comment, name)) for name in COMMENT_TIMES},
        **{name: getattr(comment, name) for name in COMMENT_SOURCE},
        "erased_at": _iso(comment.erased_at),
        **{name: _iso(getattr(comment, name)) for name in LATER_TIMES},
        **_listening(comment, email),
    }


def _listening(comment: Comment, email: dict) -> dict:
    """Its kind, private answer and follow-up: for staff, so the full export keeps them."""
    return {
        "private_answered_by": email[comment.private_answered_by_id],
        "private_answer_shown": comment.private_answer_shown,
        **{name: getattr(comment, name) for name in LISTENING_VALUES},
        **{name: _iso(getattr(comment, name)) for name in LISTENING_TIMES},
        **{
            name: getattr(comment, name) and getattr(comment, name).value
            for name in LISTENING_ENUMS
        },
    }


def _action(action: ModerationAction, email: dict) -> dict:
    return {
        "comment_id": action.comment_id,
        "staff": email[action.staff_id],
        "action": action.action.value,
        "reason": action.reason,
        "created_at": _iso(action.created_at),
    }


def load(stream: BinaryIO) -> dict:
    """The document, checked against the schema; a clear error otherwise."""
    try:
        document = json.load(stream)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ImportFileError(gettext("The file is not JSON (%(why)s).", why=error)) from None
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(SCHEMA).iter_errors(document)
    )
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or gettext("the top level")
        raise ImportFileError(
            gettext(
                "This is not a Porch full export: at %(where)s, %(why)s.",
                where=where,
                why=error.message,
            )
        )
    return document


def restore(document: dict, tick: Callable[[], None] | None = None) -> dict[str, int]:
    """Add the export's rows; only into a database without comments, so none come twice.

    ``tick`` is called after each stored comment (for a progress bar).
    """
    if db.session.scalar(select(func.count()).select_from(Comment)):
        raise ImportFileError(
            gettext(
                "This database already has comments; a full export is restored only into a"
                " database without any, so that nothing is added twice."
            )
        )
    staff = _restore_staff(document["staff"])
    posts = _restore_posts(document["posts"])
    comments = document["comments"]
    for entry in _parents_first(comments):
        db.session.add(_new_comment(entry, posts, staff))
        db.session.flush()
        if tick:
            tick()
    ids = {entry["id"] for entry in comments}
    for entry in document["moderation"]:
        db.session.add(_new_action(entry, staff, ids))
    parts = restore_parts(document, staff, ids)
    _move_id_sequence()
    # Keys name the parts; the CLI says each count in words (cli/imports.py RESTORED).
    return {
        "staff accounts": len(staff.created),
        "posts": len(posts.created),
        "comments": len(comments),
        "moderation actions": len(document["moderation"]),
        **parts,
    }


class _Known(dict):
    """Rows by their key in the export, and which of them were created here."""

    def __init__(self, rows):
        super().__init__(rows)
        self.created = []

    def add(self, key, row):
        self[key] = row
        self.created.append(row)
        db.session.add(row)


def _restore_staff(entries: list[dict]) -> _Known:
    """Staff by email; an account missing here is created, inactive and without a
    usable password (``staff set-password`` and ``staff reactivate`` let it in), with
    the file's settings. Accounts already here keep their own."""
    known = _Known((s.email.lower(), s) for s in db.session.scalars(select(Staff)))
    names = {member.name for member in known.values()}
    for entry in entries:
        email = entry["email"].lower()
        if email in known:
            continue
        if entry["name"] in names:
            raise ImportFileError(
                gettext(
                    "The export's %(email)s is called %(name)s, and a staff account with"
                    " another address already has that name.",
                    email=entry["email"],
                    name=repr(entry["name"]),
                )
            )
        member = Staff(
            name=entry["name"],
            email=entry["email"],
            role=Role(entry["role"]),
            password_hash=hash_password(secrets.token_urlsafe(32)),
            active=False,
        )
        apply_staff_settings(member, entry)
        known.add(email, member)
    db.session.flush()
    return known


def _restore_posts(entries: list[dict]) -> _Known:
    """Posts by slug; those the service knows keep what the blog's manifest says."""
    known = _Known((post.slug, post) for post in db.session.scalars(select(Post)))
    for entry in entries:
        if entry["slug"] not in known:
            post = Post(
                slug=entry["slug"],
                title=entry["title"],
                path=entry["path"],
                published_at=_time(entry["published_at"]),
            )
            post.authors = [PostAuthor(name=n, position=i) for i, n in enumerate(entry["authors"])]
            known.add(entry["slug"], post)
    db.session.flush()
    return known


def _parents_first(entries: list[dict]) -> list[dict]:
    """Comments in an order that stores every parent before its replies."""
    ids = {entry["id"] for entry in entries}
    replies = defaultdict(list)
    for entry in entries:
        parent = entry["parent_id"]
        if parent is not None and parent not in ids:
            raise ImportFileError(
                gettext(
                    "Comment %(id)s answers %(parent)s, not in the file.",
                    id=entry["id"],
                    parent=parent,
                )
            )
        replies[parent].append(entry)
    order = list(replies[None])
    for entry in order:  # grows as it is read: one level after another
        order.extend(replies[entry["id"]])
    if len(order) != len(entries):
        raise ImportFileError(gettext("Some comments answer each other in a loop."))
    return order


def _new_comment(entry: dict, posts: _Known, staff: _Known) -> Comment:
    def member(key):
        email = entry[key]
        if email is None:
            return None
        if email.lower() not in staff:
            raise ImportFileError(
                gettext(
                    "Comment %(id)s names %(email)s, not among the staff.",
                    id=entry["id"],
                    email=email,
                )
            )
        return staff[email.lower()].id

    if entry["post"] not in posts:
        raise ImportFileError(
            gettext(
                "Comment %(id)s is on %(post)s, not in the file.",
                id=entry["id"],
                post=repr(entry["post"]),
            )
        )
    return Comment(
        id=entry["id"],
        post_id=posts[entry["post"]].id,
        parent_id=entry["parent_id"],
        status=CommentStatus(entry["status"]),
        staff_id=member("staff"),
        answered_by_id=member("answered_by"),
        dismissed_by_id=member("dismissed_by"),
        assigned_to_id=member("assigned_to"),
        spam_check=SpamCheck(entry["spam_check"]) if entry["spam_check"] else None,
        **{name: entry[name] for name in COMMENT_TEXTS + COMMENT_CONTEXT + COMMENT_SOURCE},
        body_html=sanitise(entry["body_html"]),  # a file may have been edited: clean it again
        **{name: _time(entry[name]) for name in COMMENT_TIMES},
        erased_at=_time(entry.get("erased_at")),  # files written before erasing existed lack it
        private_answered_by_id=member("private_answered_by")
        if entry.get("private_answered_by")
        else None,
        private_answer_shown=bool(entry.get("private_answer_shown")),
        **{name: entry.get(name) for name in LISTENING_VALUES},
        **{name: _time(entry.get(name)) for name in LISTENING_TIMES + LATER_TIMES},
        **{
            name: kind(entry[name]) if entry.get(name) else None
            for name, kind in LISTENING_ENUMS.items()
        },
    )


def _new_action(entry: dict, staff: _Known, ids: set[int]) -> ModerationAction:
    if entry["comment_id"] is not None and entry["comment_id"] not in ids:
        raise ImportFileError(
            gettext(
                "A moderation action is on comment %(number)s, not in the file.",
                number=entry["comment_id"],
            )
        )
    email = entry["staff"]
    if email is not None and email.lower() not in staff:
        raise ImportFileError(
            gettext("A moderation action names %(email)s, not among the staff.", email=email)
        )
    return ModerationAction(
        comment_id=entry["comment_id"],
        staff_id=staff[email.lower()].id if email else None,
        action=Decision(entry["action"]),
        reason=entry["reason"],
        created_at=_time(entry["created_at"]),
    )


def _move_id_sequence() -> None:
    """PostgreSQL hands out ids from a sequence that rows stored with their own ids
    do not move; set it past them. (SQLite continues after the largest id by itself.)"""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('comments', 'id'),"
                " (SELECT coalesce(max(id), 0) + 1 FROM comments), false)"
            )
        )
