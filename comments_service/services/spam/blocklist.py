"""The two blocklists: what sends a new reader comment to Held, and what sends it to Spam.

Read before Akismet is asked (services.comments.posting): a comment on the Spam list
costs no Akismet call. The reason ("blocklist: domain example.org") goes to the audit
trail, as every verdict of the guard's does. Staff answers are never checked. Nothing
here commits.
"""

from dataclasses import dataclass

from sqlalchemy import select

from comments_service.enums import BlockKind, BlockList, SpamVerdict
from comments_service.extensions import db
from comments_service.models import BlocklistEntry, Comment, Staff, utcnow
from comments_service.services.seldom_changed import blocklist_rows
from comments_service.services.spam.guard import Assessment
from comments_service.words.blocking import NotAnEntry, Traits, normalise

VERDICTS = {BlockList.HELD: SpamVerdict.HOLD, BlockList.SPAM: SpamVerdict.SPAM}
# Spam entries are looked at first: the stricter list names the reason.
ORDER = (BlockList.SPAM, BlockList.HELD)
__all__ = ["NotAnEntry", "add", "block_writer", "entries", "remove", "screen"]


@dataclass(frozen=True)
class Added:
    """What adding did: a new entry, one moved from the other list, or nothing new."""

    entry: BlocklistEntry
    moved_from: BlockList | None = None
    already: bool = False

    def __str__(self) -> str:
        entry = self.entry
        named = f"{entry.kind.value} {entry.value}"
        if self.already:
            return f"{named} is already on the {LIST_NAMES[entry.sends_to]} list."
        if self.moved_from:
            moved = f"from the {LIST_NAMES[self.moved_from]} list"
            return f"{named} moved {moved} to the {LIST_NAMES[entry.sends_to]} list."
        return f"{named} added to the {LIST_NAMES[entry.sends_to]} list."


LIST_NAMES = {BlockList.HELD: "Held", BlockList.SPAM: "Spam"}


def entries(to: BlockList | None = None) -> list[BlocklistEntry]:
    """The entries of one list, or of both, by kind then value."""
    query = select(BlocklistEntry).order_by(BlocklistEntry.kind, BlocklistEntry.value)
    if to is not None:
        query = query.where(BlocklistEntry.sends_to == to)
    return list(db.session.scalars(query))


def _stored(kind: BlockKind, value: str) -> BlocklistEntry | None:
    query = select(BlocklistEntry).where(BlocklistEntry.kind == kind, BlocklistEntry.value == value)
    return db.session.scalar(query)


def add(kind: BlockKind, text: str, to: BlockList, staff: Staff | None) -> Added:
    """Put an entry on a list; one already on the other list moves. Raises NotAnEntry.

    Two people adding the same entry at once: the second commit fails on the unique
    (kind, value), and the caller says so.
    """
    value = normalise(kind, text)
    entry = _stored(kind, value)
    if entry is None:
        entry = BlocklistEntry(kind=kind, value=value, sends_to=to, added_by=staff)
        db.session.add(entry)
        return Added(entry)
    if entry.sends_to == to:
        return Added(entry, already=True)
    moved_from, entry.sends_to, entry.added_by = entry.sends_to, to, staff
    entry.added_at = utcnow()
    return Added(entry, moved_from=moved_from)


def remove(kind: BlockKind, text: str) -> BlocklistEntry | None:
    """Take an entry off its list; None when there was none. Raises NotAnEntry."""
    entry = _stored(kind, normalise(kind, text))
    if entry is not None:
        db.session.delete(entry)
    return entry


def screen(comment: Comment) -> Assessment:
    """The blocklists' word on a reader comment not yet stored: spam, held or nothing.
    With the lists empty (most blogs, most of the time) nothing of it is worked out."""
    entries = blocklist_rows()
    if not entries:
        return Assessment(SpamVerdict.PUBLISH)
    traits = Traits.of(
        name=comment.author_name,
        email=comment.author_email,
        website=comment.author_website,
        remote_addr=comment.remote_addr,
        body=comment.body_markdown,
    )
    listed = sorted(entries, key=lambda entry: ORDER.index(entry.sends_to))
    for entry in listed:
        if traits.matches(entry.kind, entry.value):
            reason = f"blocklist: {entry.kind.value} {entry.value}"
            return Assessment(VERDICTS[entry.sends_to], reason)
    return Assessment(SpamVerdict.PUBLISH)


class NothingToBlock(ValueError):
    """The comment keeps neither an email address nor the address it came from."""


def writer_of(comment: Comment) -> tuple[BlockKind, str]:
    """What names a comment's writer for a block: their email, else their IP address."""
    if comment.author_email and not comment.erased_at:
        return BlockKind.EMAIL, comment.author_email
    if comment.remote_addr and not comment.erased_at:
        return BlockKind.IP, comment.remote_addr
    raise NothingToBlock(
        f"The comment by {comment.author_name} keeps no email or IP address to block;"
        " add a word or domain on the Blocklists page instead."
    )


def block_writer(comment: Comment, staff: Staff) -> Added:
    """Put the comment's writer (email, else IP address) on the Spam list."""
    kind, text = writer_of(comment)
    try:
        return add(kind, text, BlockList.SPAM, staff)
    except NotAnEntry as error:  # an imported comment's malformed address
        raise NothingToBlock(str(error)) from None
