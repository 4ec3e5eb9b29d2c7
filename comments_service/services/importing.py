"""Bring comments from another system (WordPress, Disqus, Isso) onto Porch posts.

Each reader (``import_wordpress``, ``import_disqus``, ``import_isso``) turns its
file into ``Source`` records; ``import_records`` places them on posts, keeps their
threads at any depth, and stores them once: every comment remembers its source and
its id there (``import_source``, ``import_id``), so a second run adds nothing. The
caller commits once, or rolls back for a dry run. Nothing here walks a thread
recursively: readers decide how deep threads go.
"""

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Comment, CommentStatus, Post, Staff
from .answers import recompute_answers
from .placement import Placer
from .rendering import render_comment
from .text import NOT_IN_A_LINE, body_problem, has_visible_text, normalised, normalised_body

# Statuses whose comment is kept only as a "removed" placeholder above kept replies.
REMOVED = CommentStatus.DELETED
BATCH = 1000
NAME_CHARS, EMAIL_CHARS, WEBSITE_CHARS = 120, 254, 500


class ImportFileError(ValueError):
    """The file cannot be imported at all; the message says what is wrong with it."""


@dataclass(slots=True)
class Source:
    """One comment as the old system had it."""

    id: str
    parent_id: str | None
    status: CommentStatus | None  # None: skipped, for the reason in ``skip``
    created_at: datetime
    author_name: str
    body: str
    slug: str | None = None
    url: str | None = None
    author_email: str | None = None
    author_website: str | None = None
    remote_addr: str | None = None
    staff: Staff | None = None
    skip: str | None = None
    html: str = ""  # the body rendered and sanitised, once it is known to be stored


@dataclass
class ImportReport:
    placed: Counter = field(default_factory=Counter)  # per status
    skipped: Counter = field(default_factory=Counter)  # per reason
    per_post: Counter = field(default_factory=Counter)
    # (source id, the old post's slug or URL, reason) of each comment not stored
    unplaced: list[tuple[str, str, str]] = field(default_factory=list)

    def skip(self, record: Source, reason: str) -> None:
        self.skipped[reason] += 1
        self.unplaced.append((record.id, record.slug or record.url or "", reason))


def import_records(
    records: list[Source], source: str, placer: Placer, tick: Callable[[], None] | None = None
) -> ImportReport:
    """Store the records that can be placed; say why each other one was not.

    ``tick`` is called after each stored comment (for a progress bar).
    """
    report = ImportReport()
    known = dict(
        db.session.execute(
            select(Comment.import_id, Comment.id).where(Comment.import_source == source)
        ).all()
    )
    ids: dict[str, int] = dict(known)
    touched = set()
    for batch in _batches(_kept_records(records, placer, known, report)):
        comments = [
            _comment(record, post, source, ids.get(record.parent_id)) for record, post in batch
        ]
        db.session.add_all(comments)
        db.session.flush()
        for (record, post), comment in zip(batch, comments, strict=True):
            ids[record.id] = comment.id
            touched.add(post.id)
            report.placed[comment.status.value] += 1
            report.per_post[post.slug] += 1
            if tick:
                tick()
    for post_id in touched:
        recompute_answers(post_id)
    return report


def _batches(kept: list[tuple[Source, Post]]) -> Iterator[list[tuple[Source, Post]]]:
    """Runs of at most BATCH records, none the parent of another in the same run, so
    each run is one flush (parents come first: their ids are known to the next runs)."""
    batch: list[tuple[Source, Post]] = []
    in_batch: set[str] = set()
    for record, post in kept:
        if len(batch) == BATCH or record.parent_id in in_batch:
            yield batch
            batch, in_batch = [], set()
        batch.append((record, post))
        in_batch.add(record.id)
    if batch:
        yield batch


