"""Answer-time counts: a comment with no answer writes only its day's row.

The triggers of 0024_summary_rows ran three statements for every counted comment
written, the two answer-band ones finding nothing to add for a comment not answered
(every new comment). They run now only when it has an answer; the counts are the
same, the statements of 0024 unchanged.

Revision ID: 0028_cheap_figure_triggers
Revises: 0027_tagged_kind_index
Create Date: 2026-12-07
"""
import importlib.util
from pathlib import Path

from alembic import op


# revision identifiers, used by Alembic.
revision = '0028_cheap_figure_triggers'
down_revision = '0027_tagged_kind_index'
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
COMMENT_TRIGGERS = [
    ("figures_comment_added", "INSERT", "NEW", 1),
    ("figures_comment_removed", "DELETE", "OLD", -1),
    ("figures_comment_changed_from", f"UPDATE OF {SUMMARY_ROWS.FIGURE_COLUMNS}", "OLD", -1),
    ("figures_comment_changed_to", f"UPDATE OF {SUMMARY_ROWS.FIGURE_COLUMNS}", "NEW", 1),
]


def counted(row):
    return f"{row}.{SUMMARY_ROWS.COUNTED.replace(' AND ', f' AND {row}.')}"


def postgresql_function():
    def add(row, sign):
        days, months, groups = SUMMARY_ROWS.add_counts(
            "postgresql", SUMMARY_ROWS.comment_source(row), sign
        )
        return (
            f"{days};\n IF {row}.answered_at IS NOT NULL THEN {months};\n{groups};\n END IF;\n"
        )

    return f"""CREATE OR REPLACE FUNCTION figures_comment_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            IF {counted('OLD')} THEN {add('OLD', -1)} END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            IF {counted('NEW')} THEN {add('NEW', 1)} END IF;
        END IF;
        RETURN NULL;
    END $$"""


def sqlite_triggers():
    """Each comment trigger of 0024 as two: its day's row, and its bands when answered."""
    statements = []
    for name, event, row, sign in COMMENT_TRIGGERS:
        days, months, groups = SUMMARY_ROWS.add_counts(
            "sqlite", SUMMARY_ROWS.comment_source(row), sign
        )
        when = counted(row)
        statements += [
            f"CREATE TRIGGER {name} AFTER {event} ON comments WHEN {when} BEGIN {days}; END",
            f"CREATE TRIGGER {name}_bands AFTER {event} ON comments"
            f" WHEN {when} AND {row}.answered_at IS NOT NULL BEGIN {months}; {groups}; END",
        ]
    return statements


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(postgresql_function())
        return
    for name, *_ in COMMENT_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    for statement in sqlite_triggers():
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        function = SUMMARY_ROWS.postgresql_triggers()[0]
        op.execute(function.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
        return
    for name, *_ in COMMENT_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
        op.execute(f"DROP TRIGGER {name}_bands")
    names = {name for name, *_ in COMMENT_TRIGGERS}
    for statement in SUMMARY_ROWS.sqlite_triggers():
        if statement.split()[2] in names:
            op.execute(statement)
