"""A revision number for the staff's names and for the blocklists, raised by triggers.

Every reader's post checks its name against the staff's and its text against the
blocklists; both change seldom. Each process keeps a copy and reads it again only when
its revision moved (services.seldom_changed): a trigger raises the number with every
write to the staff's names or the blocklists' entries, in the writer's transaction,
whichever process or command wrote.

Revision ID: 0032_seldom_changed_revisions
Revises: 0031_kept_percentiles
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032_seldom_changed_revisions'
down_revision = '0031_kept_percentiles'
branch_labels = None
depends_on = None

# (revision's name, table, the writes that change it)
WATCHED = [
    ("staff_names", "staff", ["INSERT", "DELETE", "UPDATE OF name_skeleton"]),
    ("blocklists", "blocklist_entries", ["INSERT", "DELETE", "UPDATE"]),
]
RAISE = (
    "INSERT INTO revisions (name, value) VALUES ('{name}', 1)"
    " ON CONFLICT (name) DO UPDATE SET value = revisions.value + 1"
)


def _trigger(name: str, event: str) -> str:
    return f"revision_{name}_{event.split()[0].lower()}"


def upgrade():
    op.create_table(
        'revisions',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_revisions')),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(
            "CREATE FUNCTION raise_revision() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            + RAISE.replace("'{name}'", "TG_ARGV[0]")
            + "; RETURN NULL; END $$"
        )
    for name, table, events in WATCHED:
        for event in events:
            if postgresql:
                op.execute(
                    f"CREATE TRIGGER {_trigger(name, event)} AFTER {event} ON {table}"
                    f" FOR EACH STATEMENT EXECUTE FUNCTION raise_revision('{name}')"
                )
            else:
                op.execute(
                    f"CREATE TRIGGER {_trigger(name, event)} AFTER {event} ON {table}"
                    f" BEGIN {RAISE.format(name=name)}; END"
                )


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, events in WATCHED:
        for event in events:
            on = f" ON {table}" if postgresql else ""
            op.execute(f"DROP TRIGGER {_trigger(name, event)}{on}")
    if postgresql:
        op.execute("DROP FUNCTION raise_revision()")
    op.drop_table('revisions')
