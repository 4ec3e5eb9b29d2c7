"""The indexes of docs/indexes.md serve the queries they were made for.

Test tables are tiny, so the planners would rightly read them whole; PostgreSQL is
told to avoid sequential scans, which leaves only the question asked here: can the
index answer the query the service builds?
"""

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from comments_service.extensions import db
from comments_service.models import (
    SET_ASIDE_COLUMNS,
    SET_ASIDE_ROWS,
    WAITING_ROWS,
    Comment,
    CommentStatus,
    ReaderSummary,
)
from comments_service.queries.care import for_staff, unanswered_for
from comments_service.queries.listings import among, count_of, count_up_to, found_by, of_kind
from comments_service.queries.states import in_spam, pending_approval, removed, unanswered
from comments_service.services.accounts import staff as accounts
from comments_service.services.moderation.readers import summaries

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def plan_of(query, index_alone=False) -> str:
    """The plan the database picks for a query built by the service. With ``index_alone``
    the table is vacuumed first (an index-only scan then reads no row of it, as on a live
    database) and bitmap scans are off: an index that holds every column the query reads
    is then cheaper than any that makes it read the rows."""
    dialect = db.session.get_bind().dialect.name
    if index_alone and dialect == "postgresql":
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as vacuum:
            vacuum.execute(text("VACUUM ANALYZE comments"))
    compiled = query.compile(
        dialect=postgresql.dialect() if dialect == "postgresql" else sqlite.dialect(),
        compile_kwargs={"literal_binds": True},
    )
    if dialect == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        if index_alone:
            db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
        rows = db.session.execute(text(f"EXPLAIN {compiled}")).scalars()
    else:
        rows = (row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    return "\n".join(rows)


def test_the_waiting_tab_and_its_count_read_the_waiting_index(
    app, make_staff, make_post, make_comment
):
    """On SQLite, which plans without statistics, the index is checked to hold the rule.
    On PostgreSQL most comments are answered, as on a live blog: the smallest index that
    can count the queue alone is the waiting one."""
    ana = make_staff("Ana Lima")
    hello = make_post("hello")
    for number in range(40):
        make_comment(hello, name=f"Reader {number}", answered_at=NOW if number % 4 else None)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            definition = db.session.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'ix_comments_waiting'")
            )
            assert definition.endswith(
                f"(created_at, id, post_id, assigned_to_id, kind) WHERE {WAITING_ROWS}"
            )
            return
        me = accounts.staff_by_email(ana.email)
        untagged = count_up_to(of_kind(unanswered_for(me, NOW), None), 100)
        for query in (count_of(unanswered_for(me, NOW)), untagged):
            assert "Index Only Scan using ix_comments_waiting" in plan_of(query, index_alone=True)
            db.session.rollback()
        assert "ix_comments_waiting" in plan_of(unanswered().limit(50))


def test_the_set_aside_tabs_are_counted_from_their_index_alone(
    app, make_staff, make_post, make_comment
):
    """Held, Spam and Removed: an author's count of each, and of its "no kind yet", reads
    ix_comments_set_aside without a row of the table."""
    ana = make_staff("Ana Lima")
    hello = make_post("hello")
    for status in (CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.DELETED) * 10:
        make_comment(hello, status=status)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            definition = db.session.scalar(
                text("SELECT sql FROM sqlite_master WHERE name = 'ix_comments_set_aside'")
            )
            assert definition.endswith(f"({', '.join(SET_ASIDE_COLUMNS)}) WHERE {SET_ASIDE_ROWS}")
            return
        me = accounts.staff_by_email(ana.email)
        for tab in (pending_approval, in_spam, removed):
            for query in (for_staff(tab(), me), of_kind(for_staff(tab(), me), None)):
                plan = plan_of(count_up_to(query, 100), index_alone=True)
                assert "Index Only Scan using ix_comments_set_aside" in plan, plan
                db.session.rollback()


def test_a_tab_narrowed_to_a_searchs_ids_reads_them_by_key(
    app, make_staff, make_post, make_comment
):
    """A search's ids (``found_by``) narrow a tab's count as a condition of the index it
    reads (on PostgreSQL one array: at a million comments the primary key), instead of
    searching the trigram indexes again and hashing what they find."""
    ana = make_staff("Ana Lima")
    hello = make_post("hello")
    for status in (CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.DELETED) * 10:
        make_comment(hello, status=status, body_markdown=f"Held {status}")
    wanted = make_comment(hello, status=CommentStatus.PENDING, body_markdown="Find me")
    with app.app_context():
        me = accounts.staff_by_email(ana.email)
        found = found_by("find ME", most=10)
        assert found == [wanted.id]
        narrowed = among(for_staff(pending_approval(), me), found)
        plan = plan_of(count_up_to(narrowed, 100), index_alone=True)
        if db.engine.dialect.name == "sqlite":
            assert "USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
        else:
            conditions = [line for line in plan.splitlines() if "Index Cond:" in line]
            assert any(f"id = ANY ('{{{wanted.id}}}'::integer[])" in c for c in conditions), plan
            assert "ix_comments_search" not in plan and "Hash Semi Join" not in plan, plan


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
