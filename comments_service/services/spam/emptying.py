"""Empty spam: an admin deletes the spam for good, and the audit trail says who and how many.

The deleted comments take their own audit rows and subscriptions with them (as the
purge of blatant spam does); one ``empty_spam`` row, on no comment, stays behind.
Nothing here commits.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from comments_service.enums import Decision
from comments_service.extensions import db
from comments_service.models import ModerationAction, Staff, utcnow
from comments_service.queries.listings import count_up_to
from comments_service.queries.states import spam_to_empty
from comments_service.services.spam.guard import delete_for_good


class OnlyAdmins(PermissionError):
    """Emptying spam deletes every team member's spam: admins only."""


@dataclass(frozen=True)
class SpamBin:
    """What "Empty spam" would delete now: how many, up to which comment."""

    count: int
    up_to_id: int | None


def spam_bin() -> SpamBin:
    ids = spam_to_empty().subquery()
    count, up_to_id = db.session.execute(select(func.count(), func.max(ids.c.id))).one()
    return SpamBin(count, up_to_id)


def spam_in_bin(most: int) -> int:
    """How many spam comments "Empty spam" would delete, counted no further than
    ``most + 1``: the Spam tab's link says "100+" as the tab does, where an exact count
    would look for replies to every spam comment (13 ms for 8,000 of them)."""
    return db.session.scalar(count_up_to(spam_to_empty(), most))


def empty_spam(staff: Staff, up_to_id: int, now: datetime | None = None) -> int:
    """Delete the spam an admin was shown (none newer than ``up_to_id``); return how many."""
    if not staff.is_admin:
        raise OnlyAdmins("Only an admin can empty the spam.")
    deleted = delete_for_good(list(db.session.scalars(spam_to_empty(up_to_id))))
    reason = f"{deleted} spam comment{'s' if deleted != 1 else ''} deleted for good"
    db.session.add(
        ModerationAction(
            comment=None,
            staff=staff,
            action=Decision.EMPTY_SPAM,
            reason=reason,
            created_at=now or utcnow(),
        )
    )
    return deleted


def last_emptied() -> ModerationAction | None:
    """The latest emptying, for the confirmation page: who emptied how many, when."""
    query = (
        select(ModerationAction)
        .where(ModerationAction.action == Decision.EMPTY_SPAM)
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)
