"""An index for a million comments: the waiting queue reads only the comments that wait.

Revision ID: 0015_scale
Revises: 0014_readers
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_scale'
down_revision = '0014_readers'
branch_labels = None
depends_on = None

WAITING_ROWS = (
    "staff_id IS NULL AND status = 'approved' AND answered_at IS NULL AND dismissed_at IS NULL"
)


def upgrade():
    op.create_index(
        'ix_comments_waiting',
        'comments',
        ['created_at', 'id', 'post_id', 'assigned_to_id'],
        postgresql_where=sa.text(WAITING_ROWS),
        sqlite_where=sa.text(WAITING_ROWS),
    )


def downgrade():
    op.drop_index('ix_comments_waiting', table_name='comments')
