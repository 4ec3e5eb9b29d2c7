"""A staff member chooses the language of their pages and mails on the settings page;
empty, they get the blog's (PORCH_LANGUAGE)."""

import re

import pytest

from comments_service.extensions import db
from comments_service.models import Staff
from comments_service.words import language

from .conftest import csrf_token


@pytest.fixture(autouse=True)
def german_shipped(monkeypatch):
    """German among the languages staff may choose, whether or not its catalog is built
    yet: without a catalog the words stay English, but the pages say they are German."""
    shipped = language.shipped_languages()
    if "de" not in shipped:
        monkeypatch.setattr(language, "shipped_languages", lambda: (*shipped, "de"))


def language_form(page: str) -> str:
    form = re.search(r'<form[^>]*action="/auth/settings/language".*?</form>', page, re.S)
    assert form, "no language form on the settings page"
    return form[0]


def choose(client, code: str):
    form = language_form(client.get("/auth/settings").get_data(as_text=True))
    return client.post(
        "/auth/settings/language", data={"language": code, "csrf_token": csrf_token(form)}
    )


def stored_language(app, staff: Staff) -> str | None:
    with app.app_context():
        return db.session.get(Staff, staff.id).language


def html_tag(client, path: str) -> str:
    return re.search(r"<html[^>]*>", client.get(path).get_data(as_text=True))[0]


def test_a_staff_member_chooses_german_and_back_the_blogs_language(app, client, make_staff, login):
    ana = make_staff("Ana Lima")
    assert login(ana).status_code == 303
    form = language_form(client.get("/auth/settings").get_data(as_text=True))
    assert "The blog’s language (English)" in form
    assert '<option lang="de" value="de">Deutsch</option>' in form
    assert html_tag(client, "/moderation/").startswith('<html lang="en"')

    chosen = choose(client, "de")
    assert chosen.status_code == 303
    assert stored_language(app, ana) == "de"
    assert html_tag(client, "/moderation/").startswith('<html lang="de"')
    settings = client.get("/auth/settings").get_data(as_text=True)
    assert '<option lang="de" selected value="de">' in language_form(settings)

    assert choose(client, "").status_code == 303
    assert stored_language(app, ana) is None
    assert html_tag(client, "/moderation/").startswith('<html lang="en"')


def test_a_language_without_words_is_refused_and_nothing_changes(app, client, make_staff, login):
    ana = make_staff("Ana Lima")
    login(ana)
    refused = choose(client, "xx")
    assert refused.status_code == 422
    assert "Not a valid choice" in language_form(refused.get_data(as_text=True))
    assert stored_language(app, ana) is None


def test_the_language_form_needs_its_csrf_token(app, client, make_staff, login):
    ana = make_staff("Ana Lima")
    login(ana)
    assert client.post("/auth/settings/language", data={"language": "de"}).status_code == 400
    assert stored_language(app, ana) is None
