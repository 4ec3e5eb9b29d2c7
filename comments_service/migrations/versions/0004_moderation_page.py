"""Moderation page: an index per tab (status, newest or oldest first), undo and edit decisions,
when an answer was edited.

Revision ID: 0004_modpage
Revises: 0003_spam
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_modpage'
down_revision = '0003_spam'
branch_labels = None
depends_on = None

OLD_DECISIONS = ('hold', 'spam', 'approve', 'answer', 'dismiss', 'delete')
NEW_DECISIONS = OLD_DECISIONS + ('not_spam', 'restore', 'edit')


def decision(values):
    return sa.Enum(*values, name='decision', native_enum=False, create_constraint=True, length=16)


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comments_status'))
        batch_op.create_index('ix_comments_status_created_at', ['status', 'created_at'], unique=False)
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.alter_column('action',
               existing_type=decision(OLD_DECISIONS),
               type_=decision(NEW_DECISIONS),
               existing_nullable=False)


def downgrade():
    op.execute("DELETE FROM moderation_actions WHERE action IN ('not_spam', 'restore', 'edit')")
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.alter_column('action',
               existing_type=decision(NEW_DECISIONS),
               type_=decision(OLD_DECISIONS),
               existing_nullable=False)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('edited_at')
        batch_op.drop_index('ix_comments_status_created_at')
        batch_op.create_index(batch_op.f('ix_comments_status'), ['status'], unique=False)
