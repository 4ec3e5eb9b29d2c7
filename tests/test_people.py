"""Readers' data: `people export` shows everything kept about an address, `people forget`
erases it, and the privacy page's mailed links do the same for readers themselves.

Comments come in through the real API (with the request context a browser sends), the
author answers on the real moderation page, and afterwards every column of every
table, every API answer and a real Pelican build are searched for the reader.
"""

import json
import re
import time
from datetime import timedelta

import jsonschema
import pytest
from sqlalchemy import delete, func, select

from comments_service.enums import CommentStatus, Decision, Notify
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, OutboxMessage, Staff, utcnow
from comments_service.privacy.routes import ANSWER_FLOOR_SECONDS
from comments_service.services.imports import full_export
from comments_service.services.privacy import requests as privacy
from comments_service.services.privacy.requests import EXPORT, FORGET, PrivacyLinks
from comments_service.services.report import figures
from comments_service.services.site.export import export_document
from comments_service.services.tokens import BadLink, ExpiredLink

from .conftest import BLOG_URL, PASSWORD, answer_fields, csrf_token
from .mail_helpers import write_events
from .site_support import build_sample_site

JO = {
    "author_name": "Josefina Quillfeather",
    "email": "Jo.Quill@Reader.Test",
    "website": "https://quillfeather.example",
}
JO_EMAIL = "jo.quill@reader.test"
JO_ADDR, JO_AGENT = "203.0.113.77", "QuillBrowser/9.1"
JO_WORDS = "marmalade sync question"
# Everything that names Jo: none of it may survive `people forget`, in any case.
JO_TRACES = (JO_EMAIL, "Josefina", "Quillfeather", "quillfeather.example", JO_ADDR, JO_AGENT)
BEN = {"author_name": "Ben Reader", "email": "ben@reader.test"}


