"""Answer times on the blog: "Answered by Ana Lima in 3 hours" under each reader comment,
and the blog's own figures for a page that asks for them.

The words come from the fields the comment service puts on every node of a thread
(``answered_by``, ``answered_after_seconds``, ``got_in_touch``, ``waiting``); the article's script
(theme/static/js/porch-comments.js, ``answerLine``) writes the same words from the
same fields, with the same rounding, for the comments it adds live.
"""

import logging
import re

logger = logging.getLogger(__name__)

MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()


def duration_words(seconds: int) -> str:
    """A time to answer as people say it: "under a minute", "12 minutes", "3 hours", "2 days".

    Each unit is rounded to the nearest whole one, halves up: minutes up to 59, then
    hours up to 47, then days.
    """
    minutes = _rounded(seconds, 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return _counted(minutes, "minute")
    hours = _rounded(seconds, 3600)
    if hours < 48:
        return _counted(hours, "hour")
    return _counted(_rounded(seconds, 86400), "day")


def _rounded(seconds: int, size: int) -> int:
    return (seconds + size // 2) // size


def _counted(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def answer_line(node: dict) -> str | None:
    """What a reader comment says about its answer; staff answers and placeholders say nothing."""
    if node.get("got_in_touch"):
        return f"{node['got_in_touch']} got in touch privately"
    seconds = node.get("answered_after_seconds")
    if node.get("answered_by") and isinstance(seconds, int):
        return f"Answered by {node['answered_by']} in {duration_words(seconds)}"
    if node.get("waiting") is True:
        return "Waiting for an answer"
    return None


def last_month_sentence(figures) -> str | None:
    """The blog's last full month in one sentence, or None when there is nothing true to say.

    ``figures`` is the export's optional "figures" block; anything unexpected in it is
    logged and the page says nothing.
    """
    if figures is None:
        return None
    try:
        return _sentence(figures["last_month"])
    except (KeyError, TypeError, ValueError) as error:
        logger.error("Porch: ignoring the export's figures: %r", error)
        return None


def _sentence(month: dict) -> str | None:
    if not re.fullmatch(r"\d{4}-\d{2}", month["month"]):
        raise ValueError(f"not a month: {month['month']!r}")
    share, median = month["share_answered"], month["median_seconds"]
    if share is None or not month["received"]:
        return None
    year, number = month["month"].split("-")
    sentence = f"In {MONTH_NAMES[int(number) - 1]} {year} we answered {float(share):.0%} of"
    sentence += " reader comments"
    if median is None:
        return sentence + "."
    return f"{sentence}; the median answer came in {duration_words(int(median))}."
