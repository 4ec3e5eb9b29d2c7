"""The Readers view's stored rows are always a recount of the comments.

After any sequence of the writes that change what the view shows (a new comment, a
decision, an answer public or private, an answer taken down, no answer needed, a kind,
a hand-over, a changed name or email, a reader forgotten, a post's authors changed, a
staff member added or renamed, an import), every scope's rows equal the grouped query
of ``readers()`` over what that scope sees (``for_staff``), figure for figure and in
the same order. Everything is written through the services the pages and commands use.
"""

import random
import threading
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from comments_service.enums import PrivateChannel
from comments_service.extensions import db
from comments_service.models import (
    Comment,
    CommentStatus,
    ModerationAction,
    Post,
    ReaderSummary,
    Role,
    Staff,
    utcnow,
)
from comments_service.queries.care import for_staff
from comments_service.services.comments.answers import record_answer
from comments_service.services.moderation import decisions, listening
from comments_service.services.moderation.reader_summaries import rebuild_all
from comments_service.services.moderation.readers import (
    published_comments,
    readers,
    scope_of,
    summaries,
)
from comments_service.services.moderation.rules import ModerationError
from comments_service.services.privacy.people import apply_erasure, plan_erasure
from comments_service.services.site.manifest import sync_posts

from .test_import_wordpress import WXR, file_comments
from .test_import_wordpress import run as import_wordpress

KINDS = ("question", "idea", "problem", "praise")
T0 = utcnow().replace(microsecond=0) - timedelta(days=30)
# Who signs comments: one address in three spellings under two names, a name alone,
# an empty address (the name is the reader then), and a second address.
SIGNERS = (
    ("Jo", "Jo@Example.com"),
    ("Jo R.", "jo@example.com"),
    ("Jo", "JO@EXAMPLE.COM"),
    ("Kim", None),
    ("Kim", ""),
    ("Jo", None),
    ("Lee", "lee@example.org"),
)
POSTS = (("hello", ("Ana Lima",)), ("offline", ("Ana Lima", "Cy Writer")), ("other", ("Cy",)))
STATUSES = (CommentStatus.APPROVED,) * 3 + (CommentStatus.PENDING, CommentStatus.SPAM)


def recount(staff: Staff) -> list[tuple]:
    """The grouped query over what this staff member sees, latest reader first."""
    rows = db.session.execute(readers(for_staff(published_comments(), staff), KINDS)).all()
    return [
        (row.name, row.email, row.key_id, row.comments, row.posts, row.first_at, row.last_at)
        + (row.answered, row.waiting, tuple(row._mapping[f"kind_{i}"] for i in range(4)))
        for row in rows
    ]


def stored(staff: Staff) -> list[tuple]:
    rows = db.session.scalars(summaries(scope_of(staff))).all()
    return [
        (row.name, row.email, row.key_id, row.comments, row.posts, row.first_at, row.last_at)
        + (row.answered, row.waiting, tuple(row.kinds.get(kind, 0) for kind in KINDS))
        for row in rows
    ]


def assert_a_recount() -> None:
    """Every staff member's rows (an admin's are everyone's) are the recount; no row is
    left over for a reader or a scope that has none."""
    people = db.session.scalars(select(Staff).order_by(Staff.id)).all()
    for person in people:
        assert stored(person) == recount(person), person.name
    scopes = {ReaderSummary.EVERYONE, *(person.id for person in people)}
    left = select(func.count()).where(ReaderSummary.scope_id.not_in(scopes))
    assert db.session.scalar(left) == 0


def staff_named(name: str) -> Staff:
    return db.session.scalar(select(Staff).where(Staff.name == name))


def reader_comments(rng: random.Random, **where) -> Comment | None:
    found = db.session.scalars(
        select(Comment).filter_by(staff_id=None, **where).order_by(Comment.id)
    ).all()
    return rng.choice(found) if found else None