def post(client, body, who, parent_id=None, addr="198.51.100.5", agent="OtherBrowser/1"):
    response = client.post(
        "/api/posts/hello-porch/comments",
        json={**who, "body": body, **({"parent_id": parent_id} if parent_id else {})},
        headers={"User-Agent": agent, "Referer": f"{BLOG_URL}/2026/11/hello-porch/"},
        environ_base={"REMOTE_ADDR": addr},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def signed_in(app, staff):
    client = app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    data = {"email": staff.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 303
    return client


def decide(staff_client, comment_id, action, **data):
    page = staff_client.get("/moderation/").get_data(as_text=True)
    shown = answer_fields(page, comment_id) if action == "answer" else {}
    fields = {"csrf_token": csrf_token(page), **shown, **data}
    response = staff_client.post(f"/moderation/comments/{comment_id}/{action}", data=fields)
    assert response.status_code == 303, response.get_data(as_text=True)


@pytest.fixture
def scene(app, make_staff, make_post):
    """Jo's answered question (with a reply from Ben beneath), Jo's comment marked spam,
    and Ben's own question still waiting."""
    ana = make_staff("Ana Lima")
    make_post("hello-porch", authors=("Ana Lima",), title="Hello Porch")
    reader, staff = app.test_client(), signed_in(app, ana)
    jo = {"addr": JO_ADDR, "agent": JO_AGENT}
    answered = post(
        reader, f"My {JO_WORDS}: does it work offline?", {**JO, "subscribe": "team"}, **jo
    )
    decide(staff, answered, "answer", body="Yes, it syncs once you are back online.")
    ben_reply = post(reader, "Same question here, thanks!", BEN, parent_id=answered)
    spam = post(reader, "Buy cheap marmalade", {**JO, "email": "JO.QUILL@reader.test"}, **jo)
    decide(staff, spam, "spam")
    write_events(app)  # the sender has written the staff's mails about Jo's comments
    ben_question = post(reader, "Can I print job cards?", BEN)
    return {
        "answered": answered,
        "spam": spam,
        "ben_reply": ben_reply,
        "ben_question": ben_question,
        "staff": staff,
    }


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def every_stored_value(app) -> str:
    """Every column of every row of every table, as text, lower-cased."""
    values = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                values.extend(json.dumps(v, default=str) for v in row)
    return "\n".join(values).lower()


def test_people_export_lists_everything_for_an_address_and_nothing_for_another(app, scene):
    document = json.loads(cli(app, "people", "export", "JO.quill@reader.TEST"))

    assert document["email"] == JO_EMAIL
    assert [c["id"] for c in document["comments"]] == [scene["answered"], scene["spam"]]
    assert document["names"] == [JO["author_name"]]
    assert document["websites"] == [JO["website"]]
    first = document["comments"][0]
    assert (first["remote_addr"], first["user_agent"]) == (JO_ADDR, JO_AGENT)
    assert first["post"] == {
        "slug": "hello-porch",
        "title": "Hello Porch",
        "path": "/2026/11/hello-porch/",
    }
    assert JO_WORDS in first["body_markdown"] and first["answered_at"]
    assert document["comments"][1]["status"] == "spam"
    assert [s["comment_id"] for s in document["subscriptions"]] == [scene["answered"]]
    assert document["subscriber_address"]["email"] == JO_EMAIL
    assert [m["recipient"] for m in document["mail_to_you"]] == [JO_EMAIL]
    assert document["mail_about_you"], "the author's new-comment mails name Jo"
    assert "ana@porch.test" not in json.dumps(document), "staff addresses are not Jo's to see"

    ben = cli(app, "people", "export", "ben@reader.test")
    assert not any(trace.lower() in ben.lower() for trace in JO_TRACES)
    assert len(json.loads(ben)["comments"]) == 2
    nobody = json.loads(cli(app, "people", "export", "nobody@reader.test"))
    assert nobody["comments"] == nobody["subscriptions"] == nobody["mail_to_you"] == []


def test_forget_keeps_a_placeholder_where_others_replied_and_nothing_that_names_the_reader(
    app, client, scene
):
    now = utcnow()  # both figures at one instant: waiting times must not move between them
    with app.app_context():
        before = figures.compute(now).as_dict()

    output = cli(app, "people", "forget", "jo.quill@READER.test")
    assert f"kept as placeholders for their replies: {scene['answered']}" in output
    assert f"Comments deleted (nothing beneath them): {scene['spam']}" in output

    stored = every_stored_value(app)
    for trace in (*JO_TRACES, JO_WORDS):
        assert trace.lower() not in stored, trace
    thread = client.get("/api/posts/hello-porch/comments").get_json()
    placeholder = next(c for c in thread["comments"] if c["id"] == scene["answered"])
    assert placeholder["removed"] is True
    assert placeholder["removed_reason"] == "author_request"
    assert placeholder["author_name"] is placeholder["html"] is None
    assert scene["ben_reply"] in [c["id"] for c in thread["comments"]]
    assert scene["spam"] not in [c["id"] for c in thread["comments"]]
    public = json.dumps(thread).lower()
    assert not any(trace.lower() in public for trace in JO_TRACES)
    with app.app_context():
        assert figures.compute(now).as_dict() == before
        assert db.session.get(Comment, scene["spam"]) is None
        kept = db.session.get(Comment, scene["answered"])
        assert kept.status == CommentStatus.APPROVED and kept.answered_at is not None


def test_forgetting_is_in_the_audit_trail_without_the_erased_data(app, scene):
    cli(app, "people", "forget", JO_EMAIL)
    with app.app_context():
        rows = db.session.scalars(
            select(ModerationAction).where(ModerationAction.action == Decision.FORGET)
        ).all()
        assert sorted((row.comment_id or 0) for row in rows) == [0, scene["answered"]]
        assert all(row.staff_id is None for row in rows)
        assert f"Comment {scene['spam']} on “hello-porch”" in next(
            row.reason for row in rows if row.comment_id is None
        )
        spam_decision = db.session.scalar(
            select(ModerationAction).where(ModerationAction.action == Decision.SPAM)
        )
        assert spam_decision.comment_id is None, "the decision stays; its comment is gone"
    audit = " ".join(row.reason.lower() for row in rows)
    assert not any(trace.lower() in audit for trace in JO_TRACES)


def test_a_dry_run_shows_what_would_go_and_changes_nothing(app, scene):
    before = every_stored_value(app)
    output = cli(app, "people", "forget", JO_EMAIL, "--dry-run")
    assert "Subscriptions deleted: 1; address row deleted: yes" in output
    assert "Unsent mail to the address deleted: 1" in output
    assert "Dry run: nothing was changed." in output
    assert every_stored_value(app) == before


def test_the_baked_page_after_forgetting_shows_the_placeholder_and_nothing_of_the_reader(
    app, scene, tmp_path
):
    cli(app, "people", "forget", JO_EMAIL)
    with app.app_context():
        document = export_document(utcnow())
    export = tmp_path / "export.json"
    export.write_text(json.dumps(document))
    output, _ = build_sample_site(tmp_path, export)
    page = (output / "2026/11/hello-porch/index.html").read_text(encoding="utf-8")
    assert "This comment was removed at the author’s request." in page
    assert "Same question here, thanks!" in page
    assert not any(trace.lower() in page.lower() for trace in (*JO_TRACES, JO_WORDS))


def test_nobody_can_reply_to_an_erased_comment(app, client, scene):
    cli(app, "people", "forget", JO_EMAIL)
    response = client.post(
        "/api/posts/hello-porch/comments",
        json={"author_name": "Cy", "body": "Hello?", "parent_id": scene["answered"]},
    )
    assert response.status_code == 404


def test_an_erased_comment_has_no_reply_page_or_permalink_only_the_blogs_404(app, client, scene):
    cli(app, "people", "forget", JO_EMAIL)
    for address in (f"/reply/{scene['answered']}", f"/c/{scene['answered']}"):
        response = client.get(address)
        assert response.status_code == 404, address
        page = response.get_data(as_text=True)
        assert "There is no published comment at this address" in page
        assert f'href="{BLOG_URL}/theme/css/porch.css"' in page
        assert not any(trace.lower() in page.lower() for trace in JO_TRACES)


# The privacy page's links


def request_data(client, email, wish, **headers):
    return client.post("/privacy/request", data={"email": email, "wish": wish}, headers=headers)


def timed(call, *args):
    started = time.monotonic()
    return call(*args), time.monotonic() - started


def mailed_link(app, wish):
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == JO_EMAIL, OutboxMessage.subject.like("%data%"))
            .order_by(OutboxMessage.id.desc())
        ).first()
    path = re.search(rf"http://\S+(/privacy/{wish}/\S+)", message.body_text).group(1)
    return path


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_mail(
    app, client, scene
):
    known, known_took = timed(request_data, client, "Jo.Quill@reader.test", "export")
    unknown, unknown_took = timed(request_data, client, "stranger@reader.test", "export")
    # Both wait out the same floor, well above what storing the mail costs.
    assert min(known_took, unknown_took) >= ANSWER_FLOOR_SECONDS
    assert known.status_code == unknown.status_code == 303
    assert known.location == unknown.location
    assert client.get(known.location).data == client.get(unknown.location).data
    with app.app_context():
        recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert "stranger@reader.test" not in recipients
    assert recipients.count(JO_EMAIL) == 2  # the subscription's confirmation, and the link


