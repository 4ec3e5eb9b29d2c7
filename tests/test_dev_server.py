"""The blog's development server (porch_pelican/dev_server.py) answers like a real host.

It runs as `make run` runs it (`python -m porch_pelican.dev_server`), on a free port,
serving the real sample site built into a temporary folder; requests go over HTTP.
"""

import gzip
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from .browser_support import ROOT, free_port, stop_process
from .site_support import build_sample_site

EXPORT = Path(__file__).parent / "fixtures" / "comments-export.json"
DEEP_MISSING = "/no/such/deep/path/"
ARTIFACTS = ROOT / "test-artifacts"
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The sample site built once, served by the development server until the module ends."""
    folder = tmp_path_factory.mktemp("dev-server")
    output, _ = build_sample_site(folder, EXPORT)
    port = free_port()
    command = [sys.executable, "-m", "porch_pelican.dev_server", str(output), "--port", str(port)]
    command += ["--blog-url", f"http://127.0.0.1:{port}"]
    with open(folder / "server.log", "wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(port, server, folder / "server.log")
        yield output, port
    finally:
        stop_process(server)


def wait_for(port: int, server: subprocess.Popen, log: Path, attempts: int = 100) -> None:
    for _ in range(attempts):
        if server.poll() is not None:
            raise AssertionError(f"The server exited: {log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except ConnectionRefusedError:
            time.sleep(0.1)
    raise AssertionError("The development server did not listen in time")


def get(port: int, path: str, method: str = "GET", **headers: str) -> http.client.HTTPResponse:
    """One request on a connection of its own; the response with its body read."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_a_missing_path_at_any_depth_is_a_404_with_the_themes_page(site):
    output, port = site
    for path in ("/missing", "/missing.html", DEEP_MISSING, "/2024/01/no-such-post/"):
        response = get(port, path)

        assert response.status == 404, path
        assert response.getheader("Content-Type") == "text/html; charset=UTF-8"
        assert response.body == (output / "404.html").read_bytes()


def test_the_404_pages_stylesheets_load_from_any_depth(site):
    _, port = site
    page = get(port, DEEP_MISSING).body.decode()
    stylesheets = STYLESHEET.findall(page)

    assert len(stylesheets) >= 2  # porch.css and the pages' own
    for href in stylesheets:
        url = urlsplit(urljoin(f"http://127.0.0.1:{port}{DEEP_MISSING}", href))
        response = get(port, url.path)
        assert (response.status, response.getheader("Content-Type")) == (200, "text/css"), href


def test_a_folder_without_its_slash_redirects_to_it(site):
    _, port = site
    response = get(port, "/about")

    assert response.status == 301
    assert response.getheader("Location") == "/about/"
    assert get(port, "/about/").status == 200


def test_the_blog_under_another_name_of_the_machine_redirects_to_its_address(site):
    """The service lets the blog's own origin alone post comments: a reader who typed
    localhost lands on 127.0.0.1, where the comment form works."""
    _, port = site
    response = get(port, "/category/engineering.html?x=1", Host=f"localhost:{port}")
    assert response.status == 302
    assert (
        response.getheader("Location") == f"http://127.0.0.1:{port}/category/engineering.html?x=1"
    )
    assert get(port, "/", Host=f"127.0.0.1:{port}").status == 200
    assert get(port, "/", Host="blog.example.com").status == 200  # not this machine: served


def test_text_is_gzipped_for_a_client_that_accepts_it(site):
    output, port = site
    for path, file in (("/", "index.html"), ("/theme/css/porch.css", "theme/css/porch.css")):
        zipped = get(port, path, Accept_Encoding="gzip")
        plain = get(port, path)

        assert zipped.getheader("Content-Encoding") == "gzip", path
        assert "Accept-Encoding" in zipped.getheader("Vary")
        assert gzip.decompress(zipped.body) == (output / file).read_bytes()
        assert len(zipped.body) < len(plain.body)
        assert plain.getheader("Content-Encoding") is None
        assert plain.body == (output / file).read_bytes()


