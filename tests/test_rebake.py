"""Fresh pages without full builds: every change readers would see raises its post's
comments version, and a re-bake of one page equals what a full build writes."""

import json
import re
import shutil
import subprocess
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from comments_service.enums import ModerationPolicy
from comments_service.extensions import db
from comments_service.inbox import Outcome, receive
from comments_service.models import Comment, CommentStatus, Post, Role, Staff, utcnow
from comments_service.services.comments.posting import add_staff_answer
from comments_service.services.inbound.reply_address import ReplyAddresses
from comments_service.services.moderation import decisions as moderation
from comments_service.services.site.answering import active_staff_names
from comments_service.services.site.export import export_document
from comments_service.services.site.manifest import load_manifest, sync_posts
from comments_service.services.site.rebake import thread_to_bake
from porch_pelican import rebake
from porch_pelican.remote import keep_fresh

from .browser_support import BIN, clean_environment, free_port
from .conftest import BLOG_URL, PASSWORD, answer_fields, csrf_token
from .reply_support import INBOUND, reply
from .site_support import ROOT, build_sample_site

SLUG = "offline-mode-explained"  # by Ana Lima in content/
PAGE = f"2026/10/{SLUG}/index.html"
# The service's default paging (PORCH_COMMENTS_PER_PAGE, PORCH_COMMENTS_PAGE_URL), which
# the sample blog's builds share; as a manifest carries it.
SERVICE_PAGING = (50, "comments/{number}/")
PAGING = {"per_page": 50, "page_url": "comments/{number}/"}


def version_of(app, post) -> int:
    with app.app_context():
        return db.session.scalar(select(Post.comments_version).where(Post.id == post.id))


def post_comment(client, slug="mine", **fields):
    body = {"author_name": "Jo", "body": "Does it work offline?", **fields}
    return client.post(f"/api/posts/{slug}/comments", json=body, headers={"Origin": BLOG_URL})


def decide(app, action, comment_id: int, staff, *args) -> int | None:
    """Take a staff decision the way a view or command does: one commit at the end.

    Returns the id of the comment it wrote, if it wrote one (an answer).
    """
    with app.app_context():
        written = action(db.session.get(Comment, comment_id), db.session.merge(staff), *args)
        db.session.commit()
        return written and written.id


# Which changes mark the post


def test_a_published_reader_comment_raises_its_posts_version(client, app, make_post):
    post = make_post("mine")
    assert post_comment(client).status_code == 201
    assert version_of(app, post) == 1


def test_held_and_binned_comments_raise_nothing(client, app_with, make_post):
    post = make_post("mine")
    queue = app_with(PORCH_MODERATION_POLICY=ModerationPolicy.QUEUE).test_client()
    assert post_comment(queue).get_json()["status"] == "pending"
    assert post_comment(client, leave_blank="bot").get_json()["status"] == "pending"  # spam
    assert version_of(client.application, post) == 0


def test_answer_edit_and_removal_each_raise_the_version(app, make_post, make_staff, make_comment):
    post, ana = make_post("mine"), make_staff("Ana Lima")
    question = make_comment(post)
    start = version_of(app, post)
    answer = decide(app, add_staff_answer, question.id, ana, "Yes")
    assert version_of(app, post) == start + 1
    decide(app, moderation.edit_answer, answer, ana, "Yes, it does.")
    assert version_of(app, post) == start + 2
    decide(app, moderation.delete, question.id, ana)
    assert version_of(app, post) == start + 3
    decide(app, moderation.restore, question.id, ana)
    assert version_of(app, post) == start + 4


def test_approving_a_held_comment_raises_the_version(app, make_post, make_staff, make_comment):
    post, ana = make_post("mine"), make_staff("Ana Lima")
    held = make_comment(post, status=CommentStatus.PENDING, published_at=None)
    assert version_of(app, post) == 0
    decide(app, moderation.approve, held.id, ana)
    assert version_of(app, post) == 1


def test_answering_a_held_comment_raises_the_version_once(app, make_post, make_staff, make_comment):
    post, ana = make_post("mine"), make_staff("Ana Lima")
    held = make_comment(post, status=CommentStatus.PENDING, published_at=None)
    decide(app, add_staff_answer, held.id, ana, "Thanks for asking.")
    assert version_of(app, post) == 1


