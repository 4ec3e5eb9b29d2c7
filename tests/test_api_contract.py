"""What the API does is what its OpenAPI document says, for the cases a review found apart:
405s name the methods there are, page numbers are ASCII digits, tokens are strings, and
a body the service refuses as empty is one the document refuses too."""

import json
from importlib.resources import files

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

THREAD = "/api/posts/hello/comments"
DOCUMENT = json.loads(files("comments_service").joinpath("openapi.json").read_text())


def schema_named(name: str) -> Draft202012Validator:
    """A validator for one of the document's schemas, its references resolved in the document."""
    registry = Registry().with_resource("openapi.json", DRAFT202012.create_resource(DOCUMENT))
    reference = {"$ref": f"openapi.json#/components/schemas/{name}"}
    return Draft202012Validator(reference, registry=registry)


@pytest.mark.parametrize(
    ("method", "address", "allowed"),
    [
        ("PUT", THREAD, {"GET", "HEAD", "OPTIONS", "POST"}),
        ("GET", "/api/preview", {"OPTIONS", "POST"}),
        ("TRACE", "/healthz", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_a_405_names_the_methods_the_address_takes(client, method, address, allowed):
    answer = client.open(address, method=method)
    assert answer.status_code == 405
    assert set(answer.allow) == allowed
    assert "That method is not allowed here." in answer.get_data(as_text=True)


@pytest.mark.parametrize("page", ["³", "①", "1³", "١", "٣", "9" * 5000, " 1", "1.0"])
def test_a_page_number_is_ascii_digits_else_there_is_no_such_page(client, make_post, page):
    make_post("hello")
    answer = client.get(THREAD, query_string={"page": page})
    assert answer.status_code == 404
    assert answer.get_json()["error"] == "unknown_page"
    assert "Pages of this thread are numbered 1 to 1" in answer.get_json()["message"]


def test_a_page_number_with_leading_zeros_is_still_that_page(client, make_post):
    make_post("hello")
    assert client.get(THREAD, query_string={"page": "0001"}).get_json()["page"] == 1


@pytest.mark.parametrize("tokens", [[1], [None], [["a"]], [{"a": 1}], ["a", 2]])
def test_own_comments_are_asked_for_with_string_tokens_only(client, tokens):
    answer = client.post("/api/comments/mine", json={"tokens": tokens})
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "malformed"
    assert "strings" in answer.get_json()["message"]


@pytest.mark.parametrize("body", ["", "   ", "\n\t"])
def test_a_body_refused_as_empty_is_refused_by_the_document_too(client, make_post, body):
    make_post("hello")
    requests = [
        ("NewComment", "POST", THREAD, {"author_name": "Jo", "body": body}),
        ("PreviewRequest", "POST", "/api/preview", {"body": body}),
    ]
    for schema, method, address, sent in requests:
        assert not schema_named(schema).is_valid(sent), schema
        answer = client.open(address, method=method, json=sent)
        assert answer.status_code == 422, schema
        assert answer.get_json()["fields"]["body"] == "Please write a comment."
    assert not schema_named("OwnEdit").is_valid({"token": "t", "body": body})


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
@pytest.mark.parametrize("number", ["2147483648", "18045739987", "9" * 40])
def test_a_comment_number_beyond_the_id_column_is_no_such_comment(client, method, number):
    """Not 405: the address takes both methods, it names no comment."""
    answer = client.open(f"/api/comments/{number}", method=method, json={"token": "x"})
    assert answer.status_code == 404
