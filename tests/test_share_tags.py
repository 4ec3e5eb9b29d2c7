"""Pages say what they are when shared: a canonical link on every page, Open Graph and
Twitter card tags, and a share image per post drawn at build time."""

import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from porch_pelican import rebake, share_images

from .site_support import ROOT, build_sample_site

EXPORT = Path(__file__).parent / "fixtures" / "comments-export.json"
FEED_DOMAIN = "http://127.0.0.1:8000"  # pelicanconf.py's, the local build's absolute address
# content/hello-porch.md
SLUG = "hello-porch"
PAGE = "2026/11/hello-porch/index.html"
TITLE = "Hello, Porch"
AUTHORS = ["Ana Lima", "Ben Okafor"]
SUMMARY = "Our blog has a new home, and a promise: every comment you leave here gets an answer"
# One top-level comment a page, so the post's two threads make a second comment page.
PAGING = {"PORCH_COMMENTS_PER_PAGE": 1, "FEED_DOMAIN": FEED_DOMAIN}


class HeadTags(HTMLParser):
    """Every <link> and <meta> of a page, as attribute dicts."""

    def __init__(self):
        super().__init__()
        self.links, self.metas = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "link":
            self.links.append(dict(attrs))
        elif tag == "meta":
            self.metas.append(dict(attrs))


def head_tags(path: Path) -> HeadTags:
    parser = HeadTags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def canonicals(tags: HeadTags) -> list[str]:
    return [link["href"] for link in tags.links if link.get("rel") == "canonical"]


def meta(tags: HeadTags, name: str) -> list[str]:
    """The contents of every meta tag with this property (Open Graph) or name (Twitter)."""
    return [m["content"] for m in tags.metas if name in (m.get("property"), m.get("name"))]


def copy_of_content(folder: Path) -> Path:
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    return content


def build(folder: Path, content: Path) -> Path:
    output, _ = build_sample_site(folder, EXPORT, PATH=str(content), **PAGING)
    return output


def share_image(output: Path, tags: HeadTags) -> Path:
    (url,) = meta(tags, "og:image")
    assert url.startswith(FEED_DOMAIN + "/")
    return output / url.removeprefix(FEED_DOMAIN + "/")


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    folder = tmp_path_factory.mktemp("share-tags")
    return build(folder, copy_of_content(folder))


def test_an_article_has_one_absolute_canonical_link_to_itself(output):
    tags = head_tags(output / PAGE)

    assert canonicals(tags) == [f"{FEED_DOMAIN}/2026/11/hello-porch/"]
    assert meta(tags, "og:url") == canonicals(tags)


def test_an_article_says_its_title_summary_authors_and_date(output):
    tags = head_tags(output / PAGE)

    assert meta(tags, "og:type") == ["article"]
    assert meta(tags, "og:title") == meta(tags, "twitter:title") == [TITLE]
    assert meta(tags, "og:site_name") == ["Lanternworks Porch"]
    (description,) = meta(tags, "og:description")
    assert description.startswith(SUMMARY) and len(description) <= 201
    assert "<" not in description
    assert meta(tags, "article:author") == AUTHORS
    assert meta(tags, "article:published_time") == ["2026-11-02T09:00:00+00:00"]
    assert meta(tags, "twitter:card") == ["summary_large_image"]


def test_the_share_image_is_a_1200_by_630_png_in_the_output(output):
    tags = head_tags(output / PAGE)
    image = share_image(output, tags)

    with Image.open(image) as png:
        assert (png.format, png.size) == ("PNG", (1200, 630))
    assert meta(tags, "og:image:width") == ["1200"]
    assert meta(tags, "og:image:height") == ["630"]
    assert meta(tags, "twitter:image") == meta(tags, "og:image")
    (alt,) = meta(tags, "og:image:alt")
    assert TITLE in alt and all(name in alt for name in AUTHORS)


