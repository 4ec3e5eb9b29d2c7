"""What the blog and the service must agree on (porch_contract): the posts manifest carries
the blog's comment paging and the service refuses other paging, and an old manifest,
loading nothing; the plugin writes only a manifest the service can load; the service's
comments export follows its schema, and the plugin stops on an export that does not."""

import json
import shutil
import subprocess
from unicodedata import category

import pytest
from sqlalchemy import func, select

from comments_service.enums import CommentStatus, FollowUp, PrivateChannel
from comments_service.extensions import db
from comments_service.models import Comment, Post, utcnow
from comments_service.services.comments.answers import record_answer
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation import listening
from comments_service.services.site.export import export_document
from porch_contract.export import SCHEMA as EXPORT_SCHEMA
from porch_contract.export import check_export
from porch_contract.manifest import SCHEMA as MANIFEST_SCHEMA
from porch_pelican.comments import ExportError
from porch_pelican.manifest import ManifestError

from .browser_support import BIN, clean_environment
from .site_support import ROOT, build_sample_site
from .test_pelican_plugin import EXPORT, HELLO, build
from .test_rebake import serve  # noqa: F401 - the fixture serving an app over HTTP

TOKEN = "a-long-random-deploy-token"
POST = {"slug": "solo", "title": "Solo", "path": "/solo/", "authors": ["Chloe Martin"]}
DEFAULTS = {"per_page": 50, "page_url": "comments/{number}/"}  # the service's own


def manifest(**paging) -> dict:
    return {"version": 2, "comments": {**DEFAULTS, **paging}, "posts": [POST]}


def post_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Post))


def put_manifest(service, document):
    return service.test_client().put(
        "/api/manifest", json=document, headers={"Authorization": f"Bearer {TOKEN}"}
    )


# The paging a manifest carries

PER_PAGE_DIFFERS = (
    "the blog pages comments 20 at a time (PORCH_COMMENTS_PER_PAGE in its pelicanconf.py)"
    " but this service 50 (its PORCH_COMMENTS_PER_PAGE)"
)
PAGE_URL_DIFFERS = (
    "the blog puts later comment pages at 'page-{number}/' (PORCH_COMMENTS_PAGE_URL in its"
    " pelicanconf.py) but this service sends readers to 'comments/{number}/' (its"
    " PORCH_COMMENTS_PAGE_URL)"
)
SET_THE_SAME = (
    ": set the same on both (pelicanconf.py reads either from the environment, as the"
    " service does), then build the blog and load its posts again."
)
DISAGREEMENTS = [
    pytest.param({"per_page": 20}, PER_PAGE_DIFFERS + SET_THE_SAME, id="per-page"),
    pytest.param({"page_url": "page-{number}/"}, PAGE_URL_DIFFERS + SET_THE_SAME, id="page-url"),
    pytest.param(
        {"per_page": 20, "page_url": "page-{number}/"},
        PER_PAGE_DIFFERS + "; and " + PAGE_URL_DIFFERS + SET_THE_SAME,
        id="both",
    ),
]


@pytest.mark.parametrize(("paging", "message"), DISAGREEMENTS)
def test_posts_sync_refuses_a_blog_that_pages_otherwise_and_loads_nothing(
    app, tmp_path, paging, message
):
    path = tmp_path / "porch-manifest.json"
    path.write_text(json.dumps(manifest(**paging)), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["posts", "sync", str(path)])
    assert result.exit_code != 0
    assert f"Error: {path}: {message}" in result.output
    assert post_count(app) == 0


@pytest.mark.parametrize(("paging", "message"), DISAGREEMENTS)
def test_put_manifest_refuses_a_blog_that_pages_otherwise_and_loads_nothing(
    app_with, paging, message
):
    service = app_with(PORCH_DEPLOY_TOKEN=TOKEN)
    answer = put_manifest(service, manifest(**paging))
    assert answer.status_code == 422
    assert answer.get_json() == {
        "error": "invalid_manifest",
        "message": f"The manifest: {message}",
    }
    assert post_count(service) == 0


def test_a_service_paged_like_the_blog_loads_its_manifest(app_with, tmp_path):
    service = app_with(
        PORCH_DEPLOY_TOKEN=TOKEN,
        PORCH_COMMENTS_PER_PAGE=20,
        PORCH_COMMENTS_PAGE_URL="page-{number}/",
    )
    answer = put_manifest(service, manifest(per_page=20, page_url="page-{number}/"))
    assert (answer.status_code, answer.get_json()["created"]) == (200, ["solo"])


