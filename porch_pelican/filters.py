"""Jinja filters the theme prints people and comments with.

Written in Python rather than as template macros because they run for every comment
of every thread: a filter is a plain call, a macro call costs several times more.
The article's script (theme/static/js/porch-comments.js) writes the same words.
"""

from .structured_data import blog_posting

MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


def initials(name):
    """An avatar's letters: the first and last names' first letters, upper case ("?" for none)."""
    parts = (name or "?").split()
    if not parts:
        return ""
    return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()


def time_label(iso):
    """An ISO time in UTC as the pages print it: "5 March 2026, 23:59 UTC" (the rule of
    comments_service/words/times.py), or the day alone for a date."""
    if not iso or len(iso) < 10:
        return iso
    day = f"{_whole(iso[8:10])} {MONTH_NAMES[_whole(iso[5:7]) - 1]} {iso[:4]}"
    return f"{day}, {iso[11:16]} UTC" if len(iso) >= 16 else day


def _whole(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:
        return 0


FILTERS = {"initials": initials, "time_label": time_label, "blog_posting": blog_posting}
