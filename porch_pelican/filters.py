"""Jinja filters the theme prints people and comments with.

Written in Python rather than as template macros because they run for every comment
of every thread: a filter is a plain call, a macro call costs several times more.
The article's script (theme/static/js/porch-comments.js) writes the same words.
"""

MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


def initials(name):
    """An avatar's letters: the first and last names' first letters, upper case ("?" for none)."""
    parts = (name or "?").split()
    if not parts:
        return ""
    return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()


def day_label(iso):
    """The UTC day of an ISO time as the pages print it: "5 March 2026"."""
    if not iso or len(iso) < 10:
        return iso
    return f"{_whole(iso[8:10])} {MONTH_NAMES[_whole(iso[5:7]) - 1]} {iso[:4]}"


def _whole(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:
        return 0


FILTERS = {"initials": initials, "day_label": day_label}
