"""Request bodies in JSON: every endpoint that reads one refuses a document nested too deep
with a 400 that says so, before decoding it (Python's decoder recurses, once per level)."""

import time

import pytest

from comments_service.api.json_body import MAX_DEPTH, nesting_depth

TOKEN = "deploy-token"
DEEP = 2_000
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def json_endpoints(app) -> list[tuple[str, str]]:
    """(method, address) of every API route that takes a body, found in the URL map, so a
    new one is checked without being listed here."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/api/"):
                continue
            arguments = {name: 1 if name.endswith("_id") else "hello" for name in rule.arguments}
            address = rule.build(arguments)[1]
            found += [(method, address) for method in sorted(rule.methods & WRITES)]
    return found


@pytest.fixture
def service(app_with, make_post):
    make_post("hello")
    return app_with(PORCH_DEPLOY_TOKEN=TOKEN)


def send(client, method: str, address: str, data: bytes | str):
    return client.open(
        address,
        method=method,
        data=data,
        content_type="application/json",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )


def test_the_endpoints_that_read_json_are_all_found(service):
    assert set(json_endpoints(service)) == {
        ("POST", "/api/posts/hello/comments"),
        ("PATCH", "/api/comments/1"),
        ("DELETE", "/api/comments/1"),
        ("POST", "/api/comments/mine"),
        ("POST", "/api/preview"),
        ("PUT", "/api/manifest"),
    }


@pytest.mark.parametrize(
    "document",
    ["[" * DEEP + "]" * DEEP, '{"a":' * DEEP + "1" + "}" * DEEP, '{"body": ' + "[" * DEEP],
    ids=["lists", "objects", "unfinished"],
)
def test_json_nested_thousands_deep_is_a_400_on_every_endpoint(service, document):
    client = service.test_client()
    for method, address in json_endpoints(service):
        response = send(client, method, address, document)
        assert response.status_code == 400, (method, address)
        assert response.get_json()["error"] == "malformed"
        assert f"nested more than {MAX_DEPTH} levels" in response.get_json()["message"]


def test_brackets_hidden_from_a_byte_scan_in_utf16_are_still_counted(service):
    """JSON may come as UTF-16: its bytes hold quote marks (U+2200 is 00 22) that are no
    quotes, so nesting is counted in the decoded text, as the decoder reads it."""
    document = ('{"body": "\u2200", "x": ' + "[" * DEEP + "]" * DEEP + "}").encode("utf-16")
    response = send(service.test_client(), "POST", "/api/preview", document)
    assert response.status_code == 400
    assert "nested" in response.get_json()["message"]


def test_json_nested_as_deep_as_allowed_is_read(service):
    client = service.test_client()
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    response = send(client, "POST", "/api/preview", '{"body": "Hi", "extra": ' + nested + "}")
    assert response.status_code == 200
    assert response.get_json() == {"html": "<p>Hi</p>"}


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("", 0),
        ("1", 0),
        ('{"a": [1, {"b": []}]}', 4),
        ('"[[[[" ', 0),
        ('["\\"[[[", "\\\\"]', 1),
        ('{"a": "unfinished [[[', 1),
        ("]]]][", 0),
        ("[]][[[", 2),
    ],
)
def test_nesting_is_counted_outside_strings(text, depth):
    assert nesting_depth(text) == depth


def test_counting_a_body_full_of_unfinished_strings_takes_one_pass():
    """A quote with no end runs to the end of the text: it is not scanned again from each
    quote mark after it, which would take minutes for this one (the square of its size)."""
    started = time.perf_counter()
    assert nesting_depth('\\"' * 40_000 + "[") == 0
    assert time.perf_counter() - started < 1
