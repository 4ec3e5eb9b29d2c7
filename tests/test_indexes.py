"""The indexes of docs/indexes.md serve the queries they were made for.

Test tables are tiny, so the planners would rightly read them whole; PostgreSQL is
told to avoid sequential scans, which leaves only the question asked here: can the
index answer the query the service builds?
"""

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from comments_service.extensions import db
from comments_service.models import WAITING_ROWS, Comment, CommentStatus, ReaderSummary
from comments_service.queries.care import unanswered_for
from comments_service.queries.listings import count_of
from comments_service.queries.states import unanswered
from comments_service.services.accounts import staff as accounts
from comments_service.services.moderation.readers import summaries

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def plan_of(query) -> str:
    """The plan the database picks for a query built by the service."""
    dialect = db.session.get_bind().dialect.name
    compiled = query.compile(
        dialect=postgresql.dialect() if dialect == "postgresql" else sqlite.dialect(),
        compile_kwargs={"literal_binds": True},
    )
    if dialect == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        rows = db.session.execute(text(f"EXPLAIN {compiled}")).scalars()
    else:
        rows = (row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    return "\n".join(rows)


def test_the_waiting_tab_and_its_count_read_the_waiting_index(app, make_staff, make_post):
    """On SQLite, which plans without statistics, the index is checked to hold the rule."""
    ana = make_staff("Ana Lima")
    make_post("hello")
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            definition = db.session.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'ix_comments_waiting'")
            )
            assert definition.endswith(
                f"(created_at, id, post_id, assigned_to_id) WHERE {WAITING_ROWS}"
            )
            return
        me = accounts.staff_by_email(ana.email)
        for query in (unanswered(), count_of(unanswered_for(me, NOW)), unanswered().limit(50)):
            assert "ix_comments_waiting" in plan_of(query)
            db.session.rollback()


def test_the_index_condition_is_the_waiting_rule(app, make_post, make_comment, make_staff):
    """Each way of not waiting, and the one way of waiting, against the stored rule."""
    ana = make_staff("Ana Lima")
    hello = make_post("hello")
    waiting = make_comment(hello, name="Waits")
    make_comment(hello, name="Held", status=CommentStatus.PENDING)
    make_comment(hello, name="Answered", answered_at=NOW)
    make_comment(hello, name="Dismissed", dismissed_at=NOW)
    make_comment(hello, staff=ana)
    with app.app_context():
        by_index = db.session.scalars(text(f"SELECT id FROM comments WHERE {WAITING_ROWS}")).all()
        by_rule = db.session.scalars(unanswered().with_only_columns(Comment.id)).all()
    assert by_index == by_rule == [waiting.id]


def test_service_connections_wait_boundedly_and_postgresql_compiles_nothing(app):
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            assert db.session.scalar(text("SHOW jit")) == "off"
            assert db.engine.url.query == {}  # the option is the service's, not the URL's
        else:
            assert db.session.scalar(text("PRAGMA busy_timeout")) == 5000


def test_the_readers_view_reads_one_page_of_its_index(app, make_staff, make_post, make_comment):
    """The first page walks the summaries' index in the view's order, a scope at a time."""
    make_staff("Ana Lima")
    hello = make_post("hello")
    make_comment(hello, name="Jo", author_email="jo@example.com")
    with app.app_context():
        page = summaries(ReaderSummary.EVERYONE).limit(50)
        assert "ix_reader_summaries_latest" in plan_of(page)
