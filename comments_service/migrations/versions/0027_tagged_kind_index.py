"""The index of comments by kind holds tagged comments only.

Revision ID: 0027_tagged_kind_index
Revises: 0026_comment_events
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027_tagged_kind_index'
down_revision = '0026_comment_events'
branch_labels = None
depends_on = None

TAGGED = sa.text("kind IS NOT NULL")


def upgrade():
    op.drop_index('ix_comments_kind', table_name='comments')
    op.create_index(
        'ix_comments_kind', 'comments', ['kind'], postgresql_where=TAGGED, sqlite_where=TAGGED
    )


def downgrade():
    op.drop_index('ix_comments_kind', table_name='comments')
    op.create_index('ix_comments_kind', 'comments', ['kind'])
