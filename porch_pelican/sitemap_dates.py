"""A re-baked page's ``<lastmod>`` in the sitemap (pelican-sitemap's sitemap.xml) moves
to the time of the re-bake, so crawlers learn that its comments changed.

The sitemap is read with defusedxml and written whole through the re-baker's atomic
write, under its lock; a site built without the sitemap plugin has nothing to move.
"""

import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from defusedxml.ElementTree import parse

from .site_files import site_address

SITEMAP_FILE = "sitemap.xml"
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The prefixes pelican-sitemap declares, so the file keeps reading as it did.
ET.register_namespace("xhtml", "http://www.w3.org/1999/xhtml")
ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")


def move_lastmod(settings: dict, addresses: list[str], write, when: datetime | None = None):
    """Set ``<lastmod>`` of the pages at ``addresses`` (from the site's root, "/2026/10/x/")
    to ``when`` (now); return whether the sitemap listed any of them."""
    path = os.path.join(settings["OUTPUT_PATH"], SITEMAP_FILE)
    try:
        tree = parse(path)
    except FileNotFoundError:
        return False
    wanted = {site_address(settings) + address for address in addresses}
    stamp = (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    moved = False
    for url in tree.getroot().iterfind(f"{{{NS}}}url"):
        if url.findtext(f"{{{NS}}}loc") in wanted:
            lastmod = url.find(f"{{{NS}}}lastmod")
            if lastmod is None:
                lastmod = ET.SubElement(url, f"{{{NS}}}lastmod")
            lastmod.text = stamp
            moved = True
    if moved:
        body = ET.tostring(tree.getroot(), encoding="unicode", default_namespace=NS)
        write(path, f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n')
    return moved
