"""The Readers view at a million comments: a row per reader kept at each write.

Revision ID: 0025_readers_summaries
Revises: 0024_summary_rows
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

from comments_service.services.moderation.reader_summaries import rebuild_all


# revision identifiers, used by Alembic.
revision = '0025_readers_summaries'
down_revision = '0024_summary_rows'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reader_summaries',
        sa.Column('reader', sa.String(length=300), nullable=False),
        sa.Column('scope_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('key_id', sa.Integer(), nullable=False),
        sa.Column('key_link_key', sa.String(length=32), nullable=False),
        sa.Column('comments', sa.Integer(), nullable=False),
        sa.Column('posts', sa.Integer(), nullable=False),
        sa.Column('first_at', sa.DateTime(), nullable=False),
        sa.Column('last_at', sa.DateTime(), nullable=False),
        sa.Column('answered', sa.Integer(), nullable=False),
        sa.Column('waiting', sa.Integer(), nullable=False),
        sa.Column('kinds', sa.JSON(), nullable=False),
        sa.Column('signed_as', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('reader', 'scope_id'),
    )
    op.create_index(
        'ix_reader_summaries_latest',
        'reader_summaries',
        ['scope_id', sa.text('last_at DESC'), 'reader'],
        unique=False,
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index(
            'ix_reader_summaries_search',
            'reader_summaries',
            ['signed_as'],
            unique=False,
            postgresql_using='gin',
            postgresql_ops={'signed_as': 'gin_trgm_ops'},
        )
    rebuild_all(op.get_bind())
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ANALYZE reader_summaries')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_reader_summaries_search', table_name='reader_summaries')
    op.drop_index('ix_reader_summaries_latest', table_name='reader_summaries')
    op.drop_table('reader_summaries')
