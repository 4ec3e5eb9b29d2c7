"""Pelican settings for writing and previewing the Porch blog on your own machine.

publishconf.py builds on these for the public site.
"""

import os

# The blog's language: the theme's words, dates and direction (docs/translating.md). Set
# in the environment (`PORCH_LANGUAGE=de make run`), one value reaches the blog and the
# service, which reads it from the posts manifest too.
DEFAULT_LANG = os.environ.get("PORCH_LANGUAGE", "en")
# The sample blog's own words in each language it ships: its subtitle and its team.
SAMPLE_WORDS = {
    "en": ("Straight answers from the people who build Lantern", "the Lanternworks team"),
    "de": ("Klare Antworten von den Menschen, die Lantern bauen", "das Lanternworks-Team"),
    "fr": ("Des réponses franches de l’équipe qui fait Lantern", "l’équipe Lanternworks"),
    "es": ("Respuestas claras de quienes hacen Lantern", "el equipo de Lanternworks"),
    "ar": ("إجابات صريحة من الفريق الذي يصنع Lantern", "فريق Lanternworks"),
}
AUTHOR = "Lanternworks"
SITENAME = "Lanternworks Porch"
SITESUBTITLE = SAMPLE_WORDS.get(DEFAULT_LANG, SAMPLE_WORDS["en"])[0]
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
THEME = "theme"
TIMEZONE = "UTC"

STATIC_PATHS = ["images", "extra/favicon.ico"]
# Browsers ask for /favicon.ico at the root (scripts/draw_favicons.py draws every icon).
EXTRA_PATH_METADATA = {"extra/favicon.ico": {"path": "favicon.ico"}}
ARTICLE_EXCLUDES = ["authors", "pages", "extra"]
PAGE_EXCLUDES = ["authors", "extra"]

# Pretty, stable URLs. The comment service stores "/" + ARTICLE_URL for each post.
ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = PAGE_URL + "index.html"
AUTHOR_URL = "authors/{slug}/"
AUTHOR_SAVE_AS = AUTHOR_URL + "index.html"
CATEGORY_URL = "categories/{slug}/"
CATEGORY_SAVE_AS = CATEGORY_URL + "index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
AUTHORS_URL = "authors/"
AUTHORS_SAVE_AS = AUTHORS_URL + "index.html"
CATEGORIES_URL = "categories/"
CATEGORIES_SAVE_AS = CATEGORIES_URL + "index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = TAGS_URL + "index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = ARCHIVES_URL + "index.html"
YEAR_ARCHIVE_URL = "{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = YEAR_ARCHIVE_URL + "index.html"
MONTH_ARCHIVE_URL = "{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_URL + "index.html"

# "404" renders theme/templates/404.html to 404.html for the web server.
DIRECT_TEMPLATES = ["index", "authors", "categories", "tags", "archives", "404"]
DEFAULT_PAGINATION = 4
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Atom feeds, also in development. Feed entries need absolute links, so they
# point at the local server started by `invoke serve-blog`.
FEED_DOMAIN = f"http://127.0.0.1:{os.environ.get('PORCH_BLOG_PORT', '8000')}"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/categories/{slug}.atom.xml"
AUTHOR_FEED_ATOM = "feeds/authors/{slug}.atom.xml"
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.smarty": {},
        "markdown.extensions.toc": {},
    },
    "output_format": "html5",
}

# The Porch plugin bakes approved comments into posts, reads author profiles
# and writes the posts manifest to <OUTPUT_PATH>/porch-manifest.json (set
# PORCH_MANIFEST_PATH to write it elsewhere).
# pelican-sitemap writes sitemap.xml; the Porch plugin writes the robots.txt that names it.
PLUGINS = ["porch_pelican", "pelican.plugins.sitemap"]
# Every article, page and listing, drafts and hidden pages left out; a 404 page is no page.
SITEMAP = {
    "format": "xml",
    "priorities": {"articles": 0.8, "pages": 0.5, "indexes": 0.3},
    "changefreqs": {"articles": "weekly", "pages": "monthly", "indexes": "daily"},
    "exclude": [r"^404\.html$"],
}
# Where readers' browsers reach the comment service, so where the pages post comments:
# PORCH_PUBLIC_URL, as the service calls it, else the one `make run` starts.
PORCH_PUBLIC_URL = os.environ.get(
    "PORCH_PUBLIC_URL", f"http://127.0.0.1:{os.environ.get('PORCH_SERVICE_PORT', '5000')}"
)
PORCH_COMMENTS_EXPORT = "var/comments-export.json"
PORCH_AUTHORS_DIR = "authors"
# Who answers on a post none of whose authors has a staff account (the admins).
PORCH_ANSWERING_TEAM = SAMPLE_WORDS.get(DEFAULT_LANG, SAMPLE_WORDS["en"])[1]
# How threads are cut into pages, and where pages 2 and later live: the service has
# settings of the same names, and `posts sync` refuses a blog that pages otherwise. Set
# in the environment (as `make run`, `invoke deploy` and the service's re-bakes see it),
# one value reaches both; unset, both take porch_contract's defaults (50,
# "comments/{number}/").
if "PORCH_COMMENTS_PER_PAGE" in os.environ:
    PORCH_COMMENTS_PER_PAGE = int(os.environ["PORCH_COMMENTS_PER_PAGE"])
if "PORCH_COMMENTS_PAGE_URL" in os.environ:
    PORCH_COMMENTS_PAGE_URL = os.environ["PORCH_COMMENTS_PAGE_URL"]
