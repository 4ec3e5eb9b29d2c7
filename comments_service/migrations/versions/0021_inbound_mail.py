"""Answers by email: the messages received (``inbound_mail``) and how a decision was made (``via``).

Revision ID: 0021_inbound_mail
Revises: 0020_saved_replies
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_inbound_mail'
down_revision = '0020_saved_replies'
branch_labels = None
depends_on = None

NOT_COMMENTS = {'reflect_kwargs': {'resolve_fks': False}}


def upgrade():
    op.create_table('inbound_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_key', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('answer_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_inbound_mail_staff_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_inbound_mail_comment_id_comments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['answer_id'], ['comments.id'], name=op.f('fk_inbound_mail_answer_id_comments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_mail')),
    sa.UniqueConstraint('message_key', name=op.f('uq_inbound_mail_message_key'))
    )
    # A nullable column: SQLite adds it in place, without rebuilding the table.
    with op.batch_alter_table('moderation_actions', schema=None, **NOT_COMMENTS) as batch_op:
        batch_op.add_column(sa.Column('via', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('moderation_actions', schema=None, **NOT_COMMENTS) as batch_op:
        batch_op.drop_column('via')
    op.drop_table('inbound_mail')