OLD = (
    " is a version 1 posts manifest, from a build with an older Porch, and does not say how"
    " the blog pages comments: rebuild the blog with this version of Porch (invoke build),"
    " then load its posts again."
)


def test_a_version_1_manifest_is_refused_by_both_ways_in_and_loads_nothing(app_with, tmp_path):
    service = app_with(PORCH_DEPLOY_TOKEN=TOKEN)
    old = {"version": 1, "posts": [POST]}
    answer = put_manifest(service, old)
    assert answer.status_code == 422
    assert answer.get_json()["message"] == "The manifest" + OLD
    path = tmp_path / "porch-manifest.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    result = service.test_cli_runner().invoke(args=["posts", "sync", str(path)])
    assert result.exit_code != 0
    assert f"Error: {path}{OLD}" in result.output
    assert post_count(service) == 0


def test_a_real_build_writes_its_paging_into_the_manifest(app_with, tmp_path):
    _, path = build_sample_site(tmp_path, tmp_path / "no-export.json", PORCH_COMMENTS_PER_PAGE=20)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["version"] == 2
    assert written["comments"] == {"per_page": 20, "page_url": "comments/{number}/"}
    refused = app_with().test_cli_runner().invoke(args=["posts", "sync", str(path)])
    assert refused.exit_code != 0 and PER_PAGE_DIFFERS in refused.output
    paged_alike = app_with(PORCH_COMMENTS_PER_PAGE=20)
    loaded = paged_alike.test_cli_runner().invoke(args=["posts", "sync", str(path)])
    assert loaded.exit_code == 0, loaded.output
    assert post_count(paged_alike) == len(written["posts"])


def invoke(project, task: str, env: dict) -> subprocess.CompletedProcess:
    """Run an invoke task in a copy of the project, made on first use."""
    if not (project / "tasks.py").exists():
        for name in ("content", "theme"):
            shutil.copytree(ROOT / name, project / name)
        for name in ("pelicanconf.py", "publishconf.py", "tasks.py"):
            shutil.copy(ROOT / name, project / name)
    return subprocess.run(
        [str(BIN / "invoke"), task], cwd=project, env=env, capture_output=True, text=True
    )


def test_one_paging_in_the_environment_reaches_the_build_and_the_service(
    app_with, tmp_path, monkeypatch
):
    """As `make run` and `invoke deploy` run them: `invoke build` (pelicanconf.py) and the
    service's `posts sync`, each in the environment they are started in."""
    env = clean_environment(COMMENTS_PER_PAGE="20", COMMENTS_PAGE_URL="page-{number}/")
    done = invoke(tmp_path, "build", env)
    assert done.returncode == 0, done.stdout + done.stderr
    path = tmp_path / "output" / "porch-manifest.json"
    paging = {"per_page": 20, "page_url": "page-{number}/"}
    assert json.loads(path.read_text(encoding="utf-8"))["comments"] == paging
    monkeypatch.setenv("PORCH_COMMENTS_PER_PAGE", "20")
    monkeypatch.setenv("PORCH_COMMENTS_PAGE_URL", "page-{number}/")
    result = app_with().test_cli_runner().invoke(args=["posts", "sync", str(path)])
    assert result.exit_code == 0, result.output


# Controls, format characters, and the separators (space, line, paragraph).
UNUSUAL = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def test_both_validators_read_the_manifests_text_rule_alike():
    """A valid document is recognised by jsonschema-rs and an invalid one explained by
    jsonschema (porch_contract/schemas.py): the rule for text (one line, not blank) must
    mean the same to both regular expression engines, white space and line ends included."""
    unusual = [chr(code) for code in range(0x10000) if category(chr(code)) in UNUSUAL]
    texts = [text for char in unusual for text in (char, f"a{char}", f"{char}a", f" {char}")]
    verdicts = {
        text: (MANIFEST_SCHEMA.recognise.is_valid(doc), MANIFEST_SCHEMA.explain.is_valid(doc))
        for text in texts
        for doc in [manifest() | {"posts": [{**POST, "title": text}]}]
    }
    assert {text: both for text, both in verdicts.items() if len(set(both)) > 1} == {}
    assert not verdicts["a\n"][0] and not verdicts[" \u3000"][0] and verdicts["a\u3000"][0]


