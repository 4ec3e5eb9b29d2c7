"""No reader text reaches a mail header unchecked, and every subject reads as it was written.

Run on the project's own Python (3.11.7 here), whose email package decodes an RFC 2047
encoded word in a header value and writes the line breaks it hides (CVE-2024-6923).
Mail goes through the real sender to a real SMTP server (aiosmtpd) and is read back as
a mail program reads it.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import Comment, Role, Staff, utcnow
from comments_service.services.mail import outbox
from comments_service.services.mail.events import record_new_comment
from comments_service.services.mail.notifications import queue_overdue_reminders
from comments_service.services.moderation.assignment import reassign

from .conftest import service_urls
from .mail_helpers import outbox_rows, post_comment, send
from .smtp_support import SmtpServer
from .test_validation import refused

ENCODED_BREAKS = "=?utf-8?q?Eve=0D=0AReply-To:_x@evil.example=0D=0A=0D=0APHISH?="
HOSTILE_NAMES = [
    ENCODED_BREAKS,
    "=?utf-8?b?RXZlDQpCY2M6IHhAZXZpbC5leGFtcGxlDQoNClBISVNI?=",  # the same, in base64
    "Eve =?utf-8?q?=0ABcc:_x@evil.example?= Reader",
    "=?iso-8859-1?q?Eve=0D=0AReply-To:_x@evil.example?=",
]
INJECTED = {"reply-to", "bcc", "cc"}


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app_with, smtp):
    return app_with(**smtp.settings())


def received(smtp) -> list:
    return [item.message for item in smtp.sink.received]


def assert_no_reader_header(message) -> None:
    """The mail holds only the headers Porch writes, once each, and Porch's own text."""
    names = [name.lower() for name in message.keys()]
    assert not INJECTED & set(names), message.keys()
    assert len(names) == len(set(names)), names
    text = message.get_body(("plain",)).get_content()
    assert not text.startswith("PHISH") and "PHISH" not in message["Subject"].splitlines()[1:]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_an_encoded_word_hiding_line_breaks_is_refused_as_a_name(client, make_post, name):
    make_post("hello")
    response = client.post(
        "/api/posts/hello/comments", json={"author_name": name, "body": "Hello there"}
    )
    refused(response, "author_name", "Please write your name as plain text")


def test_the_plain_form_refuses_it_with_the_correction_page(client, app, make_post):
    make_post("hello")
    response = client.post(
        "/api/posts/hello/comments", data={"author_name": ENCODED_BREAKS, "body": "Hello"}
    )
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "Please write your name as plain text" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Comment.id)) is None


def test_an_encoded_word_cannot_spell_a_staff_name(client, make_post, make_staff):
    make_post("hello")
    make_staff("Ana Lima")
    response = client.post(
        "/api/posts/hello/comments",
        json={"author_name": "=?utf-8?q?Ana_Lima?=", "body": "Trust me"},
    )
    refused(response, "author_name", "That name belongs to a member of staff")


def test_a_harmless_encoded_word_is_kept_and_mailed_as_typed(mail_app, smtp, make_post, make_staff):
    make_staff("Ana Lima")
    make_post("hello", title="Hello Porch")
    name = "=?utf-8?q?Jo_Reader?="
    post_comment(mail_app.test_client(), author_name=name)
    assert send(mail_app).sent == 1
    (message,) = received(smtp)
    assert message["Subject"] == f"New comment: {name} on “Hello Porch”"


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_name_stored_before_the_check_adds_no_header_to_any_mail(
    mail_app, smtp, make_post, make_staff, make_comment, name
):
    """A row from before the check: the new-comment and the handed-on mails say the
    name as it is stored, and carry no header and no body of the writer's."""
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    comment = make_comment(make_post("hello", title="Hello Porch"), name=name)
    with mail_app.app_context():
        stored = db.session.get(Comment, comment.id)
        record_new_comment(stored, utcnow())
        giver, colleague = db.session.get(Staff, ana.id), db.session.get(Staff, ben.id)
        reassign(stored, giver, colleague, urls=service_urls(), now=utcnow())
        db.session.commit()
    assert send(mail_app).sent == 2
    new, handed = received(smtp)
    for message in (new, handed):
        assert_no_reader_header(message)
        assert message["To"] in ("ana@porch.test", "ben@porch.test")
    assert new["Subject"] == f"New comment: {name} on “Hello Porch”"
    assert handed["Subject"] == f"Ana Lima handed you a comment: {name} on “Hello Porch”"
    assert "Hello Porch" in new.get_body(("plain",)).get_content()