def test_the_export_link_downloads_the_readers_data_as_a_json_attachment(app, client, scene):
    request_data(client, JO_EMAIL, "export")
    path = mailed_link(app, "export")
    page = client.get(path)
    assert page.status_code == 200 and "Download my data" in page.get_data(as_text=True)
    download = client.get(path + "/data.json")
    assert download.headers["Content-Disposition"] == 'attachment; filename="my-data.json"'
    document = download.get_json()
    assert [c["id"] for c in document["comments"]] == [scene["answered"], scene["spam"]]


def test_the_erase_link_shows_a_page_and_only_its_button_erases(app, client, scene):
    request_data(client, JO_EMAIL, "forget")
    path = mailed_link(app, "forget")
    page = client.get(path)
    assert "Erase my data" in page.get_data(as_text=True)
    assert client.post(path).status_code == 400  # no CSRF token: a forged post
    with app.app_context():
        assert db.session.get(Comment, scene["spam"]) is not None
    done = client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert "your data is erased" in done.get_data(as_text=True)
    assert not any(trace.lower() in every_stored_value(app) for trace in JO_TRACES)
    assert client.get(path).status_code == 400, "the link dies with the data"


def test_expired_changed_and_misused_links_are_refused(app, scene):
    links = PrivacyLinks.for_app(app)
    with app.app_context():
        answered = db.session.get(Comment, scene["answered"])
        token = links.tokens.make(EXPORT, answered)
        now = utcnow()
        assert privacy.address_in_link("export", token, links, now) == JO_EMAIL
        with pytest.raises(ExpiredLink):
            privacy.address_in_link("export", token, links, now + timedelta(hours=24, seconds=1))
        with pytest.raises(BadLink):
            privacy.address_in_link("export", token[:-2] + "xx", links, now)
        with pytest.raises(BadLink):
            privacy.address_in_link("forget", token, links, now)
        forget_token = links.tokens.make(FORGET, answered)
        with pytest.raises(BadLink):
            privacy.address_in_link("export", forget_token, links, now)


def test_a_changed_link_gets_a_page_and_changes_nothing(app, client, scene):
    request_data(client, JO_EMAIL, "forget")
    path = mailed_link(app, "forget")
    broken = client.get(path[:-3] + "abc")
    assert broken.status_code == 400
    assert "nothing was changed" in broken.get_data(as_text=True)
    assert JO_EMAIL in every_stored_value(app)


def test_a_bad_address_gets_the_form_back_with_a_message_and_sends_nothing(app, client, scene):
    response = request_data(client, "not an address", "export")
    assert response.status_code == 422
    assert "That email address does not look right." in response.get_data(as_text=True)
    assert request_data(client, JO_EMAIL, "sell").status_code == 422
    assert "Email me the link" in client.get("/privacy/request").get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(OutboxMessage).where(OutboxMessage.subject.like("%data%")))
            is None
        )


def test_requests_from_other_sites_are_refused(client, scene):
    response = request_data(client, JO_EMAIL, "forget", Origin="https://evil.example")
    assert response.status_code == 403


