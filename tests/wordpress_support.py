"""The WordPress theme-unit-test comments in a running Porch, baked into the sample blog.

Its threads are the classic hard case for a comment section: ten levels deep, HTML in
the bodies, an image, Greek text, pingbacks and trackbacks, twenty comments on one post.
Our own export (HARD_CASES) adds what it lacks: every element a comment may keep and many
it may not, unsafe links, very long words, right-to-left text, broken HTML, a thread
fifteen levels deep and more comments on one post than one page of comments shows.
"""

from pathlib import Path

from .porch_support import PorchSite
from .test_import_wordpress import WXR

HARD_CASES = Path(__file__).parent / "fixtures" / "wordpress" / "comment-hard-cases.xml"

# Each of the export's posts with comments, onto one of the sample blog's posts.
ONTO_SAMPLE_POSTS = {
    "template-comments": "hello-porch",
    "page-with-comments": "offline-mode-explained",
    "template-pingbacks-an-trackbacks": "faster-schedule-sync",
    "theme-block-category": "job-card-redesign",
    "blog": "job-card-redesign",
    "comment-hard-cases": "recurring-jobs-questions",
    "template-password-protected": "spreadsheet-import-guide",
    "edge-case-no-content": "daylight-saving-double-job",
}


def bake_theme_unit_test(site: PorchSite) -> PorchSite:
    """Publish the sample blog, import both exports' comments (pingbacks too) as an operator
    would, and rebuild the blog with them baked in."""
    site.publish()
    mapping = site.output.parent / "wordpress-map.csv"
    mapping.write_text("".join(f"{old},{new}\n" for old, new in ONTO_SAMPLE_POSTS.items()))
    for export in (WXR, HARD_CASES):
        site.flask("import", "wordpress", str(export), "--keep-pingbacks", "--map", str(mapping))
    site.bake_comments()
    return site
