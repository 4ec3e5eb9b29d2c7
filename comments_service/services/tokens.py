"""Signed links for readers: confirm the mail about a comment, stop it.

Each purpose has its own salt, so a link made for one can never serve as the other.
A token carries a row's id and its link key (``models.new_link_key``) and when it was
made, signed with the service's secret key (itsdangerous); nothing is stored per token.
The id finds the row; the key shows it is the very row the token was made for, not a
later one that took its number (after a restore, say). The age is checked against the
caller's ``now``, so the service's clock (and a test's) decides when a link has expired.
"""

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, URLSafeTimedSerializer

# Names one subscription. Links of the older salt named an address: they no longer work.
CONFIRM = "porch.subscription.confirm-one"
UNSUBSCRIBE = "porch.subscription.unsubscribe"
# A comment's own token, handed to its writer's browser (services/comments/own.py).
OWN = "porch.comment.own"
# Takes back an answer published from a staff member's mail (services/inbound/telling.py).
UNDO_MAIL_ANSWER = "porch.answer.undo-by-mail"


class BadLink(ValueError):
    """A link that was changed, cut short, or made for another purpose."""


class ExpiredLink(BadLink):
    """A link that was genuine but is too old to use."""


@dataclass(frozen=True)
class Signed:
    """What a genuine token says: the id and link key of the row it was made for."""

    row_id: int
    link_key: str

    @classmethod
    def of(cls, payload) -> "Signed | None":
        """The payload as made by ``Tokens.make``; None for any other shape, such as the
        bare id that tokens carried before link keys (those links no longer work)."""
        match payload:
            case [int() as row_id, str() as link_key] if not isinstance(row_id, bool):
                return cls(row_id, link_key)
        return None

    @property
    def payload(self) -> list:
        return [self.row_id, self.link_key]

    def names(self, row) -> bool:
        """Whether ``row`` (loaded by ``row_id``, maybe None) is the row the token was made for."""
        return row is not None and hmac.compare_digest(row.link_key, self.link_key)


class Tokens:
    """Makes and reads the signed tokens in readers' links."""

    def __init__(self, secret_key: str):
        self._secret_key = secret_key

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._secret_key, salt=purpose)

    def make(self, purpose: str, row) -> str:
        """A token for this row (anything with an ``id`` and a ``link_key``)."""
        return self._serializer(purpose).dumps(Signed(row.id, row.link_key).payload)

    def read(self, purpose: str, token: str, *, now: datetime, max_age: timedelta | None) -> Signed:
        """What a genuine token was made for; raises BadLink or ExpiredLink.

        The caller loads the row by ``row_id`` and asks ``Signed.names`` whether it is
        the same row: a token whose row is gone must not act on a row that took its id.
        """
        try:
            payload, made = self._serializer(purpose).loads(token, return_timestamp=True)
        except BadData:
            raise BadLink("This link is not complete or was changed.") from None
        signed = Signed.of(payload)
        if signed is None:
            raise BadLink("This link is not complete or was changed.")
        if max_age is not None and now - made.astimezone(UTC) > max_age:
            raise ExpiredLink("This link has expired.")
        return signed
