"""What readers told us: kinds of comment, private answers, follow-ups and their decisions.

Revision ID: 0011_listening
Revises: 0010_people
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_listening'
down_revision = '0010_people'
branch_labels = None
depends_on = None

OLD_DECISIONS = ('hold', 'spam', 'approve', 'answer', 'dismiss', 'delete', 'not_spam', 'restore', 'edit', 'reassign', 'forget')
LISTENING_DECISIONS = ('tag', 'answer_privately', 'pass_on', 'act_on', 'decline')
NEW_DECISIONS = OLD_DECISIONS + LISTENING_DECISIONS


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('private_answered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('private_answered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('private_channel', _enum('private_channel', 'phone', 'email', 'in_person'), nullable=True))
        batch_op.add_column(sa.Column('private_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('private_answer_shown', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('follow_up', _enum('follow_up', 'passed_on', 'acted_on', 'declined'), nullable=True))
        batch_op.add_column(sa.Column('follow_up_team', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('follow_up_note', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('follow_up_at', sa.DateTime(), nullable=True))

    # A second pass: SQLite rebuilds the table for these, with the new columns in place.
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comments_kind'), ['kind'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_comments_private_answered_by_id_staff'), 'staff', ['private_answered_by_id'], ['id'])
        batch_op.alter_column('private_answer_shown', server_default=None)

    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.alter_column('action',
               existing_type=_enum('decision', *OLD_DECISIONS),
               type_=_enum('decision', *NEW_DECISIONS),
               existing_nullable=False)


def downgrade():
    listed = ', '.join(f"'{value}'" for value in LISTENING_DECISIONS)
    op.execute(f"DELETE FROM moderation_actions WHERE action IN ({listed})")
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.alter_column('action',
               existing_type=_enum('decision', *NEW_DECISIONS),
               type_=_enum('decision', *OLD_DECISIONS),
               existing_nullable=False)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_comments_private_answered_by_id_staff'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_comments_kind'))
        batch_op.drop_constraint(batch_op.f('ck_comments_follow_up'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_comments_private_channel'), type_='check')
        batch_op.drop_column('follow_up_at')
        batch_op.drop_column('follow_up_note')
        batch_op.drop_column('follow_up_team')
        batch_op.drop_column('follow_up')
        batch_op.drop_column('private_answer_shown')
        batch_op.drop_column('private_note')
        batch_op.drop_column('private_channel')
        batch_op.drop_column('private_answered_by_id')
        batch_op.drop_column('private_answered_at')
        batch_op.drop_column('kind')
