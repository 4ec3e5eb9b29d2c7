"""Saved replies, and staff editing a reader's comment (``team_edited_at``, its decision).

Revision ID: 0020_saved_replies
Revises: 0019_blocklist
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_saved_replies'
down_revision = '0019_blocklist'
branch_labels = None
depends_on = None

OLD_DECISIONS = ('hold', 'spam', 'approve', 'answer', 'dismiss', 'delete', 'not_spam', 'restore', 'edit', 'reassign', 'forget', 'tag', 'answer_privately', 'pass_on', 'act_on', 'decline', 'empty_spam')
NEW_DECISIONS = OLD_DECISIONS + ('edit_comment',)


# SQLite rebuilds moderation_actions; reflecting the comments table its key refers to
# would warn about the index on lower(author_email), which it cannot read (and needs not).
NOT_COMMENTS = {'reflect_kwargs': {'resolve_fks': False}}


def _decision(values):
    return sa.Enum(*values, name='decision', native_enum=False, create_constraint=True, length=16)


def upgrade():
    op.create_table('saved_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['staff.id'], name=op.f('fk_saved_replies_owner_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_replies'))
    )
    with op.batch_alter_table('saved_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_replies_owner_id'), ['owner_id'], unique=False)

    # A nullable column: SQLite adds it in place, without rebuilding the table.
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_edited_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('moderation_actions', schema=None, **NOT_COMMENTS) as batch_op:
        batch_op.alter_column('action',
               existing_type=_decision(OLD_DECISIONS),
               type_=_decision(NEW_DECISIONS),
               existing_nullable=False)


def downgrade():
    op.execute("DELETE FROM moderation_actions WHERE action = 'edit_comment'")
    with op.batch_alter_table('moderation_actions', schema=None, **NOT_COMMENTS) as batch_op:
        batch_op.alter_column('action',
               existing_type=_decision(NEW_DECISIONS),
               type_=_decision(OLD_DECISIONS),
               existing_nullable=False)

    # Plain ALTER TABLE (SQLite 3.35+ drops a column in place): a batch would rebuild the
    # table and lose the indexes it cannot read back (see 0018_link_identity).
    op.drop_column('comments', 'team_edited_at')

    with op.batch_alter_table('saved_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_replies_owner_id'))

    op.drop_table('saved_replies')
