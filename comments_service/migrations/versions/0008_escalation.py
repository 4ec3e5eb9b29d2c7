"""Handing a comment to a colleague, away periods, private feeds, the reassign decision.

Revision ID: 0008_escalation
Revises: 0007_imports
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_escalation'
down_revision = '0007_imports'
branch_labels = None
depends_on = None

OLD_DECISIONS = ('hold', 'spam', 'approve', 'answer', 'dismiss', 'delete', 'not_spam', 'restore', 'edit')
NEW_DECISIONS = OLD_DECISIONS + ('reassign',)


def decision(values):
    return sa.Enum(*values, name='decision', native_enum=False, create_constraint=True, length=16)


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_comments_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_comments_assigned_to_id_staff'), 'staff', ['assigned_to_id'], ['id'])

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('away_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('away_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('feed_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_staff_feed_token_hash'), ['feed_token_hash'])

    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.alter_column('action',
               existing_type=decision(OLD_DECISIONS),
               type_=decision(NEW_DECISIONS),
               existing_nullable=False)


def downgrade():
    op.execute("DELETE FROM moderation_actions WHERE action = 'reassign'")
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.alter_column('action',
               existing_type=decision(NEW_DECISIONS),
               type_=decision(OLD_DECISIONS),
               existing_nullable=False)

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_staff_feed_token_hash'), type_='unique')
        batch_op.drop_column('feed_token_hash')
        batch_op.drop_column('away_until')
        batch_op.drop_column('away_from')

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comments_assigned_to_id_staff'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_comments_assigned_to_id'))
        batch_op.drop_column('assigned_to_id')
