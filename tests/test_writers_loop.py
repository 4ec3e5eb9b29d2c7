"""The writer's loop (`invoke autobuild`, one round = tasks.py ``refresh``) loads a new post
into the comment service before its page is served.

The round runs as `make run` runs it: the real tasks.py function, in a copy of the
checkout's blog sources, its `flask` and `pelican` commands against a real service
(`flask run` on SQLite). A watcher polls the output folder and, the moment the new post's
page is there, posts a comment on it the way the page's form would.
"""

import fcntl
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from invoke import Config, Context, Local

import tasks
from porch_pelican.rebake import LOCK_FILE
from porch_pelican.staging import publish_staged, staging_folder

from .browser_support import ROOT, post_comment

BLOG = "http://blog.test"
SLUG = "a-post-saved-just-now"
NEW_POST = f"""Title: A post saved just now
Date: 2026-12-01 09:00
Author: Ana Lima
Category: Product
Slug: {SLUG}
Summary: Written while the blog was running.

The writer saved this, and readers can answer it at once.
"""


class ClosingLocal(Local):
    """invoke's runner, closing each command's pipes when it ends: invoke leaves them to the
    garbage collector, whose ResourceWarning fails a test here (warnings are errors)."""

    def stop(self) -> None:
        super().stop()
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe:
                pipe.close()


# As `invoke autobuild` runs, but its commands read no keyboard (pytest holds stdin).
QUIET = Config(overrides={"run": {"in_stream": False}, "runners": {"local": ClosingLocal}})
PAGE = Path("output/2026/12") / SLUG / "index.html"


@pytest.fixture
def checkout(tmp_path, monkeypatch, porch_site):
    """A copy of the blog's sources as the working folder, its commands pointed at a
    running service (the environment `make run` gives `invoke autobuild`)."""
    porch = porch_site("writers-loop", blog=False, BLOG_URL=BLOG, MIN_FILL_SECONDS="0")
    shutil.copy(ROOT / "pelicanconf.py", tmp_path)
    shutil.copytree(ROOT / "content", tmp_path / "content")
    (tmp_path / "theme").symlink_to(ROOT / "theme")
    for name in os.environ:
        if name.startswith(("PORCH_", "FLASK_")):
            monkeypatch.delenv(name)
    for name, value in porch.env.items():
        if name.startswith("PORCH_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("PORCH_PUBLIC_URL", porch.service.url)
    monkeypatch.chdir(tmp_path)
    tasks.blog.cache_clear()
    porch.start()
    yield tmp_path, porch
    tasks.blog.cache_clear()


class FirstSight(threading.Thread):
    """Watch for the page; the moment it exists, comment on its post; keep the answer."""

    def __init__(self, page: Path, service_url: str):
        super().__init__(daemon=True)
        self.page, self.service_url = page, service_url
        self.answer: dict | AssertionError | None = None
        self.done = threading.Event()

    def run(self) -> None:
        while not self.page.exists():
            if self.done.is_set():
                return
            time.sleep(0.002)
        fields = {"author_name": "Jo Reader", "email": "jo@readers.test", "body": "First!"}
        try:
            self.answer = post_comment(self.service_url, SLUG, BLOG, **fields)
        except AssertionError as refused:
            self.answer = refused


def test_a_new_posts_page_appears_only_once_the_service_takes_comments_on_it(checkout):
    folder, porch = checkout
    tasks.refresh(Context(QUIET))  # autobuild's first round, at start
    assert (folder / "output" / "porch-manifest.json").is_file()
    assert not (folder / PAGE).exists()

    (folder / "content" / f"{SLUG}.md").write_text(NEW_POST, encoding="utf-8")
    watcher = FirstSight(folder / PAGE, porch.service.url)
    watcher.start()
    try:
        tasks.refresh(Context(QUIET))  # the round after the save
    finally:
        watcher.done.set()
        watcher.join(timeout=30)

    assert (folder / PAGE).is_file()
    assert isinstance(watcher.answer, dict), watcher.answer
    assert watcher.answer["id"] > 0
    # The build went through staging, which the move emptied of files.
    staged = Path(staging_folder("output"))
    assert staged.parent == folder and not (staged / "porch-manifest.json").exists()


def test_a_build_that_fails_leaves_the_served_blog_as_it_was(checkout):
    folder, _ = checkout
    tasks.refresh(Context(QUIET))
    before = (folder / "output" / "index.html").read_bytes()
    (folder / "content" / f"{SLUG}.md").write_text(NEW_POST, encoding="utf-8")
    (folder / "pelicanconf.py").write_text("THEME = 'no-such-theme'\n", encoding="utf-8")

    tasks.refresh(Context(QUIET))

    assert not (folder / PAGE).exists()
    assert (folder / "output" / "index.html").read_bytes() == before


def test_the_move_waits_for_a_rebake_in_progress(tmp_path):
    """A re-bake holds the output's lock while it reads, compares and writes a page."""
    staging, output = tmp_path / "staging", tmp_path / "output"
    (staging / "theme").mkdir(parents=True)
    (staging / "theme" / "site.css").write_text("new", encoding="utf-8")
    (staging / "index.html").write_text("new", encoding="utf-8")
    output.mkdir()
    (output / "index.html").write_text("old", encoding="utf-8")
    mover = threading.Thread(target=publish_staged, args=(str(staging), str(output)))

    with open(output / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        mover.start()
        time.sleep(0.3)
        during = (output / "index.html").read_text(encoding="utf-8")
        fcntl.flock(lock, fcntl.LOCK_UN)
    mover.join(timeout=10)

    assert during == "old"
    assert (output / "index.html").read_text(encoding="utf-8") == "new"
    assert (output / "theme" / "site.css").read_text(encoding="utf-8") == "new"
    assert not (staging / "index.html").exists()
