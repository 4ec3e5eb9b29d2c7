"""robots.txt at the output root: every crawler may read everything, and learns where the
sitemap (pelican-sitemap's sitemap.xml) is; and a fresh start for that sitemap on every build.

The Sitemap line must be an absolute address. A local build has an empty SITEURL (relative
links), so it names the local server pelicanconf.py points the feeds at (FEED_DOMAIN); with
neither set, the file says only what may be crawled.
"""

import logging
import os
import sys

logger = logging.getLogger(__name__)

ROBOTS_FILENAME = "robots.txt"
ALLOW_ALL = "User-agent: *\nAllow: /\n"
SITEMAP_MODULE = "pelican.plugins.sitemap.sitemap"


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


def write_robots(pelican):
    """Write robots.txt into the output folder."""
    settings = pelican.settings
    address = settings.get("SITEURL") or settings.get("FEED_DOMAIN")
    text = ALLOW_ALL + (f"\nSitemap: {address}/sitemap.xml\n" if address else "")
    if not address:
        logger.warning("Porch: neither SITEURL nor FEED_DOMAIN is set: robots.txt names no sitemap")
    path = os.path.join(settings["OUTPUT_PATH"], ROBOTS_FILENAME)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