def test_decisions_on_held_comments_raise_nothing(app, make_post, make_staff, make_comment):
    post, ana = make_post("mine"), make_staff("Ana Lima")
    held = make_comment(post, status=CommentStatus.PENDING, published_at=None)
    start = version_of(app, post)
    decide(app, moderation.mark_spam, held.id, ana)
    decide(app, moderation.mark_not_spam, held.id, ana)  # back to held: never published
    assert version_of(app, post) == start


def test_dismissing_a_published_comment_raises_the_version(
    app, make_post, make_staff, make_comment
):
    """Its answer line stops saying it waits."""
    post, ana = make_post("mine"), make_staff("Ana Lima")
    published = make_comment(post)
    start = version_of(app, post)
    decide(app, moderation.dismiss, published.id, ana, "Just a thank-you.")
    assert version_of(app, post) == start + 1


def test_bulk_and_cli_decisions_raise_the_version(
    client, app, make_post, make_staff, make_comment, login
):
    post, ana = make_post("mine"), make_staff("Ana Lima")
    first, second = make_comment(post), make_comment(post)
    start = version_of(app, post)
    login(ana)
    token = csrf_token(client.get("/moderation/?view=all").get_data(as_text=True))
    form = {"decision": "spam", "ids": [str(first.id)], "view": "all", "csrf_token": token}
    assert client.post("/moderation/bulk", data=form).status_code == 303
    assert version_of(app, post) == start + 1
    result = app.test_cli_runner().invoke(
        args=["comments", "delete", str(second.id), "--by", "Ana Lima"]
    )
    assert result.exit_code == 0, result.output
    assert version_of(app, post) == start + 2


