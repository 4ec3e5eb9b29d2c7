"""A report's period is read from one partial covering index of published reader comments.

Revision ID: 0030_report_index
Revises: 0029_covering_tab_indexes
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030_report_index'
down_revision = '0029_covering_tab_indexes'
branch_labels = None
depends_on = None

COUNTED = sa.text("staff_id IS NULL AND status = 'approved'")
INCLUDES = ['erased_at', 'author_email', 'author_name', 'answered_at', 'dismissed_at', 'follow_up']


def upgrade():
    op.create_index(
        'ix_comments_counted',
        'comments',
        ['created_at', 'kind', 'post_id', 'answer_band'],
        postgresql_include=INCLUDES,
        postgresql_where=COUNTED,
        sqlite_where=COUNTED,
    )


def downgrade():
    op.drop_index('ix_comments_counted', table_name='comments')
