"""The words the blog shows about answers: "Answered by Ana Lima in 3 hours" under a reader
comment, and the About page's sentence on the last full month.

Written once, here: the thread API and the export carry each comment's ``answer_line``, the
export's figures carry ``last_month_sentence``, and the blog and its script only print them.
Pure functions of plain values: the Pelican plugin may read them without the service's app.
"""

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


def answer_line(answer: dict) -> str | None:
    """What a reader comment says about its answer, from its answer fields (threads._answer);
    staff answers and placeholders say nothing."""
    if answer["got_in_touch"]:
        return f"{answer['got_in_touch']} got in touch privately"
    seconds = answer["answered_after_seconds"]
    if answer["answered_by"] and seconds is not None:
        return f"Answered by {answer['answered_by']} in {duration_words(seconds)}"
    if answer["waiting"]:
        return "Waiting for an answer"
    return None


def last_month_sentence(month: dict) -> str | None:
    """The blog's last full month (figures.MonthFigures.as_dict) in one sentence, or None when
    there is nothing true to say."""
    share, median = month["share_answered"], month["median_seconds"]
    if share is None or not month["received"]:
        return None
    year, number = month["month"].split("-")
    sentence = f"In {MONTH_NAMES[int(number) - 1]} {year} we answered {share:.0%} of"
    sentence += " reader comments"
    if median is None:
        return sentence + "."
    return f"{sentence}; the median answer came in {duration_words(median)}."
