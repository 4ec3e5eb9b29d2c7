"""Each post's comments version, raised whenever its public thread changes.

Revision ID: 0009_fresh
Revises: 0008_escalation
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_fresh'
down_revision = '0008_escalation'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comments_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('comments_version')