def _kept_records(records, placer, known, report) -> list[tuple[Source, Post]]:
    """The records to store, parents first: skipped parents take their replies along,
    removed comments stay only where a kept reply needs them."""
    by_id: dict[str, Source] = {}
    for record in records:
        if record.id in by_id and not record.skip:
            report.skip(record, "listed twice in the file")
        else:
            by_id[record.id] = record
    records = list(by_id.values())
    children: dict[str | None, list[Source]] = defaultdict(list)
    for record in records:
        parent = record.parent_id if record.parent_id in by_id else None
        children[parent].append(record)
    order = list(children[None])
    for record in order:  # grows as it is read: one level after another
        order.extend(children[record.id])
    reason: dict[str, str | None] = {}
    posts: dict[str, Post] = {}
    for record in order:
        reason[record.id] = _reason(record, placer, known, reason, posts)
    needed = set()
    for record in reversed(order):  # replies before parents
        if reason[record.id] is None and (record.status != REMOVED or record.id in needed):
            needed.add(record.parent_id)
    kept = []
    for record in order:
        why = reason[record.id]
        if why is None and record.status == REMOVED and record.id not in needed:
            why = "deleted, with no replies"
        if why is None:
            kept.append((record, posts[record.id]))
        elif why != "already imported":
            report.skip(record, why)
        else:
            report.skipped[why] += 1
    _unreachable(records, reason, report)
    return kept


def _reason(record, placer, known, reason, posts) -> str | None:
    """Why a record cannot be stored, or None (its post then goes into ``posts``)."""
    if record.id in known:
        return "already imported"
    if record.skip:
        return record.skip
    parent = record.parent_id
    if parent is not None and parent not in known and reason.get(parent, "") is not None:
        return "reply to a comment that was not imported"
    post, why = placer.place(record.slug, record.url)
    if post is None:
        return why
    if parent in posts and posts[parent] is not post:
        return "reply on another post than the comment it answers"
    posts[record.id] = post
    if record.status != REMOVED:
        return _text_problem(record)
    return None


def _text_problem(record: Source) -> str | None:
    record.body = normalised_body(record.body)
    if body_problem(record.body):
        return "text with control characters"
    record.html = render_comment(record.body)
    if not has_visible_text(record.html):
        return "text shows nothing"
    return None


def _unreachable(records, reason, report) -> None:
    """Records caught in a parent loop were never reached from the top of a thread."""
    for record in records:
        if record.id not in reason:
            report.skip(record, "reply to a comment that was not imported")


def _comment(record: Source, post: Post, source: str, parent_id: int | None) -> Comment:
    staff = record.staff
    return Comment(
        post_id=post.id,
        parent_id=parent_id,
        staff_id=staff.id if staff else None,
        author_name=staff.name if staff else _line(record.author_name, NAME_CHARS) or "Anonymous",
        author_email=_line(record.author_email, EMAIL_CHARS),
        author_website=_website(record.author_website),
        body_markdown=record.body,
        body_html=record.html,
        status=record.status,
        created_at=record.created_at,
        published_at=record.created_at if record.status == CommentStatus.APPROVED else None,
        remote_addr=_line(record.remote_addr, 45),
        import_source=source,
        import_id=record.id,
    )


def _line(text: str | None, limit: int) -> str | None:
    """A one-line field as Porch keeps them: visible characters only, within its length."""
    if not text:
        return None
    visible = "".join(c for c in normalised(text) if unicodedata.category(c) not in NOT_IN_A_LINE)
    return visible.strip()[:limit] or None


def _website(url: str | None) -> str | None:
    """Only a plain http(s) address is kept, as the comment form demands."""
    url = _line(url, WEBSITE_CHARS)
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    if any(char in url for char in " \"'<>"):
        return None
    return url


class StaffFinder:
    """Porch staff by email (any case) and by name, loaded once."""

    def __init__(self, staff: list[Staff]):
        self.by_email = {member.email.lower(): member for member in staff}
        self.by_name = {member.name: member for member in staff}

    def find(self, email: str, name: str = "") -> Staff | None:
        return self.by_email.get(email.lower()) or self.by_name.get(name)
