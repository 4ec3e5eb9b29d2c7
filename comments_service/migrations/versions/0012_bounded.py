"""An imported comment keeps its parent's id in the system it came from.

Revision ID: 0012_bounded
Revises: 0011_listening
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_bounded'
down_revision = '0011_listening'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_parent_id', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('import_parent_id')
