"""Bring comments from another system (WordPress, Disqus, Isso) onto Porch posts.

Each reader (``import_wordpress``, ``import_disqus``, ``import_isso``) is an
``Export``: every call of its ``comments()`` reads the file again, one comment at a
time, as ``Source`` records. An import takes two such passes, so memory does not
grow with the size of the comments:

1. ``plan_import`` reads the structure: of each comment it keeps a ``Shape`` (its
   ids, state, old post and what is wrong with it, never its text or its writer) and
   decides from the shapes what is stored, where, and why each other comment is not
   (a text that breaks the rules of new comments is one reason: services/imports/fields.py).
2. ``store_planned`` reads the file again and stores the planned comments in file
   order, in batches it flushes and lets go of. A reply may come before its parent,
   so each comment keeps its parent's old id (``import_parent_id``) and one UPDATE
   links every reply to its parent at the end, by ``import_source``/``import_id``.
   Names, addresses and websites are mended or dropped by the same rules, and each
   change is reported.

Every comment remembers its source and its id there (``import_source``,
``import_id``), so a second run adds nothing. The caller commits once, or rolls
back for a dry run. Nothing here walks a thread recursively: readers decide how
deep threads go.
"""

from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from flask_babel import lazy_gettext
from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from comments_service.enums import ImportSource
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Staff
from comments_service.services.comments.answers import recompute_answers
from comments_service.services.imports.fields import reader_email, reader_name, reader_website
from comments_service.services.imports.placement import Placer
from comments_service.words.characters import normalised, normalised_body, visible_only
from comments_service.words.fields import Limits, Rule, body_problem
from comments_service.words.names import readings
from comments_service.words.rendering import render_comment

# Statuses whose comment is kept only as a "removed" placeholder above kept replies.
REMOVED = CommentStatus.DELETED
# A batch is flushed at this many comments or this many characters of text, whichever
# comes first, so long comments do not make a batch large.
BATCH, BATCH_CHARS = 1000, 500_000
# Why a comment is not stored, for the import summary (str() says it in the blog's language).
NOT_IMPORTED = lazy_gettext("reply to a comment that was not imported")
ALREADY = lazy_gettext("already imported")
TWICE = lazy_gettext("listed twice in the file")
UNNEEDED = lazy_gettext("deleted, with no replies")
ELSEWHERE = lazy_gettext("reply on another post than the comment it answers")
# Where an old comment was: (slug, URL, Disqus thread id), one tuple per old post.
Place = tuple[str | None, str | None, str | None]


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
    thread: str | None = None  # Disqus: the thread, whose link is known once all is read
    author_email: str | None = None
    author_website: str | None = None
    remote_addr: str | None = None
    staff: Staff | None = None
    skip: str | None = None


class Export(Protocol):
    """A file of another system, read one comment at a time, as often as needed."""

    notes: Sequence[str]  # what the reading noticed and left out, for the summary
    assumed: str  # what the reading had to assume about the file; ends the summary
    staff: "StaffFinder"

    def comments(self) -> Iterator[Source]: ...

    def settle(self, place: Place) -> tuple[Place, str | None]:
        """The place once the whole file is read, or why its comments cannot be placed."""


@dataclass(slots=True)
class Shape:
    """What the first pass keeps of a comment: its place in the thread, no text, no writer."""

    id: str
    parent_id: str | None
    status: CommentStatus | None
    place: Place  # shared by the comments of one old post
    skip: str | None  # the reader's reason to leave it out
    unfit: str | None  # what is wrong with its text
    reason: str | None = None
    post_id: int | None = None
    needed: bool = False  # a removed comment above a kept reply


@dataclass
class ImportReport:
    placed: Counter = field(default_factory=Counter)  # per status
    skipped: Counter = field(default_factory=Counter)  # per reason
    per_post: Counter = field(default_factory=Counter)
    # (source id, the old post's slug or URL, reason) of each comment not stored
    unplaced: list[tuple[str, str, str]] = field(default_factory=list)
    mended: Counter = field(default_factory=Counter)  # per broken field rule
    changes: list[tuple[str, Rule]] = field(default_factory=list)  # (source id, rule)

    def mend(self, source_id: str, rules: list[Rule | None]) -> None:
        """Count the rules a stored comment's fields broke (None: a field that kept its rule)."""
        for rule in filter(None, rules):
            self.mended[rule] += 1
            self.changes.append((source_id, rule))

    def skip(self, shape: Shape, reason: str) -> None:
        self.skipped[reason] += 1
        slug, url, _ = shape.place
        self.unplaced.append((shape.id, slug or url or "", reason))


