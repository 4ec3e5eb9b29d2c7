"""Shared steps of the mail tests: post a comment, run the sender, read the outbox."""

from datetime import datetime

from sqlalchemy import select

from comments_service.extensions import db
from comments_service.models import OutboxMessage, utcnow
from comments_service.services.mail.events import Notices, expand_pending
from comments_service.services.mail.outbox import Mail, enqueue
from comments_service.services.mail.sender import PassReport, SenderSettings, send_due


def post_comment(client, slug="hello", **fields) -> int:
    body = {"author_name": "Jo Reader", "body": "How do I export my schedule?", **fields}
    response = client.post(f"/api/posts/{slug}/comments", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def send(app, now: datetime | None = None) -> PassReport:
    """One `mail send` pass, at the given time or on the real clock."""
    with app.app_context():
        clock = (lambda: now) if now else utcnow
        report = send_due(SenderSettings.for_app(app), clock)
        db.session.remove()
    return report


def write_events(app) -> None:
    """The first step of every `mail send` pass: pending comment events become messages."""
    with app.app_context():
        expand_pending(Notices.for_app(app), app.config["PORCH_MAIL_BATCH_SIZE"])
        db.session.remove()


def outbox_rows(app) -> list[OutboxMessage]:
    """The outbox as a `mail send` pass finds it, its pending comment events written."""
    write_events(app)
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
    return list(rows)


def queue_mail(app, count: int, now: datetime | None = None) -> None:
    with app.app_context():
        for number in range(count):
            mail = Mail(f"staff{number}@porch.test", f"Message {number}", "text", "<p>html</p>", {})
            enqueue(mail, now or utcnow())
        db.session.commit()
