"""Give `make run` something to show: sample staff accounts and a few comment threads.

Idempotent: accounts that exist are left alone, and sample comments are added only
to a database that has no comments yet. Never run this against a live database.
"""

import sys
from datetime import timedelta

from sqlalchemy import func, select

from comments_service import create_app
from comments_service.config import comment_kinds
from comments_service.enums import FollowUp, ModerationPolicy, PrivateChannel
from comments_service.extensions import db
from comments_service.models import Comment, Role, Staff, utcnow
from comments_service.queries.public import post_by_slug
from comments_service.services.accounts.passwords import hash_password
from comments_service.services.comments.answers import recompute_answers
from comments_service.services.comments.posting import (
    Posting,
    Submission,
    SubmissionContext,
    add_staff_answer,
    post_reader_comment,
)
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation import listening
from comments_service.services.report.build import last_full_month
from comments_service.services.spam.guard import Guard

PASSWORD = "porch-demo-password"
ACCOUNTS = [
    ("Ana Lima", "ana@lanternworks.example", Role.AUTHOR),
    ("Ben Okafor", "ben@lanternworks.example", Role.AUTHOR),
    ("Chloé Martin", "chloe@lanternworks.example", Role.AUTHOR),
    ("Dev Patel", "dev@lanternworks.example", Role.AUTHOR),
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


# Last full month, for the report "What readers told us": (post slug, reader, email,
# comment, day of the month, kind, answer or None, follow-up steps). An answer is
# (staff, hours after, text) in public, or (staff, hours after, None, note) privately;
# a step is (day, step, team or None, note).
LAST_MONTH = [
    ("recurring-jobs-questions", "Dan O.", "dan@example.com",
     "How do I skip one visit of a recurring job without breaking the series?", 5, "question",
     ("Ana Lima", 1, "Open the visit and choose “Skip this one”: the rest of the series stays."),
     []),
    ("offline-mode-explained", "Marta G.", "marta@example.com",
     "Could the offline copy keep the photos too? Our crews lose an afternoon re-shooting"
     " them whenever a basement job syncs late.", 3, "idea",
     ("Ana Lima", 2, "Not yet, and it is a good idea: we have passed it on."),
     [(4, FollowUp.PASSED_ON, "Mobile", "For the offline work next quarter")]),
    ("daylight-saving-double-job", "Sofia R.", "sofia@example.com",
     "Our crew got the 1:30 job twice again last Sunday. Is the fix live for everyone?", 10,
     "problem", ("Ben Okafor", 3, None, "Called Sofia: her account was on the old scheduler."),
     [(11, FollowUp.PASSED_ON, "Scheduling", ""),
      (18, FollowUp.ACTED_ON, None, "Every account now runs the fixed scheduler.")]),
    ("spreadsheet-import-guide", "Ken W.", "ken@example.com",
     "Please let the import read the phone column in any format, with spaces or dashes.", 12,
     "idea", None, [(13, FollowUp.PASSED_ON, "Imports", "")]),
    ("job-card-redesign", "Lou B.", None,
     "The new job card is so much easier with gloves on. Thank you!", 15, "praise",
     ("Chloé Martin", 5, "Thank you, Lou! Your crew's photos helped us size the buttons."), []),
    ("faster-schedule-sync", "Ravi P.", "ravi@example.com",
     "Will the faster sync come to the tablet app too?", 20, "question", None, []),
    ("job-card-redesign", "Ines T.", "ines@example.com",
     "Could the job card show the gate code only once the crew has arrived?", 24, "idea",
     ("Chloé Martin", 26, "Good question; we asked the crews who use gate codes most."),
     [(27, FollowUp.DECLINED, None, "Crews need the code on the way in; it stays visible.")]),
    ("hello-porch", "Noor A.", "noor@example.com", "Nice to see a blog that answers.", 26, None,
     None, []),
]  # fmt: skip


def sample_posting(app) -> Posting:
    """Sample comments are published as they come: no policy, no Akismet."""
    return Posting(
        policy=ModerationPolicy.PUBLISH,
        guard=Guard(max_links=3, min_fill_seconds=0),
        readers=ReaderMail.for_app(app),
    )


def ensure_accounts() -> None:
    hashed = hash_password(PASSWORD)
    for name, email, role in ACCOUNTS:
        if db.session.scalar(select(Staff).where(Staff.email == email)) is None:
            db.session.add(Staff(name=name, email=email, role=role, password_hash=hashed))
    db.session.commit()


def ensure_threads(app) -> None:
    if db.session.scalar(select(func.count(Comment.id))):
        return
    for slug, reader, question, hours, staff_name, answer in THREADS:
        post = post_by_slug(slug)
        if post is None:
            continue
        comment = post_reader_comment(
            post,
            Submission(author_name=reader, body=question),
            None,
            SubmissionContext(),
            sample_posting(app),
        )
        comment.created_at = comment.published_at = utcnow() - timedelta(hours=hours)
        db.session.commit()
        if staff_name:
            staff = db.session.scalar(select(Staff).where(Staff.name == staff_name))
            add_staff_answer(comment, staff, answer, ReaderMail.for_app(app))
            db.session.commit()
    add_last_month(app)


def add_last_month(app) -> None:
    """A month of tagged comments, answers and follow-ups, so the report has something to say."""
    start = last_full_month(utcnow()).start
    # Dan wrote the month before too: he counts as a returning reader.
    thanks, earlier = "Thanks for the recurring jobs guide.", start - timedelta(days=12)
    before = _reader_comment("recurring-jobs-questions", "Dan O.", "dan@example.com", thanks,
                             earlier, app)  # fmt: skip
    if before is None:
        return
    for slug, name, email, text, day, kind, answer, steps in LAST_MONTH:
        at = start + timedelta(days=day - 1, hours=9 + len(name) % 7)
        comment = _reader_comment(slug, name, email, text, at, app)
        admin = _staff("Morgan Reyes")  # posting a comment ends the session's transaction
        if kind:
            listening.tag(comment, admin, kind, comment_kinds(app.config))
        if answer:
            _answer(comment, at, *answer)
        for step_day, step, team, note in steps:
            when = start + timedelta(days=step_day - 1, hours=15)
            readers = ReaderMail.for_app(app)
            listening.follow_up(comment, admin, step, note, when, readers, team=team)
        db.session.commit()


def _reader_comment(slug, name, email, text, at, app) -> Comment | None:
    post = post_by_slug(slug)
    if post is None:
        return None
    comment = post_reader_comment(
        post,
        Submission(author_name=name, body=text, email=email),
        None,
        SubmissionContext(),
        sample_posting(app),
    )
    comment.created_at = comment.published_at = at
    db.session.commit()
    return comment


def _answer(comment, at, staff_name, hours, text, note=None) -> None:
    """A staff answer ``hours`` after the comment: in public, or privately with a note."""
    staff, answered_at = _staff(staff_name), at + timedelta(hours=hours)
    if text is None:
        listening.answer_privately(
            comment, staff, PrivateChannel.PHONE, note, answered_at, answered_at
        )
        return
    answer = add_staff_answer(comment, staff, text)
    answer.created_at = answer.published_at = answered_at
    recompute_answers(comment.post_id)


def _staff(name: str) -> Staff:
    return db.session.scalar(select(Staff).where(Staff.name == name))


def main(argv: list[str]) -> int:
    """``dev_seed.py accounts``: the sample staff only, before the posts are loaded, so
    that no post is announced as having nobody to answer it; ``dev_seed.py``: the
    sample comments too, once the posts are in."""
    app = create_app()
    with app.app_context():
        ensure_accounts()
        if argv[1:] == ["accounts"]:
            return 0
        ensure_threads(app)
    print(f"Sample staff accounts (password for all: {PASSWORD}):")
    for name, email, role in ACCOUNTS:
        print(f"  {email:<30} {name} ({role.value})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
