"""Signed links for readers: confirm the mail about a comment, stop it.

Each purpose has its own salt, so a link made for one can never serve as the other.
A token carries a row's id and when it was made, signed with the service's secret
key (itsdangerous); nothing is stored for it. The age is checked against the caller's
``now``, so the service's clock (and a test's) decides when a link has expired.
"""

from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, URLSafeTimedSerializer

# Names one subscription. Links of the older salt named an address: they no longer work.
CONFIRM = "porch.subscription.confirm-one"
UNSUBSCRIBE = "porch.subscription.unsubscribe"
# A comment's own token, handed to its writer's browser (services/own_comments.py).
OWN = "porch.comment.own"


class BadLink(ValueError):
    """A link that was changed, cut short, or made for another purpose."""


class ExpiredLink(BadLink):
    """A link that was genuine but is too old to use."""


class Tokens:
    """Makes and reads the signed tokens in readers' links."""

    def __init__(self, secret_key: str):
        self._secret_key = secret_key

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._secret_key, salt=purpose)

    def make(self, purpose: str, row_id: int) -> str:
        return self._serializer(purpose).dumps(row_id)

    def read(self, purpose: str, token: str, *, now: datetime, max_age: timedelta | None) -> int:
        """The row id a genuine token was made for; raises BadLink or ExpiredLink."""
        try:
            row_id, made = self._serializer(purpose).loads(token, return_timestamp=True)
        except BadData:
            raise BadLink("This link is not complete or was changed.") from None
        if not isinstance(row_id, int):
            raise BadLink("This link is not complete or was changed.")
        if max_age is not None and now - made.astimezone(UTC) > max_age:
            raise ExpiredLink("This link has expired.")
        return row_id
