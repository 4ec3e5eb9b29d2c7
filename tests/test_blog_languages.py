"""The blog in each language it ships: complete catalogs, CLDR's plural forms, and built
pages that keep no English word of the theme's.

The check of a built page compares its text with the catalog's English source
(tests/language_support.py).
"""

import json
import re
from pathlib import Path

import pytest
from babel import Locale

from porch_pelican.catalogs import check_catalogs, languages
from porch_pelican.language import theme_translations

from .language_support import (
    BLOG_CATALOG,
    SHIPPED,
    english_left,
    english_messages,
    page_texts,
)
from .site_support import ROOT, build_sample_site

CATALOGS = BLOG_CATALOG
EXPORT = Path(__file__).parent / "fixtures" / "comments-export.json"
ARTICLE = "2026/11/hello-porch/index.html"
PAGES = [
    "index.html",
    ARTICLE,
    "2026/11/hello-porch/comments.atom",
    "archives/index.html",
    "2026/index.html",
    "2026/11/index.html",
    "authors/index.html",
    "authors/ana-lima/index.html",
    "categories/index.html",
    "tags/index.html",
    "404.html",
    "privacy/index.html",
]


def file_texts(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".atom":  # a feed: the titles and subtitle a feed reader shows
        return re.findall(r"<(?:title|subtitle)>([^<]*)</", text)
    return page_texts(text)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample blog built in English and in each shipped language."""
    sites = {}
    for language in ["en", *SHIPPED]:
        folder = tmp_path_factory.mktemp(f"blog-{language}")
        output, _ = build_sample_site(folder, EXPORT, DEFAULT_LANG=language)
        sites[language] = output
    return sites


def test_every_shipped_catalog_is_complete_faithful_and_compiled():
    assert languages(str(CATALOGS)) == SHIPPED
    assert check_catalogs(str(CATALOGS)) == []


def test_a_catalog_check_names_what_is_wrong(tmp_path):
    """An untranslated message, a lost placeholder and a stale compiled file are reported."""
    folder = tmp_path / "translations"
    (folder / "de" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "messages.pot").write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "Posts by %(name)s"\nmsgstr ""\n\nmsgid "Reply"\nmsgstr ""\n',
        encoding="utf-8",
    )
    (folder / "de" / "LC_MESSAGES" / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Posts by %(name)s"\nmsgstr "Beiträge von %(author)s"\n\n'
        'msgid "Reply"\nmsgstr ""\n',
        encoding="utf-8",
    )
    problems = "\n".join(check_catalogs(str(folder)))
    assert "'Posts by %(name)s' form 0 says ['author'], the source ['name']" in problems
    assert "'Reply' has no translation" in problems
    assert "messages.mo is missing" in problems


@pytest.mark.parametrize("language", SHIPPED)
def test_plural_forms_are_the_languages_own(language):
    """The catalog picks a form by CLDR's category of the number, for every number."""
    translations = theme_translations(str(ROOT / "theme"), language)
    category = Locale.parse(language).plural_form
    form_of = {}
    for number in range(0, 1000):
        form_of.setdefault(category(number), set()).add(translations.plural(number))
    assert all(len(forms) == 1 for forms in form_of.values()), form_of
    assert len({next(iter(forms)) for forms in form_of.values()}) == len(form_of)


PLURAL_EXPECTED = {
    # 0, 1, 2, 5 and 11 comments, as a summary counts them.
    "de": ["0 Kommentare", "1 Kommentar", "2 Kommentare", "5 Kommentare", "11 Kommentare"],
    "es": ["0 comentarios", "1 comentario", "2 comentarios", "5 comentarios", "11 comentarios"],
    "fr": ["0 commentaire", "1 commentaire", "2 commentaires", "5 commentaires", "11 commentaires"],
}


@pytest.mark.parametrize("language", SHIPPED)
def test_counted_words_take_the_form_of_their_number(language):
    translations = theme_translations(str(ROOT / "theme"), language)
    said = [
        translations.ngettext("%(num)s comment", "%(num)s comments", n) % {"num": n}
        for n in (0, 1, 2, 5, 11, 100)
    ]
    if language == "ar":  # six forms: zero, one, two, few (3-10), many (11-99), other
        assert len(set(said)) == 6, said
    else:
        assert said[:5] == PLURAL_EXPECTED[language]


@pytest.mark.parametrize("language", SHIPPED)
def test_built_pages_keep_no_english_word_of_the_theme(built, language):
    messages = english_messages(CATALOGS, language)
    assert messages, "the catalog translates nothing"
    left = {page: english_left(file_texts(built[language] / page), messages) for page in PAGES}
    assert {page: found for page, found in left.items() if found} == {}


def test_the_english_build_would_be_caught(built):
    """The check can fail: measured against German, the English pages are all English."""
    found = english_left(file_texts(built["en"] / ARTICLE), english_messages(CATALOGS, "de"))
    assert {"Post comment", "Your name", "Reply", "Skip to content"} <= set(found)


@pytest.mark.parametrize(
    ("language", "direction", "day"),
    [
        ("ar", "rtl", "2 نوفمبر 2026"),
        ("de", "ltr", "2. November 2026"),
        ("fr", "ltr", "2 novembre 2026"),
    ],
)
def test_pages_say_their_language_direction_and_dates(built, language, direction, day):
    article = (built[language] / ARTICLE).read_text(encoding="utf-8")
    assert f'<html lang="{language}" dir="{direction}">' in article
    assert f">{day}</time>" in article


def test_the_script_gets_its_words_from_the_page(built):
    article = (built["de"] / ARTICLE).read_text(encoding="utf-8")
    words = json.loads(
        re.search(
            r'<script type="application/json" id="porch-words">(.*?)</script>', article
        ).group(1)
    )
    assert words["locale"] == "de"
    assert words["reply_to"] == " an {name}"
    assert set(words["edit_left"]) == {"one", "other"}
    arabic = (built["ar"] / ARTICLE).read_text(encoding="utf-8")
    words = json.loads(re.search(r'id="porch-words">(.*?)</script>', arabic).group(1))
    assert set(words["edit_left"]) == {"zero", "one", "two", "few", "many", "other"}
    assert "{num}" in words["edit_left"]["few"]


def test_a_month_archive_is_named_in_the_language(built):
    month = (built["de"] / "2026" / "11" / "index.html").read_text(encoding="utf-8")
    assert "November 2026" in month
    spanish = (built["es"] / "2026" / "11" / "index.html").read_text(encoding="utf-8")
    assert "noviembre de 2026" in spanish