@dataclass
class Plan:
    """What the second pass stores: file positions and their posts, in file order."""

    report: ImportReport
    limits: Limits
    seqs: array = field(default_factory=lambda: array("q"))
    post_ids: array = field(default_factory=lambda: array("q"))

    def __len__(self) -> int:
        return len(self.seqs)


def plan_import(export: Export, source: ImportSource, placer: Placer, limits: Limits) -> Plan:
    """The first pass: which comments are stored on which post, and why the others are not."""
    known = set(
        db.session.scalars(select(Comment.import_id).where(Comment.import_source == source))
    )
    shapes = _shapes(export, known, limits.max_chars)
    settled = {place: export.settle(place) for place in {shape.place for shape in shapes}}
    for shape in shapes:
        shape.place, why = settled[shape.place]
        shape.skip = shape.skip or why
    plan = Plan(ImportReport(), limits)
    slugs = {post.id: post.slug for post in placer.by_slug.values()}
    _decide(shapes, placer, known, plan.report)
    for seq, shape in enumerate(shapes):  # a comment's position is how the second pass finds it
        if shape.reason is not None or shape.post_id is None:
            continue
        plan.seqs.append(seq)
        plan.post_ids.append(shape.post_id)
        plan.report.placed[shape.status.value] += 1
        plan.report.per_post[slugs[shape.post_id]] += 1
    return plan


def _shapes(export: Export, known: set[str], max_chars: int) -> list[Shape]:
    """The shape of every comment; a body is checked here, then dropped."""
    places: dict[Place, Place] = {}
    shapes = []
    for record in export.comments():
        place = (record.slug, record.url, record.thread)
        unfit = None
        if record.id not in known and not record.skip and record.status != REMOVED:
            problem = body_problem(normalised_body(record.body), max_chars)
            unfit = problem.rule.value if problem else None
        shapes.append(
            Shape(
                record.id,
                record.parent_id,
                record.status,
                places.setdefault(place, place),
                record.skip,
                unfit,
            )
        )
    return shapes


def _decide(shapes: list[Shape], placer, known, report) -> None:
    """Give each shape the reason it is not stored, or none and its post: skipped parents
    take their replies along, removed comments stay only where a kept reply needs them."""
    by_id: dict[str, Shape] = {}
    for shape in shapes:
        if shape.id in by_id and not shape.skip:
            report.skip(shape, str(TWICE))
        else:
            by_id[shape.id] = shape
    order = _top_down(by_id)
    already, not_imported = str(ALREADY), str(NOT_IMPORTED)
    for shape in order:
        shape.reason = _reason(shape, by_id, placer, known)
    for shape in reversed(order):  # replies before parents
        parent = by_id.get(shape.parent_id)
        if parent and shape.reason is None and (shape.status != REMOVED or shape.needed):
            parent.needed = True
    for shape in order:
        if shape.reason is None and shape.status == REMOVED and not shape.needed:
            shape.reason = str(UNNEEDED)
        if shape.reason is None:
            continue
        if shape.reason != already:
            report.skip(shape, shape.reason)
        else:
            report.skipped[already] += 1
    for shape in by_id.values():  # caught in a parent loop: never reached from the top
        if shape.reason is None and shape.post_id is None:
            shape.reason = not_imported
            report.skip(shape, not_imported)


def _top_down(by_id: dict[str, Shape]) -> list[Shape]:
    """The shapes one thread level after another, from the comments without a parent."""
    children: dict[str | None, list[Shape]] = defaultdict(list)
    for shape in by_id.values():
        children[shape.parent_id if shape.parent_id in by_id else None].append(shape)
    order = children.pop(None, [])
    for shape in order:  # grows as it is read: one level after another
        order.extend(children.pop(shape.id, ()))
    return order


