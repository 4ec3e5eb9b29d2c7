"""The report as people read it: plain text (terminal, mail), HTML (page, mail, print)
and its two charts.

The moderation page and the standalone HTML document include the same template,
``report/_body.html``; the text follows it section by section. Everything is said in
the language spoken (words.language: the page's, or a mail recipient's with
``speaking``). Nothing here touches Flask globals but the language spoken: the page
passes the same context to Flask's own templates.
"""

from flask_babel import format_decimal, get_translations, gettext, lazy_gettext, ngettext
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from comments_service.config import UNTAGGED
from comments_service.services.report import figures
from comments_service.services.report.build import OPEN_QUOTED, Report, Week
from comments_service.services.report.charts import bar_chart, hours_tick, nice_hours, stacked_chart
from comments_service.words import times
from comments_service.words.language import as_text, kind_label, page_words

templates = Environment(
    loader=PackageLoader("comments_service", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    finalize=as_text,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
templates.filters.update(times.FILTERS)
# ``_("...")`` and ``ngettext`` in the language spoken, as in Flask's own templates.
templates.install_gettext_callables(
    gettext=lambda string: get_translations().ugettext(string),
    ngettext=lambda singular, plural, n: get_translations().ungettext(singular, plural, n),
    newstyle=True,
)
STEP_TITLES = {
    "passed_on": lazy_gettext("Passed on"),
    "acted_on": lazy_gettext("Acted on"),
    "declined": lazy_gettext("Declined"),
}


def context(report: Report) -> dict:
    """What the report's templates need besides the report: its charts and the words
    figures are shown in (services.figures; times have the filters of words.times)."""
    return {
        "report": report,
        "answer_time_chart": answer_time_chart(report.weeks),
        "kinds_chart": kinds_chart(report),
        "step_titles": {step: str(title) for step, title in STEP_TITLES.items()},
        "open_quoted": report.open_items[:OPEN_QUOTED],
        "open_unquoted": max(report.open_count - OPEN_QUOTED, 0),
        "share_text": figures.share_text,
        "week_label": week_label,
        # Under each chart's column: "W45", by the week's whole label.
        "week_numbers": {week_label(week): week_number(week) for week in report.weeks},
        "kind_name": kind_name,
        "number": format_decimal,
    }


def text(report: Report) -> str:
    return templates.get_template("report/report.txt").render(context(report))


def html(report: Report) -> str:
    """A document of its own (no navigation, styles inside), for mail and printing."""
    return templates.get_template("report/standalone.html").render(
        {**page_words(), **context(report)}
    )


def week_number(week: Week) -> str:
    """ "W45": the ISO week."""
    return gettext("W%(number)s", number=week.week.split("-W")[1])


def week_label(week: Week) -> str:
    """ "W45 (from 2 November 2026)": the ISO week and its Monday."""
    return gettext(
        "%(week)s (from %(day)s)", week=week_number(week), day=times.day_label(week.starts)
    )


def answer_time_chart(weeks: list[Week]):
    """The median time to the first answer, in hours, week by week."""
    hours = [None if w.median_seconds is None else w.median_seconds / 3600 for w in weeks]
    top = nice_hours(max((h for h in hours if h is not None), default=1))
    labels = {week.week: week_label(week) for week in weeks}
    points = [
        (
            week.week,
            value,
            ngettext(
                "median %(median)s (%(num)s answered)",
                "median %(median)s (%(num)s answered)",
                week.answered,
                median=times.duration(week.median_seconds),
            )
            if week.answered
            else gettext("no answers"),
        )
        for week, value in zip(weeks, hours, strict=True)
    ]
    return bar_chart(points, top, hours_tick, label=labels.get)


def kinds_chart(report: Report):
    """Reader comments by kind, week by week, stacked in the order of the report's kinds."""
    kinds = list(report.kinds)
    groups = [(week_label(w), [w.kinds[kind] for kind in kinds]) for w in report.weeks]
    return stacked_chart(groups, [kind_name(kind) for kind in kinds])


def kind_name(kind: str) -> str:
    """A kind as the report names it; comments without one have "no kind yet"."""
    return gettext("no kind yet") if kind == UNTAGGED else kind_label(kind)
