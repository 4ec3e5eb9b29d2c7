"""The blog's language: the theme's words, its dates, its plural rules and its direction.

Pelican's ``DEFAULT_LANG`` names it ("de", "fr", "es", "ar", "pt_BR"). The theme's words
follow Pelican's convention for translated themes: Jinja's i18n extension, with gettext
catalogs in the theme's ``translations/<lang>/LC_MESSAGES/messages.mo`` (``invoke
translations`` makes them; docs/translating.md). English is the source, so a blog in
English, or in a language with no catalog yet, prints the English words. The plugin's
own words (a comment's markup, the comments feeds) come from the same catalog.

Dates are Babel's, in the language's own long form ("5 March 2026", "5. März 2026",
"5 mars 2026"), plural forms are the language's (CLDR's, through the catalog's
Plural-Forms), and a language written right to left ("ar", "he", "fa") sets ``dir="rtl"``.
"""

import os
from datetime import date, time
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from babel.support import NullTranslations, Translations

DOMAIN = "messages"
I18N_EXTENSION = "jinja2.ext.i18n"
# English dates as the blog has always printed them: the day before the month.
ENGLISH = "en_GB"
TRANSLATIONS_KEY = "PORCH_TRANSLATIONS"
# What Pelican's article and page generators hold their contents in.
CONTENT_LISTS = (
    "articles",
    "translations",
    "drafts",
    "drafts_translations",
    "pages",
    "hidden_pages",
    "draft_pages",
    "hidden_translations",
    "draft_translations",
)


def apply_language(settings):
    """Add Jinja's i18n extension and say the blog's locale, direction and catalog."""
    jinja = dict(settings["JINJA_ENVIRONMENT"])
    extensions = list(jinja.get("extensions", []))
    if I18N_EXTENSION not in extensions:
        extensions.append(I18N_EXTENSION)
    jinja["extensions"] = extensions
    settings["JINJA_ENVIRONMENT"] = jinja
    locale = blog_locale(settings.get("DEFAULT_LANG") or "en")
    settings["PORCH_LOCALE"] = str(locale)
    settings["PORCH_TEXT_DIRECTION"] = text_direction(locale)
    settings[TRANSLATIONS_KEY] = theme_translations(settings["THEME"], str(locale))


@cache
def blog_locale(lang: str) -> Locale:
    """The Babel locale of a Pelican language code; a clear error for one Babel lacks."""
    try:
        locale = Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError) as error:
        raise ValueError(
            f"DEFAULT_LANG = {lang!r} names no language Babel knows "
            "(use a code such as en, de, fr, es, ar or pt_BR)"
        ) from error
    return Locale.parse(ENGLISH) if str(locale) == "en" else locale


def text_direction(locale: Locale) -> str:
    """``rtl`` for a language written right to left, else ``ltr``."""
    return "rtl" if locale.character_order == "right-to-left" else "ltr"


@cache
def theme_translations(theme: str, locale: str) -> NullTranslations:
    """The theme's catalog for the locale (``de_AT`` falls back to ``de``), or none."""
    folder = os.path.join(theme, "translations")
    return Translations.load(folder, [locale, locale.split("_")[0]], DOMAIN)


def install_translations(generator):
    """Give the generator's Jinja environment the blog's catalog (``_``, ``ngettext``)."""
    translations = generator.settings.get(TRANSLATIONS_KEY) or NullTranslations()
    generator.env.install_gettext_translations(translations, newstyle=True)


def words(context) -> NullTranslations:
    """The catalog the plugin's Python prints its words with, from a template's context or
    the settings."""
    return context.get(TRANSLATIONS_KEY) or NullTranslations()


def localise_dates(generator):
    """Each article's and page's date in the blog's language (``locale_date``)."""
    locale = generator.settings.get("PORCH_LOCALE", ENGLISH)
    for name in CONTENT_LISTS:
        for content in getattr(generator, name, None) or []:
            if getattr(content, "date", None):
                content.locale_date = day_label(content.date, locale)
            if getattr(content, "modified", None):
                content.locale_modified = day_label(content.modified, locale)


@cache
def _day(day, locale: str) -> str:
    return format_date(day, "long", locale=locale)


def day_label(moment, locale: str = ENGLISH) -> str:
    """A day as the blog prints it: "5 March 2026", "5. März 2026"."""
    return _day(moment.date() if hasattr(moment, "date") else moment, locale)


def period_label(numbers, locale: str = ENGLISH) -> str:
    """A period archive's name from Pelican's ``period_num``: a year, a month ("March
    2026", "März 2026") or a day."""
    if len(numbers) == 1:
        return str(numbers[0])
    if len(numbers) == 2:
        return format_skeleton("yMMMM", date(numbers[0], numbers[1], 1), locale=locale)
    return _day(date(*numbers[:3]), locale)


@cache
def _moment_pattern(locale: str) -> str:
    return get_datetime_format("medium", locale=locale)


@cache
def _clock(hour: int, minute: int, locale: str) -> str:
    return format_time(time(hour, minute), "short", locale=locale)


@cache
def moment_label(iso_minute: str, locale: str = ENGLISH) -> str:
    """A UTC moment, to the minute ("2026-03-05T23:59"), as comments print it: "5 March
    2026, 23:59 UTC" (comments_service/words/times.py says the same). A clock that is no
    time is printed as it came; a day that is none raises ValueError."""
    day = _day(date.fromisoformat(iso_minute[:10]), locale)
    try:
        clock = _clock(int(iso_minute[11:13]), int(iso_minute[14:16]), locale)
    except ValueError:
        clock = iso_minute[11:16]
    return _moment_pattern(locale).format(f"{clock} UTC", day)
