"""What version 2 of the full export added: staff settings, readers' subscriptions,
the blocklist and saved replies, written out and restored.

Like the rest of the full export, staff are named by email and comments by id. No
secret is written: a private feed that was on is restored on, at a new address nobody
has yet (only its hash was stored, so the old one cannot be given back). Version 1
files lack these parts; they restore as empty.
"""

from collections.abc import Callable
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import select

from comments_service.enums import BlockKind, BlockList, Notify, SubscriptionScope
from comments_service.extensions import db
from comments_service.models import (
    BlocklistEntry,
    SavedReply,
    Staff,
    SubscriberAddress,
    Subscription,
)
from comments_service.services.accounts.staff import new_feed_address
from comments_service.services.imports.common import ImportFileError
from comments_service.words.blocking import NotAnEntry, normalise

SUBSCRIPTION_TIMES = ("created_at", "confirmation_sent_at", "confirmed_at", "ended_at")


def iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment else None


def moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def staff_settings(member: Staff) -> dict:
    """How they hear about comments, when they are away, and whether their feed is on."""
    return {
        "notify": member.notify.value,
        "away_from": iso(member.away_from),
        "away_until": iso(member.away_until),
        "feed": member.feed_token_hash is not None,
    }


def apply_staff_settings(member: Staff, entry: dict) -> None:
    """Give a restored account its settings; a version 1 entry has none (the defaults)."""
    member.notify = Notify(entry.get("notify", Notify.EACH.value))
    member.away_from, member.away_until = day(entry.get("away_from")), day(entry.get("away_until"))
    if (member.away_from is None) != (member.away_until is None):
        raise ImportFileError(
            gettext("%(email)s has only one end of an away period.", email=entry["email"])
        )
    if entry.get("feed"):
        new_feed_address(member)  # on, at an address its owner makes anew to read it


def export_parts(email: dict) -> dict:
    """The version 2 parts, each in an order a restore keeps."""
    return {
        "subscriber_addresses": [
            {"email": address.email, "created_at": iso(address.created_at)}
            for address in db.session.scalars(
                select(SubscriberAddress).order_by(SubscriberAddress.email)
            )
        ],
        "subscriptions": [
            _subscription(subscription)
            for subscription in db.session.scalars(
                select(Subscription).order_by(Subscription.comment_id)
            )
        ],
        "blocklist": sorted(
            (_block(entry, email) for entry in db.session.scalars(select(BlocklistEntry))),
            key=lambda entry: (entry["kind"], entry["value"]),
        ),
        "saved_replies": [
            _saved_reply(reply, email)
            for reply in db.session.scalars(select(SavedReply).order_by(SavedReply.id))
        ],
    }


def _subscription(subscription: Subscription) -> dict:
    return {
        "comment_id": subscription.comment_id,
        "email": subscription.address.email,
        "scope": subscription.scope.value,
        **{name: iso(getattr(subscription, name)) for name in SUBSCRIPTION_TIMES},
    }


def _block(entry: BlocklistEntry, email: dict) -> dict:
    return {
        "kind": entry.kind.value,
        "value": entry.value,
        "sends_to": entry.sends_to.value,
        "added_by": email[entry.added_by_id],
        "added_at": iso(entry.added_at),
    }


def _saved_reply(reply: SavedReply, email: dict) -> dict:
    return {
        "owner": email[reply.owner_id],
        "title": reply.title,
        "body": reply.body,
        "shared": reply.shared,
        "created_at": iso(reply.created_at),
        "updated_at": iso(reply.updated_at),
    }


def restore_parts(document: dict, staff: dict[str, Staff], comment_ids: set[int]) -> dict:
    """Add the version 2 parts (none in a version 1 file); return how many of each.

    ``staff`` is every account by lower-case email, ``comment_ids`` the file's comments.
    """
    addresses = _restore_addresses(document.get("subscriber_addresses", []))
    subscriptions = document.get("subscriptions", [])
    for entry in subscriptions:
        db.session.add(_new_subscription(entry, addresses, comment_ids))
    blocked = _restore_blocklist(document.get("blocklist", []), staff)
    replies = document.get("saved_replies", [])
    for entry in replies:
        db.session.add(_new_saved_reply(entry, staff))
    return {
        "subscriptions": len(subscriptions),
        "blocklist entries": len(blocked),
        "saved replies": len(replies),
    }


def _restore_addresses(entries: list[dict]) -> dict[str, SubscriberAddress]:
    """Readers' addresses by email (kept in lower case); ones already here are kept."""
    known = {a.email: a for a in db.session.scalars(select(SubscriberAddress))}
    for entry in entries:
        email = entry["email"].lower()
        if email not in known:
            known[email] = SubscriberAddress(email=email, created_at=moment(entry["created_at"]))
            db.session.add(known[email])
    db.session.flush()
    return known


def _new_subscription(entry: dict, addresses: dict, comment_ids: set[int]) -> Subscription:
    if entry["comment_id"] not in comment_ids:
        raise ImportFileError(
            gettext(
                "A subscription is to comment %(number)s, not in the file.",
                number=entry["comment_id"],
            )
        )
    address = addresses.get(entry["email"].lower())
    if address is None:
        raise ImportFileError(
            gettext(
                "The subscription to comment %(number)s names %(email)s, not among the"
                " subscriber addresses.",
                number=entry["comment_id"],
                email=entry["email"],
            )
        )
    return Subscription(
        comment_id=entry["comment_id"],
        address_id=address.id,
        scope=SubscriptionScope(entry["scope"]),
        **{name: moment(entry[name]) for name in SUBSCRIPTION_TIMES},
    )


def _staff_id(email: str | None, staff: dict[str, Staff], unknown: Callable[[], str]) -> int | None:
    """The staff member's id; ``unknown()`` says what names someone not among the staff."""
    if email is None:
        return None
    if email.lower() not in staff:
        raise ImportFileError(unknown())
    return staff[email.lower()].id


def _restore_blocklist(entries: list[dict], staff: dict[str, Staff]) -> list[BlocklistEntry]:
    """The file's entries, stored as the blocklist stores them; one already on a list
    here stays where it is."""
    known = {(e.kind, e.value) for e in db.session.scalars(select(BlocklistEntry))}
    added = []
    for entry in entries:
        kind = BlockKind(entry["kind"])
        try:
            value = normalise(kind, entry["value"])
        except NotAnEntry as error:
            raise ImportFileError(
                gettext("Blocklist entry %(value)s: %(why)s", value=repr(entry["value"]), why=error)
            ) from None
        if (kind, value) in known:
            continue
        known.add((kind, value))
        added.append(
            BlocklistEntry(
                kind=kind,
                value=value,
                sends_to=BlockList(entry["sends_to"]),
                added_by_id=_staff_id(
                    entry["added_by"],
                    staff,
                    lambda entry=entry: gettext(
                        "A blocklist entry names %(email)s, not among the staff.",
                        email=entry["added_by"],
                    ),
                ),
                added_at=moment(entry["added_at"]),
            )
        )
    db.session.add_all(added)
    return added


def _new_saved_reply(entry: dict, staff: dict[str, Staff]) -> SavedReply:
    owner = _staff_id(
        entry["owner"],
        staff,
        lambda: gettext(
            "The saved reply %(title)s names %(email)s, not among the staff.",
            title=repr(entry["title"]),
            email=entry["owner"],
        ),
    )
    return SavedReply(
        owner_id=owner,
        title=entry["title"],
        body=entry["body"],
        shared=entry["shared"],
        created_at=moment(entry["created_at"]),
        updated_at=moment(entry["updated_at"]),
    )
