"""What readers (and staff) may write: text that is refused with a message, never a 500
and never stored raw. Each case here was found by an attack review."""

import pytest
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction

from .conftest import answer_fields, csrf_token

FORM = "application/x-www-form-urlencoded"


def post_json(client, slug="hello", headers=None, **fields):
    body = {"author_name": "Jo Reader", "body": "How do I export my schedule?", **fields}
    return client.post(f"/api/posts/{slug}/comments", json=body, headers=headers)


def comments(app) -> list[Comment]:
    with app.app_context():
        rows = list(db.session.scalars(select(Comment).order_by(Comment.id)))
        db.session.expunge_all()
        return rows


def refused(response, field: str, message: str) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == "invalid"
    assert message in body["fields"][field]


@pytest.fixture
def post(make_post):
    return make_post("hello")


TEXT_FIELDS = ["author_name", "body", "email", "website"]


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("bad", ["\ud800", "Jo\udfffReader", "a\x00b", "\x00"])
def test_lone_surrogates_and_nul_in_any_field_are_refused_not_stored(client, app, post, field, bad):
    fields = {field: f"jo{bad}@example.com" if field == "email" else bad}
    if field == "website":
        fields[field] = f"https://jo.example/{bad}"
    response = post_json(client, **fields)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]
    assert comments(app) == []


def test_nul_in_a_plain_form_gets_the_correction_page(client, app, post):
    response = client.post(
        "/api/posts/hello/comments", data={"author_name": "Jo\x00", "body": "Hi\x00 there"}
    )
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "only visible characters" in page
    assert "remove the control characters" in page
    assert comments(app) == []


@pytest.mark.parametrize(
    "name",
    [
        "\x1b[31mRed\x1b[0m",
        "Jo\r\nBcc: someone",
        "Jo\nReader",
        "Eve\u202egnp.exe",
        "Ana\u200bLima",
        "Jo\u2028Reader",
        "Jo\ue000",
        "Jo\U000e0041",
    ],
)
def test_names_with_control_format_or_invisible_characters_are_refused(client, app, post, name):
    refused(post_json(client, author_name=name), "author_name", "only visible characters")
    assert comments(app) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "jo@\u202eexample.com"),
        ("email", "jo\u200b@example.com"),
        ("website", "https://jo.example/\u202e"),
        ("website", "https://jo.\x1bexample"),
    ],
)
def test_email_and_website_with_invisible_characters_are_refused(client, app, post, field, value):
    refused(post_json(client, **{field: value}), field, "only visible characters")
    assert comments(app) == []


def test_a_website_address_python_cannot_read_is_refused_not_a_500(client, post):
    refused(post_json(client, website="http://[::1"), "website", "starting with https://")


def test_text_is_stored_nfc_normalised(client, app, post):
    response = post_json(client, author_name="Jose\u0301", body="Cafe\u0301 au lait")
    assert response.status_code == 201
    (stored,) = comments(app)
    assert (stored.author_name, stored.body_markdown) == ("Jos\u00e9", "Caf\u00e9 au lait")


def test_body_keeps_tabs_and_new_lines_and_stores_cr_lf_as_new_lines(client, app, post):
    response = post_json(client, body="line one\r\nline two\r\n\r\n\tcode\rend")
    assert response.status_code == 201
    (stored,) = comments(app)
    assert stored.body_markdown == "line one\nline two\n\n\tcode\nend"


@pytest.mark.parametrize("body", ["clear \x1b[2J screen", "bell\x07", "del\x7f", "c1 \x9b"])
def test_body_with_other_control_characters_is_refused(client, app, post, body):
    refused(post_json(client, body=body), "body", "remove the control characters")
    assert comments(app) == []


def test_body_with_a_direction_override_is_refused(client, app, post):
    refused(post_json(client, body="Price: \u202e001$"), "body", "text-direction override")


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "<!-- only an HTML comment -->",
        '<img src="x" onerror="alert(1)">',
        "&nbsp;",
        "<p></p>\u200b",
    ],
)
def test_body_that_sanitises_to_nothing_is_refused_and_waits_for_nobody(client, app, post, body):
    refused(post_json(client, body=body), "body", "Nothing of this comment would show")
    assert comments(app) == []
    assert app.test_cli_runner().invoke(args=["comments", "waiting"]).output == "0 waiting.\n"


def test_body_that_sanitises_to_nothing_in_a_plain_form_gets_the_correction_page(client, post):
    response = client.post(
        "/api/posts/hello/comments",
        data={"author_name": "Jo", "body": "<script>alert(1)</script>"},
    )
    assert response.status_code == 422
    assert "Nothing of this comment would show" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "parent_id", ["\u00b9", "\u0661", "9" * 5000, "1.0", "+1", "0x1", "2147483648", 0, -1, 2**31]
)
def test_parent_id_is_only_ascii_digits_of_an_existing_comment_number(
    client, app, post, make_comment, parent_id
):
    make_comment(post)  # comment 1, which "١" used to reach
    refused(post_json(client, parent_id=parent_id), "parent_id", "not a valid comment number")
    assert len(comments(app)) == 1


