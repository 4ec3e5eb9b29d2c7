"""Each staff name's skeleton, stored and indexed: a reader's name is checked with one lookup.

Revision ID: 0016_readpath
Revises: 0015_scale
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

from comments_service.words.names import skeleton


# revision identifiers, used by Alembic.
revision = '0016_readpath'
down_revision = '0015_scale'
branch_labels = None
depends_on = None

staff = sa.table('staff', sa.column('id', sa.Integer), sa.column('name', sa.String),
                 sa.column('name_skeleton', sa.Text))


def upgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_skeleton', sa.Text(), nullable=True))
    connection = op.get_bind()
    for member in connection.execute(sa.select(staff.c.id, staff.c.name)).all():
        connection.execute(
            staff.update().where(staff.c.id == member.id).values(name_skeleton=skeleton(member.name))
        )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.alter_column('name_skeleton', existing_type=sa.Text(), nullable=False)
        batch_op.create_index(batch_op.f('ix_staff_name_skeleton'), ['name_skeleton'], unique=False)


def downgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_name_skeleton'))
        batch_op.drop_column('name_skeleton')
