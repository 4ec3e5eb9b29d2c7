"""What a reader's post sends the database: few statements, none SQLite prepares at each run.

A post is the service's busiest write: its statements are counted here (PostgreSQL
pays a round trip for each), and none may compare a bound value with ``status``,
which partial indexes' conditions name (SQLite then prepares the statement again at
every run; models.PUBLISHED). The thread read and the first-time check are held to
the second rule too.
"""

import re
from contextlib import contextmanager

from sqlalchemy import event, func, select

from comments_service.extensions import db
from comments_service.models import Comment, CommentEvent, Post, ReaderSummary

BLOG = "http://blog.test"
# ``status = ?``, ``status IN (?, ?)``, ``status = %(status_1)s``...
BOUND_STATUS = re.compile(r"\bstatus\s*(=|<>|!=|IN)\s*\(?\s*(\?|%\(|\[POSTCOMPILE)", re.I)


@contextmanager
def statements_sent(app):
    """The SQL of every statement the app sends meanwhile (transaction control aside)."""
    sent = []

    def keep(connection, cursor, statement, *args):
        sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def post(client, name: str, **fields):
    body = {"author_name": name, "body": "How do I *export* my schedule?", **fields}
    return client.post("/api/posts/hello/comments", json=body, headers={"Origin": BLOG})


def test_a_published_post_is_four_statements_on_postgresql(app_with, make_post):
    """The post, the comment with its event, the version with the reader's lock, the
    reader's rows; SQLite sends the comment, event and version apart. A new comment
    that asked for no mail has no subscription: the answer does not ask."""
    app = app_with(PORCH_BLOG_URL=BLOG, PORCH_MIN_FILL_SECONDS=0)
    make_post("hello")
    client = app.test_client()
    assert post(client, "Jo Reader", email="jo@example.com").status_code == 201
    with statements_sent(app) as sent:
        answer = post(client, "Jo Reader", email="jo@example.com")
    assert answer.status_code == 201
    postgresql = app.config["PORCH_DATABASE_URL"].startswith("postgresql")
    assert len(sent) == (4 if postgresql else 5), sent
    with app.app_context():
        comment_id = answer.get_json()["id"]
        assert (
            db.session.scalar(select(func.count()).where(CommentEvent.comment_id == comment_id))
            == 1
        )
        assert db.session.scalar(select(Post.comments_version)) == 2
        assert (
            db.session.scalar(
                select(ReaderSummary.comments).where(
                    ReaderSummary.reader == "email:jo@example.com",
                    ReaderSummary.scope_id == ReaderSummary.EVERYONE,
                )
            )
            == 2
        )
        assert db.session.get(Comment, comment_id).author_name == "Jo Reader"


def test_posting_and_reading_a_thread_bind_no_status(app_with, make_post, make_staff):
    app = app_with(
        PORCH_BLOG_URL=BLOG, PORCH_MIN_FILL_SECONDS=0, PORCH_MODERATION_POLICY="first-time"
    )
    make_post("hello")
    make_staff("Ana Lima")
    client = app.test_client()
    with statements_sent(app) as sent:
        assert post(client, "Jo Reader", email="jo@example.com").status_code == 201
        assert post(client, "Al Reader").status_code == 201
        assert client.get("/api/posts/hello/comments").status_code == 200
        assert client.get("/api/posts/hello/comments?page=1").status_code == 200
    assert any("author_email" in statement for statement in sent)  # the first-time check
    assert [statement for statement in sent if BOUND_STATUS.search(statement)] == []
