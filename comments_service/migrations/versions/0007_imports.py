"""Imported comments remember their source system and their id there.

Revision ID: 0007_imports
Revises: 0006_subscriptions
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_imports'
down_revision = '0006_subscriptions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_source', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('import_id', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_comments_import'), ['import_source', 'import_id']
        )


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_comments_import'), type_='unique')
        batch_op.drop_column('import_id')
        batch_op.drop_column('import_source')
