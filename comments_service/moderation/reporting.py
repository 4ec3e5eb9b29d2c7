"""The report "What readers told us" for staff: a period's page, printable."""

from flask import current_app, render_template, request
from flask_babel import gettext
from flask_login import current_user

from comments_service.config import comment_kinds, open_kinds
from comments_service.extensions import db
from comments_service.models import utcnow
from comments_service.moderation import bp
from comments_service.service_urls import ServiceUrls
from comments_service.services.report import documents as report_documents
from comments_service.services.report.build import PeriodError, build, day_from, period_of


@bp.get("/report")
def report_page():
    since, until = (request.args.get(name, "").strip() for name in ("since", "until"))
    try:
        # The fields' names, as their labels say them, for the message of a wrong day.
        period = period_of(
            day_from(since, gettext("Since")), day_from(until, gettext("Until")), utcnow()
        )
    except PeriodError as error:
        page = render_template(
            "moderation/report.html",
            report=None,
            error=str(error),
            since=_date_field_value(since),
            until=_date_field_value(until),
        )
        return page, 400
    config = current_app.config
    report = build(
        period,
        utcnow(),
        comment_kinds(config),
        ServiceUrls.of(current_app),
        current_user,
        open_kinds=open_kinds(config),
    )
    db.session.commit()  # the finished month's percentiles it kept
    return render_template(
        "moderation/report.html",
        error=None,
        since=period.since.isoformat(),
        until=period.until.isoformat(),
        **report_documents.context(report),
    )


def _date_field_value(text: str) -> str:
    """What a date field can show again: the day typed, or nothing when it is not one
    (the error message quotes what was typed)."""
    try:
        return text if day_from(text, "") else ""
    except PeriodError:
        return ""
