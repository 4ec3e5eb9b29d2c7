"""Secrets in addresses never reach a log: real gunicorn and the development server.

Readers' privacy and subscription links, private feeds and readers' page keys carry
their secret in the path. Each server here runs on 127.0.0.1 with its own SQLite
file; its log is read after the requests, as an operator would read it.
"""

import shutil
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from comments_service import create_app
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Post, Staff, utcnow
from comments_service.services.accounts.staff import new_feed_address
from comments_service.services.moderation.readers import ReaderKeys
from comments_service.services.privacy.requests import PrivacyLinks
from comments_service.services.tokens import CONFIRM, UNSUBSCRIBE, Tokens

from .browser_support import ServiceProcess, clean_environment, free_port
from .conftest import BLOG_URL
from .server_support import Gunicorn, request

SECRET_KEY = "access-log-secret"
# Every atom of gunicorn's access log that can hold an address: the request line, the
# path, the query, the Referer, and the raw URI from the WSGI environ.
EVERY_ADDRESS_ATOM = '"%(r)s" %(U)s ?%(q)s "%(f)s" "%({referer}i)s" "%({raw_uri}e)s" %(s)s'


@pytest.fixture
def secrets_on_file(sqlite_template, tmp_path):
    """A SQLite service with a reader's comment and a staff member's private feed, and
    every kind of secret address that opens something of theirs."""
    path = tmp_path / "porch.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    app = create_app({"PORCH_DATABASE_URL": url, "PORCH_SECRET_KEY": SECRET_KEY})
    with app.app_context():
        post = Post(slug="hello", title="Hello", path="/2026/11/hello/")
        comment = Comment(
            post=post,
            author_name="Jo",
            author_email="jo@reader.test",
            body_markdown="A question",
            body_html="<p>A question</p>",
            status=CommentStatus.APPROVED,
            created_at=utcnow(),
            published_at=utcnow(),
        )
        staff = Staff(name="Ana Lima", email="ana@porch.test", password_hash="-")
        db.session.add_all([comment, staff])
        db.session.flush()
        feed = new_feed_address(staff)
        db.session.commit()
        links = PrivacyLinks.for_app(app)
        tokens = Tokens(SECRET_KEY)
        found = {
            "export": links.link("export", comment).split("/")[-1],
            "forget": links.link("forget", comment).split("/")[-1],
            # Links are checked for the secret in them only: any row's shape will do.
            "confirm": tokens.make(CONFIRM, comment),
            "unsubscribe": tokens.make(UNSUBSCRIBE, comment),
            "feed": feed,
            "reader": ReaderKeys(SECRET_KEY).make(comment.id, comment.link_key),
        }
        db.engine.dispose()
    env = clean_environment(DATABASE_URL=url, SECRET_KEY=SECRET_KEY, BLOG_URL=BLOG_URL)
    return SimpleNamespace(env=env, secrets=found)


def addresses(secrets: dict) -> list[str]:
    return [
        f"/privacy/export/{secrets['export']}",
        f"/privacy/export/{secrets['export']}/data.json",
        f"/privacy/forget/{secrets['forget']}",
        f"/subscriptions/confirm/{secrets['confirm']}",
        f"/subscriptions/unsubscribe/{secrets['unsubscribe']}",
        f"/feeds/waiting/{secrets['feed']}.atom",
        f"/moderation/readers/{secrets['reader']}",  # its sign-in redirect names it in ?next=
    ]


def visit(url: str, secrets: dict) -> list[int]:
    """Open every secret address, each sent from the erase page (a Referer with a secret)."""
    referer = {"Referer": f"{url}/privacy/forget/{secrets['forget']}"}
    return [request(url + path, headers=referer)[0] for path in addresses(secrets)]


def assert_no_secret(log: str, secrets: dict) -> None:
    for name, secret in secrets.items():
        assert secret not in log, f"the {name} secret is in the log"
        assert quote(secret, safe="") not in log, f"the {name} secret is in the log, encoded"


def assert_masked(log: str, secrets: dict, next_param: str) -> None:
    """No secret, and each address with its secret as ***; ``next_param``: how the
    sign-in redirect's ?next= reads in this log."""
    assert_no_secret(log, secrets)
    for masked in (
        "/privacy/export/***",
        "/privacy/export/***/data.json",
        "/privacy/forget/***",
        "/subscriptions/confirm/***",
        "/subscriptions/unsubscribe/***",
        "/feeds/waiting/***.atom",
        f"/auth/login?next={next_param}",
    ):
        assert masked in log, f"{masked} is not in the log:\n{log}"


def test_gunicorns_access_log_masks_every_secret_in_the_request_line(secrets_on_file, tmp_path):
    access_log = tmp_path / "access.log"
    env = {**secrets_on_file.env, "GUNICORN_ACCESSLOG": str(access_log)}
    server = Gunicorn(env, tmp_path / "gunicorn.log").start()
    try:
        statuses = visit(server.url, secrets_on_file.secrets)
    finally:
        server.stop()
    assert statuses == [200, 200, 200, 400, 400, 200, 200], "each address opened something"
    log = access_log.read_text()
    assert '"GET /privacy/forget/*** HTTP/1.1" 200' in log
    assert_masked(log, secrets_on_file.secrets, "%2Fmoderation%2Freaders%2F***")
    assert_no_secret(server.log(), secrets_on_file.secrets)


def test_every_address_atom_of_a_custom_access_log_format_is_masked(secrets_on_file, tmp_path):
    options = ("--access-logformat", EVERY_ADDRESS_ATOM)
    server = Gunicorn(secrets_on_file.env, tmp_path / "gunicorn.log", *options).start()
    try:
        visit(server.url, secrets_on_file.secrets)
    finally:
        server.stop()
    log = server.log()
    assert " /feeds/waiting/***.atom ?" in log, "the path atom"
    assert '"http://127.0.0.1:' in log and '/privacy/forget/***"' in log, "the Referer"
    assert_masked(log, secrets_on_file.secrets, "%2Fmoderation%2Freaders%2F***")


def test_the_development_servers_request_log_masks_every_secret(secrets_on_file, tmp_path):
    """`make run` serves with `flask run`: Werkzeug writes its own request log."""
    service = ServiceProcess(free_port(), secrets_on_file.env, tmp_path / "flask.log").start()
    try:
        visit(service.url, secrets_on_file.secrets)
    finally:
        service.stop()
    log = service.log()
    assert '"GET /privacy/forget/*** HTTP/1.1" 200' in log
    assert_masked(log, secrets_on_file.secrets, "/moderation/readers/***")  # Werkzeug decodes
