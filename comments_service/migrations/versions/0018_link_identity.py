"""Rows that links name keep their number for good, and carry a random link key.

Comments, subscriber addresses and subscriptions are named by signed links (a
writer's own-comment token, privacy links, reader keys, confirm and unsubscribe
links). On SQLite a deleted newest row's number went to the next row, and an old
link then acted on it. SQLite now numbers these tables with AUTOINCREMENT (the tables
are rebuilt, keeping every row, index and constraint); PostgreSQL's sequences never
went back. Every row also gets a random ``link_key`` that links carry and the service
checks, so no link matches a later row even when a restore or an import hands out an
old number again. Links made before this revision carry no key and stop working.

Existing rows get their keys from the database's own strong random source
(``randomblob`` on SQLite, ``gen_random_uuid`` on PostgreSQL 13 and later).

Revision ID: 0018_link_identity
Revises: 0017_consent
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_link_identity'
down_revision = '0017_consent'
branch_labels = None
depends_on = None

TABLES = ('comments', 'subscriber_addresses', 'subscriptions')
RANDOM_KEY = {
    'sqlite': 'lower(hex(randomblob(16)))',
    'postgresql': "replace(gen_random_uuid()::text, '-', '')",
}
# Indexes batch mode cannot read back from SQLite (on an expression, or partial): they
# are dropped before the rebuild and made again after it.
WAITING_ROWS = (
    "staff_id IS NULL AND status = 'approved' AND answered_at IS NULL AND dismissed_at IS NULL"
)


def _on_sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _rebuild(autoincrement: bool) -> dict:
    """Batch options: on SQLite the table is copied into one with or without
    AUTOINCREMENT; elsewhere it is altered in place."""
    return {
        'recreate': 'always' if _on_sqlite() else 'auto',
        'table_kwargs': {'sqlite_autoincrement': autoincrement},
    }


def _drop_unreadable_indexes():
    op.drop_index('ix_comments_author_email_lower', table_name='comments')
    op.drop_index('ix_comments_waiting', table_name='comments')


def _create_unreadable_indexes():
    op.create_index(
        'ix_comments_author_email_lower', 'comments', [sa.text('lower(author_email)')], unique=False
    )
    op.create_index(
        'ix_comments_waiting',
        'comments',
        ['created_at', 'id', 'post_id', 'assigned_to_id'],
        postgresql_where=sa.text(WAITING_ROWS),
        sqlite_where=sa.text(WAITING_ROWS),
    )


def upgrade():
    random_key = RANDOM_KEY[op.get_bind().dialect.name]
    if _on_sqlite():
        _drop_unreadable_indexes()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('link_key', sa.String(length=32), nullable=True))
        op.execute(f'UPDATE {table} SET link_key = {random_key}')
        with op.batch_alter_table(table, schema=None, **_rebuild(autoincrement=True)) as batch_op:
            batch_op.alter_column('link_key', existing_type=sa.String(length=32), nullable=False)
    if _on_sqlite():
        _create_unreadable_indexes()


def downgrade():
    if _on_sqlite():
        _drop_unreadable_indexes()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None, **_rebuild(autoincrement=False)) as batch_op:
            batch_op.drop_column('link_key')
    if _on_sqlite():
        _create_unreadable_indexes()
