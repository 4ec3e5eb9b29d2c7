"""Staff accounts and their sign-ins, shared by the sign-in pages and the CLI.

Sessions live on the server (``staff_sessions``): the cookie holds a random token,
and signing out, a new password or deactivation deletes the rows it concerns, so
a copied session or remember-me cookie stops working at once.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta

from flask_babel import gettext, ngettext
from sqlalchemy import delete, func, or_, select

from comments_service.enums import Role
from comments_service.extensions import db
from comments_service.models import Staff, StaffSession, utcnow
from comments_service.services.accounts.passwords import (
    MIN_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from comments_service.words.addresses import AddressError, mail_address
from comments_service.words.characters import line_problem, normalised

# Verified when no account matches, so every failed sign-in costs one Argon2 check.
UNKNOWN_ACCOUNT_HASH = hash_password(secrets.token_hex(16))


class StaffError(ValueError):
    """The account cannot be created or changed that way; the message says why."""


def authenticate(email: str, password: str) -> Staff | None:
    """The active account with this email and password, or None.

    Unknown, deactivated and wrong-password attempts all verify one hash, so their
    timing does not tell which accounts exist or are deactivated.
    """
    staff = db.session.scalar(select(Staff).where(func.lower(Staff.email) == email.lower()))
    matches = verify_password(staff.password_hash if staff else UNKNOWN_ACCOUNT_HASH, password)
    if staff is None or not matches or not staff.active:
        return None
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    return staff


def start_session(staff: Staff, lifetime: timedelta) -> str:
    """Open a server-side session and return its token (set on ``staff.session_token``).

    Sessions that have expired, anyone's, are swept out here and by ``mail send --loop``.
    """
    token = secrets.token_urlsafe(32)
    now = utcnow()
    purge_expired_sessions(now)
    db.session.add(
        StaffSession(
            token_hash=_hash(token), staff=staff, created_at=now, expires_at=now + lifetime
        )
    )
    staff.session_token = token
    return token


def purge_expired_sessions(now: datetime) -> int:
    """Delete every session that has expired; returns how many."""
    return db.session.execute(delete(StaffSession).where(StaffSession.expires_at <= now)).rowcount


def staff_for_session(token: str, now: datetime) -> Staff | None:
    """The active account a live session token belongs to, or None."""
    session = db.session.get(StaffSession, _hash(token))
    if session is None or session.expires_at <= now or not session.staff.active:
        return None
    session.staff.session_token = token
    return session.staff


def end_session(token: str | None) -> None:
    """Signing out deletes the row, so a copy of the cookie opens nothing afterwards."""
    if token:
        db.session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))


def end_all_sessions(staff: Staff) -> None:
    """Sign the account out everywhere, on every device."""
    db.session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))


def add_staff(name: str, email: str, role: Role, password: str) -> Staff:
    """A new account; a taken name or email is refused here, before the database would."""
    check_password(password)
    name, email = normalised(name.strip()), email.strip().lower()
    for value in (name, email):
        if problem := line_problem(value):
            raise StaffError(gettext("%(value)s: %(problem)s", value=repr(value), problem=problem))
    try:
        email = mail_address(email)
    except AddressError as error:
        raise StaffError(
            gettext(
                "%(email)s is not an address mail can be sent to: %(problem)s",
                email=repr(email),
                problem=error,
            )
        ) from None
    taken = db.session.scalar(
        select(Staff.id).where((Staff.name == name) | (func.lower(Staff.email) == email))
    )
    if taken is not None:
        raise StaffError(
            gettext(
                "A staff account named %(name)s or %(email)s exists.",
                name=repr(name),
                email=repr(email),
            )
        )
    staff = Staff(name=name, email=email, role=role, password_hash=hash_password(password))
    db.session.add(staff)
    return staff


def set_password(staff: Staff, password: str) -> None:
    """A new password ends every session of the account."""
    check_password(password)
    staff.password_hash = hash_password(password)
    end_all_sessions(staff)


def deactivate(staff: Staff) -> None:
    """The account can no longer sign in, and its open sessions end; its answers stay."""
    staff.active = False
    end_all_sessions(staff)


def reactivate(staff: Staff) -> None:
    """The account can sign in again, with a fresh sign-in: no older session comes back."""
    staff.active = True
    end_all_sessions(staff)


def check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise StaffError(
            ngettext(
                "The password needs at least %(num)s character.",
                "The password needs at least %(num)s characters.",
                MIN_LENGTH,
            )
        )


def staff_by_email(email: str) -> Staff | None:
    """The account with this email address, in any case."""
    return db.session.scalar(select(Staff).where(func.lower(Staff.email) == email.strip().lower()))


def staff_known_as(who: str) -> list[Staff]:
    """The accounts whose email address (in any case) or exact name is ``who``: one or
    none, or two when it is one's name and another's address."""
    who = who.strip()
    matches = or_(func.lower(Staff.email) == who.lower(), Staff.name == who)
    return list(db.session.scalars(select(Staff).where(matches).order_by(Staff.id)))


def new_feed_address(staff: Staff) -> str:
    """A new secret for the staff member's private feed; the old address stops working.

    Only its hash is stored, as for sessions: a copy of the database reads no feed.
    """
    token = secrets.token_urlsafe(32)
    staff.feed_token_hash = _hash(token)
    return token


def end_feed(staff: Staff) -> None:
    """No feed address works any more, until a new one is made."""
    staff.feed_token_hash = None


def staff_for_feed(token: str) -> Staff | None:
    """The active account whose private feed this secret opens, or None."""
    staff = db.session.scalar(select(Staff).where(Staff.feed_token_hash == _hash(token)))
    return staff if staff is not None and staff.active else None


def set_away(staff: Staff, first: date | None, last: date | None, today: date) -> None:
    """Away from the first to the last day, both included (UTC); None for both: present."""
    if (first is None) != (last is None):
        raise StaffError(gettext("Give both the first and the last day away, or clear both."))
    if first is not None and last < first:
        raise StaffError(gettext("The last day away comes before the first; swap them."))
    if last is not None and last < today:
        raise StaffError(gettext("The last day away is already past; pick a day from today on."))
    staff.away_from, staff.away_until = first, last


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