def test_every_post_has_an_image_of_its_own(output):
    pages = [path for path in output.glob("20*/*/*/index.html") if "comments" not in path.parts]
    images = {share_image(output, head_tags(page)) for page in pages}

    assert len(pages) >= 6
    assert len(images) == len(pages)
    assert all(image.is_file() for image in images)


@pytest.mark.parametrize(
    ("page", "canonical", "title"),
    [
        ("index.html", "/", "Lanternworks Porch"),
        ("page/2/index.html", "/page/2/", "Lanternworks Porch"),
        ("about/index.html", "/about/", "About Porch"),
        ("authors/ana-lima/index.html", "/authors/ana-lima/", "Ana Lima"),
        ("categories/support/index.html", "/categories/support/", "Support"),
        ("tags/how-to/index.html", "/tags/how-to/", "Tagged “how-to”"),
    ],
)
def test_other_pages_are_websites_with_their_own_canonical_link(output, page, canonical, title):
    tags = head_tags(output / page)

    assert canonicals(tags) == [FEED_DOMAIN + canonical]
    assert meta(tags, "og:type") == ["website"]
    assert meta(tags, "og:title") == [title]
    assert meta(tags, "og:url") == [FEED_DOMAIN + canonical]
    assert share_image(output, tags).is_file()  # the blog's own image
    assert not meta(tags, "article:author")


def test_a_further_comment_page_is_its_own_canonical_page(output):
    tags = head_tags(output / "2026/11/hello-porch/comments/2/index.html")

    assert canonicals(tags) == [f"{FEED_DOMAIN}/2026/11/hello-porch/comments/2/"]
    assert meta(tags, "og:type") == ["website"]
    assert meta(tags, "og:title") == [f"Comments, page 2: {TITLE}"]


def test_the_not_found_page_names_no_canonical_address(output):
    """It is served at every missing address, so it claims none of them, nor 404.html."""
    tags = head_tags(output / "404.html")

    assert canonicals(tags) == []
    assert meta(tags, "og:url") == []
    assert meta(tags, "og:title") == ["Lanternworks Porch"]


def test_a_rebuild_leaves_unchanged_images_alone_and_redraws_a_retitled_post(tmp_path):
    content = copy_of_content(tmp_path)
    output = build(tmp_path, content)
    image = share_image(output, head_tags(output / PAGE))
    drawn = image.stat()

    build(tmp_path, content)
    again = share_image(output, head_tags(output / PAGE))
    assert again == image
    assert (again.stat().st_mtime_ns, again.stat().st_ino) == (drawn.st_mtime_ns, drawn.st_ino)

    post = content / "hello-porch.md"
    post.write_text(post.read_text().replace(f"Title: {TITLE}", "Title: Welcome to Porch"))
    build(tmp_path, content)
    retitled = share_image(output, head_tags(output / PAGE))
    assert retitled != image and retitled.is_file()
    assert not image.exists()  # the old version is gone from the output
    assert meta(head_tags(output / PAGE), "og:title") == ["Welcome to Porch"]


def test_a_build_that_empties_its_output_copies_the_images_it_drew_before(tmp_path):
    content = copy_of_content(tmp_path)
    output = build(tmp_path, content)
    image = share_image(output, head_tags(output / PAGE))
    (drawn,) = (tmp_path / "cache").rglob(image.name)
    first = drawn.stat()

    build_sample_site(tmp_path, EXPORT, PATH=str(content), DELETE_OUTPUT_DIRECTORY=True, **PAGING)

    assert image.read_bytes() == drawn.read_bytes()
    assert (drawn.stat().st_mtime_ns, drawn.stat().st_ino) == (first.st_mtime_ns, first.st_ino)


