"""Give `make run` something to show: sample staff accounts and a few comment threads.

Idempotent: accounts that exist are left alone, and sample comments are added only
to a database that has no comments yet. Never run this against a live database.
"""

import sys
from datetime import timedelta

from sqlalchemy import func, select

from comments_service import create_app
from comments_service.enums import ModerationPolicy
from comments_service.extensions import db
from comments_service.models import Comment, Role, Staff, utcnow
from comments_service.queries import post_by_slug
from comments_service.services.comments import (
    Submission,
    SubmissionContext,
    add_reader_comment,
    add_staff_answer,
)
from comments_service.services.passwords import hash_password
from comments_service.services.spam import Guard
from comments_service.services.subscriptions import ReaderMail

PASSWORD = "porch-demo-password"
ACCOUNTS = [
    ("Ana Lima", "ana@lanternworks.example", Role.AUTHOR),
    ("Ben Okafor", "ben@lanternworks.example", Role.AUTHOR),
    ("Chloé Martin", "chloe@lanternworks.example", Role.AUTHOR),
    ("Morgan Reyes", "admin@lanternworks.example", Role.ADMIN),
]
# (post slug, reader, question, hours ago, answering staff or None, answer)
THREADS = [
    (
        "hello-porch",
        "Priya N.",
        "Do you really answer *every* comment? Even the grumpy ones?",
        30,
        "Ana Lima",
        "Every one. Grumpy ones first, usually: they tend to have the best bug reports.",
    ),
    (
        "offline-mode-explained",
        "Tomasz K.",
        "What happens if two technicians edit the same job while both are offline?",
        28,
        None,
        None,
    ),
    (
        "faster-schedule-sync",
        "Lee W.",
        "Did the new sync change battery use on older phones?",
        3,
        None,
        None,
    ),
]


def ensure_accounts() -> None:
    hashed = hash_password(PASSWORD)
    for name, email, role in ACCOUNTS:
        if db.session.scalar(select(Staff).where(Staff.email == email)) is None:
            db.session.add(Staff(name=name, email=email, role=role, password_hash=hashed))
    db.session.commit()


def ensure_threads(config) -> None:
    if db.session.scalar(select(func.count(Comment.id))):
        return
    for slug, reader, question, hours, staff_name, answer in THREADS:
        post = post_by_slug(slug)
        if post is None:
            continue
        comment = add_reader_comment(
            post,
            None,
            Submission(author_name=reader, body=question),
            SubmissionContext(),
            policy=ModerationPolicy.PUBLISH,
            guard=Guard(max_links=3, min_fill_seconds=0),
            public_url=config["PORCH_PUBLIC_URL"],
            readers=ReaderMail.from_config(config),
        )
        comment.created_at = comment.published_at = utcnow() - timedelta(hours=hours)
        db.session.commit()
        if staff_name:
            staff = db.session.scalar(select(Staff).where(Staff.name == staff_name))
            add_staff_answer(comment, staff, answer, ReaderMail.from_config(config))
    db.session.commit()


def main() -> int:
    app = create_app()
    with app.app_context():
        ensure_accounts()
        ensure_threads(app.config)
    print(f"Sample staff accounts (password for all: {PASSWORD}):")
    for name, email, role in ACCOUNTS:
        print(f"  {email:<30} {name} ({role.value})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
