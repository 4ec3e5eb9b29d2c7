"""Listing pages keep up with threads: when a re-bake writes an article, the post's comment
count and readers waiting change in the index (every page of it), its category, tag and
author pages too, as a full build would write them, and the sitemap dates each page
written by the re-bake."""

import json
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from defusedxml.ElementTree import parse
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Post
from comments_service.services.comments.threads import published_thread
from comments_service.services.site.manifest import load_manifest, sync_posts
from porch_pelican import rebake
from porch_pelican.listings import counts_of
from porch_pelican.remote import keep_fresh

from .conftest import BLOG_URL, PASSWORD, answer_fields, csrf_token
from .site_support import ROOT, build_sample_site
from .test_rebake import (  # noqa: F401 (serve and service_url: the service over HTTP)
    PAGE,
    SERVICE_PAGING,
    SLUG,
    Site,
    rebaking_app,
    serve,
    service_url,
)

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LONG_AGO = "2001-02-03T04:05:06+00:00"
ON_PAGE_TWO = "recurring-jobs-questions"  # by Ana Lima, older: the index's second page


@pytest.fixture
def site(app, tmp_path):
    return Site(app, tmp_path)


def listed_in(output, slug: str) -> list[str]:
    manifest = json.loads((output / "porch-manifest.json").read_text(encoding="utf-8"))
    return next(post["listed_in"] for post in manifest["posts"] if post["slug"] == slug)


def words(output, page: str, slug: str) -> str:
    """What a reader reads of the post's counts in a listing page (the hidden words too)."""
    html = (output / page).read_text(encoding="utf-8")
    fragment = counts_of(slug).search(html).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def lastmods(output, site: str | None = None) -> dict[str, str]:
    """Each page's date in the sitemap, by its address from the root ("/2026/10/x/"); every
    address is absolute, at ``site`` when given."""
    root = parse(output / "sitemap.xml").getroot()
    dates = {}
    for url in root.iter(f"{SITEMAP}url"):
        address = urlsplit(url.findtext(f"{SITEMAP}loc"))
        assert address.scheme and address.netloc, "a sitemap's addresses are absolute"
        assert site in (None, f"{address.scheme}://{address.netloc}")
        dates[address.path] = url.findtext(f"{SITEMAP}lastmod")
    return dates


def built_long_ago(output) -> None:
    """Date every page in the sitemap as if the site had been built years ago."""
    sitemap = output / "sitemap.xml"
    text = sitemap.read_text(encoding="utf-8")
    sitemap.write_text(re.sub(r"<lastmod>[^<]*</lastmod>", f"<lastmod>{LONG_AGO}</lastmod>", text))


def answer_as_ana(client, comment_id: int, body: str) -> None:
    """Sign in as Ana and answer from the moderation page, as she would."""
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post(
        "/auth/login", data={"email": "ana@porch.test", "password": PASSWORD, "csrf_token": token}
    )
    fields = answer_fields(client.get("/moderation/").get_data(as_text=True), comment_id)
    answered = client.post(
        f"/moderation/comments/{comment_id}/answer", data={**fields, "body": body}
    )
    assert answered.status_code == 303


@pytest.mark.parametrize(
    ("slug", "index_page"), [(SLUG, "index.html"), (ON_PAGE_TWO, "page/2/index.html")]
)
def test_answering_a_waiting_reader_changes_every_listing_of_the_post(
    site, app_with, make_staff, slug, index_page
):
    app = rebaking_app(app_with, site)
    make_staff("Ana Lima")
    pages = listed_in(site.output, slug)
    assert {index_page, "categories/support/index.html", "authors/ana-lima/index.html"} <= set(
        pages
    )
    assert "tags/how-to/index.html" in pages
    assert all(
        words(site.output, page, slug).startswith("· Ask the first question") for page in pages
    )

    asked = app.test_client().post(
        f"/api/posts/{slug}/comments",
        json={"author_name": "Kim", "body": "Does it sync on a plane?"},
        headers={"Origin": BLOG_URL},
    )
    assert asked.status_code == 201
    for page in pages:
        assert words(site.output, page, slug) == (
            f"· 1 comment on {title_of(site, slug)} · 1 reader waiting"
        ), page

    built_long_ago(site.output)
    began = datetime.now(UTC).replace(microsecond=0)
    answer_as_ana(app.test_client(), asked.get_json()["comment"]["id"], "Yes, *it does*.")

    for page in pages:
        assert words(site.output, page, slug) == (
            f"· 2 comments on {title_of(site, slug)} · every reader answered"
        ), page
    rebuilt = site.build("second")
    for page in pages:  # the page reads as a full build with the same threads writes it
        assert (site.output / page).read_text() == (rebuilt / page).read_text(), page
    moved = {loc for loc, date in lastmods(site.output).items() if date != LONG_AGO}
    article = next(post["path"] for post in manifest_posts(site) if post["slug"] == slug)
    assert moved == {article, *("/" + page.removesuffix("index.html") for page in pages)}
    assert all(datetime.fromisoformat(lastmods(site.output)[loc]) >= began for loc in moved)


