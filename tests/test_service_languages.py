"""The service in each language it ships: complete catalogs, the blog's language agreed
through the posts manifest, and pages, errors and mails that keep no English message
(tests/language_support.py reads them as a person would).
"""

import json

import pytest
from babel import Locale
from flask_babel import force_locale, get_translations

from comments_service.extensions import db
from comments_service.models import OutboxMessage, Staff
from comments_service.words.language import FOLDER, shipped_languages
from porch_pelican.catalogs import check_catalogs, languages

from .conftest import PASSWORD, csrf_token
from .language_support import SERVICE_CATALOG, SHIPPED, english_left, english_messages, page_texts
from .mail_helpers import outbox_rows, post_comment

POST = {"slug": "solo", "title": "Solo", "path": "/solo/", "authors": ["Ana Lima"]}
DEFAULTS = {"per_page": 50, "page_url": "comments/{number}/"}
STAFF_PAGES = (
    "/moderation/",
    "/moderation/?view=held",
    "/moderation/?view=all",
    "/moderation/figures",
    "/moderation/report",
    "/moderation/readers",
    "/moderation/saved-replies",
    "/auth/settings",
)


def english(language: str):
    return english_messages(SERVICE_CATALOG, language)


def mail_texts(mail: OutboxMessage) -> list[str]:
    lines = [mail.subject, *mail.body_text.splitlines()]
    if mail.body_html:
        lines += page_texts(mail.body_html)
    return [" ".join(line.split()) for line in lines if line.strip()]


def test_every_shipped_catalog_is_complete_faithful_and_compiled():
    assert languages(FOLDER) == SHIPPED
    assert shipped_languages() == ("en", *SHIPPED)
    assert check_catalogs(FOLDER) == []


@pytest.mark.parametrize("language", SHIPPED)
def test_plural_forms_are_the_languages_own(app, language):
    category = Locale.parse(language).plural_form
    with app.test_request_context(), force_locale(language):
        translations = get_translations()
        form_of = {}
        for number in range(0, 1000):
            form_of.setdefault(category(number), set()).add(translations.plural(number))
    assert all(len(forms) == 1 for forms in form_of.values()), form_of


def test_a_language_babel_does_not_know_stops_the_service(app_with):
    with pytest.raises(ValueError, match="PORCH_LANGUAGE must name a language"):
        app_with(PORCH_LANGUAGE="klingon-ish")


# The blog and the service speak one language


def sync(app, tmp_path, **document):
    path = tmp_path / "porch-manifest.json"
    body = {"version": 2, "comments": DEFAULTS, "posts": [POST], **document}
    path.write_text(json.dumps(body), encoding="utf-8")
    return app.test_cli_runner().invoke(args=["posts", "sync", str(path)])


def test_posts_sync_refuses_a_blog_in_another_language(app_with, tmp_path):
    result = sync(app_with(PORCH_LANGUAGE="de"), tmp_path, language="fr")
    assert result.exit_code != 0
    assert "the blog is written in 'fr'" in result.output
    assert "this service speaks 'de' (its PORCH_LANGUAGE)" in result.output


@pytest.mark.parametrize("blog", ["de", "de-DE", None])
def test_a_blog_in_the_services_language_loads(app_with, tmp_path, blog):
    """de_DE and de-DE are one code; a manifest naming no language is taken as it is."""
    service = app_with(PORCH_LANGUAGE="de_DE" if blog == "de-DE" else "de")
    result = sync(service, tmp_path, **({"language": blog} if blog else {}))
    assert result.exit_code == 0, result.output


# Each shipped language, as the acceptance check reads German


@pytest.fixture(params=SHIPPED)
def blog_in(request, app_with, make_staff, make_post):
    """A service speaking the language, with Ana's post."""
    service = app_with(PORCH_LANGUAGE=request.param, PORCH_MIN_FILL_SECONDS=0)
    with service.app_context():
        make_staff("Ana Lima", email="ana@porch.test")
        make_post("hello", authors=("Ana Lima",), title="Hallo")
    service.language = request.param
    return service


def test_the_no_javascript_error_page_speaks_the_blogs_language(blog_in):
    answer = blog_in.test_client().post(
        "/api/posts/hello/comments",
        data={"author_name": "", "email": "lena@example", "body": ""},
        headers={"Origin": "http://blog.test"},
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    direction = "rtl" if blog_in.language == "ar" else "ltr"
    assert f'<html lang="{blog_in.language}" dir="{direction}">' in html
    assert english_left(page_texts(html), english(blog_in.language)) == {}
    assert "@-sign" not in html  # the address validator's reason is English only


def test_the_authors_mail_about_a_new_comment_speaks_the_blogs_language(blog_in):
    post_comment(blog_in.test_client(), body="Gibt es das auch offline?")
    mails = [mail for mail in outbox_rows(blog_in) if mail.recipient == "ana@porch.test"]
    assert mails
    for mail in mails:
        assert english_left(mail_texts(mail), english(blog_in.language)) == {}
        assert f'<html lang="{blog_in.language}"' in mail.body_html


def test_the_staff_pages_speak_the_blogs_language(blog_in):
    post_comment(blog_in.test_client(), body="Gibt es das auch offline?")
    client = blog_in.test_client()
    login_as(client, "ana@porch.test")
    for path in STAFF_PAGES:
        answer = client.get(path)
        assert answer.status_code == 200, path
        html = answer.get_data(as_text=True)
        assert f'<html lang="{blog_in.language}"' in html, path
        assert english_left(page_texts(html), english(blog_in.language)) == {}, path


def login_as(client, email: str) -> None:
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    answer = client.post(
        "/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code in (302, 303), answer.get_data(as_text=True)


@pytest.fixture
def german(app_with, make_staff, make_post):
    service = app_with(PORCH_LANGUAGE="de", PORCH_MIN_FILL_SECONDS=0)
    with service.app_context():
        make_staff("Ana Lima", email="ana@porch.test")
        make_post("hello", authors=("Ana Lima",), title="Hallo")
    return service


def test_a_staff_member_reads_their_own_language(german, make_staff):
    """A German blog; Chloé chose French for her pages."""
    with german.app_context():
        chloe = make_staff("Chloé Martin", email="chloe@porch.test")
        db.session.get(Staff, chloe.id).language = "fr"
        db.session.commit()
    client = german.test_client()
    login_as(client, "chloe@porch.test")
    html = client.get("/moderation/").get_data(as_text=True)
    assert '<html lang="fr"' in html
    assert english_left(page_texts(html), english("fr")) == {}


def test_an_english_page_would_be_caught(app):
    """The check can fail: measured against German, the English form page is English."""
    answer = app.test_client().post(
        "/api/posts/nowhere/comments",
        data={"author_name": "", "body": ""},
        headers={"Origin": "http://blog.test"},
    )
    found = english_left(page_texts(answer.get_data(as_text=True)), english("de"))
    assert {"There is no post '%(slug)s' to comment on.", "Skip to content"} <= set(found)
