"""The blog keeps itself fresh, wired as `make run` wires it, in Chromium.

A copy of the project's content, theme and settings is served from a temporary
folder; `invoke autobuild` builds it and loads its posts, the service (on a free
port) re-bakes a page before it answers the change, and `flask rebake --loop`
catches up with everything else. Nothing else is run by hand.
"""

import json
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from .browser_support import (
    BIN,
    ROOT,
    TIMEOUT_MS,
    ServiceProcess,
    StaticSite,
    clean_environment,
    flask,
    free_port,
    stop_process,
)

pytestmark = pytest.mark.browser

SLUG = "offline-mode-explained"
PROJECT_FILES = ("content", "theme", "pelicanconf.py", "publishconf.py", "tasks.py")
WAIT_SECONDS = 30  # the first build, the service start, a rebuild: each well inside this

expect.set_options(timeout=TIMEOUT_MS)


class Blog:
    """A copy of the project, built and served the way `make run` does it."""

    def __init__(self, tmp):
        self.folder = tmp / "project"
        for name in PROJECT_FILES:
            source = ROOT / name
            copy = shutil.copytree if source.is_dir() else shutil.copy
            copy(source, self.folder / name)
        self.output = self.folder / "output"
        self.output.mkdir()
        self.site = StaticSite(self.output).start()
        port = free_port()
        self.env = clean_environment(
            DATABASE_URL=f"sqlite:///{tmp / 'porch.sqlite3'}",
            SECRET_KEY="fresh-secret",
            MIN_FILL_SECONDS="0",  # Playwright types faster than people
            BLOG_URL=self.site.url,
            PUBLIC_URL=f"http://127.0.0.1:{port}",
            REBAKE_OUTPUT=str(self.output),
            REBAKE_SETTINGS=str(self.folder / "pelicanconf.py"),
            REBAKE_LOOP_SECONDS="0.5",
            BLOG_PORT=str(self.site.port),
        )
        self.service = ServiceProcess(port, self.env, tmp / "service.log")
        self.logs = tmp
        self.workers: list[subprocess.Popen] = []

    def start(self) -> "Blog":
        flask("db", "upgrade", env=self.env)
        self._worker("autobuild.log", BIN / "invoke", "autobuild")
        wait_for(lambda: SLUG in self.manifest_slugs(), "the first build")
        self.service.start()
        # The manifest reaches output/ once `posts sync` has loaded it; the service may still
        # be starting.
        wait_for(self.service_knows_the_post, "the posts loaded into the service")
        self._worker("rebake.log", BIN / "flask", "--app", "comments_service", "rebake", "--loop")
        return self

    def _worker(self, log_name, *command) -> None:
        with open(self.logs / log_name, "wb") as log:
            self.workers.append(
                subprocess.Popen(
                    [str(part) for part in command],
                    cwd=self.folder,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def stop(self) -> None:
        for worker in self.workers:
            stop_process(worker)
        self.service.stop()
        self.site.stop()

    def service_knows_the_post(self, slug=SLUG) -> bool:
        try:
            with urllib.request.urlopen(f"{self.service.url}/api/posts/{slug}/comments", timeout=5):
                return True
        except urllib.error.URLError:  # a 404 (not loaded yet) or a refused connection
            return False

    def manifest_slugs(self) -> set[str]:
        try:
            manifest = json.loads((self.output / "porch-manifest.json").read_text())
        except (FileNotFoundError, ValueError):
            return set()
        return {post["slug"] for post in manifest["posts"]}

    def article_url(self, slug=SLUG) -> str:
        manifest = json.loads((self.output / "porch-manifest.json").read_text())
        return self.site.url + next(p["path"] for p in manifest["posts"] if p["slug"] == slug)


def wait_for(condition, what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {seconds} s for {what}")
        time.sleep(0.2)


def static_html(url: str) -> str:
    """The page as the static server has it, fetched without any JavaScript."""
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


@pytest.fixture(scope="module")
def blog(tmp_path_factory):
    blog = Blog(tmp_path_factory.mktemp("porch-fresh"))
    try:
        yield blog.start()
    finally:
        blog.stop()


@pytest.fixture
def no_javascript(open_page):
    return open_page(javascript=False)


def post_with_the_form(page: Page, form, name: str, body: str, button: str) -> None:
    form.get_by_label("Your name").fill(name)
    form.locator("textarea[name=body]").fill(body)
    form.get_by_role("button", name=button).click()


def test_the_pages_post_to_the_configured_service_on_its_port(blog):
    html = static_html(blog.article_url())
    assert f'data-porch-api="{blog.service.url}/api/posts/{SLUG}/comments"' in html
    assert f'action="{blog.service.url}/api/posts/{SLUG}/comments"' in html


def test_a_comment_sent_with_javascript_is_in_the_static_page_within_seconds(blog, page):
    page.goto(blog.article_url())
    form = page.locator("#comments > form.comment-form")
    post_with_the_form(page, form, "Jo Reader", "Can I *print* a job card?", "Post comment")
    expect(
        page.locator(".comment-list > li.comment").filter(has_text="Can I print")
    ).to_be_visible()
    wait_for(lambda: "Can I <em>print</em> a job card?" in static_html(blog.article_url()), "it")
    assert re.search(r'class="comment-count">\(\d+\)<', static_html(blog.article_url()))


def test_a_reader_without_javascript_is_told_their_comment_is_published_and_lands_on_their_reply(
    blog, no_javascript
):
    page = no_javascript
    page.goto(blog.article_url())
    form = page.locator("#comments > form.comment-form")
    post_with_the_form(page, form, "Sam Field", "Does it work in a lift?", "Post comment")
    expect(page).to_have_url(re.compile(r"\?comment=\d+#comment-status-approved-above$"))
    note = page.locator("#comment-status-approved-above")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Your comment, just above, is published")
    question_id = re.search(r"\?comment=(\d+)#", page.url)[1]
    question = page.locator(f"#comment-{question_id}")
    expect(question.locator(".comment-body").first).to_have_text("Does it work in a lift?")
    expect(question).to_be_in_viewport()

    question.get_by_role("link", name="Reply to Sam Field").click()  # the service's reply page
    expect(page.get_by_role("heading", name="Reply to Sam Field")).to_be_visible()
    expect(page.locator("blockquote")).to_have_text("Does it work in a lift?")
    reply_form = page.locator("form", has=page.locator("textarea[name=body]"))
    post_with_the_form(page, reply_form, "Kim Lee", "Mine does, on floor 3.", "Post reply")
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    reply_id = page.url.rsplit("-", 1)[1]
    reply = page.locator(f"#comment-{question_id} > .comment-replies > #comment-{reply_id}")
    expect(reply.locator(".comment-body")).to_have_text("Mine does, on floor 3.")
    expect(reply).to_be_in_viewport()


def test_a_saved_markdown_file_becomes_a_post_that_takes_comments(blog, page):
    (blog.folder / "content" / "fresh-off-the-press.md").write_text(
        "Title: Fresh off the press\nDate: 2026-11-28 09:00\nAuthor: Ana Lima\n"
        "Category: Company\nSlug: fresh-off-the-press\n\nSaved, and live.\n",
        encoding="utf-8",
    )
    wait_for(lambda: "fresh-off-the-press" in blog.manifest_slugs(), "the rebuild")
    page.goto(blog.article_url("fresh-off-the-press"))
    expect(page.get_by_role("heading", name="Fresh off the press")).to_be_visible()

    def taken() -> bool:
        """The service knows the post once the build's posts are loaded."""
        api = f"{blog.service.url}/api/posts/fresh-off-the-press/comments"
        try:
            with urllib.request.urlopen(api, timeout=5) as response:
                return response.status == 200
        except urllib.error.HTTPError:
            return False

    wait_for(taken, "the post to be loaded into the service")
    form = page.locator("#comments > form.comment-form")
    post_with_the_form(page, form, "Jo Reader", "First!", "Post comment")
    expect(page.locator(".comment-list > li.comment").filter(has_text="First!")).to_be_visible()
