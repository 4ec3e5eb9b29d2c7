"""The answer-time figures for staff: tables per month and two charts drawn as SVG."""

from flask import abort, render_template, request
from flask_babel import format_decimal, gettext

from comments_service.extensions import db
from comments_service.models import utcnow
from comments_service.moderation import bp
from comments_service.services.report import figures
from comments_service.services.report.charts import bar_chart, hours_tick, nice_hours
from comments_service.words.times import duration

MOST_MONTHS = 120


@bp.get("/figures")
def figures_page():
    months = _months()
    result = figures.compute(utcnow(), months)
    db.session.commit()  # the finished months' percentiles it kept
    return render_template(
        "moderation/figures.html",
        result=result,
        months=months,
        share_chart=share_chart(result.blog),
        median_chart=median_chart(result.blog),
        share_text=figures.share_text,
    )


def _months() -> int:
    """How many months to show: ``?months=`` from 1 to MOST_MONTHS, else the default."""
    asked = request.args.get("months", str(figures.DEFAULT_MONTHS)).strip()
    if not (asked.isascii() and asked.isdigit() and 1 <= int(asked) <= MOST_MONTHS):
        abort(
            400,
            gettext(
                "Months must be a whole number from %(least)s to %(most)s.",
                least=1,
                most=MOST_MONTHS,
            ),
        )
    return int(asked)


def share_chart(per_month: list[figures.MonthFigures]):
    """The share of reader comments answered, month by month."""
    points = [(m.month, m.share_answered, _share_words(m)) for m in per_month]
    return bar_chart(points, 1, lambda value: f"{value:.0%}")


def median_chart(per_month: list[figures.MonthFigures]):
    """The median time to the first staff answer, in hours, month by month."""
    hours = [None if m.median_seconds is None else m.median_seconds / 3600 for m in per_month]
    top = nice_hours(max((h for h in hours if h is not None), default=1))
    points = [
        (
            m.month,
            h,
            gettext("median %(time)s", time=duration(m.median_seconds))
            if m.answered
            else gettext("no answers"),
        )
        for m, h in zip(per_month, hours, strict=True)
    ]
    return bar_chart(points, top, hours_tick)


def _share_words(month: figures.MonthFigures) -> str:
    if month.share_answered is None:
        return gettext("no comments to answer")
    counted = month.answered + month.waiting
    return gettext(
        "%(share)s of %(count)s answered",
        share=figures.share_text(month.share_answered),
        count=format_decimal(counted),
    )