def test_a_release_over_http_to_a_service_paged_otherwise_stops_saying_why(
    app_with,
    serve,  # noqa: F811
    tmp_path,
):
    service = app_with(PORCH_DEPLOY_TOKEN=TOKEN)
    env = clean_environment(
        PUBLIC_URL=serve(service),
        BLOG_URL="https://blog.test",
        DEPLOY_TOKEN=TOKEN,
        COMMENTS_PER_PAGE="20",
        PUBLISH_TARGET=str(tmp_path / "published"),
    )
    done = invoke(tmp_path, "deploy", env)
    assert done.returncode != 0
    assert (
        "The service did not load the posts, and nothing was published:"
        f" {env['PORCH_PUBLIC_URL']}/api/manifest answered 422: The manifest: {PER_PAGE_DIFFERS}"
    ) in done.stderr
    assert post_count(service) == 0
    assert not (tmp_path / "published").exists()


# The manifest the plugin writes


def test_a_build_that_would_write_a_manifest_the_service_refuses_stops(tmp_path):
    target = tmp_path / "manifest.json"
    with pytest.raises(ManifestError) as stopped:
        build(tmp_path, PORCH_COMMENTS_PAGE_URL="comments/", PORCH_MANIFEST_PATH=str(target))
    assert str(stopped.value) == (
        f"Porch: the posts manifest for {target}: comments.page_url must be where page"
        " {number} of an article's comments is, relative to the article's address"
        " (PORCH_COMMENTS_PAGE_URL): text that holds {number}, without control characters"
        " (not 'comments/'). Fix it and build again."
    )
    assert not target.exists()


