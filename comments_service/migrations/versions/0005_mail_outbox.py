"""Mail outbox, daily digests, and how each staff member hears about new comments.

Revision ID: 0005_mail
Revises: 0004_modpage
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_mail'
down_revision = '0004_modpage'
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade():
    op.create_table('mail_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('status', _enum('mail_status', 'queued', 'sent', 'failed', 'logged'), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('claim_token', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox'))
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_mail_outbox_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('mail_digests',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', _enum('digest_kind', 'new_comments', 'overdue'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('covers_until', sa.DateTime(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['mail_outbox.id'], name=op.f('fk_mail_digests_message_id_mail_outbox')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_mail_digests_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', 'kind', 'day', name=op.f('pk_mail_digests'))
    )

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify', _enum('notify', 'each', 'digest', 'off'), nullable=False, server_default='each'))
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.alter_column('notify', server_default=None)


def downgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_staff_notify'), type_='check')
        batch_op.drop_column('notify')

    op.drop_table('mail_digests')
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_outbox_due')

    op.drop_table('mail_outbox')