def test_the_head_survives_a_rebake(tmp_path):
    content = copy_of_content(tmp_path)
    output = build(tmp_path, content)
    comments_page = output / "2026/11/hello-porch/comments/2/index.html"
    before = head_of(output / PAGE)
    export = json.loads(EXPORT.read_text(encoding="utf-8"))
    thread = {**export["posts"][SLUG], "version": 99}
    comments_page.unlink()

    override = {
        "PATH": str(content),
        "PORCH_MANIFEST_PATH": str(tmp_path / "porch-manifest.json"),
        **PAGING,
    }
    rebaker = rebake.load(str(ROOT / "pelicanconf.py"), str(output), override)
    assert rebaker.rebake(SLUG, thread)

    assert "version=99" in (output / PAGE).read_text(encoding="utf-8")
    assert head_of(output / PAGE) == before
    tags = head_tags(comments_page)
    assert canonicals(tags) == [f"{FEED_DOMAIN}/2026/11/hello-porch/comments/2/"]


def head_of(path: Path) -> str:
    return re.search(r"<head>.*</head>", path.read_text(encoding="utf-8"), re.DOTALL).group(0)


def test_a_card_of_many_authors_keeps_within_its_palette():
    """Each text colour over each colour under it takes a ramp of the 256 palette entries."""
    authors = [(f"Author Number {n}", f"#{n}{n}3366") for n in range(8)]
    card = share_images.card_inputs("A title " * 12, authors, "Lanternworks Porch")

    image = share_images.draw_card(card)

    assert (image.mode, image.size) == ("P", (1200, 630))
    used = {index for _, index in image.getcolors()}
    assert len(used) > 100  # ramps of antialiasing, not a handful of flat colours
    rgb = image.convert("RGB")
    assert rgb.getpixel((8, 300)) == (0x9A, 0x34, 0x12)  # the accent bar
    assert rgb.getpixel((600, 20)) == (0xFB, 0xFA, 0xF7)  # the background


def share_images_of(output: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in (output / "images" / "share").iterdir()}


def test_cards_drawn_by_worker_processes_are_the_cards_the_build_draws_itself(tmp_path):
    """Worker processes draw the cards while Pelican writes the pages (one per CPU, or as
    many as PORCH_SHARE_IMAGE_PROCESSES says); with one, the build draws them itself."""
    content = copy_of_content(tmp_path)
    drawn = {}
    for processes in (1, 2):
        folder = tmp_path / f"processes-{processes}"
        output, _ = build_sample_site(
            folder, EXPORT, PATH=str(content), PORCH_SHARE_IMAGE_PROCESSES=processes, **PAGING
        )
        drawn[processes] = share_images_of(output)

    assert len(drawn[1]) >= 7  # a card per post, and the site's own
    assert drawn[2] == drawn[1]


@pytest.mark.parametrize("processes", [1, 2])
def test_a_card_that_cannot_be_drawn_fails_the_build(tmp_path, processes):
    content = copy_of_content(tmp_path)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / share_images.CACHE_FOLDER).write_text("not a folder")

    with pytest.raises(FileExistsError):  # the drawing's own error, from a worker too
        build_sample_site(
            tmp_path, EXPORT, PATH=str(content), PORCH_SHARE_IMAGE_PROCESSES=processes, **PAGING
        )


def test_a_card_is_the_same_after_cards_that_share_its_texts():
    """Each text's mask is kept for the next cards (the blog's name, the authors'): a card
    drawn after others is the card drawn first."""
    ana, ben = ("Ana Lima", "#9a3412"), ("Ben Okafor", "#1d4ed8")
    cards = [
        share_images.card_inputs(title, authors, "Lanternworks Porch")
        for title, authors in [
            ("Offline mode, explained", [ana, ben]),
            ("Offline mode, explained again", [ben]),
            ("Job cards", [ana]),
            ("Offline mode, explained", [ana, ben]),
        ]
    ]

    first, *_, again = [png_bytes(card) for card in cards]

    assert again == first


def png_bytes(card) -> bytes:
    file = io.BytesIO()
    share_images.save_png(card, file)
    return file.getvalue()