def _reason(shape: Shape, by_id, placer: Placer, known) -> str | None:
    """Why a comment cannot be stored, or None (its post then goes into ``post_id``)."""
    if shape.id in known:
        return str(ALREADY)
    if shape.skip:
        return shape.skip
    parent = by_id.get(shape.parent_id)
    if shape.parent_id is not None and shape.parent_id not in known:
        if parent is None or parent.reason is not None:
            return str(NOT_IMPORTED)
    post, why = placer.place(*shape.place[:2])
    if post is None:
        return why
    if parent is not None and parent.post_id is not None and parent.post_id != post.id:
        return str(ELSEWHERE)
    shape.post_id = post.id
    return shape.unfit


def store_planned(
    export: Export, plan: Plan, source: ImportSource, tick: Callable[[], None] | None = None
) -> None:
    """The second pass: store the planned comments, link replies, recompute answers.

    ``tick`` is called after each stored comment (for a progress bar).
    """
    if not plan:
        return
    wanted = iter(zip(plan.seqs, plan.post_ids, strict=True))
    seq, post_id = next(wanted)
    batch: list[Comment] = []
    chars = 0
    for position, record in enumerate(export.comments()):
        if position != seq:
            continue
        batch.append(_comment(record, post_id, source, plan))
        chars += len(batch[-1].body_markdown) + len(batch[-1].body_html)
        if tick:
            tick()
        if len(batch) == BATCH or chars >= BATCH_CHARS:
            _flush(batch)
            chars = 0
        seq, post_id = next(wanted, (None, None))
        if seq is None:
            break
    _flush(batch)
    _link_parents(source)
    for post_id in sorted(set(plan.post_ids)):
        recompute_answers(post_id)
        _flush([])


def _flush(batch: list[Comment]) -> None:
    """Write what the session holds and let go of it, so the session does not grow."""
    db.session.add_all(batch)
    db.session.flush()
    db.session.expunge_all()
    batch.clear()


def _link_parents(source: ImportSource) -> None:
    """Point every reply stored without its parent at the parent, found by its old id."""
    parent = aliased(Comment)
    parent_id = select(parent.id).where(
        parent.import_source == source, parent.import_id == Comment.import_parent_id
    )
    db.session.execute(
        update(Comment)
        .where(
            Comment.import_source == source,
            Comment.import_parent_id.is_not(None),
            Comment.parent_id.is_(None),
        )
        .values(parent_id=parent_id.scalar_subquery())
        .execution_options(synchronize_session=False)
    )


def _comment(record: Source, post_id: int, source: ImportSource, plan: Plan) -> Comment:
    """The comment to store; its fields mended by the rules of new comments, and reported."""
    staff = record.staff
    body = normalised_body(record.body)
    name, broken = (staff.name, []) if staff else reader_name(record.author_name, plan.limits)
    email, bad_email = reader_email(record.author_email)
    website, bad_website = reader_website(record.author_website)
    plan.report.mend(record.id, [*broken, bad_email, bad_website])
    return Comment(
        post_id=post_id,
        staff_id=staff.id if staff else None,
        author_name=name,
        author_email=email,
        author_website=website,
        body_markdown=body,
        body_html="" if record.status == REMOVED else render_comment(body),
        status=record.status,
        created_at=record.created_at,
        published_at=record.created_at if record.status == CommentStatus.APPROVED else None,
        remote_addr=_line(record.remote_addr, 45),
        import_source=source,
        import_id=record.id,
        import_parent_id=record.parent_id,
    )


def _line(text: str | None, limit: int) -> str | None:
    """A one-line field as Porch keeps them: visible characters only, within its length."""
    if not text:
        return None
    return visible_only(normalised(text)).strip()[:limit] or None


class StaffFinder:
    """Porch staff by email (any case) and by name, and their name skeletons, loaded once."""

    def __init__(self, staff: list[Staff]):
        self.by_email = {member.email.lower(): member for member in staff}
        self.by_name = {member.name: member for member in staff}
        self.skeletons = {member.name_skeleton for member in staff} - {""}

    def reads_as_staff(self, name: str) -> bool:
        """As ``services.seldom_changed.reads_as_staff`` reads a name, from these staff."""
        return not self.skeletons.isdisjoint(readings(name))

    def find(self, email: str, name: str = "") -> Staff | None:
        return self.by_email.get(email.lower()) or self.by_name.get(name)
