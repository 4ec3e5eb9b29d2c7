"""robots.txt at the output root: every crawler may read everything, and learns where the
sitemap (pelican-sitemap's sitemap.xml) is; and a fresh start for that sitemap on every build.

The Sitemap line, and every address in the sitemap, must be absolute. A local build has an
empty SITEURL (relative links), so both name the local server pelicanconf.py points the feeds
at (FEED_DOMAIN); with neither set, robots.txt says only what may be crawled.
"""

import logging
import os
import re
import sys

from pelican import signals

logger = logging.getLogger(__name__)

ROBOTS_FILENAME = "robots.txt"
ALLOW_ALL = "User-agent: *\nAllow: /\n"
SITEMAP_MODULE = "pelican.plugins.sitemap.sitemap"
SITEMAP_FILENAME = "sitemap.xml"
ADDRESS_FROM_ROOT = re.compile(r"<loc>/")


def site_address(settings: dict) -> str:
    """The blog's absolute address, for files that may not name pages from the root."""
    return settings.get("SITEURL") or settings.get("FEED_DOMAIN") or ""


def forget_unfinished_sitemap(pelican):
    """Start pelican-sitemap's page list afresh for this build.

    The plugin keeps the pages of a build, and the build itself, until the build finishes;
    after a build that stopped with an error (a bad comments export, a manifest the
    service would refuse), it would skip the sitemap of every later build in the same
    process, as `invoke livereload` runs them, and list the stopped build's pages.
    """
    sitemap = sys.modules.get(SITEMAP_MODULE)
    if sitemap is not None:
        sitemap.generator.page_queue = []
        sitemap.generator._main_pelican = None
    # Connected now, after pelican-sitemap's own handler, so it runs once the file is written.
    signals.finalized.connect(absolute_sitemap)


def absolute_sitemap(pelican):
    """Make the sitemap's addresses absolute where pelican-sitemap wrote them from the root
    ("/2026/10/x/", as it does with an empty SITEURL): the sitemap protocol refuses those."""
    address = site_address(pelican.settings)
    path = os.path.join(pelican.settings["OUTPUT_PATH"], SITEMAP_FILENAME)
    if not address or not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as file:
        text = file.read()
    with open(path, "w", encoding="utf-8") as file:
        file.write(ADDRESS_FROM_ROOT.sub(f"<loc>{address}/", text))


def write_robots(pelican):
    """Write robots.txt into the output folder."""
    settings = pelican.settings
    address = site_address(settings)
    text = ALLOW_ALL + (f"\nSitemap: {address}/sitemap.xml\n" if address else "")
    if not address:
        logger.warning("Porch: neither SITEURL nor FEED_DOMAIN is set: robots.txt names no sitemap")
    path = os.path.join(settings["OUTPUT_PATH"], ROBOTS_FILENAME)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
