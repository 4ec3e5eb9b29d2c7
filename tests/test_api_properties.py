"""Whatever a client sends to the public API, it gets a clear answer and never a 5xx.

Hypothesis sends arbitrary JSON and form bodies, slugs and headers to the real
service on a real database; after each request the comments table must hold
exactly what the answer says: nothing new after a 4xx, one clean comment after
a success. The stored-text checks below are written out here on purpose rather
than imported, so a bug in the service's own checks cannot hide itself.
"""

import html
import json
import re
import unicodedata
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment

from .conftest import BLOG_URL

OPTIONAL_FIELDS = ("email", "website", "parent_id", "leave_blank")
NOT_IN_A_NAME = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Characters that broke or slipped past the checks before: NUL, escapes, C1 controls,
# line breaks, zero-width and bidi formatting, a noncharacter and lone surrogates.
TRICKY = "\x00\x01\x1b\x7f\x85\x9b\r\n\t\u200b\u200d\u202e\u2066\u2028\ufeff\uffff\ud800\udfff"


def mostly(usual, unusual):
    """Draw from ``usual`` seven times in eight, so many requests reach the database."""
    return st.integers(0, 7).flatmap(lambda n: unusual if n == 0 else usual)


def usual_or_tricky(usual: list, tricky: list):
    """Mostly a usual value; else a known attack, or a usual value with a tricky character in it."""
    return mostly(st.sampled_from(usual), st.sampled_from(tricky) | tainted(usual))


def tainted(usual: list):
    def insert(value, char, at):
        value = str(value)
        at %= len(value) + 1
        return value[:at] + char + value[at:]

    return st.builds(insert, st.sampled_from(usual), st.sampled_from(TRICKY), st.integers(0, 40))


characters = st.one_of(
    st.characters(exclude_categories=()),  # every code point, lone surrogates included
    st.sampled_from(TRICKY),
)
any_text = st.text(characters, max_size=40)
# Each field: usual values (some only valid once NFC-normalised), then the attacks found.
NAMES = ["Jo Reader", "Jos\u00e9", "Jose\u0301", "Zo\u00eb", "李小龍", "Anna Lima", "Dana"]
SPOOFS = ["Ana Lima", "\u0410na Lima", "Ana\u200b Lima", "Ana Lima.", "Ana\u00a0Lima"]
SPOOFS += ["\x1b[31mRed\x1b[0m", "Eve\u202egnp.exe", "Jo\r\nBcc: x", "\ud800", "Jo\x00"]
BODIES = ["How do I export my schedule?", "line one\r\nline two", "**bold**\tand a tab"]
BODIES += ["e\u0301te\u0301", "See <https://docs.example>", "<b>bold</b> words"]
EMPTY_OR_RAW = ["<script>alert(1)</script>", "<!-- nothing -->", "&nbsp;", "a\x00b", "\x1b[2J"]
PARENTS = ["1", 1, " 1 ", "", None]
ODD_PARENTS = ["\u00b9", "\u0661", "9" * 5000, "+1", "1\n", 0, -1, 2**31, 10**300, 1.0, True]
SITES = ["https://jo.example", "http://jo.example/path?q=1"]
ODD_SITES = ["http://[::1", "https://jo.example/\x00", "javascript:x()", "https://\u202eexample"]
EMAILS = ["jo@example.com", "jos\u00e9@example.com"]
ODD_EMAILS = ["jo@exa\x00mple.com", "jo@\u202eexample.com", "jo@example.com\ud800"]
PLAUSIBLE = {
    "author_name": usual_or_tricky(NAMES, SPOOFS),
    "body": usual_or_tricky(BODIES, EMPTY_OR_RAW),
    "parent_id": usual_or_tricky(PARENTS, ODD_PARENTS),
    "website": usual_or_tricky(SITES, ODD_SITES),
    "email": usual_or_tricky(EMAILS, ODD_EMAILS),
    "leave_blank": usual_or_tricky([""], ["I am a bot"]),
}
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**4000), max_value=10**4000)
    | st.floats()
    | any_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(any_text, children, max_size=3)
    ),
    max_leaves=6,
)
json_objects = st.builds(
    lambda fields, extra: {**extra, **fields},
    st.fixed_dictionaries(
        {name: mostly(PLAUSIBLE[name], json_values) for name in ("author_name", "body")},
        optional={name: mostly(PLAUSIBLE[name], json_values) for name in OPTIONAL_FIELDS},
    ),
    mostly(st.just({}), st.dictionaries(any_text, json_values, max_size=2)),
)
RAW_BODIES = [b"", b"{", b"[]", b'"text"', b'{"parent_id": ' + b"9" * 5000 + b"}", b"\xff\xfe"]
json_bodies = mostly(
    json_objects.map(lambda data: json.dumps(data).encode()),
    st.sampled_from(RAW_BODIES) | st.binary(max_size=60),
)


def encoded(value) -> bytes:
    """A form value as a browser (or anything else) could send it, surrogates included."""
    return b"" if value is None else str(value).encode("utf-8", "surrogatepass")


