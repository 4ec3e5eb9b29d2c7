"""The language the service speaks: the blog's (``PORCH_LANGUAGE``), or a staff member's own.

Flask-Babel translates pages, forms, errors, mails and the CLI's sentences from the
catalogs in ``comments_service/translations`` (``invoke translations``;
docs/translating.md). JSON field names and error codes stay English; their messages are
translated. A page for staff speaks the language they chose on their settings page, if
any; a mail speaks its recipient's (``speaking``); everything else the blog's.
"""

import os
from contextlib import contextmanager
from functools import cache

from babel import Locale
from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import force_locale, get_locale, lazy_gettext
from flask_babel.speaklater import LazyString
from sqlalchemy.exc import SQLAlchemyError

FOLDER = os.path.join(os.path.dirname(os.path.dirname(__file__)), "translations")
# The blueprints of staff pages: the only ones said in a staff member's own language.
STAFF_PAGES = frozenset({"moderation", "auth"})
# English dates as the blog prints them: the day before the month.
ENGLISH_DATES = "en_GB"


def page_language() -> str:
    """Flask-Babel's locale selector: on staff pages the signed-in staff member's language,
    else the blog's. Everything readers get (the API's threads, which are cached and baked
    into pages, and the readers' pages) is in the blog's, whoever asks."""
    if has_request_context() and request.blueprint in STAFF_PAGES:
        chosen = _signed_in_language()
        if chosen:
            return chosen
    return current_app.config["PORCH_LANGUAGE"]


def _signed_in_language() -> str | None:
    """The language of the staff member this request has already loaded, if any. Asking
    ``current_user`` would load them: an error page written while the database is away
    must not ask it (a 503 would become a 500)."""
    try:
        return getattr(g.get("_login_user"), "language", None)
    except SQLAlchemyError:  # loaded before the database went away, and expired since
        return None


@contextmanager
def speaking(language: str | None):
    """Say what is said inside in this language (a mail's recipient's), else the blog's."""
    with force_locale(language or current_app.config["PORCH_LANGUAGE"]):
        yield


def as_text(value):
    """Jinja's ``finalize`` for the service's templates: a lazily translated message prints
    as the text it is, escaped like any other. (Flask-Babel's lazy strings call themselves
    HTML, which would print a translation's ``&`` or ``<`` as markup.)"""
    return str(value) if isinstance(value, LazyString) else value


# The default comment kinds (PORCH_COMMENT_KINDS) keep their keys in addresses, forms and
# JSON; pages and mails name them in the language spoken. A kind the operator named is
# shown as it was named.
DEFAULT_KINDS = {
    "question": lazy_gettext("question"),
    "idea": lazy_gettext("idea"),
    "problem": lazy_gettext("problem"),
    "praise": lazy_gettext("praise"),
}


def kind_label(kind: str) -> str:
    """A comment kind as people read it: "Frage" for "question" on a German page."""
    return str(DEFAULT_KINDS.get(kind, kind))


def current_locale() -> str:
    """The locale dates, times and numbers are said in now: "en_GB" for English."""
    if not has_app_context():
        return ENGLISH_DATES
    locale = get_locale()
    name = str(locale) if locale else "en"
    return ENGLISH_DATES if name == "en" else name


def page_words() -> dict:
    """What every template says its language with: ``<html lang dir>``."""
    locale = current_locale()
    return {
        "html_lang": "en" if locale == ENGLISH_DATES else locale.replace("_", "-"),
        "text_direction": text_direction(),
    }


def text_direction() -> str:
    """``rtl`` for a language written right to left, else ``ltr``."""
    locale = get_locale() if has_app_context() else None
    return "rtl" if locale and locale.character_order == "right-to-left" else "ltr"


@cache
def shipped_languages() -> tuple[str, ...]:
    """The languages with a catalog, English (the source) first."""
    found = sorted(
        name
        for name in os.listdir(FOLDER)
        if os.path.isfile(os.path.join(FOLDER, name, "LC_MESSAGES", "messages.mo"))
    )
    return ("en", *found)


def language_choices(blog_language: str) -> list[tuple[str, str]]:
    """(code, name in its own language) for each language staff may choose, the blog's
    first."""
    codes = dict.fromkeys([blog_language, *shipped_languages()])
    return [(code, own_name(code)) for code in codes]


@cache
def own_name(code: str) -> str:
    """A language's name in that language: "Deutsch", "français", "العربية"."""
    locale = Locale.parse(code)
    return locale.get_display_name(locale) or code
