"""The monthly report by mail: queued at most once per period, whoever runs the job.

The period's row in ``report_sends`` is inserted first, with insert-or-ignore on its
unique start, in the same transaction as the messages: of two job runners at once,
the second waits for the first's row (SQLite's write lock, PostgreSQL's unique index),
inserts nothing and queues nothing. Nothing here commits.
"""

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite

from comments_service.config import OpenKinds
from comments_service.extensions import db
from comments_service.models import ReportSend
from comments_service.service_urls import ServiceUrls
from comments_service.services.mail.outbox import Mail, enqueue
from comments_service.services.report import documents as report_documents
from comments_service.services.report.build import Period, build


def queue_report(
    period: Period,
    recipients: tuple[str, ...],
    *,
    now: datetime,
    kinds: tuple[str, ...],
    open_kinds: OpenKinds,
    urls: ServiceUrls,
) -> int:
    """Queue the period's report to each recipient unless it was queued already;
    returns how many messages were queued."""
    if not recipients or not _claim(period, len(recipients), now):
        return 0
    report = build(period, now, kinds, urls, open_kinds=open_kinds)
    text, html = report_documents.text(report), report_documents.html(report)
    subject = f"What readers told us: {period.label}"
    headers = {"X-Porch-Report": period.since.isoformat()}
    for recipient in recipients:
        enqueue(Mail(recipient, subject, text, html, headers), now)
    return len(recipients)


def already_queued(period: Period) -> bool:
    return db.session.get(ReportSend, period.since) is not None


def _claim(period: Period, recipients: int, now: datetime) -> bool:
    """Insert the period's row if no one did; whether this transaction did."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    row = dict(
        period_start=period.since, period_until=period.until, queued_at=now, recipients=recipients
    )
    statement = dialect.insert(ReportSend).values(**row).on_conflict_do_nothing()
    # RETURNING says whether the row went in: the drivers' rowcount for INSERT is not
    # reliable (psycopg reports -1 here).
    inserted = statement.returning(ReportSend.period_start)
    return db.session.execute(inserted).scalar() is not None