def test_changes_lists_each_changed_post_with_its_version(client, make_post):
    make_post("quiet")
    make_post("mine")
    post_comment(client)
    post_comment(client, body="And on a plane?")
    listed = client.get("/api/changes")
    assert listed.get_json() == {
        "posts": [{"slug": "mine", "path": "/2026/11/mine/", "version": 2}]
    }
    again = client.get("/api/changes", headers={"If-None-Match": listed.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/api/posts/mine/comments").get_json()["version"] == 2


# Re-baking the built page


def rebaking_app(app_with, site):
    """The service re-baking the built sample site, as on the blog's own host."""
    return app_with(
        PORCH_REBAKE_OUTPUT=str(site.output), PORCH_REBAKE_SETTINGS=str(ROOT / "pelicanconf.py")
    )


@pytest.fixture
def site(app, tmp_path):
    """The sample blog built from the service's export, its posts loaded into the service."""
    return Site(app, tmp_path)


class Site:
    def __init__(self, app, folder):
        self.app, self.folder = app, folder
        self.output = self.build("first")
        with app.app_context():
            sync_posts(load_manifest(self.output / "porch-manifest.json", *SERVICE_PAGING))
            db.session.commit()

    def build(self, name: str):
        """A full build, with an export of the service's comments taken now."""
        export = self.folder / f"{name}-export.json"
        with self.app.app_context():
            export.write_text(json.dumps(export_document(utcnow())))
        output = self.folder / name / "output"
        build_sample_site(
            self.folder / name, export, PORCH_MANIFEST_PATH=str(output / "porch-manifest.json")
        )
        return output

    def rebaker(self):
        return rebake.load(str(ROOT / "pelicanconf.py"), str(self.output))

    def thread(self, slug=SLUG) -> dict:
        with self.app.app_context():
            post = db.session.scalar(select(Post).where(Post.slug == slug))
            return thread_to_bake(post, active_staff_names())


def comment_section(page_html: str) -> str:
    return rebake.MARKED_SECTION.search(page_html).group(0)


def page_of(output) -> str:
    return (output / PAGE).read_text(encoding="utf-8")


def test_a_rebaked_page_has_the_comment_section_a_full_build_writes(site, client, app, make_staff):
    ana = make_staff("Ana Lima")
    question = post_comment(client, SLUG).get_json()["comment"]
    post_comment(client, SLUG, author_name="Sam", body="Works **great**", parent_id=question["id"])
    decide(app, add_staff_answer, question["id"], ana, "Yes, photos wait on the phone.")
    before = page_of(site.output)
    assert "Works <strong>great</strong>" not in before

    assert site.rebaker().rebake(SLUG, site.thread())

    rebaked, rebuilt = page_of(site.output), page_of(site.build("second"))
    assert comment_section(rebaked) == comment_section(rebuilt)
    assert rebaked == rebuilt.replace(comment_section(rebuilt), comment_section(rebaked))
    assert '<span class="comment-count">(3)</span>' in comment_section(rebaked)
    assert "Works <strong>great</strong>" in comment_section(rebaked)
    assert f"<!-- porch:comments {SLUG} version=3 -->" in rebaked
    answered = '<p class="comment-answer">Answered by Ana Lima in under a minute</p>'
    waiting = '<p class="comment-answer comment-answer--waiting">Waiting for an answer</p>'
    assert comment_section(rebaked).count(answered) == 1
    assert comment_section(rebaked).count(waiting) == 1  # Sam's reply; the answer says neither


def test_an_older_thread_never_overwrites_a_newer_page(site, client):
    post_comment(client, SLUG)
    older = site.thread()
    post_comment(client, SLUG, body="A second question")
    rebaker = site.rebaker()
    assert rebaker.rebake(SLUG, site.thread())
    newer = page_of(site.output)
    assert not rebaker.rebake(SLUG, older)  # e.g. a slower re-baker running beside it
    assert page_of(site.output) == newer
    assert rebaker.baked_versions()[SLUG] == 2


def test_rebakers_side_by_side_leave_the_newest_thread_in_the_page(site, client):
    threads = []
    for n in range(4):
        post_comment(client, SLUG, body=f"Question {n}")
        threads.append(site.thread())
    rebakers = [site.rebaker(), site.rebaker()]
    workers = [
        threading.Thread(target=rebakers[n % 2].rebake, args=(SLUG, thread))
        for n, thread in enumerate(reversed(threads))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert comment_section(page_of(site.output)) == site.rebaker().render(SLUG, threads[-1])


def test_the_service_rebakes_before_a_plain_form_lands_the_reader(site, app_with, make_post):
    app = rebaking_app(app_with, site)
    form = {"author_name": "Robin", "body": "Is there a **dark mode**?"}
    answer = app.test_client().post(
        f"/api/posts/{SLUG}/comments", data=form, headers={"Origin": BLOG_URL}
    )
    assert answer.status_code == 303
    comment_id = re.search(
        r"\?comment=(\d+)#comment-status-approved-above$", answer.headers["Location"]
    )[1]
    assert answer.headers["Location"].startswith(f"{BLOG_URL}/{PAGE.removesuffix('index.html')}")
    page = page_of(site.output)
    assert f'id="comment-{comment_id}"' in page
    assert "Is there a <strong>dark mode</strong>?" in page
    note = re.search(r'<p id="comment-status-approved-above"[^>]*>([^<]*)</p>', page)[1]
    assert note.startswith("Thanks! Your comment, just above, is published")


def test_a_plain_form_lands_the_reader_on_the_page_that_shows_their_comment(
    site, client, app_with, tmp_path
):
    """With one thread per page, a second top-level comment is on page 2, re-baked first."""
    post_comment(client, SLUG, author_name="First", body="On page one.")
    one_per_page = tmp_path / "one_per_page.py"
    one_per_page.write_text(
        "from pelicanconf import *  # noqa\n"
        f"PATH, THEME = {str(ROOT / 'content')!r}, {str(ROOT / 'theme')!r}\n"
        "PORCH_COMMENTS_PER_PAGE = 1\n"
    )
    app = app_with(
        PORCH_REBAKE_OUTPUT=str(site.output),
        PORCH_REBAKE_SETTINGS=str(one_per_page),
        PORCH_COMMENTS_PER_PAGE=1,
    )
    form = {"author_name": "Second", "body": "Where does this one go?"}
    answer = app.test_client().post(
        f"/api/posts/{SLUG}/comments", data=form, headers={"Origin": BLOG_URL}
    )
    assert answer.status_code == 303
    second = f"{PAGE.removesuffix('index.html')}comments/2/"
    comment_id = re.search(
        r"\?comment=(\d+)#comment-status-approved-above$", answer.headers["Location"]
    )[1]
    assert answer.headers["Location"].startswith(f"{BLOG_URL}/{second}?")
    assert f'id="comment-{comment_id}"' in (site.output / second / "index.html").read_text()
    assert f'id="comment-{comment_id}"' not in page_of(site.output)


def test_an_answer_from_the_moderation_page_is_on_the_article_when_the_page_comes_back(
    site, app_with, make_staff, make_comment
):
    app = rebaking_app(app_with, site)
    make_staff("Ana Lima")
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == SLUG))
    question = make_comment(post, name="Kim")
    client = app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    signed_in = {"email": "ana@porch.test", "password": PASSWORD, "csrf_token": token}
    client.post("/auth/login", data=signed_in)
    fields = answer_fields(client.get("/moderation/").get_data(as_text=True), question.id)
    answer = {**fields, "body": "Yes, *it does*."}
    assert client.post(f"/moderation/comments/{question.id}/answer", data=answer).status_code == 303
    assert "Yes, <em>it does</em>." in page_of(site.output)


def test_rebake_command_catches_up_after_a_cli_decision_and_a_stale_build(
    site, app_with, make_staff, make_comment
):
    app = rebaking_app(app_with, site)
    make_staff("Ana Lima", role=Role.ADMIN)
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == SLUG))
    held = make_comment(post, name="Kim", status=CommentStatus.PENDING, published_at=None)
    runner = app.test_cli_runner()
    approved = runner.invoke(args=["comments", "approve", str(held.id), "--by", "Ana Lima"])
    assert approved.exit_code == 0, approved.output
    assert f'id="comment-{held.id}"' not in page_of(site.output)

    result = runner.invoke(args=["rebake"])
    assert result.exit_code == 0, result.output
    assert f"Re-baked {SLUG} (comments version 1)." in result.output
    assert f'id="comment-{held.id}"' in page_of(site.output)
    assert runner.invoke(args=["rebake"]).output == ""  # nothing is behind any more


