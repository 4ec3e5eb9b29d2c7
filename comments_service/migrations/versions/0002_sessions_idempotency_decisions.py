"""Server-side staff sessions, idempotency keys on comments, decisions as an enum.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

DECISIONS = ('hold', 'spam', 'approve', 'answer', 'dismiss', 'delete')
decision = sa.Enum(*DECISIONS, name='decision', native_enum=False, create_constraint=True, length=16)


def upgrade():
    op.create_table('staff_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_sessions_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_staff_sessions'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_staff_id'), ['staff_id'], unique=False)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint('uq_comments_idempotency_key', ['post_id', 'idempotency_key'])

    # The spam guard's holds were recorded as "pending", a comment status, not a decision.
    op.execute("UPDATE moderation_actions SET action = 'hold' WHERE action = 'pending'")
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.alter_column('action',
               existing_type=sa.VARCHAR(length=20),
               type_=decision,
               existing_nullable=False)


def downgrade():
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.alter_column('action',
               existing_type=decision,
               type_=sa.VARCHAR(length=20),
               existing_nullable=False)
    op.execute("UPDATE moderation_actions SET action = 'pending' WHERE action = 'hold'")

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_comments_idempotency_key', type_='unique')
        batch_op.drop_column('idempotency_key')

    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_staff_id'))

    op.drop_table('staff_sessions')
