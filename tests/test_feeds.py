"""Private Atom feeds: what waits for one staff member, at a secret, revocable address."""

import hashlib
import re
from urllib.parse import urlsplit

import feedparser
import pytest

from comments_service.extensions import db
from comments_service.models import Staff, utcnow

from .conftest import csrf_token


def new_feed_address(client) -> str:
    """Press "Make a new address" on the settings page; return the address it shows."""
    page = client.get("/auth/settings").get_data(as_text=True)
    response = client.post("/auth/settings/feed", data={"csrf_token": feed_form_token(page)})
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    return re.search(r'id="feed-url"[^>]*readonly[^>]*>([^<]+)</textarea>', html).group(1)


def feed_form_token(page: str) -> str:
    return csrf_token(page.split('id="feed-title"')[1])


def fetch(client, address: str):
    return client.get(urlsplit(address).path)


@pytest.fixture
def ana_signed_in(client, make_staff, login):
    ana = make_staff("Ana Lima")
    login(ana)
    return ana


def test_feed_lists_only_the_comments_waiting_for_its_owner_as_valid_atom(
    client, ana_signed_in, make_post, make_comment
):
    hello = make_post("hello", title="Hello Porch")
    make_comment(
        hello,
        name="Priya",
        body_markdown="Where is\nthe export?",
        minutes_ago=90,
        author_email="priya@example.com",
    )
    make_comment(hello, name="Lee", minutes_ago=30)
    make_comment(hello, name="Answered", answered_at=utcnow(), answered_by_id=ana_signed_in.id)
    make_comment(make_post("bens", authors=("Ben Okafor",)), name="Elsewhere")
    address = new_feed_address(client)
    assert address.startswith("http://127.0.0.1:5000/feeds/waiting/")

    response = fetch(client, address)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    body = response.get_data(as_text=True)
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Waiting for Ana Lima"
    assert [entry.title for entry in feed.entries] == [
        "Priya on “Hello Porch”",
        "Lee on “Hello Porch”",
    ]
    first = feed.entries[0]
    assert first.summary == "Where is the export?"
    assert first.author == "Priya"
    assert re.fullmatch(r"http://127\.0\.0\.1:5000/moderation/#comment-\d+", first.link)
    assert "priya@example.com" not in body


def test_a_new_address_revokes_the_old_one(client, ana_signed_in):
    old = new_feed_address(client)
    assert fetch(client, old).status_code == 200
    new = new_feed_address(client)
    assert new != old
    assert fetch(client, old).status_code == 404
    assert fetch(client, new).status_code == 200


def test_turning_the_feed_off_ends_its_address(client, ana_signed_in):
    address = new_feed_address(client)
    page = client.get("/auth/settings").get_data(as_text=True)
    token = csrf_token(page.split("Turn the feed off")[0].rsplit("<form", 1)[1])
    assert client.post("/auth/settings/feed/off", data={"csrf_token": token}).status_code == 303
    assert fetch(client, address).status_code == 404
    assert "Turn the feed off" not in client.get("/auth/settings").get_data(as_text=True)


def test_only_a_hash_of_the_secret_is_stored(app, client, ana_signed_in):
    secret = new_feed_address(client).rsplit("/", 1)[1].removesuffix(".atom")
    with app.app_context():
        stored = db.session.get(Staff, ana_signed_in.id).feed_token_hash
    assert stored == hashlib.sha256(secret.encode()).hexdigest()


@pytest.mark.parametrize("path", ["/feeds/waiting/guessed.atom", "/feeds/waiting/.atom"])
def test_a_wrong_address_is_not_found(client, ana_signed_in, path):
    new_feed_address(client)
    assert client.get(path).status_code == 404


def test_a_deactivated_account_has_no_feed(app, client, ana_signed_in):
    address = new_feed_address(client)
    with app.app_context():
        db.session.get(Staff, ana_signed_in.id).active = False
        db.session.commit()
    assert fetch(client, address).status_code == 404


def test_the_feed_needs_no_sign_in_but_making_an_address_needs_the_csrf_token(
    app, client, ana_signed_in
):
    address = new_feed_address(client)
    signed_out = app.test_client()
    assert fetch(signed_out, address).status_code == 200
    assert client.post("/auth/settings/feed", data={}).status_code == 400
    assert fetch(client, address).status_code == 200


def test_settings_page_says_an_address_exists_without_showing_it(client, ana_signed_in):
    address = new_feed_address(client)
    page = client.get("/auth/settings").get_data(as_text=True)
    assert "You have a feed address." in page
    assert address not in page
