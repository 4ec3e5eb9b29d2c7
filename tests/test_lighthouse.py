"""Lighthouse gives the blog's front page and an article 100 in performance, accessibility,
best practices and SEO, with its mobile and its desktop preset (the median of three runs).

The blog is the sample blog with the WordPress theme-unit-test comments baked in (twenty
on the article, ten levels deep), served on 127.0.0.1 beside its running comment service,
as readers get it: the article's script loads its thread from the service.
"""

import pytest

from .lighthouse_support import CATEGORIES, failed_audits, median_audit, scores
from .wordpress_support import bake_theme_unit_test


@pytest.fixture(scope="module")
def blog(porch_site):
    return bake_theme_unit_test(porch_site("lighthouse", slug="hello-porch")).start()


@pytest.mark.parametrize("preset", ["mobile", "desktop"])
@pytest.mark.parametrize("page", ["front page", "article"])
def test_lighthouse_scores_100_in_every_category(blog, page, preset, tmp_path):
    url = blog.site.url + "/" if page == "front page" else blog.article_url
    result = median_audit(url, preset, tmp_path / "lighthouse.json")
    got = scores(result)
    print(f"{page}, {preset}: {got}")  # the scores, for the record (-s)
    assert result["finalDisplayedUrl"] == url
    assert got == dict.fromkeys(CATEGORIES, 100), (
        f"{page} ({preset}) scores {got}; audits that failed:\n" + "\n".join(failed_audits(result))
    )