@pytest.mark.parametrize("parent_id", [1.0, [1], {"id": 1}, True])
def test_parent_id_that_is_not_a_number_or_string_is_malformed(client, post, parent_id):
    response = post_json(client, parent_id=parent_id)
    assert response.status_code == 400
    assert response.get_json()["error"] == "malformed"


@pytest.mark.parametrize("parent_id", ["1", " 1 ", 1])
def test_parent_id_as_digits_or_a_number_replies(client, app, post, make_comment, parent_id):
    parent = make_comment(post)
    response = post_json(client, parent_id=parent_id)
    assert response.status_code == 201
    assert comments(app)[-1].parent_id == parent.id


@pytest.mark.parametrize("field", ["author_name", "body", "email", "website"])
def test_text_fields_given_as_numbers_are_malformed(client, post, field):
    response = post_json(client, **{field: 12345})
    assert response.status_code == 400
    assert f"'{field}' must be a string" in response.get_json()["message"]


@pytest.mark.parametrize(
    "slug", ["%00", "hello%00", "a" * 5000, "hello%E2%80%AE", "%ED%A0%80", "%C0%AE"]
)
def test_odd_slugs_are_an_unknown_post_not_a_500(client, app, post, slug):
    path = f"/api/posts/{slug}/comments"
    body = {"author_name": "Jo", "body": "Hi"}
    for response in (client.get(path), client.post(path, json=body)):
        assert response.status_code == 404
        assert response.get_json()["error"] == "unknown_post"
    page = client.post(path, data=body)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "\x00" not in page.get_data(as_text=True)
    assert comments(app) == []


@pytest.mark.parametrize("key", ["key\x00abcdefgh", "key-\u202e-abcdefgh", "k" * 101])
def test_odd_idempotency_keys_are_refused(client, app, post, key):
    response = post_json(client, headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert comments(app) == []


STAFF_SPOOFS = ["Ana\u200b Lima", "Ana\u00a0Lima", "\u0410na Lima", "Ana Lima.", "ANA  LIMA"]


@pytest.mark.parametrize("name", STAFF_SPOOFS)
def test_a_reader_cannot_pass_as_staff_with_a_lookalike_name(client, app, post, make_staff, name):
    make_staff("Ana Lima")
    response = post_json(client, author_name=name)
    assert response.status_code == 422
    assert "author_name" in response.get_json()["fields"]
    assert comments(app) == []


@pytest.mark.parametrize("name", ["Anna Lima", "Ana Limas", "Jos\u00e9", "Zo\u00eb", "李小龍"])
def test_readers_with_names_close_to_staff_can_still_post(client, app, post, make_staff, name):
    make_staff("Ana Lima")
    assert post_json(client, author_name=name).status_code == 201
    assert comments(app)[0].author_name == name


def answer(client, comment, body):
    html = client.get("/moderation/").get_data(as_text=True)
    client.post(
        f"/moderation/comments/{comment.id}/answer",
        data={**answer_fields(html, comment.id), "body": body},
    )
    return client.get("/moderation/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Use \x00 Export", "remove the control characters"),
        ("<script>alert(1)</script>", "Nothing of this answer would show"),
    ],
)
def test_staff_answers_follow_the_reader_text_rules(
    client, app, post, make_staff, make_comment, login, body, message
):
    question = make_comment(post)
    login(make_staff("Ana Lima"))
    assert message in answer(client, question, body)
    assert len(comments(app)) == 1


def test_staff_answers_are_stored_nfc_with_plain_new_lines(
    client, app, post, make_staff, make_comment, login
):
    question = make_comment(post)
    login(make_staff("Ana Lima"))
    answer(client, question, "Cafe\u0301\r\nsecond line")
    assert comments(app)[-1].body_markdown == "Caf\u00e9\nsecond line"


def test_no_answer_needed_reason_with_nul_is_refused(
    client, app, post, make_staff, make_comment, login
):
    thanks = make_comment(post)
    login(make_staff("Ana Lima"))
    html = client.get("/moderation/").get_data(as_text=True)
    client.post(
        f"/moderation/comments/{thanks.id}/dismiss",
        data={"reason": "thanks\x00", "csrf_token": csrf_token(html)},
    )
    assert "only visible characters" in client.get("/moderation/").get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ModerationAction).count() == 0


@pytest.mark.parametrize(
    "headers", [{"User-Agent": "bot\x00/1.0"}, {"Referer": "http://blog.test/2026/11/hello/\x00"}]
)
def test_nul_in_headers_kept_for_spam_checks_is_dropped_not_a_500(client, app, post, headers):
    assert post_json(client, headers=headers).status_code == 201
    (stored,) = comments(app)
    assert "\x00" not in f"{stored.user_agent}{stored.referrer}"


def test_a_referer_that_cannot_be_read_is_refused_as_foreign_not_a_500(client, app, post):
    response = post_json(client, headers={"Referer": "http://["})
    assert response.status_code == 403
    assert response.get_json()["error"] == "foreign_origin"
    assert comments(app) == []
