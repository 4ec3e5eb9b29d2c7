"""Answer-time figures without reading the comments: per-day counts, per-month answer-time bands.

Each comment gets its seconds to the first answer and their band, computed by the
database. Two tables hold what the figures count, for the whole blog (scope '') and
for each named author: figure_days (received, answered, answered privately, waiting,
no answer needed, per day), answer_band_months (answered comments per band of
answer times, per month) and answer_band_groups (the same per group of 16 bands). Triggers on comments and post_authors keep them in the
transaction of every write that changes them, whichever code (or COPY) writes; the
rows already there are counted once here.

Revision ID: 0024_summary_rows
Revises: 0023_staff_pages
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_summary_rows'
down_revision = '0023_staff_pages'
branch_labels = None
depends_on = None

ANSWER_SECONDS_SQL = {
    "postgresql": "CAST(trunc(EXTRACT(EPOCH FROM answered_at - created_at)) AS BIGINT)",
    "sqlite": "((CAST(strftime('%s', answered_at) AS INTEGER)"
    " - CAST(strftime('%s', created_at) AS INTEGER)) * 1000000"
    " + CAST(substr(answered_at, 21, 6) AS INTEGER)"
    " - CAST(substr(created_at, 21, 6) AS INTEGER)) / 1000000",
}
ANSWERED_ROWS = "staff_id IS NULL AND status = 'approved' AND answered_at IS NOT NULL"
COUNTED = "staff_id IS NULL AND status = 'approved'"
# The columns a comment's figures depend on: an update of any other leaves them be.
FIGURE_COLUMNS = "post_id, staff_id, status, created_at, answered_at, dismissed_at, private_answered_at"
DAY = {"postgresql": "CAST(created_at AS DATE)", "sqlite": "date(created_at)"}
MONTH = {
    "postgresql": "CAST(date_trunc('month', created_at) AS DATE)",
    "sqlite": "date(created_at, 'start of month')",
}
SOURCE_COLUMNS = "created_at, answered_at, dismissed_at, private_answered_at, answer_band"


EXACT_BANDS = 600
BANDS_PER_GROUP = 16


def answer_band_sql(seconds):
    s = f"({seconds})"
    return (
        f"CASE WHEN {s} < 0 THEN -1 WHEN {s} < {EXACT_BANDS} THEN {s}"
        f" WHEN {s} < 7200 THEN 600 + ({s} - 600) / 60"
        f" WHEN {s} < 86400 THEN 710 + ({s} - 7200) / 600"
        f" WHEN {s} < 864000 THEN 842 + ({s} - 86400) / 3600"
        f" ELSE 1058 + ({s} - 864000) / 86400 END"
    )


def add_counts(dialect, source, sign):
    """Statements adding ``sign`` times the figures of ``source``'s rows (scope and the
    comment columns of SOURCE_COLUMNS) to both tables."""
    day, month = DAY[dialect], MONTH[dialect]
    return [
        f"""INSERT INTO figure_days
            (day, scope, received, answered, answered_privately, waiting, no_answer_needed)
        SELECT {day}, scope, {sign} * count(*), {sign} * count(answered_at),
            {sign} * sum(CASE WHEN private_answered_at = answered_at THEN 1 ELSE 0 END),
            {sign} * sum(CASE WHEN answered_at IS NULL AND dismissed_at IS NULL THEN 1 ELSE 0 END),
            {sign} * sum(CASE WHEN answered_at IS NULL AND dismissed_at IS NOT NULL
                THEN 1 ELSE 0 END)
        FROM ({source}) AS counted WHERE true GROUP BY {day}, scope
        ON CONFLICT (day, scope) DO UPDATE SET
            received = figure_days.received + excluded.received,
            answered = figure_days.answered + excluded.answered,
            answered_privately = figure_days.answered_privately + excluded.answered_privately,
            waiting = figure_days.waiting + excluded.waiting,
            no_answer_needed = figure_days.no_answer_needed + excluded.no_answer_needed""",
        f"""INSERT INTO answer_band_months (month, scope, band, answered)
        SELECT {month}, scope, answer_band, {sign} * count(*)
        FROM ({source}) AS counted WHERE answered_at IS NOT NULL
        GROUP BY {month}, scope, answer_band
        ON CONFLICT (month, scope, band) DO UPDATE SET
            answered = answer_band_months.answered + excluded.answered""",
        f"""INSERT INTO answer_band_groups (month, scope, band_group, answered)
        SELECT {month}, scope, answer_band / {BANDS_PER_GROUP}, {sign} * count(*)
        FROM ({source}) AS counted WHERE answered_at IS NOT NULL
        GROUP BY {month}, scope, answer_band / {BANDS_PER_GROUP}
        ON CONFLICT (month, scope, band_group) DO UPDATE SET
            answered = answer_band_groups.answered + excluded.answered""",
    ]


def comment_source(row):
    """One comment (NEW or OLD) for the blog and each named author of its post."""
    columns = ", ".join(f"{row}.{name} AS {name}" for name in SOURCE_COLUMNS.split(", "))
    return (
        f"SELECT scopes.scope, {columns} FROM (SELECT '' AS scope UNION ALL"
        f" SELECT name FROM post_authors WHERE post_id = {row}.post_id) AS scopes"
    )


def author_source(row):
    """A post's counted comments, for the author a post_authors row (NEW or OLD) names."""
    return (
        f"SELECT {row}.name AS scope, {SOURCE_COLUMNS} FROM comments"
        f" WHERE post_id = {row}.post_id AND {COUNTED}"
    )


