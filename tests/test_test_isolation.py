"""The suite's own builds depend on nothing a developer's `make run` leaves in the checkout.

`make run` writes `var/comments-export.json` (pelicanconf.py's default export). A test
build that read it baked the sample blog's comments, numbered by another database, into
the test's pages; the script then took a test comment for an already baked one with the
same number, and a reply vanished from the live thread.
"""

import json
from datetime import UTC, datetime

from .browser_support import ROOT, build_site, clean_environment

LEFTOVER = "A comment from the developer's own make run, not from this test."
SLUG = "offline-mode-explained"


def a_leftover_export() -> dict:
    comment = {
        "id": 3,
        "parent_id": None,
        "depth": 0,
        "in_reply_to": None,
        "author_name": "Leftover Reader",
        "author_website": None,
        "html": f"<p>{LEFTOVER}</p>",
        "created_at": "2026-01-05T10:00:00Z",
        "edited_at": None,
        "staff": None,
        "answered_by": None,
        "answered_after_seconds": None,
        "got_in_touch": None,
        "waiting": True,
        "answer_line": None,
        "what_we_did": None,
    }
    return {
        "version": 2,
        "exported_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "posts": {SLUG: {"comments": [comment], "count": 1, "version": 1}},
    }


def test_a_test_build_never_bakes_the_checkouts_own_comments_export(tmp_path):
    export = ROOT / "var" / "comments-export.json"
    planted, made_folder = not export.exists(), not export.parent.exists()
    if planted:
        export.parent.mkdir(exist_ok=True)
        export.write_text(json.dumps(a_leftover_export()), encoding="utf-8")
    try:
        output = tmp_path / "output"
        build_site(output, clean_environment(), PORCH_MANIFEST_PATH=str(tmp_path / "m.json"))
    finally:
        if planted:
            export.unlink()
        if made_folder:
            export.parent.rmdir()
    pages = [p.read_text(encoding="utf-8") for p in output.rglob("*.html")]
    assert pages
    assert not any(LEFTOVER in page for page in pages)
    assert not any('id="comment-3"' in page for page in pages)