def new_comment(rng: random.Random, kinds=(None, *KINDS)) -> None:
    name, email = rng.choice(SIGNERS)
    post = rng.choice(db.session.scalars(select(Post).order_by(Post.id)).all())
    parent = reader_comments(rng, post_id=post.id) if rng.random() < 0.3 else None
    created = T0 + timedelta(hours=rng.randrange(0, 200, 4))
    status = rng.choice(STATUSES)
    db.session.add(
        Comment(
            post_id=post.id,
            parent=parent,
            author_name=name,
            author_email=email,
            body_markdown="text",
            body_html="<p>text</p>",
            status=status,
            created_at=created,
            published_at=created if status == CommentStatus.APPROVED else None,
            kind=rng.choice(kinds),
        )
    )


def new_untagged_comment(rng: random.Random) -> None:
    """A comment as readers post them: counted into its reader's rows, not recounted."""
    new_comment(rng, kinds=(None,))


def decide(rng: random.Random) -> None:
    comment = reader_comments(rng)
    if comment is None:
        return
    act = rng.choice(
        (decisions.approve, decisions.mark_spam, decisions.delete, decisions.restore)
        + (decisions.mark_not_spam,)
    )
    act(comment, staff_named("Bo Admin"))


def dismiss(rng: random.Random) -> None:
    if comment := reader_comments(rng):
        decisions.dismiss(comment, staff_named("Bo Admin"), "Thanks only")


def answer(rng: random.Random) -> None:
    parent = reader_comments(rng)
    if parent is None:
        return
    staff = staff_named("Ana Lima")
    reply = Comment(
        post_id=parent.post_id,
        parent=parent,
        staff=staff,
        author_name=staff.name,
        body_markdown="a",
        body_html="<p>a</p>",
        status=CommentStatus.APPROVED,
        created_at=parent.created_at + timedelta(hours=1),
    )
    db.session.add(reply)
    record_answer(reply)


def take_an_answer_down(rng: random.Random) -> None:
    answers = db.session.scalars(select(Comment).where(Comment.staff_id.is_not(None))).all()
    if answers:
        decisions.delete(rng.choice(sorted(answers, key=lambda a: a.id)), staff_named("Bo Admin"))


def answer_privately(rng: random.Random) -> None:
    if comment := reader_comments(rng):
        at = comment.created_at + timedelta(hours=rng.choice((-1, 2)))
        staff = staff_named("Bo Admin")
        listening.answer_privately(comment, staff, PrivateChannel.PHONE, "Called.", at, utcnow())


def tag(rng: random.Random) -> None:
    if comment := reader_comments(rng):
        listening.tag(comment, staff_named("Bo Admin"), rng.choice((None, *KINDS)), KINDS)


def hand_over(rng: random.Random) -> None:
    if comment := reader_comments(rng):
        comment.assigned_to = rng.choice((None, staff_named("Ana Lima"), staff_named("Bo Admin")))


def sign_anew(rng: random.Random) -> None:
    """A comment's name or email changed (as an edit or an erasure does)."""
    if comment := reader_comments(rng):
        comment.author_name, comment.author_email = rng.choice(SIGNERS)


def forget(rng: random.Random) -> None:
    email = rng.choice([email for _, email in SIGNERS if email])
    apply_erasure(plan_erasure(email), utcnow())


def change_authors(rng: random.Random) -> None:
    """The blog's manifest names other authors for a post."""
    entries = [
        {"slug": slug, "title": slug.title(), "path": f"/2026/11/{slug}/", "published_at": None}
        | {"authors": rng.sample(("Ana Lima", "Cy Writer", "Cy"), rng.randint(1, 2))}
        for slug, _ in POSTS
    ]
    sync_posts(entries)


def add_or_rename_staff(rng: random.Random) -> None:
    if cy := staff_named("Cy Writer"):
        cy.name = "Cy"
    elif cy := staff_named("Cy"):
        cy.name = "Cy Writer"
    else:
        db.session.add(
            Staff(name="Cy Writer", email="cy@porch.test", role=Role.AUTHOR, password_hash="x")
        )


WRITES = (
    new_comment,
    decide,
    dismiss,
    answer,
    take_an_answer_down,
    answer_privately,
    tag,
    hand_over,
    sign_anew,
    forget,
    change_authors,
    add_or_rename_staff,
)


@pytest.fixture
def blog(app, make_staff, make_post):
    make_staff("Ana Lima")
    make_staff("Bo Admin", Role.ADMIN)
    for slug, authors in POSTS:
        make_post(slug, authors=authors)