def test_the_404_page_is_gzipped_too(site):
    output, port = site
    response = get(port, DEEP_MISSING, Accept_Encoding="gzip")

    assert (response.status, response.getheader("Content-Encoding")) == (404, "gzip")
    assert gzip.decompress(response.body) == (output / "404.html").read_bytes()


def test_pages_are_checked_every_time_and_assets_kept_a_minute(site):
    _, port = site

    assert get(port, "/").getheader("Cache-Control") == "no-cache"
    assert get(port, "/feeds/all.atom.xml").getheader("Cache-Control") == "no-cache"
    assert get(port, "/theme/css/porch.css").getheader("Cache-Control") == "public, max-age=60"
    assert get(port, DEEP_MISSING).getheader("Cache-Control") == "no-cache"


def test_a_client_holding_the_same_version_gets_304(site):
    _, port = site
    first = get(port, "/theme/css/porch.css")
    etag, modified = first.getheader("ETag"), first.getheader("Last-Modified")

    by_etag = get(port, "/theme/css/porch.css", If_None_Match=etag)
    by_date = get(port, "/theme/css/porch.css", If_Modified_Since=modified)
    older = formatdate(time.time() - 86400 * 365, usegmt=True)
    by_old_date = get(port, "/theme/css/porch.css", If_Modified_Since=older)

    assert (by_etag.status, by_etag.body) == (304, b"")
    assert (by_date.status, by_date.body) == (304, b"")
    assert by_old_date.status == 200
    assert get(port, "/theme/css/porch.css", If_None_Match='"other"').status == 200


def test_a_page_replaced_while_serving_is_served_fresh(site):
    """As the service's re-baker writes: a temporary file renamed over the page."""
    output, port = site
    page = output / "archives" / "index.html"
    first = get(port, "/archives/", Accept_Encoding="gzip")
    rewritten = page.read_text(encoding="utf-8").replace("</main>", "<p>Re-baked.</p></main>")
    temporary = page.with_name(".porch-rebake-test")
    temporary.write_text(rewritten, encoding="utf-8")
    os.replace(temporary, page)

    again = get(port, "/archives/", Accept_Encoding="gzip", If_None_Match=first.getheader("ETag"))

    assert "Re-baked." not in gzip.decompress(first.body).decode()
    assert again.status == 200
    assert gzip.decompress(again.body).decode() == rewritten
    assert again.getheader("ETag") != first.getheader("ETag")


def test_the_rebakers_lock_and_temporary_files_are_not_served(site):
    output, port = site
    (output / ".porch-rebake.lock").touch()

    assert get(port, "/.porch-rebake.lock").status == 404
    assert get(port, "/about/index.html").status == 200


@pytest.mark.browser
def test_a_deep_missing_address_shows_the_styled_404_page(site, page):
    _, port = site
    response = page.goto(f"http://127.0.0.1:{port}{DEEP_MISSING}")

    assert response.status == 404
    heading = page.get_by_role("heading", name="We can’t find that page")
    assert heading.is_visible()
    # Every stylesheet loaded with its rules, and the theme's font applied.
    rules = page.evaluate("[...document.styleSheets].map(sheet => sheet.cssRules.length)")
    assert len(rules) >= 2 and all(rules)
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "dev-server-404-deep.png", full_page=True)
    page.get_by_role("link", name="Latest posts").click()
    assert urlsplit(page.url).path == "/"


@pytest.mark.parametrize(
    ("settings", "stylesheet"),
    [
        # invoke preview: publishconf.py's public address, links relative.
        (
            {"SITEURL": "https://blog.example.com", "RELATIVE_URLS": True},
            "/theme/css/porch.css",
        ),
        # invoke publish: every link absolute, at the public address.
        (
            {"SITEURL": "https://blog.example.com", "RELATIVE_URLS": False},
            "https://blog.example.com/theme/css/porch.css",
        ),
    ],
)
def test_the_404_page_links_from_the_root_in_preview_and_public_builds(
    tmp_path, settings, stylesheet
):
    output, _ = build_sample_site(tmp_path, EXPORT, **settings)
    page = (output / "404.html").read_text(encoding="utf-8")

    assert STYLESHEET.findall(page)[0] == stylesheet
    assert '<a href="./' not in page and '<a href="../' not in page
