"""The privacy page's requests are capped per address as well as per client.

A reader's address can be sent at most a few links, however many clients ask for
it; the cap answers known and unknown addresses alike, and Redis keeps no address.
"""

import uuid

import pytest
import redis
from sqlalchemy import func, select

from comments_service.extensions import db
from comments_service.models import OutboxMessage

from .conftest import BLOG_URL

REDIS_URL = "redis://127.0.0.1:6379/13"
KNOWN = "jo.quill@reader.test"


@pytest.fixture
def capped(app_with, make_post, make_comment):
    """Per client, far more than the test sends; per address, 3 an hour. Behind one proxy,
    so X-Forwarded-For is each request's client."""

    def build(**settings):
        app = app_with(
            RATELIMIT_ENABLED=True,
            PORCH_TRUSTED_PROXIES=1,
            PORCH_PRIVACY_RATE_LIMIT="100 per hour",
            PORCH_PRIVACY_ADDRESS_RATE_LIMIT="3 per hour",
            **settings,
        )
        post = make_post("hello")
        make_comment(post, author_email="Jo.Quill@Reader.Test")
        return app

    return build


def ask(client, email: str, client_number: int):
    """A request from the blog's privacy page, from its own client address."""
    return client.post(
        "/privacy/request",
        data={"email": email, "wish": "export"},
        headers={"Origin": BLOG_URL, "X-Forwarded-For": f"192.0.2.{client_number}"},
    )


def links_mailed(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.recipient == email)
        )


def test_one_address_gets_at_most_the_cap_from_many_clients(capped):
    app = capped()
    client = app.test_client()
    # The same mailbox however it is typed, each time from another client.
    spellings = [KNOWN, "JO.QUILL@reader.test", "jo.QUILL@READER.test", KNOWN, KNOWN]
    answers = [ask(client, email, n) for n, email in enumerate(spellings, start=1)]
    assert [answer.status_code for answer in answers] == [303, 303, 303, 429, 429]
    assert "this address" in answers[3].get_data(as_text=True)
    assert links_mailed(app, KNOWN) == 3
    assert ask(client, "someone.else@reader.test", 6).status_code == 303, "other addresses go on"


def test_the_cap_answers_known_and_unknown_addresses_alike(capped):
    app = capped()
    client = app.test_client()
    known = [ask(client, KNOWN, n) for n in range(1, 6)]
    unknown = [ask(client, "stranger@reader.test", n) for n in range(11, 16)]
    assert [a.status_code for a in known] == [b.status_code for b in unknown]
    assert [a.location for a in known] == [b.location for b in unknown]
    assert known[-1].get_data() == unknown[-1].get_data()
    assert links_mailed(app, "stranger@reader.test") == 0


def test_a_refused_form_does_not_use_up_the_owners_requests(capped):
    """Requests from other sites, or with a form that is wrong, send nothing and count nothing."""
    app = capped()
    client = app.test_client()
    for n in range(5):
        foreign = {"Origin": "https://evil.example", "X-Forwarded-For": f"192.0.2.{n + 1}"}
        refused = client.post(
            "/privacy/request", data={"email": KNOWN, "wish": "export"}, headers=foreign
        )
        assert refused.status_code == 403
    assert ask(client, KNOWN, 9).status_code == 303


@pytest.fixture
def redis_store():
    store = redis.Redis.from_url(REDIS_URL)
    store.ping()
    before = set(store.scan_iter("*privacy*"))
    yield store
    for key in set(store.scan_iter("*privacy*")) - before:  # this test's, not others'
        store.delete(key)
    store.close()


def test_redis_counts_each_address_without_keeping_it(capped, redis_store):
    app = capped(PORCH_RATELIMIT_STORAGE_URI=REDIS_URL)
    client = app.test_client()
    mailbox = f"cap-{uuid.uuid4().hex[:12]}@reader.test"
    answers = [ask(client, mailbox.upper(), n) for n in range(21, 25)]
    assert [answer.status_code for answer in answers] == [303, 303, 303, 429]
    keys = [key.decode() for key in redis_store.scan_iter("*")]
    local, domain = mailbox.split("@")
    assert not [key for key in keys if local in key.lower() or domain in key.lower()]
    assert any("privacy-address" in key for key in keys), keys
