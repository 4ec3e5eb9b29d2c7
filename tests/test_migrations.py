"""The migrations build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import ModerationAction, Staff, made_on
from comments_service.words.names import skeleton

# SQLite's reflection cannot read an index on an expression (the lower-cased email) and
# says so; PostgreSQL reads it, so the comparison there covers it.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning"
    ),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based"),
]


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=_comparing(connection))
        assert compare_metadata(context, db.metadata) == []


def test_spam_guard_holds_recorded_as_pending_become_hold_decisions(app):
    with app.app_context():
        downgrade(revision="0001")
        with db.engine.begin() as connection:
            for statement in OLD_THREAD:
                connection.execute(text(statement))
            connection.execute(
                text(
                    "INSERT INTO moderation_actions (id, comment_id, action, reason, created_at)"
                    " VALUES (1, 1, 'pending', '4 links (more than 3)', '2026-11-23 10:00:00')"
                )
            )
        upgrade()
        action = db.session.get(ModerationAction, 1)
        assert (action.action, action.reason) == (Decision.HOLD, "4 links (more than 3)")
        db.session.remove()


def test_staff_already_there_get_the_skeletons_of_their_names(app):
    with app.app_context():
        downgrade(revision="0015_scale")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO staff (id, name, email, password_hash, role, active, created_at,"
                    " notify) VALUES (1, 'Émile Ørsted', 'e@porch.test', 'x', 'author', true,"
                    " '2026-11-23 10:00:00', 'each')"
                )
            )
        upgrade()
        stored = db.session.get(Staff, 1).name_skeleton
        assert stored == skeleton("Émile Ørsted") == "e\u0301miie\xf8rsted"
        db.session.remove()


def test_migrations_go_down_and_up_again(app):
    with app.app_context():
        downgrade(revision="base")
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts=_comparing(connection))
            assert compare_metadata(context, db.metadata) == []


def _comparing(connection) -> dict:
    return {"compare_type": True, "include_object": made_on(connection.dialect.name)}


OLD_THREAD = (
    "INSERT INTO posts (id, slug, title, path, synced_at)"
    " VALUES (1, 'p', 'P', '/p/', '2026-11-23')",
    "INSERT INTO comments (id, post_id, author_name, body_markdown, body_html, status, created_at)"
    " VALUES (1, 1, 'Jo', 'x', '<p>x</p>', 'pending', '2026-11-23 10:00:00')",
)
