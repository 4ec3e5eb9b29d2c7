"""The words the blog shows about answers, written once by the service
(comments_service/words/answer_words.py): each comment's answer line and the About
page's sentence. The baked and live pages print them as given (test_figures_browser.py)."""

import pytest

from comments_service.words.answer_words import answer_line, last_month_sentence
from comments_service.words.times import duration_words

HOUR = 3600
NOT_ANSWERED = {
    "answered_by": None,
    "answered_after_seconds": None,
    "got_in_touch": None,
    "waiting": False,
}


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "under a minute"),
        (29, "under a minute"),
        (30, "1 minute"),
        (89, "1 minute"),
        (90, "2 minutes"),
        (12 * 60, "12 minutes"),
        (3569, "59 minutes"),
        (3570, "1 hour"),  # 59.5 minutes round up to an hour
        (5399, "1 hour"),
        (5400, "2 hours"),
        (3 * HOUR + 29 * 60, "3 hours"),
        (47 * HOUR + 29 * 60, "47 hours"),
        (47 * HOUR + 30 * 60, "2 days"),
        (3 * 24 * HOUR + 11 * HOUR, "3 days"),
        (3 * 24 * HOUR + 12 * HOUR, "4 days"),
    ],
)
def test_answer_times_are_rounded_to_the_nearest_unit(seconds, words):
    assert duration_words(seconds) == words


def test_an_answered_comment_says_who_answered_and_how_fast():
    answered = {**NOT_ANSWERED, "answered_by": "Ana Lima", "answered_after_seconds": 10800}
    assert answer_line(answered) == "Answered by Ana Lima in 3 hours"
    assert answer_line({**answered, "answered_after_seconds": 0}) == (
        "Answered by Ana Lima in under a minute"
    )


def test_a_private_answer_shown_says_who_got_in_touch():
    assert answer_line({**NOT_ANSWERED, "got_in_touch": "Ben Okafor"}) == (
        "Ben Okafor got in touch privately"
    )


def test_a_waiting_comment_says_so_and_the_others_say_nothing():
    assert answer_line({**NOT_ANSWERED, "waiting": True}) == "Waiting for an answer"
    assert answer_line(NOT_ANSWERED) is None  # staff answers, no answer needed, placeholders


MONTH = {"month": "2026-10", "received": 25, "share_answered": 0.96, "median_seconds": 14400}


def test_the_sentence_gives_the_share_and_the_median():
    assert last_month_sentence(MONTH) == (
        "In October 2026 we answered 96% of reader comments; the median answer came in 4 hours."
    )


def test_the_sentence_without_answers_gives_the_share_alone():
    unanswered = {**MONTH, "share_answered": 0.0, "median_seconds": None}
    assert last_month_sentence(unanswered) == "In October 2026 we answered 0% of reader comments."


def test_a_month_without_reader_comments_has_no_sentence():
    assert last_month_sentence({**MONTH, "received": 0, "share_answered": None}) is None
    assert last_month_sentence({**MONTH, "received": 0}) is None