def test_the_request_form_is_rate_limited(app_with, make_post):
    app = app_with(PORCH_PRIVACY_RATE_LIMIT="2 per minute", RATELIMIT_ENABLED=True)
    client = app.test_client()
    answers = [request_data(client, f"r{n}@reader.test", "export") for n in range(3)]
    assert [answer.status_code for answer in answers] == [303, 303, 429]
    assert "please try again in an hour" in answers[2].get_data(as_text=True)


def test_a_kept_comment_that_waited_is_no_answer_needed_and_a_readers_own_chain_goes(app, scene):
    reader = app.test_client()
    waiting = post(reader, "Is there a dark mode?", JO)
    post(reader, "I would like one too.", BEN, parent_id=waiting)
    own = post(reader, "Where are the settings?", JO)
    own_reply = post(reader, "Found them, never mind.", JO, parent_id=own)

    cli(app, "people", "forget", JO_EMAIL)

    with app.app_context():
        kept = db.session.get(Comment, waiting)
        assert kept.erased_at is not None and not kept.is_waiting
        assert kept.dismiss_reason.startswith("Erased at the author's request")
        assert db.session.get(Comment, own) is db.session.get(Comment, own_reply) is None


def test_the_full_export_keeps_erasures_through_a_restore(app, scene, tmp_path):
    cli(app, "people", "forget", JO_EMAIL)
    first = tmp_path / "first.json"
    cli(app, "comments", "export", "--format", "json", str(first))
    document = json.loads(first.read_text())
    jsonschema.validate(document, full_export.SCHEMA)
    assert [c["id"] for c in document["comments"] if c["erased_at"]] == [scene["answered"]]
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(delete(table))
        db.session.commit()
    cli(app, "import", "porch", str(first))
    second = tmp_path / "second.json"
    cli(app, "comments", "export", "--format", "json", str(second))
    again = json.loads(second.read_text())
    assert again["comments"] == document["comments"]
    assert again["moderation"] == document["moderation"]


def test_staff_see_the_kept_comment_as_an_erased_reader_with_its_history(app, scene):
    scene["staff"].get("/moderation/")  # shows, and so clears, the flash of the last decision
    cli(app, "people", "forget", JO_EMAIL)
    page = scene["staff"].get("/moderation/?view=all").get_data(as_text=True)
    assert "Erased reader" in page
    tools = scene["staff"].get(f"/moderation/comments/{scene['answered']}/tools?view=all")
    history = tools.get_data(as_text=True)
    assert "The reader · erased at the author&#39;s request" in history
    for shown in (page, history):
        assert not any(trace.lower() in shown.lower() for trace in JO_TRACES)


def test_a_staff_address_is_not_erased_nor_mailed_a_link(app, client, scene):
    post(
        client, "Testing the form as a reader.", {"author_name": "A. L.", "email": "ana@porch.test"}
    )
    result = app.test_cli_runner().invoke(args=["people", "forget", "Ana@porch.test"])
    assert result.exit_code == 1
    assert "belongs to a staff account" in result.output
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert request_data(client, "ana@porch.test", "forget").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before


def test_the_authors_digest_that_lists_the_readers_comment_keeps_nothing_of_it(app, scene):
    with app.app_context():
        ana = db.session.scalar(select(Staff).where(Staff.name == "Ana Lima"))
        ana.notify = Notify.DIGEST
        db.session.commit()
    post(app.test_client(), f"Another {JO_WORDS}", JO, addr=JO_ADDR, agent=JO_AGENT)
    cli(app, "mail", "digest")
    with app.app_context():
        digest = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.subject.like("%on your posts"))
        )
        assert JO["author_name"] in digest.body_text
    cli(app, "people", "forget", JO_EMAIL)
    stored = every_stored_value(app)
    assert not any(trace.lower() in stored for trace in (*JO_TRACES, JO_WORDS))


def test_forgetting_also_erases_staffs_note_of_a_private_answer(app, make_staff, make_post):
    make_staff("Ana Lima", email="ana@porch.test")
    post = make_post("hello-porch")
    with app.app_context():
        comment = Comment(
            post_id=post.id,
            author_name="Josefina Quillfeather",
            author_email=JO_EMAIL,
            body_markdown="Call me?",
            body_html="<p>Call me?</p>",
            status=CommentStatus.APPROVED,
            published_at=utcnow(),
        )
        db.session.add(comment)
        db.session.commit()
        comment_id = comment.id
    note = "Called Josefina Quillfeather about her sync question"
    cli(app, "comments", "answer-privately", str(comment_id), "--by", "ana@porch.test",
        "--how", "phone", "--note", note)  # fmt: skip
    cli(app, "people", "forget", JO_EMAIL)
    assert "quillfeather" not in every_stored_value(app)