form_values = {
    name: mostly(strategy.map(encoded), any_text.map(encoded) | st.binary(max_size=20))
    for name, strategy in PLAUSIBLE.items()
}
form_bodies = st.builds(
    lambda fields, extra: "&".join(
        f"{quote_from_bytes(key)}={quote_from_bytes(value)}"
        for key, value in [*fields.items(), *extra.items()]
    ),
    st.fixed_dictionaries(
        {name: form_values[name] for name in ("author_name", "body")},
        optional={name: form_values[name] for name in OPTIONAL_FIELDS},
    ).map(lambda fields: {name.encode(): value for name, value in fields.items()}),
    mostly(st.just({}), st.dictionaries(st.binary(max_size=8), st.binary(max_size=20), max_size=2)),
)
header_text = st.text(st.characters(max_codepoint=0xFF), max_size=40).map(
    lambda value: value.replace("\r", "").replace("\n", "")
)
IDEMPOTENCY_KEYS = ["retry-key-0001", "retry-key-0002"]
headers = st.fixed_dictionaries(
    {},
    optional={
        "Idempotency-Key": mostly(st.sampled_from(IDEMPOTENCY_KEYS), header_text),
        "Origin": mostly(st.just(BLOG_URL), header_text),
        "Referer": mostly(
            st.just(f"{BLOG_URL}/2026/11/hello/"), st.sampled_from(["http://[", "//"]) | header_text
        ),
        "User-Agent": header_text,
        "If-None-Match": header_text,
    },
)
ODD_SLUGS = ["%00", "hello%00", "%ED%A0%80", "%C0%AE", "a" * 5000, "%E2%80%AE", "..", "%2e"]
slugs = mostly(
    st.just("hello"), st.sampled_from(ODD_SLUGS) | st.binary(max_size=30).map(quote_from_bytes)
)


@pytest.fixture
def post_with_a_thread(app, make_post, make_staff, make_comment):
    """A post by a staff member, with one published comment to reply to."""
    post = make_post("hello", authors=("Ana Lima",))
    make_staff("Ana Lima")
    return make_comment(post, name="First Reader")


def as_json(**fields) -> bytes:
    return json.dumps({"author_name": "Jo Reader", "body": "Hello", **fields}).encode()


@EXAMPLES
@given(slug=slugs, body=json_bodies, sent_headers=headers)
# The attack review's findings run first, every time.
@example(slug="hello", body=as_json(author_name="Jo\ud800"), sent_headers={})
@example(slug="hello", body=as_json(body="a\x00b"), sent_headers={})
@example(slug="hello", body=as_json(parent_id="\u00b9"), sent_headers={})
@example(slug="hello%00", body=as_json(), sent_headers={})
@example(slug="hello", body=as_json(), sent_headers={"User-Agent": "bot\x00"})
@example(slug="hello", body=as_json(), sent_headers={"Referer": "http://["})
def test_json_posts_never_fail_and_store_only_clean_comments(
    app, client, post_with_a_thread, slug, body, sent_headers
):
    path = f"/api/posts/{slug}/comments"
    post_and_check(app, client, path, sent_headers, data=body, content_type="application/json")


@EXAMPLES
@given(slug=slugs, body=form_bodies, sent_headers=headers)
@example(slug="hello", body="author_name=Jo%00&body=Hi", sent_headers={})
def test_form_posts_never_fail_and_store_only_clean_comments(
    app, client, post_with_a_thread, slug, body, sent_headers
):
    form = "application/x-www-form-urlencoded"
    path = f"/api/posts/{slug}/comments"
    post_and_check(app, client, path, sent_headers, data=body, content_type=form)


@settings(EXAMPLES, max_examples=60)
@given(slug=slugs, sent_headers=headers)
def test_reading_a_thread_never_fails(app, client, post_with_a_thread, slug, sent_headers):
    response = client.get(f"/api/posts/{slug}/comments", headers=sent_headers)
    assert response.status_code in (200, 304, 400, 404)


def post_and_check(app, client, path, sent_headers, **request):
    before = comment_ids(app)
    response = client.post(path, headers=sent_headers, **request)
    new = comment_ids(app) - before
    event(f"answered {response.status_code}")  # see: pytest --hypothesis-show-statistics
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert not new, f"{response.status_code} but stored {new}"
    elif new:
        assert len(new) == 1
        assert_clean(stored(app, new.pop()))
    else:
        # A retry with a key already used gets the first comment back and stores nothing.
        assert "Idempotency-Key" in sent_headers, response.status_code
        if response.is_json:
            assert response.get_json()["id"] in before


def comment_ids(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(Comment.id)))


def stored(app, comment_id) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge(comment)
        return comment


def assert_clean(comment: Comment) -> None:
    for text in (comment.author_name, comment.author_email, comment.author_website):
        if text is not None:
            assert text == unicodedata.normalize("NFC", text)
            assert not {unicodedata.category(char) for char in text} & NOT_IN_A_NAME, ascii(text)
    body = comment.body_markdown
    assert body == unicodedata.normalize("NFC", body)
    assert "\x00" not in body and "\r" not in body
    assert all(unicodedata.category(char) != "Cs" for char in body)
    assert has_visible_text(comment.body_html), ascii(comment.body_html)


def has_visible_text(markup: str) -> bool:
    text = html.unescape(re.sub(r"<[^>]*>", "", markup))
    return any(unicodedata.category(char)[0] not in "ZC" for char in text)
