"""Akismet's word on each reader comment (spam_check).

Revision ID: 0003_spam
Revises: 0002
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_spam'
down_revision = '0002'
branch_labels = None
depends_on = None

SPAM_CHECKS = ('passed', 'spam', 'discarded', 'failed')
spam_check = sa.Enum(*SPAM_CHECKS, name='spam_check', native_enum=False, create_constraint=True, length=16)


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spam_check', spam_check, nullable=True))
        batch_op.create_index(batch_op.f('ix_comments_spam_check'), ['spam_check'], unique=False)


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comments_spam_check'))
        batch_op.drop_constraint(batch_op.f('ck_comments_spam_check'), type_='check')
        batch_op.drop_column('spam_check')
