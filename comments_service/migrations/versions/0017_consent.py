"""Consent per comment: each subscription is confirmed on its own, not once per address.

A subscription already active (its address confirmed) stays active, confirmed when its
address was, or when it was made if that came later. Confirmation links sent before
named the address; they stop working, and the reader's next comment asks again.

Revision ID: 0017_consent
Revises: 0016_readpath
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_consent'
down_revision = '0016_readpath'
branch_labels = None
depends_on = None

addresses = sa.table('subscriber_addresses', sa.column('id', sa.Integer),
                     sa.column('confirmation_sent_at', sa.DateTime),
                     sa.column('confirmed_at', sa.DateTime))
subscriptions = sa.table('subscriptions', sa.column('address_id', sa.Integer),
                         sa.column('created_at', sa.DateTime),
                         sa.column('confirmed_at', sa.DateTime))


def upgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmation_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
    address_confirmed = (
        sa.select(addresses.c.confirmed_at)
        .where(addresses.c.id == subscriptions.c.address_id)
        .scalar_subquery()
    )
    op.get_bind().execute(
        subscriptions.update().values(
            confirmed_at=sa.case(
                (address_confirmed > subscriptions.c.created_at, address_confirmed),
                (address_confirmed.is_not(None), subscriptions.c.created_at),
            )
        )
    )
    with op.batch_alter_table('subscriber_addresses', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('confirmation_sent_at')


def downgrade():
    with op.batch_alter_table('subscriber_addresses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmation_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
    # An address counts as confirmed from its first confirmed subscription.
    first_confirmed = (
        sa.select(sa.func.min(subscriptions.c.confirmed_at))
        .where(subscriptions.c.address_id == addresses.c.id)
        .scalar_subquery()
    )
    op.get_bind().execute(addresses.update().values(confirmed_at=first_confirmed))
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('confirmation_sent_at')
