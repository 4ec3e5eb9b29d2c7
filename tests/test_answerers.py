"""The blog promises an answer from whoever really answers, and names a missing profile.

Real builds of the sample site (content/ copied, with posts by Sam Rivera, who has
neither a profile nor a staff account) and the real service's export of who answers.
"""

import json
import logging
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from porch_contract.export import check_export
from porch_pelican import rebake

from .browser_support import StaticSite
from .site_support import ROOT, build_sample_site
from .test_api import post_json

ARTIFACTS = ROOT / "test-artifacts"

SAM_ALONE = """Title: On the road with Sam
Date: 2026-11-20 09:00
Author: Sam Rivera
Slug: on-the-road
Summary: A week with the field technicians.

What a week on the road taught us.
"""
SAM_WITH_ANA = """Title: Two of us
Date: 2026-11-21 09:00
Authors: Sam Rivera, Ana Lima
Slug: two-of-us
Summary: Written together.

Written together.
"""


@pytest.fixture
def content(tmp_path):
    """The sample content, and two posts by Sam Rivera (one with Ana Lima)."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    (folder / "on-the-road.md").write_text(SAM_ALONE, encoding="utf-8")
    (folder / "two-of-us.md").write_text(SAM_WITH_ANA, encoding="utf-8")
    return folder


def build(folder: Path, content: Path, export: Path) -> Path:
    output, _ = build_sample_site(folder, export, PATH=str(content))
    return output


def article(output: Path, slug: str) -> str:
    return next(output.glob(f"20*/*/{slug}/index.html")).read_text(encoding="utf-8")


def promises(html: str) -> list[str]:
    """Every sentence of the comments section that says who answers."""
    return re.findall(r"[^.>:]*(?:will answer it|gets an answer from)[^.<]*", html)


def test_a_build_names_the_missing_profile_file_and_the_card_keeps_the_name(
    content, tmp_path, caplog
):
    caplog.set_level(logging.WARNING, logger="porch_pelican")
    output = build(tmp_path / "site", content, tmp_path / "no-export.json")

    missing = [r.getMessage() for r in caplog.records if "has no profile" in r.getMessage()]
    wanted = content / "authors" / "sam-rivera.md"
    assert missing == [f"Porch: Sam Rivera has no profile: add {wanted}"]
    page = (output / "authors" / "sam-rivera" / "index.html").read_text(encoding="utf-8")
    card = re.search(
        r'<section class="author-card">.*?</section>', article(output, "on-the-road"), re.S
    )
    assert card, "the article has no author card for Sam Rivera"
    assert '<span class="avatar avatar--l avatar--initials' in card.group(0)
    assert ">SR</span>" in card.group(0)
    assert re.search(r'href="[^"]*/authors/sam-rivera/">Sam Rivera</a>', card.group(0))
    assert ">SR</span>" in page and ">Sam Rivera</a>" in page


def built_from_the_service(app, make_staff, content, tmp_path) -> tuple[Path, dict]:
    """Build, load the posts into the service (Ana Lima has an account, nobody else),
    export from it and build again: the output and the export."""
    first = build(tmp_path / "first", content, tmp_path / "no-export.json")
    before = promises(article(first, "on-the-road"))
    assert before and all("Sam Rivera" in words for words in before)
    make_staff("Ana Lima")
    cli = app.test_cli_runner()
    synced = cli.invoke(args=["posts", "sync", str(tmp_path / "first" / "porch-manifest.json")])
    assert synced.exit_code == 0, synced.output
    assert "Sam Rivera has no staff account" in synced.output
    export = tmp_path / "export.json"
    exported = cli.invoke(args=["comments", "export", str(export)])
    assert exported.exit_code == 0, exported.output
    document = json.loads(export.read_text(encoding="utf-8"))
    check_export(document, "the service's export")
    return build(tmp_path / "second", content, export), document


def test_the_words_name_who_really_answers(app, make_staff, content, tmp_path):
    """Ana has an account, Sam and the sample's other authors none: Sam's post promises
    the team (the admins answer), the post with Ana promises Ana, Ana's own promise her."""
    output, document = built_from_the_service(app, make_staff, content, tmp_path)
    assert document["answering"]["on-the-road"] == []
    assert document["answering"]["two-of-us"] == ["Ana Lima"]
    assert "offline-mode-explained" not in document["answering"]

    alone = promises(article(output, "on-the-road"))
    assert len(alone) >= 4 and all("the Lanternworks team" in words for words in alone)
    assert not any("Sam" in words for words in alone)
    together = promises(article(output, "two-of-us"))
    assert together and all("Ana Lima" in w and "Sam" not in w for w in together)
    own = promises(article(output, "offline-mode-explained"))
    assert own and all("Ana Lima" in words for words in own)


def test_a_reader_sees_who_answers_and_who_wrote_it(app, make_staff, content, tmp_path, open_page):
    output, _ = built_from_the_service(app, make_staff, content, tmp_path)
    site = StaticSite(output).start()
    try:
        page = open_page(javascript=False, viewport={"width": 900, "height": 900})
        address = next(output.glob("20*/*/on-the-road/index.html")).relative_to(output)
        page.goto(f"{site.url}/{address.parent}/")
        empty = page.locator(".comment-empty")
        expect(empty).to_have_text(
            "No comments yet. Ask the first question: the Lanternworks team will answer it."
        )
        card = page.locator(".author-card")
        expect(card.locator(".author-card-name")).to_have_text("About Sam Rivera")
        expect(card.locator(".avatar--initials")).to_have_text("SR")
        expect(page.locator(".comments-promise")).not_to_contain_text("Sam Rivera")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "answerers-no-account.png", full_page=True)
    finally:
        site.stop()


def test_a_rebake_from_the_public_api_keeps_the_words_the_build_baked(
    app, client, make_staff, content, tmp_path
):
    """A re-baker on another host gets threads from the public API, which does not say who
    answers: it keeps what the export the build read said."""
    output, _ = built_from_the_service(app, make_staff, content, tmp_path)
    rebaker = rebake.load(
        str(ROOT / "pelicanconf.py"),
        str(output),
        {
            "PATH": str(content),
            "PORCH_COMMENTS_EXPORT": str(tmp_path / "export.json"),
            "PORCH_MANIFEST_PATH": str(tmp_path / "second" / "porch-manifest.json"),
        },
    )
    assert post_json(client, slug="on-the-road").status_code == 201
    thread = client.get("/api/posts/on-the-road/comments").get_json()
    assert "answering" not in thread

    assert rebaker.rebake("on-the-road", thread)

    page = article(output, "on-the-road")
    assert "How do I export my schedule?" in page
    said = promises(page)
    assert len(said) >= 3 and all("the Lanternworks team" in words for words in said)