def every_source():
    """Every counted comment, for the blog and each named author of its post."""
    return (
        f"SELECT '' AS scope, {SOURCE_COLUMNS} FROM comments WHERE {COUNTED} UNION ALL"
        f" SELECT post_authors.name, comments.created_at, comments.answered_at,"
        f" comments.dismissed_at, comments.private_answered_at, comments.answer_band"
        f" FROM comments JOIN post_authors ON post_authors.post_id = comments.post_id"
        f" WHERE comments.{COUNTED.replace(' AND ', ' AND comments.')}"
    )


def recount_statements(dialect):
    return [
        "DELETE FROM figure_days",
        "DELETE FROM answer_band_months",
        "DELETE FROM answer_band_groups",
        *add_counts(dialect, every_source(), 1),
    ]


def block(statements):
    return "".join(f"{statement};\n" for statement in statements)


def postgresql_triggers():
    counted = {row: f"{row}.{COUNTED.replace(' AND ', f' AND {row}.')}" for row in ("OLD", "NEW")}
    comment_old = block(add_counts("postgresql", comment_source("OLD"), -1))
    comment_new = block(add_counts("postgresql", comment_source("NEW"), 1))
    author_old = block(add_counts("postgresql", author_source("OLD"), -1))
    author_new = block(add_counts("postgresql", author_source("NEW"), 1))
    return [
        f"""CREATE FUNCTION figures_comment_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                IF {counted['OLD']} THEN {comment_old} END IF;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                IF {counted['NEW']} THEN {comment_new} END IF;
            END IF;
            RETURN NULL;
        END $$""",
        f"""CREATE TRIGGER figures_comment_changed
        AFTER INSERT OR DELETE OR UPDATE OF {FIGURE_COLUMNS} ON comments
        FOR EACH ROW EXECUTE FUNCTION figures_comment_changed()""",
        f"""CREATE FUNCTION figures_post_author_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN {author_old} END IF;
            IF TG_OP <> 'DELETE' THEN {author_new} END IF;
            RETURN NULL;
        END $$""",
        """CREATE TRIGGER figures_post_author_changed
        AFTER INSERT OR DELETE OR UPDATE OF post_id, name ON post_authors
        FOR EACH ROW EXECUTE FUNCTION figures_post_author_changed()""",
        # For rows written with the triggers disabled (a bulk load): count everything again.
        f"""CREATE FUNCTION figures_recount() RETURNS void LANGUAGE plpgsql AS $$
        BEGIN {block(recount_statements('postgresql'))} END $$""",
    ]


