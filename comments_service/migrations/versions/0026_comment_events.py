"""Comment events: a new reader comment waits here for the outbox's sender, which
writes the mails and chat messages about it.

Revision ID: 0026_comment_events
Revises: 0025_readers_summaries
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026_comment_events'
down_revision = '0025_readers_summaries'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('comment_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('new_comment', name='comment_event_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_events_comment_id_comments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_events'))
    )


def downgrade():
    op.drop_table('comment_events')