def test_rebake_command_without_a_built_blog_says_what_to_do(app_with, tmp_path):
    result = app_with().test_cli_runner().invoke(args=["rebake"])
    assert result.exit_code != 0
    assert "Set PORCH_REBAKE_OUTPUT" in result.output
    unbuilt = app_with(
        PORCH_REBAKE_OUTPUT=str(tmp_path), PORCH_REBAKE_SETTINGS=str(ROOT / "pelicanconf.py")
    )
    result = unbuilt.test_cli_runner().invoke(args=["rebake"])
    assert result.exit_code != 0
    assert "No built blog there yet: build it first" in result.output


# The writer's loop


def test_posts_sync_warns_about_each_named_author_without_an_account(app, make_staff, tmp_path):
    make_staff("Ana Lima")
    make_staff("Root", role=Role.ADMIN)
    manifest = tmp_path / "manifest.json"
    posts = [
        {"slug": "solo", "title": "Solo", "path": "/solo/", "authors": ["Chloe Martin"]},
        {"slug": "pair", "title": "Pair", "path": "/pair/", "authors": ["Ana Lima", "Ben Okafor"]},
    ]
    manifest.write_text(json.dumps({"version": 2, "comments": PAGING, "posts": posts}))
    result = app.test_cli_runner().invoke(args=["posts", "sync", str(manifest)])
    assert result.exit_code == 0, result.output
    assert (
        "Warning: Chloe Martin has no staff account: comments on 'Solo' will go to the admins."
        in result.output
    )
    assert (
        "Warning: Ben Okafor has no staff account: comments on 'Pair' will go to Ana Lima."
        in result.output
    )
    assert "Ana Lima has no staff account" not in result.output


# The blog built on another host


@pytest.fixture
def serve():
    """Serve a service app over real HTTP on a free local port, from a thread."""
    servers = []

    def start(app) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server, thread in servers:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def service_url(app, serve):
    return serve(app)


