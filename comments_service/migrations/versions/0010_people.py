"""Readers' data requests: erased comments, audit rows that outlive their comment, the forget decision.

Revision ID: 0010_people
Revises: 0009_fresh
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_people'
down_revision = '0009_fresh'
branch_labels = None
depends_on = None

OLD_DECISIONS = ('hold', 'spam', 'approve', 'answer', 'dismiss', 'delete', 'not_spam', 'restore', 'edit', 'reassign')
NEW_DECISIONS = OLD_DECISIONS + ('forget',)


def decision(values):
    return sa.Enum(*values, name='decision', native_enum=False, create_constraint=True, length=16)


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.alter_column('comment_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('action',
               existing_type=decision(OLD_DECISIONS),
               type_=decision(NEW_DECISIONS),
               existing_nullable=False)


def downgrade():
    op.execute("DELETE FROM moderation_actions WHERE action = 'forget' OR comment_id IS NULL")
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.alter_column('action',
               existing_type=decision(NEW_DECISIONS),
               type_=decision(OLD_DECISIONS),
               existing_nullable=False)
        batch_op.alter_column('comment_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
