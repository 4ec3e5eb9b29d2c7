"""Each staff member may choose the language of their moderation pages and mails; empty,
they get the blog's (PORCH_LANGUAGE).

Revision ID: 0035_staff_language
Revises: 0034_report_open_ids
Create Date: 2026-12-08
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0035_staff_language'
down_revision = '0034_report_open_ids'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: a batch would rebuild the table on SQLite and drop its triggers.
    op.add_column('staff', sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    op.drop_column('staff', 'language')
