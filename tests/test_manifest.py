"""Bad posts manifests, by `posts sync` and by `PUT /api/manifest`: a message naming the
field and what it must be, and nothing loaded (porch_contract/manifest-schema.json).
The manifest's paging and version: test_contract.py."""

import json

import pytest
from sqlalchemy import func, select

from comments_service.extensions import db
from comments_service.models import Post

TOKEN = "a-long-random-deploy-token"
POST = {"slug": "solo", "title": "Solo", "path": "/solo/", "authors": ["Chloe Martin"]}
# The service's default paging, as a blog built with the defaults writes it.
PAGING = {"per_page": 50, "page_url": "comments/{number}/"}


def document(*posts, **top) -> dict:
    return {"version": 2, "comments": PAGING, "posts": list(posts), **top}


BAD = [
    pytest.param(
        document({**POST, "slug": "   "}),
        "posts[0].slug must be the post's slug: text of 1 to 200 characters, not blank,"
        " without control characters (not '   ').",
        id="blank-slug",
    ),
    pytest.param(
        document({**POST, "title": "Tabs\tand NUL\x00"}),
        "posts[0].title must be the post's title as plain text: 1 to 300 characters, not"
        " blank, without control characters (not 'Tabs\\tand NUL\\x00').",
        id="control-characters",
    ),
    pytest.param(
        document({**POST, "title": "Solo\n"}),
        "posts[0].title must be the post's title as plain text: 1 to 300 characters, not"
        " blank, without control characters (not 'Solo\\n').",
        id="final-line-break",
    ),
    pytest.param(
        document({**POST, "slug": "s" * 201}),
        "posts[0].slug must be the post's slug: text of 1 to 200 characters, not blank,"
        " without control characters (not 201 characters).",
        id="overlong-slug",
    ),
    pytest.param(
        document(POST, {**POST, "slug": "two", "authors": ["Ana Lima", "Ana Lima"]}),
        "posts[1].authors must be a list of the post's distinct author names (each 1 to 120"
        " characters), in the order the post gives them (['Ana Lima', 'Ana Lima'] has"
        " non-unique elements).",
        id="an-author-twice",
    ),
    pytest.param(
        document({**POST, "authours": ["Ana Lima"]}),
        "posts[0] must be a post: an object with its slug, title, path and authors (file, date"
        " and listed_in may follow) (Additional properties are not allowed ('authours' was"
        " unexpected)).",
        id="misspelt-field",
    ),
    pytest.param(
        document({**POST, "path": "solo/"}),
        "posts[0].path must be the post's address on the blog, from its first slash: 1 to"
        " 500 characters without control characters (not 'solo/').",
        id="path-without-slash",
    ),
    pytest.param(
        document({**POST, "date": "2026-02-30T09:00:00+00:00"}),
        "posts[0] has a date that is not ISO 8601.",
        id="no-such-day",
    ),
    pytest.param(
        document(POST, {**POST, "title": "Solo again"}),
        "posts[1] has the slug 'solo' of posts[0]; each post needs a slug of its own.",
        id="a-slug-twice",
    ),
    pytest.param(
        {"comments": PAGING, "posts": [POST]},
        "must be a posts manifest: an object with its version, the blog's comment paging and"
        " posts (generated_at and site_url may follow) ('version' is a required property).",
        id="no-version",
    ),
]


def named(manifest: str, message: str) -> str:
    """The message as the service gives it: after the manifest's name, or its field's."""
    return f"{manifest} {message}" if message.startswith("must") else f"{manifest}: {message}"


def post_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Post))


@pytest.mark.parametrize(("manifest", "message"), BAD)
def test_a_bad_manifest_over_http_is_422_naming_the_field(app_with, manifest, message):
    service = app_with(PORCH_DEPLOY_TOKEN=TOKEN)
    answer = service.test_client().put(
        "/api/manifest", json=manifest, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert answer.status_code == 422
    assert answer.get_json() == {
        "error": "invalid_manifest",
        "message": named("The manifest", message),
    }
    assert post_count(service) == 0


@pytest.mark.parametrize(("manifest", "message"), BAD)
def test_posts_sync_of_a_bad_manifest_names_the_file_and_field(app, tmp_path, manifest, message):
    path = tmp_path / "porch-manifest.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["posts", "sync", str(path)])
    assert result.exit_code != 0
    assert named(str(path), message) in result.output
    assert post_count(app) == 0


def test_a_good_manifest_still_loads_with_every_field_the_plugin_writes(app_with):
    service = app_with(PORCH_DEPLOY_TOKEN=TOKEN)
    full = {**POST, "file": "solo/index.html", "date": "2026-11-02T09:00:00+00:00"}
    manifest = document(full, generated_at="2026-11-02T10:00:00Z", site_url="")
    answer = service.test_client().put(
        "/api/manifest", json=manifest, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert (answer.status_code, answer.get_json()["created"]) == (200, ["solo"])