def title_of(site, slug: str) -> str:
    return next(post["title"] for post in manifest_posts(site) if post["slug"] == slug)


def manifest_posts(site) -> list[dict]:
    return json.loads((site.output / "porch-manifest.json").read_text(encoding="utf-8"))["posts"]


def test_the_manifest_names_exactly_the_pages_that_list_each_post(site):
    carrying = {}
    for path in site.output.rglob("*.html"):
        for slug in re.findall(r"<!-- porch:counts (\S+) version=", path.read_text()):
            carrying.setdefault(slug, set()).add(str(path.relative_to(site.output)))
    posts = manifest_posts(site)
    assert carrying == {post["slug"]: set(post["listed_in"]) for post in posts}
    assert all(post["listed_in"] == sorted(post["listed_in"]) for post in posts)


def test_a_build_without_listed_pages_in_its_manifest_still_rebakes_the_article(site, client):
    """A manifest from before listings were recorded: the article alone, as before."""
    manifest = site.output / "porch-manifest.json"
    document = json.loads(manifest.read_text(encoding="utf-8"))
    for post in document["posts"]:
        del post["listed_in"]
    manifest.write_text(json.dumps(document), encoding="utf-8")
    index = (site.output / "index.html").read_text()
    client.post(
        f"/api/posts/{SLUG}/comments",
        json={"author_name": "Jo", "body": "Hello?"},
        headers={"Origin": BLOG_URL},
    )

    assert site.rebaker().rebake(SLUG, site.thread())

    assert (
        "<!-- porch:comments offline-mode-explained version=1 -->"
        in (site.output / PAGE).read_text()
    )
    assert (site.output / "index.html").read_text() == index


def test_an_older_thread_leaves_newer_counts_in_the_listings(site, client, app):
    """A re-bake that lost the race to a newer one (its article page is newer too)."""
    headers = {"Origin": BLOG_URL}
    client.post(
        f"/api/posts/{SLUG}/comments", json={"author_name": "A", "body": "1?"}, headers=headers
    )
    older = site.thread()
    client.post(
        f"/api/posts/{SLUG}/comments", json={"author_name": "B", "body": "2?"}, headers=headers
    )
    rebaker = site.rebaker()
    assert rebaker.rebake(SLUG, site.thread())
    newer = (site.output / "index.html").read_text()

    assert rebaker.listings.rebake(SLUG, older, rebaker._context(), rebaker._write) == []
    assert (site.output / "index.html").read_text() == newer
    assert "2 comments" in words(site.output, "index.html", SLUG)
    with app.app_context():
        assert db.session.scalar(select(Post.comments_version).where(Post.slug == SLUG)) == 2


def test_a_public_build_gets_absolute_links_and_sitemap_dates(app, client, tmp_path):
    """As publishconf.py builds: absolute addresses in the listings and the sitemap."""
    public = {"SITEURL": "https://blog.example.com", "RELATIVE_URLS": False}
    output = tmp_path / "output"
    manifest = output / "porch-manifest.json"
    build_sample_site(
        tmp_path, tmp_path / "no-export.json", PORCH_MANIFEST_PATH=str(manifest), **public
    )
    with app.app_context():
        sync_posts(load_manifest(manifest, *SERVICE_PAGING))
        db.session.commit()
    client.post(
        f"/api/posts/{SLUG}/comments",
        json={"author_name": "Jo", "body": "Hello?"},
        headers={"Origin": BLOG_URL},
    )
    with app.app_context():
        thread = published_thread(db.session.scalar(select(Post).where(Post.slug == SLUG)))
    built_long_ago(output)
    rebaker = rebake.load(str(ROOT / "pelicanconf.py"), str(output), public)

    assert rebaker.rebake(SLUG, thread)

    index = (output / "index.html").read_text()
    link = f'<a href="https://blog.example.com/2026/10/{SLUG}/#comments">1 comment<span'
    assert link in counts_of(SLUG).search(index).group(0)
    dates = lastmods(output, "https://blog.example.com")
    moved = {loc for loc, date in dates.items() if date != LONG_AGO}
    assert f"/{PAGE.removesuffix('index.html')}" in moved
    assert "/" in moved
    assert "/authors/ana-lima/" in moved
    assert "/authors/ben-okafor/" not in moved


def test_a_watcher_on_another_host_updates_the_listings_from_the_api(
    site,
    client,
    service_url,  # noqa: F811 (the fixture imported above)
):
    """`invoke rebake --watch`: the thread comes from the public API, waiting flags and all."""
    client.post(
        f"/api/posts/{SLUG}/comments",
        json={"author_name": "Jo", "body": "Hello?"},
        headers={"Origin": BLOG_URL},
    )

    keep_fresh(str(ROOT / "pelicanconf.py"), service_url, output=str(site.output), passes=1)

    for page in listed_in(site.output, SLUG):
        assert words(site.output, page, SLUG).endswith("· 1 reader waiting"), page
