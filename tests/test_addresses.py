"""Every address Porch takes, from a reader or for staff, is one mail can be sent to.

An address that passed a home-made pattern (``a%0aBcc:x@example.org``) was stored, then
refused by mail, or worse. email-validator checks them all, with no DNS asked.
"""

import pytest
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment, OutboxMessage, Staff

from .test_validation import comments, post_json, refused

NOT_ADDRESSES = [
    "a%0aBcc:x@example.org",  # as a form would carry a line break, unread
    "a\nBcc:x@example.org",
    "jo@example.org\r\nBcc: x@evil.example",
    "jo@example.org, x@evil.example",
    "Jo <jo@example.org>",
    '"jo reader"@example.org',
    "jö@example.org",  # needs SMTPUTF8, which not every server speaks
    "jo@localhost",
    "jo@[127.0.0.1]",
    "jo@example..org",
    "jo.@example.org",
]


@pytest.fixture
def post(make_post):
    return make_post("hello")


@pytest.mark.usefixtures("post")
@pytest.mark.parametrize("email", NOT_ADDRESSES)
def test_the_api_refuses_what_mail_would_refuse(client, app, email):
    message = "visible characters" if "\n" in email else "That email address does not look right"
    refused(post_json(client, email=email), "email", message)
    refused(post_json(client, email=email, subscribe="team"), "email", message)
    assert comments(app) == []


@pytest.mark.usefixtures("post")
def test_the_message_says_what_is_wrong(client):
    response = post_json(client, email="a%0aBcc:x@example.org")
    message = response.get_json()["fields"]["email"]
    assert "invalid characters before the @-sign: ':'" in message
    assert "leave it empty" in message


@pytest.mark.usefixtures("post")
def test_an_international_domain_is_stored_as_mail_sends_it(client, app):
    assert post_json(client, email="jo@exämple.org").status_code == 201
    with app.app_context():
        assert db.session.scalar(select(Comment.author_email)) == "jo@xn--exmple-cua.org"


@pytest.mark.usefixtures("post")
def test_ordinary_addresses_are_kept_with_the_domain_in_lower_case(client, app):
    for email in ["Jo.Quill+porch@Example.org", "jo@mail.example.co.uk", "o'neil@example.org"]:
        assert post_json(client, email=email).status_code == 201
    with app.app_context():
        stored = list(db.session.scalars(select(Comment.author_email).order_by(Comment.id)))
    assert stored == ["Jo.Quill+porch@example.org", "jo@mail.example.co.uk", "o'neil@example.org"]


@pytest.mark.parametrize("email", ["a%0aBcc:x@example.org", "jo@localhost"])
def test_the_privacy_page_refuses_them_and_mails_nothing(client, app, email):
    response = client.post("/privacy/request", data={"email": email, "wish": "export"})
    assert response.status_code == 422
    assert "That email address does not look right." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.id)) is None


@pytest.mark.parametrize("email", ["a%0aBcc:x@example.org", "cy@localhost", "cy"])
def test_staff_add_refuses_them_and_stores_nothing(app, email):
    result = app.test_cli_runner().invoke(
        args=["staff", "add", "Cy Ng", "--email", email, "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 1
    assert "is not an address mail can be sent to" in result.output
    with app.app_context():
        assert db.session.scalar(select(Staff.id)) is None


def test_a_report_recipient_mail_would_refuse_stops_the_service(app_with):
    with pytest.raises(ValueError, match="PORCH_REPORT_TO must list email addresses"):
        app_with(PORCH_REPORT_TO="product@example.com, a%0aBcc:x@example.org")