def sqlite_triggers():
    counted = {row: f"{row}.{COUNTED.replace(' AND ', f' AND {row}.')}" for row in ("OLD", "NEW")}
    triggers = [
        ("figures_comment_added", "INSERT", "comments", "NEW", comment_source, 1),
        ("figures_comment_removed", "DELETE", "comments", "OLD", comment_source, -1),
        ("figures_comment_changed_from", f"UPDATE OF {FIGURE_COLUMNS}", "comments", "OLD",
         comment_source, -1),
        ("figures_comment_changed_to", f"UPDATE OF {FIGURE_COLUMNS}", "comments", "NEW",
         comment_source, 1),
        ("figures_post_author_added", "INSERT", "post_authors", "NEW", author_source, 1),
        ("figures_post_author_removed", "DELETE", "post_authors", "OLD", author_source, -1),
        ("figures_post_author_changed_from", "UPDATE OF post_id, name", "post_authors", "OLD",
         author_source, -1),
        ("figures_post_author_changed_to", "UPDATE OF post_id, name", "post_authors", "NEW",
         author_source, 1),
    ]
    return [
        f"CREATE TRIGGER {name} AFTER {event} ON {table}"
        + (f" WHEN {counted[row]}" if table == "comments" else "")
        + f" BEGIN {block(add_counts('sqlite', source(row), sign))} END"
        for name, event, table, row, source, sign in triggers
    ]


SQLITE_TRIGGER_NAMES = [
    "figures_comment_added", "figures_comment_removed", "figures_comment_changed_from",
    "figures_comment_changed_to", "figures_post_author_added", "figures_post_author_removed",
    "figures_post_author_changed_from", "figures_post_author_changed_to",
]


def upgrade():
    dialect = op.get_bind().dialect.name
    seconds = ANSWER_SECONDS_SQL[dialect]
    # Added in place (no batch): SQLite adds a virtual generated column (never a stored
    # one) without a rebuild; PostgreSQL stores them.
    stored = dialect == "postgresql"
    op.add_column('comments', sa.Column('answer_seconds', sa.BigInteger(), sa.Computed(seconds, persisted=stored), nullable=True))
    op.add_column('comments', sa.Column('answer_band', sa.Integer(), sa.Computed(answer_band_sql(seconds), persisted=stored), nullable=True))
    op.create_index(
        'ix_comments_answer_bands',
        'comments',
        ['answer_band', 'created_at', 'answer_seconds', 'post_id'],
        postgresql_where=sa.text(ANSWERED_ROWS),
        sqlite_where=sa.text(ANSWERED_ROWS),
    )
    op.create_table('figure_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('answered_privately', sa.Integer(), nullable=False),
    sa.Column('waiting', sa.Integer(), nullable=False),
    sa.Column('no_answer_needed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'scope', name=op.f('pk_figure_days'))
    )
    op.create_table('answer_band_months',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('band', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'scope', 'band', name=op.f('pk_answer_band_months'))
    )
    op.create_table('answer_band_groups',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('band_group', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'scope', 'band_group', name=op.f('pk_answer_band_groups'))
    )
    for statement in recount_statements(dialect):
        op.execute(statement)
    for statement in postgresql_triggers() if dialect == "postgresql" else sqlite_triggers():
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER figures_comment_changed ON comments")
        op.execute("DROP TRIGGER figures_post_author_changed ON post_authors")
        for function in ("figures_comment_changed", "figures_post_author_changed", "figures_recount"):
            op.execute(f"DROP FUNCTION {function}()")
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('answer_band_groups')
    op.drop_table('answer_band_months')
    op.drop_table('figure_days')
    op.drop_index('ix_comments_answer_bands', table_name='comments')
    op.drop_column('comments', 'answer_band')
    op.drop_column('comments', 'answer_seconds')