def start_afresh() -> None:
    """The blog as the fixture made it, so each example starts from the same place."""
    db.session.execute(delete(ModerationAction))
    db.session.execute(update(Comment).values(parent_id=None))
    db.session.execute(delete(Comment))
    db.session.execute(delete(Staff).where(Staff.name.in_(("Cy", "Cy Writer"))))
    db.session.execute(delete(ReaderSummary))
    entries = [
        {"slug": slug, "title": slug.title(), "path": f"/2026/11/{slug}/", "published_at": None}
        | {"authors": list(authors)}
        for slug, authors in POSTS
    ]
    sync_posts(entries)
    db.session.commit()


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    writes=st.lists(
        st.tuples(st.sampled_from(WRITES), st.integers(0, 2**32)), min_size=1, max_size=12
    )
)
def test_after_any_writes_the_rows_are_a_recount(app, blog, writes):
    with app.app_context():
        start_afresh()
        for write, seed in writes:
            try:
                write(random.Random(seed))
            except ModerationError:
                db.session.rollback()  # a refused decision changes nothing
                continue
            db.session.commit()
            assert_a_recount()


def every_row() -> list[tuple]:
    """Every stored row, every column (the names and emails signed with, the kinds)."""
    table = ReaderSummary.__table__
    query = select(table).order_by(table.c.reader, table.c.scope_id)
    return [tuple(row) for row in db.session.execute(query)]


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    writes=st.lists(
        st.tuples(
            st.sampled_from((new_untagged_comment,) * 6 + (decide, tag, sign_anew, hand_over)),
            st.integers(0, 2**32),
        ),
        min_size=1,
        max_size=16,
    )
)
def test_comments_added_to_their_readers_rows_are_a_rebuild(app, blog, writes):
    """New comments, older or newer than a reader's others, on a post of theirs or a
    new one, under a new name or address: each added to the rows as it comes gives
    every column a rebuild gives."""
    with app.app_context():
        start_afresh()
        for write, seed in writes:
            try:
                write(random.Random(seed))
            except ModerationError:
                db.session.rollback()  # a refused decision changes nothing
                continue
            db.session.commit()
        assert_a_recount()
        kept = every_row()
        rebuild_all(db.session.connection())
        assert every_row() == kept
        db.session.rollback()


def test_a_rebuild_counts_what_was_written_around_the_hook(app, blog):
    with app.app_context():
        rng = random.Random(3)
        for _ in range(20):
            new_comment(rng)
            db.session.commit()
        db.session.execute(delete(ReaderSummary))
        assert db.session.scalars(summaries(ReaderSummary.EVERYONE)).all() == []
        rebuild_all(db.session.connection())
        db.session.commit()
        assert_a_recount()


def test_an_import_is_counted(app, make_staff, make_post):
    make_staff("Bo Admin", Role.ADMIN)
    make_staff("Theme Buster", email="buster@porch.test")
    for slug in sorted({facts["slug"] for facts in file_comments().values()}):
        make_post(slug, authors=("Theme Buster",))
    result = import_wordpress(app, WXR)
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReaderSummary)) > 0
        assert_a_recount()


def test_two_writers_counting_one_reader_at_once_leave_a_recount(app, blog):
    """The second waits for the first to commit, then counts its comment too: neither
    writes the rows the other wrote, nor counts without the other's comment. On two
    posts, so the posts' own rows (services.comments.freshness) hold neither back."""
    failed = []

    def write_as_jo(slug: str) -> None:
        post = db.session.scalar(select(Post).where(Post.slug == slug))
        now = utcnow()
        db.session.add(
            Comment(
                post_id=post.id,
                author_name="Jo",
                author_email="jo@example.com",
                body_markdown="text",
                body_html="<p>text</p>",
                status=CommentStatus.APPROVED,
                created_at=now,
                published_at=now,
            )
        )

    def second_writer():
        try:
            with app.app_context():
                write_as_jo("offline")
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failed.append(error)

    with app.app_context():
        write_as_jo("hello")
        db.session.flush()
        writer = threading.Thread(target=second_writer)
        writer.start()
        writer.join(timeout=1)
        assert writer.is_alive()
        db.session.commit()
    writer.join(timeout=30)
    assert failed == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 2
        assert_a_recount()
