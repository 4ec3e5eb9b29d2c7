"""The report's period is read from rows kept by triggers, not from its comments.

Three tables of counts of published reader comments, kept by triggers on comments in
the transaction of every write that changes them (as 0024_summary_rows keeps the
figures' counts): kind_days (per day and kind, '' for none: what the report's kinds
count), answer_band_days (the whole blog's answered comments per day and band of
answer times: the weeks' medians) and reader_months (each reader's public comments per
month, by reader_identity(): its readers; a row at 0 is deleted, so a month's
readers are its rows, read from their key alone). An index of reader_summaries by first
comment counts its new readers. ix_comments_counted also holds assigned_to_id on
PostgreSQL, so an author's count of open items reads it alone. figures_recount()
counts the three tables again too.

Revision ID: 0033_report_kept_rows
Revises: 0032_seldom_changed_revisions
Create Date: 2026-12-07
"""
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0033_report_kept_rows'
down_revision = '0032_seldom_changed_revisions'
branch_labels = None
depends_on = None


def _migration(name):
    """Another migration's module: its statements, as it wrote them."""
    path = Path(__file__).with_name(f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"porch_migration_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


KEPT_PERCENTILES = _migration("0031_kept_percentiles")

COUNTED = "staff_id IS NULL AND status = 'approved'"
DAY = {"postgresql": "CAST({row}.created_at AS DATE)", "sqlite": "date({row}.created_at)"}
MONTH = {
    "postgresql": "CAST(date_trunc('month', {row}.created_at) AS DATE)",
    "sqlite": "date({row}.created_at, 'start of month')",
}
# queries.listening.reader_identity, as SQL of a row.
IDENTITY = (
    "COALESCE('email:' || lower(NULLIF({row}.author_email, '')), 'name:' || {row}.author_name)"
)
COUNTED_INCLUDES_BEFORE = [
    'erased_at', 'author_email', 'author_name', 'answered_at', 'dismissed_at', 'follow_up'
]
COUNTED_INCLUDES = [*COUNTED_INCLUDES_BEFORE, 'assigned_to_id']


@dataclass(frozen=True)
class Kept:
    """A table of counts: which comments it counts (besides COUNTED), its key columns
    and their values of a comment row, the count's column, and the comment columns a
    change of which can move a comment from one row to another."""

    table: str
    only: str  # a further condition on the row, '' for none
    key: tuple[str, ...]
    values: tuple[str, ...]  # formats of {row} (and DAY/MONTH by dialect)
    count: str
    columns: tuple[str, ...]
    forget_empty: bool = False  # a row whose count falls to 0 is deleted

    def of(self, dialect, row):
        day, month = DAY[dialect].format(row=row), MONTH[dialect].format(row=row)
        return [v.format(row=row, day=day, month=month) for v in self.values]

    def counts(self, row):
        counted = f"{row}.{COUNTED.replace(' AND ', f' AND {row}.')}"
        return f"({counted}{self.only.format(row=row)})"

    def add(self, dialect, row, sign):
        key = ", ".join(self.key)
        return (
            f"INSERT INTO {self.table} ({key}, {self.count})"
            f" VALUES ({', '.join(self.of(dialect, row))}, {sign})"
            f" ON CONFLICT ({key}) DO UPDATE SET"
            f" {self.count} = {self.table}.{self.count} + excluded.{self.count}"
        )

    def remove(self, dialect, row):
        """Take one comment away: its row's count less one, and the row deleted at 0
        when the table keeps only rows that count something."""
        statements = [self.add(dialect, row, -1)]
        if self.forget_empty:
            at = " AND ".join(f"{k} = {v}" for k, v in zip(self.key, self.of(dialect, row)))
            statements.append(f"DELETE FROM {self.table} WHERE {at} AND {self.count} = 0")
        return "; ".join(statements)

    def same_row(self, dialect):
        """The comment counts in this table before and after an update, in the same row."""
        old, new = self.of(dialect, "OLD"), self.of(dialect, "NEW")
        same = " AND ".join(f"({a}) IS NOT DISTINCT FROM ({b})" for a, b in zip(old, new))
        if dialect == "sqlite":
            same = " AND ".join(f"({a}) IS ({b})" for a, b in zip(old, new))
        return f"({self.counts('OLD')} AND {self.counts('NEW')} AND {same})"

    def recount(self, dialect):
        key = ", ".join(self.key)
        values = ", ".join(self.of(dialect, "comments"))
        return [
            f"DELETE FROM {self.table}",
            f"INSERT INTO {self.table} ({key}, {self.count})"
            f" SELECT {values}, count(*) FROM comments"
            f" WHERE {self.counts('comments')} GROUP BY {values} ORDER BY {values}",
        ]


KEPT = [
    Kept(
        "kind_days", "", ("day", "kind"), ("{day}", "COALESCE({row}.kind, '')"), "received",
        ("staff_id", "status", "created_at", "kind"),
    ),
    Kept(
        "answer_band_days", " AND {row}.answered_at IS NOT NULL", ("day", "band"),
        ("{day}", "{row}.answer_band"), "answered",
        ("staff_id", "status", "created_at", "answered_at"),
    ),
    Kept(
        "reader_months", " AND {row}.erased_at IS NULL", ("month", "reader"),
        ("{month}", IDENTITY), "comments",
        ("staff_id", "status", "created_at", "erased_at", "author_email", "author_name"),
        forget_empty=True,
    ),
]
EVERY_COLUMN = sorted({column for kept in KEPT for column in kept.columns})


def postgresql_function():
    parts = []
    for kept in KEPT:
        parts.append(
            f"""IF NOT (TG_OP = 'UPDATE' AND {kept.same_row('postgresql')}) THEN
                IF TG_OP <> 'INSERT' AND {kept.counts('OLD')} THEN
                    {kept.remove('postgresql', 'OLD')};
                END IF;
                IF TG_OP <> 'DELETE' AND {kept.counts('NEW')} THEN
                    {kept.add('postgresql', 'NEW', 1)};
                END IF;
            END IF;"""
        )
    return (
        "CREATE FUNCTION report_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN {' '.join(parts)} RETURN NULL; END $$"
    )


POSTGRESQL_TRIGGER = f"""CREATE TRIGGER report_rows_changed
    AFTER INSERT OR DELETE OR UPDATE OF {', '.join(EVERY_COLUMN)} ON comments
    FOR EACH ROW EXECUTE FUNCTION report_rows_changed()"""


def sqlite_triggers():
    """(name, statement): for each table, a comment added, removed, and changed (its old
    row taken away, its new one added, unless it stays in the same row)."""
    triggers = []
    for kept in KEPT:
        name = kept.table
        changed = f"UPDATE OF {', '.join(kept.columns)}"
        moved = f"NOT {kept.same_row('sqlite')}"
        added, removed = kept.add("sqlite", "NEW", 1), kept.remove("sqlite", "OLD")
        for suffix, event, statement, when in (
            ("added", "INSERT", added, kept.counts("NEW")),
            ("removed", "DELETE", removed, kept.counts("OLD")),
            ("changed_from", changed, removed, f"{kept.counts('OLD')} AND {moved}"),
            ("changed_to", changed, added, f"{kept.counts('NEW')} AND {moved}"),
        ):
            trigger = f"{name}_{suffix}"
            triggers.append(
                (
                    trigger,
                    f"CREATE TRIGGER {trigger} AFTER {event} ON comments WHEN {when}"
                    f" BEGIN {statement}; END",
                )
            )
    return triggers


def recount_statements(dialect):
    return [statement for kept in KEPT for statement in kept.recount(dialect)]


def recount_function():
    """0031's figures_recount(), counting these tables again too."""
    before = KEPT_PERCENTILES.recount_function(forget_kept=True)
    mine = "".join(f"{statement};\n" for statement in recount_statements("postgresql"))
    return before.replace(" END $$", f"{mine} END $$")


def upgrade():
    op.create_table('kind_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'kind', name=op.f('pk_kind_days'))
    )
    op.create_table('answer_band_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('band', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'band', name=op.f('pk_answer_band_days'))
    )
    op.create_table('reader_months',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('reader', sa.String(length=300), nullable=False),
    sa.Column('comments', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'reader', name=op.f('pk_reader_months'))
    )
    op.create_index('ix_reader_summaries_first', 'reader_summaries', ['scope_id', 'first_at'])
    dialect = op.get_bind().dialect.name
    for statement in recount_statements(dialect):
        op.execute(statement)
    if dialect == "postgresql":
        _counted_index(COUNTED_INCLUDES)
        op.execute(postgresql_function())
        op.execute(POSTGRESQL_TRIGGER)
        op.execute(recount_function())
        return
    for _, statement in sqlite_triggers():
        op.execute(statement)


def _counted_index(includes):
    """ix_comments_counted again, with these included columns (PostgreSQL's alone)."""
    op.drop_index('ix_comments_counted', table_name='comments')
    op.create_index(
        'ix_comments_counted',
        'comments',
        ['created_at', 'kind', 'post_id', 'answer_band'],
        postgresql_include=includes,
        postgresql_where=sa.text(COUNTED),
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(KEPT_PERCENTILES.recount_function(forget_kept=True))
        op.execute("DROP TRIGGER report_rows_changed ON comments")
        op.execute("DROP FUNCTION report_rows_changed()")
        _counted_index(COUNTED_INCLUDES_BEFORE)
    else:
        for name, _ in sqlite_triggers():
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index('ix_reader_summaries_first', table_name='reader_summaries')
    op.drop_table('reader_months')
    op.drop_table('answer_band_days')
    op.drop_table('kind_days')
