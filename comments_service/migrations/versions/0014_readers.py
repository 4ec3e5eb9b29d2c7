"""Readers are looked up by their email in any letter case, or by name without one.

Revision ID: 0014_readers
Revises: 0013_report
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_readers'
down_revision = '0013_report'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_comments_author_name', 'comments', ['author_name'], unique=False)
    op.create_index(
        'ix_comments_author_email_lower', 'comments', [sa.text('lower(author_email)')], unique=False
    )


def downgrade():
    op.drop_index('ix_comments_author_email_lower', table_name='comments')
    op.drop_index('ix_comments_author_name', table_name='comments')
