"""Held and spam comments say on their card why they are there, in plain words, and their
links stay text until a person approves them."""

import re

import pytest

from comments_service.extensions import db
from comments_service.models import Comment, Staff
from comments_service.services.moderation import decisions
from comments_service.services.moderation.held_reasons import plain_words
from comments_service.words.rendering import inert_links, render_comment

from . import akismet_server as fake
from .conftest import csrf_token
from .test_akismet import akismet_service, checked_app, post_comment  # noqa: F401
from .test_answered_never_overdue import card

FIVE_LINKS = " ".join(f"[site {n}](https://s{n}.example/buy?a=1&b=2)" for n in range(5))


def why(html: str, comment_id: int) -> str:
    found = re.search(r'<p class="held-reason">(.*?)</p>', card(html, comment_id), re.S)
    assert found, f"no reason on the card of comment {comment_id}"
    return re.sub(r"<[^>]+>", "", found[1])


@pytest.fixture
def ana(make_staff, make_post):
    make_post("hello")
    return make_staff("Ana Lima")


def tab(app, login_as, view: str) -> str:
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    data = {"email": login_as.email, "password": "correct horse battery"}
    client.post("/auth/login", data={**data, "csrf_token": csrf_token(page)})
    return client.get(f"/moderation/?view={view}").get_data(as_text=True), client


@pytest.mark.parametrize(
    ("answer", "view", "words"),
    [
        (fake.SPAM, "spam", "Why spam: Akismet said spam"),
        (
            fake.BROKEN,
            "held",
            "Why held: the spam guard could not reach Akismet (Akismet answered HTTP 500)",
        ),
    ],
)
def test_akismets_word_is_on_the_card(checked_app, akismet_service, ana, answer, view, words):  # noqa: F811
    akismet_service.answer("comment-check", answer)
    app = checked_app()
    comment_id = post_comment(app.test_client()).get_json()["id"]
    html, _ = tab(app, ana, view)
    assert why(html, comment_id) == words


@pytest.mark.parametrize(
    ("settings", "fields", "view", "words"),
    [
        ({}, {"body": FIVE_LINKS}, "held", "Why held: 5 links"),
        ({}, {"fill_seconds": 0.4}, "spam", "Why spam: sent too fast"),
        (
            {"PORCH_MODERATION_POLICY": "first-time"},
            {"email": "new@example.org"},
            "held",
            "Why held: first comment from this address",
        ),
        (
            {"PORCH_MODERATION_POLICY": "queue"},
            {},
            "held",
            "Why held: moderation policy: every comment is held",
        ),
    ],
)
def test_the_guards_and_the_policys_reasons_are_on_the_card(
    app_with, ana, settings, fields, view, words
):
    app = app_with(**settings)
    response = post_comment(app.test_client(), **fields)
    assert response.status_code == 201, response.get_json()
    html, _ = tab(app, ana, view)
    assert why(html, response.get_json()["id"]) == words


def test_a_person_who_marked_it_spam_is_named(app, ana, make_post, make_comment):
    comment = make_comment(make_post("other", authors=("Ana Lima",)))
    with app.app_context():
        decisions.mark_spam(db.session.get(Comment, comment.id), db.session.get(Staff, ana.id))
        db.session.commit()
    html, _ = tab(app, ana, "spam")
    assert why(html, comment.id) == "Why spam: Ana Lima marked it spam"


def test_published_comments_say_no_reason(app, ana, make_post, make_comment):
    comment = make_comment(make_post("other", authors=("Ana Lima",)))
    html, _ = tab(app, ana, "waiting")
    assert card(html, comment.id) and 'class="held-reason"' not in card(html, comment.id)


def test_links_in_a_held_comment_are_text_until_it_is_approved(app_with, ana):
    app = app_with()
    comment_id = post_comment(app.test_client(), body=FIVE_LINKS).get_json()["id"]
    html, client = tab(app, ana, "held")
    held = card(html, comment_id)
    assert '<a href="https://s' not in held
    assert held.count('<span class="inert-link">') == 5
    assert '<span class="inert-url">(https://s0.example/buy?a=1&amp;b=2)</span>' in held
    approve = re.search(rf'action="(/moderation/comments/{comment_id}/approve[^"]*)"', held)[1]
    client.post(approve.replace("&amp;", "&"), data={"csrf_token": csrf_token(html)})
    published = card(client.get("/moderation/?view=waiting").get_data(as_text=True), comment_id)
    assert published.count('<a href="https://s') == 5
    assert "inert-link" not in published and 'class="held-reason"' not in published


def test_inert_links_keep_every_other_tag_and_show_an_address_only_when_it_is_not_said():
    html = render_comment(
        "**Look**: [here](https://a.example/x) or https://b.example/ or me@c.example\n\n> `q`"
    )
    inert = inert_links(html)
    assert "<a " not in inert
    assert (
        '<span class="inert-link">here <span class="inert-url">(https://a.example/x)</span>'
        in inert
    )
    assert '<span class="inert-link">https://b.example/</span>' in inert
    assert '<span class="inert-link">me@c.example</span>' in inert
    assert (
        "<strong>Look</strong>" in inert and "<blockquote>" in inert and "<code>q</code>" in inert
    )


def test_stored_reasons_read_as_plain_words_and_unknown_ones_as_they_are():
    stored = "4 links (more than 3); first comment from this email address (policy: first-time)"
    assert plain_words(stored) == ["4 links", "first comment from this address"]
    assert plain_words("Akismet: blatant spam (discard)") == ["Akismet said blatant spam"]
    assert plain_words("honeypot field was filled in") == ["filled in a field only robots see"]
    assert plain_words("on the blocklist: domain spam.example") == [
        "on the blocklist: domain spam.example"
    ]
