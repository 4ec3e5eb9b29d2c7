"""The words the blog shows about answers: "Answered by Ana Lima in 3 hours" under a reader
comment, and the About page's sentence on the last full month.

Written once, here, with the durations and months of ``words.times``: the thread API and
the export carry each comment's ``answer_line``, the export's figures carry
``last_month_sentence``, and the blog and its script only print them. Pure functions of
plain values.
"""

from comments_service.words.times import duration_words, month_label


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
    sentence = f"In {month_label(month['month'])} we answered {share:.0%} of"
    sentence += " reader comments"
    if median is None:
        return sentence + "."
    return f"{sentence}; the median answer came in {duration_words(median)}."
