"""The monthly report by mail: queued at most once per period, whoever runs the job.

The period's row in ``report_sends`` is inserted first, with insert-or-ignore on its
unique start, in the same transaction as the messages: of two job runners at once,
the second waits for the first's row (SQLite's write lock, PostgreSQL's unique index),
inserts nothing and queues nothing. Each recipient reads it in their language: a staff
member's own (``Staff.language``), anyone else the blog's. Nothing here commits.
"""

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from comments_service.config import OpenKinds
from comments_service.extensions import db
from comments_service.models import ReportSend, Staff
from comments_service.service_urls import ServiceUrls
from comments_service.services.mail.outbox import Mail, enqueue
from comments_service.services.report import documents as report_documents
from comments_service.services.report.build import Period, build
from comments_service.words.language import speaking


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
    headers = {"X-Porch-Report": period.since.isoformat()}
    languages = _languages(recipients)
    said = {}  # the mail in each language, written once per language
    for recipient in recipients:
        language = languages.get(recipient.lower())
        if language not in said:
            with speaking(language):
                said[language] = (
                    gettext("What readers told us: %(period)s", period=period.label),
                    report_documents.text(report),
                    report_documents.html(report),
                )
        subject, text, html = said[language]
        enqueue(Mail(recipient, subject, text, html, headers), now)
    return len(recipients)


def _languages(recipients: tuple[str, ...]) -> dict[str, str | None]:
    """The language of each recipient who is a staff member, by lower-case address."""
    addresses = {recipient.lower() for recipient in recipients}
    rows = db.session.execute(
        select(func.lower(Staff.email), Staff.language).where(
            func.lower(Staff.email).in_(addresses)
        )
    )
    return {email: language for email, language in rows}


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
