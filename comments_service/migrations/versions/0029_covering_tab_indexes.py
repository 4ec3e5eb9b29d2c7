"""The moderation tabs' counts read indexes alone: the waiting index holds each
comment's kind, and a new index holds the held, spam and removed comments with what
their tabs filter on.

Revision ID: 0029_covering_tab_indexes
Revises: 0028_cheap_figure_triggers
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029_covering_tab_indexes'
down_revision = '0028_cheap_figure_triggers'
branch_labels = None
depends_on = None

WAITING_ROWS = sa.text(
    "staff_id IS NULL AND status = 'approved' AND answered_at IS NULL AND dismissed_at IS NULL"
)
WAITING_COLUMNS = ['created_at', 'id', 'post_id', 'assigned_to_id']
SET_ASIDE_ROWS = sa.text("status IN ('pending', 'spam', 'deleted')")
SET_ASIDE_COLUMNS = [
    'status', 'created_at', 'post_id', 'assigned_to_id', 'staff_id', 'spam_check', 'kind', 'id'
]


def _waiting_index(columns):
    op.drop_index('ix_comments_waiting', table_name='comments')
    op.create_index(
        'ix_comments_waiting', 'comments', columns,
        postgresql_where=WAITING_ROWS, sqlite_where=WAITING_ROWS,
    )


def upgrade():
    _waiting_index([*WAITING_COLUMNS, 'kind'])
    op.create_index(
        'ix_comments_set_aside', 'comments', SET_ASIDE_COLUMNS,
        postgresql_where=SET_ASIDE_ROWS, sqlite_where=SET_ASIDE_ROWS,
    )


def downgrade():
    op.drop_index('ix_comments_set_aside', table_name='comments')
    _waiting_index(WAITING_COLUMNS)
