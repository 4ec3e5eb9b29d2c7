"""Blocklists: words, addresses, domains and networks that send comments to Held or Spam;
the empty_spam decision.

Revision ID: 0019_blocklist
Revises: 0018_link_identity
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_blocklist'
down_revision = '0018_link_identity'
branch_labels = None
depends_on = None

OLD_DECISIONS = ('hold', 'spam', 'approve', 'answer', 'dismiss', 'delete', 'not_spam', 'restore', 'edit', 'reassign', 'forget', 'tag', 'answer_privately', 'pass_on', 'act_on', 'decline')
NEW_DECISIONS = OLD_DECISIONS + ('empty_spam',)


# SQLite rebuilds the table to change its CHECK; reading it back, SQLAlchemy would also read
# the comments table it refers to, whose index on lower(author_email) it cannot read.
ACTIONS_ONLY = {'reflect_kwargs': {'resolve_fks': False}}


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade():
    op.create_table('blocklist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', _enum('block_kind', 'email', 'domain', 'ip', 'word'), nullable=False),
    sa.Column('value', sa.String(length=300), nullable=False),
    sa.Column('sends_to', _enum('block_list', 'held', 'spam'), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['staff.id'], name=op.f('fk_blocklist_entries_added_by_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocklist_entries')),
    sa.UniqueConstraint('kind', 'value', name='uq_blocklist_entries_kind_value')
    )
    with op.batch_alter_table('moderation_actions', schema=None, **ACTIONS_ONLY) as batch_op:
        batch_op.alter_column('action',
               existing_type=_enum('decision', *OLD_DECISIONS),
               type_=_enum('decision', *NEW_DECISIONS),
               existing_nullable=False)


def downgrade():
    op.execute("DELETE FROM moderation_actions WHERE action = 'empty_spam'")
    with op.batch_alter_table('moderation_actions', schema=None, **ACTIONS_ONLY) as batch_op:
        batch_op.alter_column('action',
               existing_type=_enum('decision', *NEW_DECISIONS),
               type_=_enum('decision', *OLD_DECISIONS),
               existing_nullable=False)
    op.drop_table('blocklist_entries')
