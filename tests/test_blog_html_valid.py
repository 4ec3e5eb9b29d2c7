"""Every page of the built blog is valid HTML, as the Nu Html Checker reads it: the sample
blog as it builds, and again with the WordPress theme-unit-test comments baked in. Each
build is checked in one run of the checker over all its pages."""

from pathlib import Path

import pytest

from .html_checker import file_errors
from .site_support import build_sample_site
from .wordpress_support import bake_theme_unit_test

EXPORT = Path(__file__).parent / "fixtures" / "comments-export.json"


def pages_of(output: Path) -> list[Path]:
    pages = sorted(output.rglob("*.html"))
    built = {str(page.relative_to(output)) for page in pages}
    assert {"index.html", "404.html", "2026/11/hello-porch/index.html"} <= built, built
    return pages


def assert_valid(output: Path) -> None:
    errors = file_errors(pages_of(output), output)
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def test_every_page_of_the_sample_blog_is_valid_html(tmp_path):
    output, _ = build_sample_site(tmp_path, EXPORT)
    assert_valid(output)


@pytest.fixture(scope="module")
def wordpress_blog(porch_site) -> Path:
    return bake_theme_unit_test(porch_site("wordpress")).output


@pytest.mark.parametrize(
    ("slug", "shown"),
    [
        (
            "2026/11/hello-porch",
            [
                "Comment Depth 10",
                "<blockquote>Stay hungry. Stay foolish.</blockquote>",
                "Σίγουρα θα",
            ],
        ),
        ("2026/10/faster-schedule-sync", ["Trackback test", "Another short one"]),
        ("2026/10/recurring-jobs-questions", ["Thread depth 15", "Pneumonoultra", "العربية"]),
        ("2026/10/recurring-jobs-questions/comments/2", ["of many on a busy post"]),
    ],
)
def test_the_theme_unit_test_comments_are_baked_in(wordpress_blog, slug, shown):
    html = (wordpress_blog / slug / "index.html").read_text(encoding="utf-8")
    assert all(words in html for words in shown), shown


def test_every_page_with_the_theme_unit_test_comments_is_valid_html(wordpress_blog):
    assert_valid(wordpress_blog)
