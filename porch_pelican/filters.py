"""Jinja filters the theme prints people and comments with.

Written in Python rather than as template macros because they run for every comment
of every thread: a filter is a plain call, a macro call costs several times more.
The article's script (theme/static/js/porch-comments.js) writes the same words.
"""

from datetime import date

from jinja2 import pass_context

from .language import ENGLISH, day_label, moment_label, period_label
from .structured_data import blog_posting


def initials(name):
    """An avatar's letters: the first and last names' first letters, upper case ("?" for none)."""
    parts = (name or "?").split()
    if not parts:
        return ""
    return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()


def time_label(iso, locale=ENGLISH):
    """An ISO time in UTC as the pages print it, in the blog's language: "5 March 2026,
    23:59 UTC" (the rule of comments_service/words/times.py), or the day alone for a date."""
    if not iso or len(iso) < 10:
        return iso
    try:
        if len(iso) >= 16:
            return moment_label(iso[:16], locale)
        return day_label(date.fromisoformat(iso[:10]), locale)
    except ValueError:
        return iso


@pass_context
def time_label_filter(context, iso):
    """The ``time_label`` filter: ``time_label`` in the build's language."""
    return time_label(iso, context.get("PORCH_LOCALE", ENGLISH))


@pass_context
def period_label_filter(context, numbers):
    """The ``period_label`` filter: a period archive's ``period_num`` as a year, a month or a
    day in the build's language."""
    return period_label(numbers, context.get("PORCH_LOCALE", ENGLISH))


FILTERS = {
    "initials": initials,
    "time_label": time_label_filter,
    "period_label": period_label_filter,
    "blog_posting": blog_posting,
}