def test_a_build_with_two_posts_of_one_slug_stops_naming_the_slug(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for month in ("10", "11"):  # one address each: 2026/10/twin/, 2026/11/twin/
        (content / f"twin-{month}.md").write_text(
            f"Title: Twin\nSlug: twin\nDate: 2026-{month}-01 09:00\nAuthor: Ana Lima\n\nText.\n",
            encoding="utf-8",
        )
    with pytest.raises(ManifestError, match=r"posts\[1\] has the slug 'twin' of posts\[0\]"):
        build(tmp_path, PATH=str(content))


# The comments export


@pytest.fixture
def every_kind_of_node(app, make_staff, make_post, make_comment):
    """hello-porch with a reader comment and its staff answer, an edited one with a website, one
    edited by the team, placeholders (taken down; erased at its writer's request) above kept
    replies, one answered privately and shown, an acted-on follow-up, one waiting, a deep
    reply chain."""
    ana = make_staff("Ana Lima")
    post = make_post("hello-porch", authors=("Ana Lima",))
    asked = make_comment(post, name="Jo Reader", minutes_ago=600, author_website="https://jo.test")
    answer = make_comment(post, parent=asked, staff=ana, minutes_ago=500)
    taken_down = make_comment(post, name="Gone Reader", minutes_ago=480)
    make_comment(post, parent=taken_down, name="Kept Reply", minutes_ago=470)
    erased = make_comment(post, name="Erased Reader", minutes_ago=460)
    make_comment(post, parent=erased, name="Kept Too", minutes_ago=450)
    phoned = make_comment(post, name="Phoned Reader", minutes_ago=440)
    idea = make_comment(post, name="Idea Reader", kind="idea", minutes_ago=430)
    make_comment(post, name="Edited Reader", minutes_ago=420, edited_at=utcnow())
    make_comment(
        post, name="Fixed Reader", minutes_ago=415, edited_at=utcnow(), team_edited_at=utcnow()
    )
    parent = None
    for depth in range(8):
        parent = make_comment(post, parent=parent, name=f"Deep {depth}", minutes_ago=400 - depth)
    with app.app_context():
        staff, now = db.session.merge(ana), utcnow()
        record_answer(db.session.get(Comment, answer.id))
        db.session.get(Comment, taken_down.id).status = CommentStatus.DELETED
        gone = db.session.get(Comment, erased.id)
        gone.status, gone.erased_at = CommentStatus.DELETED, now
        found = db.session.get(Comment, phoned.id)
        listening.answer_privately(found, staff, PrivateChannel.PHONE, "Rang", now, now, True)
        readers = ReaderMail.for_app(app)
        found = db.session.get(Comment, idea.id)
        listening.follow_up(found, staff, FollowUp.PASSED_ON, "Internal", now, readers, "Maps")
        listening.follow_up(found, staff, FollowUp.ACTED_ON, "Shipped in 4.2.", now, readers)
        db.session.commit()
        return export_document(now)


def test_the_services_export_follows_the_schema_with_every_kind_of_node(every_kind_of_node):
    check_export(every_kind_of_node, "the export")
    nodes = every_kind_of_node["posts"]["hello-porch"]["comments"]
    has = {
        "reader": any(node["staff"] is None and node["author_name"] for node in nodes),
        "staff answer": any(node["staff"] for node in nodes),
        "answered publicly": any(node["answered_by"] for node in nodes),
        "taken down": any(node.get("removed") and not node["removed_reason"] for node in nodes),
        "erased": any(node.get("removed_reason") == "author_request" for node in nodes),
        "private": any(node["got_in_touch"] for node in nodes),
        "follow-up": any(node["what_we_did"] for node in nodes),
        "waiting": any(node["waiting"] for node in nodes),
        "edited": any(node["edited_at"] for node in nodes),
        "edited by the team": any(node["edited_by_team"] for node in nodes),
        "website": any(node["author_website"] for node in nodes),
        "deep reply": max(node["depth"] for node in nodes) == 7,
    }
    assert [kind for kind, present in has.items() if not present] == []
    node_schema = EXPORT_SCHEMA.document["properties"]["posts"]["additionalProperties"]
    fields = node_schema["properties"]["comments"]["items"]["properties"]
    assert set().union(*nodes) == set(fields)  # the schema names every field the service writes


def write_export(tmp_path, document) -> str:
    path = tmp_path / "export.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def exported(**top) -> dict:
    return {**json.loads(EXPORT.read_text(encoding="utf-8")), **top}


def with_hello(**thread) -> dict:
    document = exported()
    document["posts"]["hello-porch"].update(thread)
    return document


def with_node(index, **fields) -> dict:
    document = exported()
    document["posts"]["hello-porch"]["comments"][index].update(fields)
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param('{"version": 2, "posts": {', "is not JSON (Expecting", id="invalid-json"),
        pytest.param(
            exported(version=1),
            ": version must be 2, the comments export version of this Porch (the blog and the"
            " service run the same Porch) (2 was expected).",
            id="old-version",
        ),
        pytest.param(
            exported(posts=[]),
            ": posts must be an object of the posts' threads, keyed by post slug ([] is not"
            " of type 'object').",
            id="posts-not-object",
        ),
        pytest.param(
            with_hello(count="4"),
            ": posts.hello-porch.count must be how many comments the thread shows,"
            " placeholders of removed ones not counted: a whole number from 0 ('4' is not of"
            " type 'integer').",
            id="count-not-a-number",
        ),
        pytest.param(
            with_node(1, depth=None),
            ": posts.hello-porch.comments[1].depth must be how deep it sits, 0 at the top"
            " level: a whole number from 0 (None is not of type 'integer').",
            id="depth-not-a-number",
        ),
        pytest.param(
            with_node(0, created_at="yesterday"),
            ": posts.hello-porch.comments[0].created_at must be when it was written, in"
            " ISO 8601 (UTC), such as 2026-11-20T10:00:00Z (not 'yesterday').",
            id="created-at-not-a-time",
        ),
        pytest.param(
            with_node(2, depth=3),
            ": posts.hello-porch.comments[2] has depth 3; in reading order it can be 0 to 2.",
            id="reply-deeper-than-its-place",
        ),
        pytest.param(
            with_node(0, autor_name="Jo"),
            ": posts.hello-porch.comments[0] must be a comment: an object with at least its"
            " id, parent_id, depth, author_name, html and created_at (Additional properties"
            " are not allowed ('autor_name' was unexpected)).",
            id="misspelt-field",
        ),
        pytest.param(
            exported(figures={"last_month_sentence": {"text": "In October..."}}),
            ": figures.last_month_sentence must be the About page's sentence on the last"
            " full month, or null when there is nothing true to say ({'text': 'In"
            " October...'} is not of type 'string', 'null').",
            id="figures-sentence-not-text",
        ),
    ],
)
def test_an_export_that_is_not_one_stops_the_build_naming_the_field(tmp_path, document, message):
    path = write_export(tmp_path, document)
    with pytest.raises(ExportError) as stopped:
        build(tmp_path, PORCH_COMMENTS_EXPORT=path)
    said = str(stopped.value)
    assert said.startswith(f"Porch: the comments export {path}")
    assert message in said
    assert said.endswith(
        " Export the comments again (flask --app comments_service comments export) from a"
        " comment service that runs this blog's version of Porch, or remove the file to"
        " build without them."
    )
    assert not (tmp_path / "output" / HELLO).exists()
