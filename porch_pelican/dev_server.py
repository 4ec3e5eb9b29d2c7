"""Serve a built blog on this machine the way a real web host would.

`make run`, `invoke serve-blog` and `invoke preview --serve` serve the output folder
with this small tornado application instead of Pelican's `--listen`:

- a missing path answers 404 with the theme's own page (404.html at the root);
- a folder asked for without its trailing slash redirects (301) to it with one;
- text (HTML, CSS, scripts, feeds, SVG) is gzipped for clients that accept it;
- every file carries an ETag (a hash of its bytes) and a Last-Modified date, and a
  request that already holds the same version gets 304 with no body;
- HTML, feeds and other data are marked ``no-cache``: the browser keeps them but asks
  again each time (a 304 when nothing changed), because the comment service re-bakes
  pages and the writer's loop rebuilds them while the server runs, and a reader who
  just posted a comment must see it on their next load. Theme assets, images and
  icons may be reused for a minute without asking: a page's several assets then cost
  no round trip while clicking around, yet a stylesheet edited in theme/ shows within
  a minute (at once on a hard reload), as the theme's file names carry no version.

Each file is read whole, with its size and dates, in one go: a page that the re-baker
replaces (a rename) while a request is under way is sent as either the old or the new
version, never a mix. Dot files (the re-baker's lock and temporary files) are not served.

Given the blog's address (``--blog-url``, by default ``PORCH_BLOG_URL``), a request for
another host name of this machine (``localhost`` for ``127.0.0.1``) is redirected to it:
the comment service lets that one origin alone call it, so a page opened under another
name could show comments but never post one.
"""

import argparse
import hashlib
import logging
import os
import sys
from urllib.parse import urlsplit

from tornado.ioloop import IOLoop
from tornado.web import Application, HTTPError, StaticFileHandler

NOT_FOUND_PAGE = "404.html"
# Seconds a browser may reuse an asset (not HTML or data) before asking again.
ASSET_MAX_AGE = 60
# What the browser must ask about again on every use (a 304 costs no body).
# This machine's own names: a blog served on one is reached under the others too.
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
FRESH_TYPES = ("text/html", "application/atom+xml", "application/xml", "application/json")


class SiteHandler(StaticFileHandler):
    """One file of the built site, its folder's index.html, or the theme's 404 page."""

    def initialize(self, path: str, default_filename: str, host: str | None = None) -> None:
        super().initialize(path, default_filename)
        self.canonical_host = host

    def prepare(self) -> None:
        """Redirect a request under another name of this machine to the blog's address."""
        if self.canonical_host and other_name_of(self.request.host, self.canonical_host):
            self.redirect(f"{self.request.protocol}://{self.canonical_host}{self.request.uri}")

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        if any(part.startswith(".") for part in self.path.split("/")):
            raise HTTPError(404)
        path = super().validate_absolute_path(root, absolute_path)
        if path is not None:
            self._body, self._stat_result = read_whole(path)
        return path

    def get_content(self, abspath: str, start: int | None = None, end: int | None = None):
        """The bytes read when the path was checked (a later rename does not change them)."""
        return self._body[start:end]

    def compute_etag(self) -> str:
        """A hash of the file's bytes, computed every time: tornado's own is remembered per
        path for the life of the process, so a re-baked page would keep its old ETag. Weak
        (W/), as the same file goes out gzipped or not."""
        return 'W/"' + hashlib.sha256(self._body).hexdigest()[:32] + '"'

    def set_extra_headers(self, path: str) -> None:
        content_type = self.get_content_type()
        if content_type.startswith(FRESH_TYPES):
            self.set_header("Cache-Control", "no-cache")
        else:
            self.set_header("Cache-Control", f"public, max-age={ASSET_MAX_AGE}")

    def write_error(self, status_code: int, **kwargs) -> None:
        """The theme's 404 page for a missing path, when the build has one."""
        page = os.path.join(self.root, NOT_FOUND_PAGE)
        if status_code != 404 or not os.path.isfile(page):
            super().write_error(status_code, **kwargs)
            return
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(read_whole(page)[0])


def other_name_of(host: str, canonical: str) -> bool:
    """Whether ``host`` (host:port) names this machine on the same port as ``canonical``
    under another name: an address elsewhere (a public blog URL) is left alone."""
    asked, wanted = urlsplit(f"//{host}"), urlsplit(f"//{canonical}")
    return (
        asked.hostname != wanted.hostname
        and {asked.hostname, wanted.hostname} <= LOOPBACK_NAMES
        and asked.port == wanted.port
    )


def read_whole(path: str) -> tuple[bytes, os.stat_result]:
    """A file's bytes and the status of that same file (the one opened, whatever renames)."""
    try:
        with open(path, "rb") as file:
            return file.read(), os.fstat(file.fileno())
    except FileNotFoundError:
        raise HTTPError(404) from None  # removed since tornado looked


def make_app(root: str, blog_url: str | None = None) -> Application:
    """The application serving the built site in ``root``; with ``blog_url``, requests
    for another host (or port) are redirected to that one."""
    site = {"path": os.path.abspath(root), "default_filename": "index.html"}
    site["host"] = urlsplit(blog_url).netloc if blog_url else None
    return Application([(r"/(.*)", SiteHandler, site)], compress_response=True)


def serve(root: str, host: str, port: int, blog_url: str | None = None) -> None:
    """Serve ``root`` on host:port until interrupted, logging each request to stderr."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    make_app(root, blog_url).listen(port, address=host)
    sys.stderr.write(f"Serving {root} at http://{host}:{port}/ ...\n")
    try:
        IOLoop.current().start()
    except KeyboardInterrupt:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a built Porch blog for development.")
    parser.add_argument("root", help="the built site (Pelican's output folder)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORCH_BLOG_PORT", "8000")))
    parser.add_argument(
        "--blog-url",
        default=os.environ.get("PORCH_BLOG_URL"),
        help="the blog's address: requests under another host name are redirected to it",
    )
    args = parser.parse_args(argv)
    serve(args.root, args.host, args.port, args.blog_url)


if __name__ == "__main__":
    main()
