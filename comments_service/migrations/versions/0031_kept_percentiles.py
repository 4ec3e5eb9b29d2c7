"""Answer-time percentiles of finished months are kept, with the revision they were computed at.

A finished month's median and 90th percentile change only when its answered comments
do, and every such change goes through its band counts (answer_band_months, kept by
the triggers of 0024_summary_rows). A trigger on that table now bumps the month and
scope's revision (answer_band_revisions); the figures keep what they computed for a
finished month (kept_percentiles) with the revision they read first, and use it while
the revision is the same. figures_recount() also forgets every kept percentile (after a
TRUNCATE, the band rows it deletes are already gone and bump nothing).

Revision ID: 0031_kept_percentiles
Revises: 0030_report_index
Create Date: 2026-12-07
"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0031_kept_percentiles'
down_revision = '0030_report_index'
branch_labels = None
depends_on = None


def _summary_rows():
    """Migration 0024's module: its statements, as it wrote them."""
    path = Path(__file__).with_name("0024_figures_summary_rows.py")
    spec = importlib.util.spec_from_file_location("porch_migration_0024", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SUMMARY_ROWS = _summary_rows()
# Band rows are only ever added, changed in their count, or deleted: never given another
# month or scope, so a change bumps the revision of the row as it is after it (NEW), a
# deletion that of the row as it was (OLD).
SQLITE_TRIGGERS = [
    ("answer_bands_revised_added", "INSERT", "NEW"),
    ("answer_bands_revised_changed", "UPDATE", "NEW"),
    ("answer_bands_revised_removed", "DELETE", "OLD"),
]


def bump(row):
    return (
        f"INSERT INTO answer_band_revisions (month, scope, revision)"
        f" VALUES ({row}.month, {row}.scope, 1)"
        f" ON CONFLICT (month, scope) DO UPDATE SET revision = answer_band_revisions.revision + 1"
    )


POSTGRESQL_FUNCTION = f"""CREATE FUNCTION answer_bands_revised() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN {bump('OLD')}; ELSE {bump('NEW')}; END IF;
        RETURN NULL;
    END $$"""
POSTGRESQL_TRIGGER = """CREATE TRIGGER answer_bands_revised
    AFTER INSERT OR UPDATE OR DELETE ON answer_band_months
    FOR EACH ROW EXECUTE FUNCTION answer_bands_revised()"""


def recount_function(forget_kept: bool) -> str:
    statements = SUMMARY_ROWS.recount_statements("postgresql")
    if forget_kept:
        statements = ["DELETE FROM kept_percentiles", *statements]
    return (
        "CREATE OR REPLACE FUNCTION figures_recount() RETURNS void LANGUAGE plpgsql AS $$\n"
        f"BEGIN {SUMMARY_ROWS.block(statements)} END $$"
    )


def upgrade():
    op.create_table('answer_band_revisions',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('revision', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'scope', name=op.f('pk_answer_band_revisions'))
    )
    op.create_table('kept_percentiles',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('answer_seconds', sa.BigInteger(), nullable=True),
    sa.Column('revision', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'scope', 'percent', name=op.f('pk_kept_percentiles'))
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
        op.execute(recount_function(forget_kept=True))
        return
    for name, event, row in SQLITE_TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON answer_band_months"
            f" BEGIN {bump(row)}; END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(recount_function(forget_kept=False))
        op.execute("DROP TRIGGER answer_bands_revised ON answer_band_months")
        op.execute("DROP FUNCTION answer_bands_revised()")
    else:
        for name, *_ in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('kept_percentiles')
    op.drop_table('answer_band_revisions')