def test_a_watcher_elsewhere_rebakes_what_the_service_says_changed(site, client, service_url):
    post_comment(client, SLUG, body="Asked on the *service* host")
    rebaked = []
    settings = str(ROOT / "pelicanconf.py")
    keep_fresh(
        settings, service_url, output=str(site.output), passes=1, after_changes=rebaked.append
    )
    assert rebaked == [{SLUG: 1}]
    assert "Asked on the <em>service</em> host" in page_of(site.output)
    again = []  # a second watcher, or the first one restarted, finds nothing behind
    keep_fresh(settings, service_url, output=str(site.output), passes=1, after_changes=again.append)
    assert again == []


def test_invoke_rebake_bakes_the_build_of_this_host_from_the_service(
    app, client, service_url, tmp_path
):
    env = clean_environment(PUBLIC_URL=service_url)
    invoke(tmp_path, "build", env=env)
    with app.app_context():
        sync_posts(load_manifest(tmp_path / "output" / "porch-manifest.json", *SERVICE_PAGING))
        db.session.commit()
    post_comment(client, SLUG, body="Baked by *the watcher*")
    printed = invoke(tmp_path, "rebake", env=env)
    assert printed == f"Re-baked {SLUG} (comments version 1).\n"
    page = (tmp_path / "output" / PAGE).read_text(encoding="utf-8")
    assert "Baked by <em>the watcher</em>" in page
    assert f'action="{service_url}/api/posts/{SLUG}/comments"' in page


def test_a_watcher_that_cannot_reach_the_service_changes_nothing_and_goes_on(site, client, caplog):
    post_comment(client, SLUG)
    before = page_of(site.output)
    nowhere = f"http://127.0.0.1:{free_port()}"
    keep_fresh(str(ROOT / "pelicanconf.py"), nowhere, output=str(site.output), passes=2, interval=0)
    assert page_of(site.output) == before
    assert "re-bake pass skipped: cannot read" in caplog.text


# Configuration in one place


def invoke(project, *task: str, env: dict) -> str:
    """Run an invoke task in a copy of the project (made on first use); return its output."""
    if not (project / "tasks.py").exists():
        for name in ("content", "theme"):
            shutil.copytree(ROOT / name, project / name)
        for name in ("pelicanconf.py", "publishconf.py", "tasks.py"):
            shutil.copy(ROOT / name, project / name)
    done = subprocess.run(
        [str(BIN / "invoke"), *task], cwd=project, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("task", "folder"), [("build", "output"), ("preview", "preview"), ("publish", "output")]
)
def test_every_build_posts_to_the_service_named_in_the_environment(tmp_path, task, folder):
    service = "http://127.0.0.1:5999"
    invoke(tmp_path, task, env=clean_environment(PUBLIC_URL=service, BLOG_URL="https://blog.test"))
    page = (tmp_path / folder / PAGE).read_text(encoding="utf-8")
    assert f'action="{service}/api/posts/{SLUG}/comments"' in page
    assert (tmp_path / "output").exists() == (folder == "output")  # preview keeps out of output/


# Releasing from a host without the database

TOKEN = "a-long-random-deploy-token"
MANIFEST = {
    "version": 2,
    "comments": PAGING,
    "posts": [{"slug": "solo", "title": "Solo", "path": "/solo/", "authors": ["Chloe Martin"]}],
}


def put_manifest(client, document=MANIFEST, token=TOKEN):
    return client.put("/api/manifest", json=document, headers={"Authorization": f"Bearer {token}"})


def post_slugs(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Post.slug).order_by(Post.slug)))


def test_the_manifest_loads_over_http_only_with_the_deploy_token(app, app_with):
    assert put_manifest(app.test_client()).status_code == 404  # no token set: off
    service = app_with(PORCH_DEPLOY_TOKEN=TOKEN)
    refused = put_manifest(service.test_client(), token="guess")
    assert refused.status_code == 401
    assert "PORCH_DEPLOY_TOKEN" in refused.get_json()["message"]
    assert post_slugs(service) == []
    loaded = put_manifest(service.test_client())
    assert loaded.status_code == 200
    assert loaded.get_json()["created"] == ["solo"]
    assert loaded.get_json()["warnings"] == [
        "Chloe Martin has no staff account: comments on 'Solo' will go to the admins."
    ]
    assert post_slugs(service) == ["solo"]