def test_a_line_break_in_a_stored_subject_is_refused_not_written(mail_app, smtp):
    with mail_app.app_context():
        hostile = outbox.Mail("ana@porch.test", "Hi\r\nBcc: x@evil.example", "t", "<p>h</p>", {})
        outbox.enqueue(hostile, utcnow())
        db.session.commit()
    report = send(mail_app)
    assert (report.sent, report.failed) == (0, 1)
    assert received(smtp) == []
    (row,) = outbox_rows(mail_app)
    assert "ValueError" in row.last_error


SUBJECTS = [
    "Overdue on “Redesigning the onboarding flow for new staff members and their teams”",
    "Café “Ünïcode” naïve résumé, and a long tail of plain words that must fold somewhere",
    "Zoë Ørsted replied to your comment on “Ça marche : les tâches récurrentes en été”",
    "李小龍 replied to your comment on “How we plan a week of jobs with three crews”",
    "Ana  Lima  with  two  spaces  each  time  on “Redesigning…” and then some more words",
    "=?utf-8?q?typed?= by a reader, on “a post whose title is long enough to fold the line”",
    "A word too long to fold: " + "x" * 90 + " and then “quotes”",
]


def test_non_ascii_subjects_arrive_exactly_as_written(mail_app, smtp):
    """Every length of prefix moves the fold to another place in the subject."""
    subjects = [" ".join(["Pad"] * pad + [subject]) for subject in SUBJECTS for pad in range(12)]
    with mail_app.app_context():
        for subject in subjects:
            outbox.enqueue(outbox.Mail("ana@porch.test", subject, "t", "<p>h</p>", {}), utcnow())
        db.session.commit()
    while send(mail_app).sent:
        pass
    assert sorted(message["Subject"] for message in received(smtp)) == sorted(subjects)


@pytest.mark.parametrize(
    ("giver", "title"),
    [("Morgan Reyes", "Ça marche"), ("李小龍", "Redesigning the onboarding flow")],
)
def test_the_handed_on_mail_keeps_every_space(
    mail_app, smtp, make_post, make_staff, make_comment, giver, title
):
    """Subjects like these arrived as "Jo Overdue on “Çamarche”" and "Jo Overdueon “…"."""
    admin, ben = make_staff(giver, Role.ADMIN, email="admin@porch.test"), make_staff("Ben Okafor")
    comment = make_comment(make_post("post", title=title), name="Jo Overdue")
    with mail_app.app_context():
        reassign(
            db.session.get(Comment, comment.id),
            db.session.get(Staff, admin.id),
            db.session.get(Staff, ben.id),
            urls=service_urls(),
            now=utcnow(),
        )
        db.session.commit()
    assert send(mail_app).sent == 1
    (message,) = received(smtp)
    assert message["Subject"] == f"{giver} handed you a comment: Jo Overdue on “{title}”"


def test_the_overdue_reminder_and_the_handed_on_mails_keep_a_non_ascii_title_whole(
    mail_app, smtp, make_post, make_staff, make_comment
):
    """Readers waiting on a post with quotes and accents in its title: the reminder, then
    the mails handing each comment on, read back from the SMTP server. Names of every
    length move the fold to every place in the subject."""
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    title = "Redesigning the “Café” page: what naïve readers told us…"
    post = make_post("cafe", title=title)
    names = [f"J{'o' * length} Overdue" for length in range(1, 25)]
    comments = [make_comment(post, name=name, minutes_ago=30 * 60) for name in names]
    with mail_app.app_context():
        now, urls = utcnow(), service_urls()
        queue_overdue_reminders(
            urls=urls, now=now, answer_within=timedelta(hours=24), escalate_after=timedelta(days=3)
        )
        giver, colleague = db.session.get(Staff, ana.id), db.session.get(Staff, ben.id)
        for comment in comments:
            reassign(db.session.get(Comment, comment.id), giver, colleague, urls=urls, now=now)
        db.session.commit()
    while send(mail_app).sent:
        pass
    (reminder,) = [message for message in received(smtp) if message["To"] == ana.email]
    handed = [message for message in received(smtp) if message["To"] == ben.email]
    assert (
        reminder["Subject"] == f"{len(names)} readers are waiting for you; the oldest for 30 hours"
    )
    assert f'* {names[0]} on "{title}", waiting 30 hours' in plain_text(reminder)
    assert sorted(message["Subject"] for message in handed) == sorted(
        f"Ana Lima handed you a comment: {name} on “{title}”" for name in names
    )
    assert all(title in plain_text(message) for message in handed)


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content()
