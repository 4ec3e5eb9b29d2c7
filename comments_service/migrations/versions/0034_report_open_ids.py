"""ix_comments_counted holds each comment's id on PostgreSQL: a report's open items are
found, counted and put in order from the index alone, then only the quoted ones are read.
(SQLite's indexes hold the row's id already.)

Revision ID: 0034_report_open_ids
Revises: 0033_report_kept_rows
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034_report_open_ids'
down_revision = '0033_report_kept_rows'
branch_labels = None
depends_on = None

COUNTED = "staff_id IS NULL AND status = 'approved'"
INCLUDES_BEFORE = [
    'erased_at', 'author_email', 'author_name', 'answered_at', 'dismissed_at', 'follow_up',
    'assigned_to_id',
]
INCLUDES = [*INCLUDES_BEFORE, 'id']


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _counted_index(INCLUDES)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _counted_index(INCLUDES_BEFORE)


def _counted_index(includes):
    op.drop_index('ix_comments_counted', table_name='comments')
    op.create_index(
        'ix_comments_counted',
        'comments',
        ['created_at', 'kind', 'post_id', 'answer_band'],
        postgresql_include=includes,
        postgresql_where=sa.text(COUNTED),
    )
