"""The words the blog shows about answers: "Answered by Ana Lima in 3 hours" under a reader
comment, and the About page's sentence on the last full month.

Written once, here, with the durations and months of ``words.times``, in the language
spoken (the blog's, for its readers): the thread API and the export carry each
comment's ``answer_line``, the export's figures carry ``last_month_sentence``, and the
blog and its script only print them. Functions of plain values and the language spoken.
"""

from flask_babel import gettext

from comments_service.words.times import duration_words, month_label


def answer_line(answer: dict) -> str | None:
    """What a reader comment says about its answer, from its answer fields (threads._answer);
    staff answers and placeholders say nothing."""
    if answer["got_in_touch"]:
        return gettext("%(name)s got in touch privately", name=answer["got_in_touch"])
    seconds = answer["answered_after_seconds"]
    if answer["answered_by"] and seconds is not None:
        return gettext(
            "Answered by %(name)s in %(wait)s",
            name=answer["answered_by"],
            wait=duration_words(seconds),
        )
    if answer["waiting"]:
        return gettext("Waiting for an answer")
    return None


def last_month_sentence(month: dict) -> str | None:
    """The blog's last full month (figures.MonthFigures.as_dict) in one sentence, or None when
    there is nothing true to say."""
    share, median = month["share_answered"], month["median_seconds"]
    if share is None or not month["received"]:
        return None
    said = {"month": month_label(month["month"]), "share": f"{share:.0%}"}
    if median is None:
        return gettext("In %(month)s we answered %(share)s of reader comments.", **said)
    return gettext(
        "In %(month)s we answered %(share)s of reader comments; the median answer came in "
        "%(wait)s.",
        wait=duration_words(median),
        **said,
    )
