"""Isso imports, from a database written by Isso 0.14 itself through its own HTTP API."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus

from .isso_support import Isso


@pytest.fixture(scope="module")
def isso_database(tmp_path_factory):
    """Two threads, replies, a deleted comment with a reply, one held for moderation.

    (Isso itself keeps threads one reply deep: a reply to a reply joins its top comment.)
    """
    folder = tmp_path_factory.mktemp("isso")
    database = folder / "comments.db"
    with Isso(folder, database) as isso:
        first = isso.post("/2026/11/hello/", "First *comment*", "Zoë", email="zoe@example.org")
        gone = isso.post("/2026/11/hello/", "I will delete this", "Raj")
        isso.post("/2026/11/hello/", "Reply to Raj", "Mei", parent=gone["id"])
        isso.post(
            "/2026/11/hello/", "Answer", "Ana Lima", parent=first["id"], email="ana@porch.test"
        )
        alone = isso.post("/2026/11/hello/", "Alone, then deleted", "Sam")
        isso.post("/2026/11/other/", "On the other post", "Zoë", parent=None)
        isso.delete(gone["id"])
        isso.delete(alone["id"])
    with Isso(folder, database, moderated=True) as isso:
        isso.post("/2026/11/other/", "Waiting for approval", "Kim")
    return database


def run(app, *args):
    return app.test_cli_runner().invoke(args=["import", "isso", *map(str, args)])


def imported(app) -> dict[str, Comment]:
    with app.app_context():
        query = select(Comment).where(Comment.import_source == "isso")
        rows = {c.author_name + ":" + c.body_markdown: c for c in db.session.scalars(query)}
        for comment in rows.values():
            _ = comment.parent, comment.post.slug
        db.session.expunge_all()
    return rows


def test_the_whole_isso_database_is_imported(app, make_post, isso_database):
    make_post("hello")
    make_post("other")
    result = run(app, isso_database)
    assert result.exit_code == 0, result.output
    rows = imported(app)
    assert sorted(rows) == [
        "Ana Lima:Answer",
        "Anonymous:",
        "Kim:Waiting for approval",
        "Mei:Reply to Raj",
        "Zoë:First *comment*",
        "Zoë:On the other post",
    ]
    assert rows["Anonymous:"].status == CommentStatus.DELETED
    assert rows["Mei:Reply to Raj"].parent.status == CommentStatus.DELETED
    assert rows["Ana Lima:Answer"].parent.body_markdown == "First *comment*"
    assert rows["Kim:Waiting for approval"].status == CommentStatus.PENDING
    assert rows["Zoë:First *comment*"].body_html == "<p>First <em>comment</em></p>"
    assert rows["Zoë:On the other post"].post.slug == "other"
    assert rows["Zoë:First *comment*"].created_at.date() == datetime.now(UTC).date()
    assert "Placed 6 comments (4 approved, 1 deleted, 1 pending) on 2 posts." in result.output


def test_an_isso_reply_from_a_staff_address_is_a_staff_answer(
    app, make_post, make_staff, isso_database
):
    ana = make_staff("Ana Lima", email="ana@porch.test")
    make_post("hello")
    make_post("other")
    run(app, isso_database)
    rows = imported(app)
    assert rows["Ana Lima:Answer"].staff_id == ana.id
    first = rows["Zoë:First *comment*"]
    assert (first.answered_by_id, first.answered_at) == (ana.id, rows["Ana Lima:Answer"].created_at)
    assert rows["Mei:Reply to Raj"].answered_at is None


def test_a_second_isso_import_adds_nothing(app, make_post, isso_database):
    make_post("hello")
    make_post("other")
    run(app, isso_database)
    result = run(app, isso_database)
    assert "Placed 0 comments" in result.output and "6 already imported" in result.output
    assert len(imported(app)) == 6
