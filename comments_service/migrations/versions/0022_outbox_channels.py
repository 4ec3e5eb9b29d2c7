"""The team's chat channels: an outbox message's channel, and each channel's daily messages.

Revision ID: 0022_outbox_channels
Revises: 0021_inbound_mail
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_outbox_channels'
down_revision = '0021_inbound_mail'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column: SQLite adds it in place, without rebuilding the table.
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=64), nullable=True))

    op.create_table('channel_digests',
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('new_comments', 'overdue', name='digest_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('covers_until', sa.DateTime(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['mail_outbox.id'], name=op.f('fk_channel_digests_message_id_mail_outbox')),
    sa.PrimaryKeyConstraint('channel', 'kind', 'day', name=op.f('pk_channel_digests'))
    )


def downgrade():
    op.drop_table('channel_digests')
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_column('channel')