def test_a_broken_manifest_over_http_says_what_is_wrong_and_loads_nothing(app_with):
    service = app_with(PORCH_DEPLOY_TOKEN=TOKEN)
    broken = {**MANIFEST, "posts": [*MANIFEST["posts"], {"slug": "two", "title": "Two"}]}
    answer = put_manifest(service.test_client(), broken)
    assert answer.status_code == 422
    assert answer.get_json()["message"] == (
        "The manifest: posts[1] must be a post: an object with its slug, title, path and"
        " authors (file, date and listed_in may follow) ('path' is a required property)."
    )
    assert post_slugs(service) == []


def test_invoke_deploy_over_http_loads_the_posts_and_bakes_the_comments_in(
    app_with, serve, tmp_path
):
    service = app_with(PORCH_DEPLOY_TOKEN=TOKEN)
    url = serve(service)
    env = clean_environment(PUBLIC_URL=url, BLOG_URL="https://blog.test", DEPLOY_TOKEN=TOKEN)
    invoke(tmp_path, "deploy", env=env)
    assert SLUG in post_slugs(service)
    post_comment(service.test_client(), SLUG, body="Asked *between* releases")
    printed = invoke(tmp_path, "deploy", env=env)
    assert "0 new, 0 updated posts." in printed
    page = (tmp_path / "output" / PAGE).read_text(encoding="utf-8")
    assert "Asked <em>between</em> releases" in page
    assert f"<!-- porch:comments {SLUG} version=1 -->" in page


REPEATED_WARNINGS = """
import logging
from comments_service import create_app
from comments_service.rebaking import site_rebaker

app = create_app()
site_rebaker(app)  # imports Pelican, as a service that re-bakes does
counted = []
handler = logging.Handler()
handler.emit = counted.append
logger = logging.getLogger("comments_service.after_rebake")
logger.addHandler(handler)
for _ in range(3):
    logger.warning("Akismet comment-check for comment 1 failed: timed out")
print(len(counted))
"""


def test_a_service_that_rebakes_still_logs_every_repeated_warning(tmp_path):
    """Pelican's logger class drops a warning seen before; the service's must not."""
    env = clean_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'porch.db'}",
        SECRET_KEY="test",
        REBAKE_OUTPUT=str(tmp_path / "no-build-yet"),
    )
    result = subprocess.run(
        [str(BIN / "python"), "-c", REPEATED_WARNINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3"]


def test_forgetting_a_reader_raises_the_version_of_each_post_they_left(
    app, make_post, make_comment
):
    """A comment deleted outright and one kept as a placeholder both change what is shown."""
    alone, answered = make_post("alone"), make_post("answered")
    make_comment(alone, author_email="jo@reader.test")
    kept = make_comment(answered, author_email="jo@reader.test")
    make_comment(answered, parent=kept, name="Someone else")
    before = version_of(app, alone), version_of(app, answered)
    result = app.test_cli_runner().invoke(args=["people", "forget", "jo@reader.test"])
    assert result.exit_code == 0, result.output
    assert (version_of(app, alone), version_of(app, answered)) == (before[0] + 1, before[1] + 1)


def test_an_answer_by_mail_is_on_the_article_without_the_quoted_mail(
    site, app_with, make_staff, make_comment
):
    app = app_with(
        PORCH_REBAKE_OUTPUT=str(site.output),
        PORCH_REBAKE_SETTINGS=str(ROOT / "pelicanconf.py"),
        PORCH_INBOUND_ADDRESS=INBOUND,
    )
    ana = make_staff("Ana Lima")
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == SLUG))
        question = make_comment(
            post,
            name="Kim",
            body_markdown="Does it work offline?",
            body_html="<p>Does it work offline?</p>",
        )
        replies = ReplyAddresses.from_config(app.config)
        to = replies.address(question, db.session.get(Staff, ana.id), utcnow())
        raw = reply(ana.email, to, "Yes, *it does*.", quoted="Does it work offline?")
        assert receive(raw).outcome is Outcome.PUBLISHED
    section = comment_section(page_of(site.output))
    assert "Yes, <em>it does</em>." in section
    # The question, on the page and in its JSON-LD; never the quote.
    assert section.count("Does it work offline?") == 2
