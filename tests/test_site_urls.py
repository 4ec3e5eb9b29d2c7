"""One name per address, normalised once: PORCH_BLOG_URL and PORCH_PUBLIC_URL.

The old names (PORCH_SITE_URL, PORCH_SERVICE_URL) stop the service with a message
naming the new one: quietly ignored, they would leave comments posted nowhere.
"""

import subprocess

import pytest

from comments_service import create_app

from .browser_support import BIN, ROOT, clean_environment
from .conftest import settings

QUESTION = {"author_name": "Robin", "body": "Can crews see each other's routes?"}


@pytest.mark.parametrize(
    ("old", "new"),
    [("PORCH_SERVICE_URL", "PORCH_PUBLIC_URL"), ("PORCH_SITE_URL", "PORCH_BLOG_URL")],
)
def test_an_old_name_in_the_environment_stops_the_service_naming_the_new_one(
    database_url, monkeypatch, old, new
):
    monkeypatch.setenv(old, "https://comments.example.com")
    with pytest.raises(ValueError) as refused:
        create_app(settings(database_url))
    assert str(refused.value) == f"{old} is no longer read: set {new} (docs/configuration.md)."


def test_gunicorns_entry_point_refuses_to_start_with_an_old_name(tmp_path):
    env = clean_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'porch.db'}",
        SECRET_KEY="test",
        SITE_URL="https://blog.example.com",
    )
    started = subprocess.run(
        [str(BIN / "python"), "-c", "import comments_service.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert "PORCH_SITE_URL is no longer read: set PORCH_BLOG_URL" in started.stderr


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://blog.example.com/", "https://blog.example.com"),
        (" HTTPS://Blog.Example.COM:443 ", "https://blog.example.com"),
        ("http://127.0.0.1:8000//", "http://127.0.0.1:8000"),
        ("http://[::1]:80/porch/", "http://[::1]/porch"),
        ("https://example.com:8443/blog/", "https://example.com:8443/blog"),
    ],
)
def test_addresses_are_normalised_once_at_start_up(app_with, given, kept):
    app = app_with(PORCH_BLOG_URL=given, PORCH_PUBLIC_URL=given)
    assert (app.config["PORCH_BLOG_URL"], app.config["PORCH_PUBLIC_URL"]) == (kept, kept)


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("blog.example.com", "must be an http:// or https:// address"),
        ("ftp://blog.example.com", "must be an http:// or https:// address"),
        ("https://", "must be an http:// or https:// address"),
        ("https://blog.example.com:99999", "must be an http:// or https:// address"),
        ("https://blog.example.com/?page=1", "must name no user, query or fragment"),
        ("https://ana@blog.example.com", "must name no user, query or fragment"),
    ],
)
@pytest.mark.parametrize("name", ["PORCH_BLOG_URL", "PORCH_PUBLIC_URL"])
def test_an_address_that_is_not_one_stops_the_service_naming_the_setting(
    database_url, name, given, why
):
    with pytest.raises(ValueError) as refused:
        create_app(settings(database_url, **{name: given}))
    assert str(refused.value).startswith(f"{name} {why}")
    assert repr(given) in str(refused.value)


def test_a_blog_url_written_in_capitals_with_its_port_still_lets_the_blog_post(app_with, make_post):
    """Browsers send Origin in lower case, without the default port."""
    make_post("hello")
    app = app_with(PORCH_BLOG_URL="HTTPS://Blog.Example.COM:443/")
    answer = app.test_client().post(
        "/api/posts/hello/comments", data=QUESTION, headers={"Origin": "https://blog.example.com"}
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("https://blog.example.com/2026/11/hello/#")
