"""Staff pages at a million comments: a reader's comments in time order, trigram search.

Revision ID: 0023_staff_pages
Revises: 0022_outbox_channels
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_staff_pages'
down_revision = '0022_outbox_channels'
branch_labels = None
depends_on = None

SEARCHED_COLUMNS = ('body_markdown', 'author_name', 'author_email', 'remote_addr')


def upgrade():
    op.drop_index('ix_comments_author_email_lower', table_name='comments')
    op.create_index(
        'ix_comments_reader_email_time',
        'comments',
        [sa.text('lower(author_email)'), 'created_at', 'id'],
        unique=False,
    )
    if op.get_bind().dialect.name != 'postgresql':
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may add it.
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for column in SEARCHED_COLUMNS:
        op.create_index(
            f'ix_comments_search_{column}',
            'comments',
            [column],
            unique=False,
            postgresql_using='gin',
            postgresql_ops={column: 'gin_trgm_ops'},
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for column in SEARCHED_COLUMNS:
            op.drop_index(f'ix_comments_search_{column}', table_name='comments')
    op.drop_index('ix_comments_reader_email_time', table_name='comments')
    op.create_index(
        'ix_comments_author_email_lower', 'comments', [sa.text('lower(author_email)')], unique=False
    )
