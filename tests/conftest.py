"""Fixtures: a real database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

import os
import re
import shutil
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app, has_app_context
from flask_migrate import upgrade
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import text

from comments_service import create_app
from comments_service.extensions import db
from comments_service.models import Comment, CommentStatus, Post, PostAuthor, Role, Staff
from comments_service.service_urls import ServiceUrls
from comments_service.services.accounts.passwords import hash_password

from .browser_support import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from .porch_support import PorchSite

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
BLOG_URL = "http://blog.test"
PASSWORD = "correct horse battery"
TABLES = (
    "report_sends, subscriptions, subscriber_addresses, mail_digests, mail_outbox,"
    " moderation_actions, blocklist_entries,"
    " comments, post_authors, posts, figure_days, answer_band_months,"
    " answer_band_groups, answer_band_revisions, kept_percentiles,"
    " kind_days, answer_band_days, reader_months,"
    " staff_sessions, staff, reader_summaries"
)


def service_urls(public_url: str = "http://service.test") -> ServiceUrls:
    """The current app's URL map, bound to this address: what services build mail links with."""
    return ServiceUrls(current_app.url_map, public_url)


def settings(database_url: str, **extra) -> dict:
    return {
        "PORCH_DATABASE_URL": database_url,
        "PORCH_SECRET_KEY": "test-secret",
        "PORCH_BLOG_URL": BLOG_URL,
        "PORCH_SESSION_COOKIE_SECURE": False,
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        **extra,
    }


def migrated(database_url: str) -> None:
    app = create_app(settings(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, shared by the browser tests; if it cannot start they error, never skip."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    """Open pages, each in a browser context of its own (own cookies and storage), closed
    after the test: ``open_page(javascript=False)``; other options are Playwright's
    ``new_context`` ones (viewport, color_scheme, timezone_id...)."""
    contexts = []

    def open_(javascript: bool = True, **options) -> Page:
        context = browser.new_context(java_script_enabled=javascript, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    """A fresh page in its own browser context, JavaScript on."""
    return open_page()


@pytest.fixture(scope="module")
def porch_site(tmp_path_factory, sqlite_template):
    """Blogs with their comment services for this module's tests, all stopped after its last
    one: ``porch_site("name", slug=..., **settings)`` gives a ``PorchSite`` (porch_support.py)
    on a migrated copy of the template database, serving its (empty) blog folder, its service
    booting; the module adds accounts, builds, seeds and starts it as its tests need."""
    started = []

    def make(name: str = "porch", **options) -> PorchSite:
        site = PorchSite(tmp_path_factory.mktemp(name), **options)
        started.append(site)
        shutil.copy(sqlite_template, site.database)
        site.launch()
        return site

    yield make
    for site in started:
        site.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """Migrate once; each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "porch.sqlite3"
    migrated(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_schema():
    app = create_app(settings(POSTGRES_URL))
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "porch.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_schema")
    app = create_app(settings(url))
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    with app.app_context():
        db.engine.dispose()
    return url


@pytest.fixture
def app(database_url):
    """The service on this test's database. No app context is held open, so each
    test-client request gets its own, exactly as in production."""
    app = create_app(settings(database_url))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app_with(database_url):
    """Build the service with extra settings; engines are closed after the test."""
    apps = []

    def build(**overrides):
        apps.append(create_app(settings(database_url, **overrides)))
        return apps[-1]

    yield build
    for built in apps:
        with built.app_context():
            db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An app context for tests that work with the models directly."""
    with app.app_context():
        yield
        db.session.remove()


@contextmanager
def context_of(app):
    """Reuse the test's app context if it has one, else open one for this block."""
    if has_app_context():
        yield
    else:
        with app.app_context():
            yield


def stored(app, obj):
    """Commit obj and hand it back with its columns loaded, usable after the context ends."""
    with context_of(app):
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
    return obj


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def password_hash():
    """Hashing is slow on purpose; hash the shared test password once."""
    return hash_password(PASSWORD)


@pytest.fixture
def make_staff(app, password_hash):
    def make(name: str, role: Role = Role.AUTHOR, email: str | None = None) -> Staff:
        email = email or f"{name.split()[0].lower()}@porch.test"
        return stored(app, Staff(name=name, email=email, role=role, password_hash=password_hash))

    return make


@pytest.fixture
def make_post(app):
    def make(slug: str = "hello", authors=("Ana Lima",), title: str | None = None) -> Post:
        post = Post(slug=slug, title=title or slug.title(), path=f"/2026/11/{slug}/")
        post.authors = [PostAuthor(name=name, position=i) for i, name in enumerate(authors)]
        return stored(app, post)

    return make


@pytest.fixture
def make_comment(app):
    """Store a comment directly, for rule tests that need exact times and shapes
    (``created_at`` sets the exact moment, else it is ``minutes_ago`` from now)."""

    def make(post, parent=None, staff=None, name="Reader", minutes_ago=0, **fields) -> Comment:
        created = fields.pop("created_at", None) or datetime.now(UTC) - timedelta(
            minutes=minutes_ago
        )
        comment = Comment(
            post_id=post.id,
            parent_id=parent.id if parent else None,
            staff_id=staff.id if staff else None,
            author_name=staff.name if staff else name,
            body_markdown=fields.pop("body_markdown", "text"),
            body_html=fields.pop("body_html", "<p>text</p>"),
            status=fields.pop("status", CommentStatus.APPROVED),
            created_at=created,
            published_at=fields.pop("published_at", created),
            **fields,
        )
        return stored(app, comment)

    return make


@pytest.fixture
def login(client):
    def sign_in(staff: Staff, password: str = PASSWORD):
        page = client.get("/auth/login")
        token = csrf_token(page.get_data(as_text=True))
        return client.post(
            "/auth/login", data={"email": staff.email, "password": password, "csrf_token": token}
        )

    return sign_in


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def answer_fields(html: str, comment_id: int) -> dict:
    """The hidden fields of a comment's answer form on a moderation page: the CSRF token
    and the words it answers, as the page showed them."""
    form = re.search(
        rf'<form class="answer"[^>]*/comments/{comment_id}/answer[?"].*?</form>', html, re.S
    )
    assert form, f"no answer form for comment {comment_id} on the page"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form[0]))
