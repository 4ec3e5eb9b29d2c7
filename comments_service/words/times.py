"""One way to say each kind of time, wherever the service says one.

The moderation pages, the mails (subjects and bodies), the CLI's text output, the
report (page, standalone document, mail, text) and the words the blog prints about
answers all format times here, and nowhere else; JSON (the API, exports, ``--json``)
keeps ISO 8601 text and numbers. Babel writes the words in the language spoken at the
time (words/language.py): its own long date, short time and the way it joins them.

- **A moment**: "1 November 2026, 14:05 UTC". Times are stored in UTC and shown in UTC,
  marked so. The blog's theme prints the same words (``porch_pelican/filters.py``
  ``time_label``, ``porch-comments.js``), with the machine-readable moment
  ("2026-11-01T14:05:00Z", whole seconds, no microseconds) in ``<time datetime>``.
- **A day**: "1 November 2026"; **a month**: "November 2026".
- **A duration** (a wait, a time to answer, a median): one unit, rounded to the nearest
  whole one, halves up, with the same boundaries everywhere: "under a minute", then
  minutes up to 59, hours up to 47, then days ("47 days": never weeks or months, whose
  lengths people count differently). A figure with nothing to measure reads "-".
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from babel.units import format_unit
from flask_babel import gettext

from comments_service.words.language import current_locale

NOTHING = "-"


def iso(moment) -> str:
    """The moment for ``<time datetime>`` and JSON: "2026-11-01T14:05:00Z"."""
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_label(moment) -> str:
    """A moment as people read it: "1 November 2026, 14:05 UTC"."""
    moment, locale = _utc(moment), current_locale()
    clock = _clock(moment.hour, moment.minute, locale)
    return _moment(locale).format(f"{clock} UTC", _long_day(moment.date(), locale))


# A page of cards says a moment per card, and Babel takes tens of microseconds for each
# part: the days and the minutes of the day are kept once said, the pattern read once.
@lru_cache(maxsize=16)
def _moment(locale: str) -> str:
    return get_datetime_format("medium", locale=locale)


@lru_cache(maxsize=4096)
def _long_day(day: date, locale: str) -> str:
    return format_date(day, "long", locale=locale)


@lru_cache(maxsize=4 * 24 * 60)
def _clock(hour: int, minute: int, locale: str) -> str:
    return format_time(time(hour, minute), "short", locale=locale)


def day_label(day) -> str:
    """A day: "1 November 2026"; of a moment, its day in UTC."""
    if isinstance(day, str | datetime):
        day = _utc(day).date()
    return _long_day(day, current_locale())


def month_label(month) -> str:
    """A calendar month, given as a day in it or as its key "2026-11": "November 2026"."""
    return _month(month, current_locale())


@lru_cache(maxsize=1024)
def _month(month, locale: str) -> str:
    """Kept once said, as durations are: the dashboard says one per author and month."""
    if isinstance(month, str):
        year, number = month.split("-")
        month = date(int(year), int(number), 1)
    return format_skeleton("yMMMM", month, locale=locale)


def duration_words(seconds: float) -> str:
    """A span of seconds as people say it: "under a minute", "12 minutes", "26 hours",
    "47 days" (the rule above)."""
    minutes = _rounded(seconds, 60)
    if minutes < 1:
        return gettext("under a minute")
    if minutes < 60:
        return _counted(minutes, "minute")
    hours = _rounded(seconds, 3600)
    if hours < 48:
        return _counted(hours, "hour")
    return _counted(_rounded(seconds, 86400), "day")


def duration(span: timedelta | float | None) -> str:
    """A span (a timedelta or seconds) in words; "-" for a figure with nothing to measure."""
    if span is None:
        return NOTHING
    seconds = span.total_seconds() if isinstance(span, timedelta) else span
    return duration_words(seconds)


def _rounded(seconds: float, size: int) -> int:
    return (max(int(seconds), 0) + size // 2) // size


def _counted(count: int, unit: str) -> str:
    return _said_count(count, unit, current_locale())


@lru_cache(maxsize=1024)
def _said_count(count: int, unit: str, locale: str) -> str:
    """Kept once said: Babel takes tens of microseconds to say one, and a dashboard at a
    million comments says hundreds (one per month, author and figure), mostly the same."""
    return format_unit(count, f"duration-{unit}", length="long", locale=locale)


def _utc(moment) -> datetime:
    """A moment in UTC, from a datetime (naive ones are UTC already) or ISO 8601 text
    (the report keeps its moments as text, for its JSON)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# The names templates call them by, in every Jinja environment of the service.
FILTERS = {
    "utc": utc_label,
    "utc_iso": iso,
    "day": day_label,
    "month": month_label,
    "duration": duration,
}
