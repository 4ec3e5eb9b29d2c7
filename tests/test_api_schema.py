"""Schemathesis against the service, on each database: every operation of the OpenAPI
document, with data that fits it and data that does not, and every check it has (what
``schemathesis run --checks all`` runs: no 500, status codes, content types, headers and
bodies as documented, schema-valid requests accepted and invalid ones refused, 405s with
``Allow``...). It must find nothing: the document describes what the service does.

Examples are drawn the same way on every run (``derandomize``), at most ``MAX_EXAMPLES``
per operation and phase, so a run takes the same steps on any date and twice in a row.
Requests go to the Flask app itself (WSGI), never over a network; rate limits stay off.
"""

from importlib.resources import files
from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from comments_service.extensions import db
from comments_service.models import Comment
from comments_service.services.comments.own import OWN
from comments_service.services.tokens import Tokens

from .conftest import settings as service_settings

MAX_EXAMPLES = 50
# Schemathesis asks for gzip, as requests does, but its WSGI client does not unzip what it
# asked for (a network client would): thread reads come plain (test_serving.py zips them).
PLAIN = {"Accept-Encoding": "identity"}
# The seeded comment (the first of the test's database) and a token that owns it, as the
# service hands it out: so editing, deleting and listing one's own comments are reached,
# not only refused.
FIRST_COMMENT = 1
# The seeded comment's link key is set to this one, so its token can be made up front.
LINK_KEY = "5eeded" + "0" * 26
OWN_TOKEN = Tokens(service_settings("")["PORCH_SECRET_KEY"]).make(
    OWN, SimpleNamespace(id=FIRST_COMMENT, link_key=LINK_KEY)
)
# The service refuses with 422 some text the document's schemas cannot tell apart (text
# of which nothing would show, such as unassigned characters; control characters; a name
# that reads as staff's): these operations say so in their descriptions.
TEXT_CHECKED_BEYOND_THE_SCHEMA = ["createComment", "editOwnComment", "previewComment"]
ACCEPTED_OR_TEXT_REFUSED = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

CONFIG = schemathesis.Config.from_dict(
    {
        "dictionaries": {
            "slugs": {"values": ["hello"]},
            "comments": {"values": [FIRST_COMMENT]},
            "tokens": {"values": [OWN_TOKEN]},
        },
        "parameters": {
            "path.slug": {"dictionary": "slugs", "probability": 0.8},
            "path.id": {"dictionary": "comments", "probability": 0.5},
            "body.parent_id": {"dictionary": "comments", "probability": 0.5},
            "body.token": {"dictionary": "tokens", "probability": 0.5},
            "body.tokens[*]": {"dictionary": "tokens", "probability": 0.5},
        },
        "operations": [
            {
                "include-operation-id": TEXT_CHECKED_BEYOND_THE_SCHEMA,
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ACCEPTED_OR_TEXT_REFUSED}
                },
            }
        ],
    }
)
schema = schemathesis.openapi.from_path(
    str(files("comments_service").joinpath("openapi.json")), config=CONFIG
)


@pytest.fixture
def service(app, make_post, make_comment):
    """The service with a post to comment on and a comment to reply to, edit and delete."""
    post = make_post("hello")
    assert make_comment(post).id == FIRST_COMMENT
    with app.app_context():
        db.session.get(Comment, FIRST_COMMENT).link_key = LINK_KEY
        db.session.commit()
    return app


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # One service and database serve every example of an operation, as one would in use.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_service_does_what_its_openapi_document_says(case, service):
    case.call_and_validate(app=service, headers=PLAIN)
