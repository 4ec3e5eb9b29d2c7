"""The monthly report: which periods were mailed, one row each.

Revision ID: 0013_report
Revises: 0012_bounded
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_report'
down_revision = '0012_bounded'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_sends',
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_until', sa.Date(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('period_start', name=op.f('pk_report_sends'))
    )


def downgrade():
    op.drop_table('report_sends')
