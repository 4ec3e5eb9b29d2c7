"""The words porch-comments.js says, in the blog's language, baked into the page it runs on.

The script has no catalog of its own: the comment section carries these in a small JSON
block (``_comments.html``), so the script's weight does not grow with the languages.
Placeholders come as ``{name}`` (gettext's ``%(name)s``, shorter for the script to fill
in), and a word whose form depends on a number comes once for each of the language's
plural categories (CLDR's "zero", "one", "two", "few", "many", "other"): the script picks
one with ``Intl.PluralRules``.
"""

import re
from functools import cache

from babel import Locale
from babel.dates import get_datetime_format
from jinja2 import pass_context

from .language import ENGLISH, words

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Numbers enough to meet every plural category of every language CLDR knows.
SAMPLES = range(0, 1001)


@pass_context
def script_words(context) -> dict:
    """The ``porch_script_words()`` global: every word of the script, by its key."""
    return _script_words(words(context), context.get("PORCH_LOCALE", ENGLISH))


@cache
def _script_words(t, locale: str) -> dict:
    return {key: braced(value) for key, value in _said(t, locale).items()}


def braced(words):
    """``%(name)s`` as ``{name}``, in a text or in each form of a plural."""
    if isinstance(words, dict):
        return {key: braced(value) for key, value in words.items()}
    return PLACEHOLDER.sub(r"{\1}", words)


def _said(t, locale: str) -> dict:
    return {
        "locale": locale.replace("_", "-"),
        # Babel's joining of a day and a time ("{1}, {0} UTC": "5 March 2026, 23:59 UTC").
        "moment": get_datetime_format("medium", locale=locale).replace("{0}", "{0} UTC"),
        "post_reply": t.gettext("Post reply"),
        "your_reply": t.gettext("Your reply"),
        "held": t.gettext("Awaiting a check: only you see it for now."),
        "edited_by_team": " · " + t.gettext("edited by the team"),  # after the time
        "removed_comment": t.gettext("a removed comment"),
        "reply_to": t.gettext(" to %(name)s"),
        "pages": t.gettext("Pages %(first)s to %(last)s of %(pages)s"),
        "not_sent": t.gettext("Sorry, your comment could not be sent (error %(status)s)."),
        "unreachable": t.gettext(
            "Your comment was not sent: the server could not be reached. Your text is kept; "
            "try again."
        ),
        "edit": t.gettext("Edit"),
        "delete": t.gettext("Delete"),
        "preview": t.gettext("Preview"),
        "save": t.gettext("Save"),
        "cancel": t.gettext("Cancel"),
        "your_comment": t.gettext("Your comment"),
        "delete_ask": t.gettext("Delete your comment?"),
        "try_again": t.gettext("Not sent: try again."),
        "edit_left": plural_forms(
            locale,
            lambda n: t.ngettext(
                "You can edit this for %(num)s more minute.",
                "You can edit this for %(num)s more minutes.",
                n,
            ),
        ),
    }


def plural_forms(locale: str, said) -> dict:
    """A message in each plural category of the locale, ``said(number)`` for a number of
    that category: {"one": ..., "other": ...}."""
    rule = Locale.parse(locale).plural_form
    forms = {}
    for number in SAMPLES:
        if rule(number) not in forms:
            forms[rule(number)] = said(number)
    return forms
