"""The reply address on a mail about one reader comment: answers+TOKEN@blog.example.com.

The token names the comment and the staff member the mail went to, and the day it was
made, and carries an HMAC over them, the comment's link key (``models.new_link_key``)
and the staff member's address, with the service's secret key. So a reply to it can
only answer that very comment (not a later one that took its number after a restore),
as that person, and only for PORCH_REPLY_DAYS.

Why not an itsdangerous token like the readers' links (services/tokens.py): a local
part may hold 64 characters at most, and some mail servers fold it to lower case on
the way. This token is digits, dashes and lower-case hex, about 40 characters.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

PURPOSE = b"porch.reply-by-mail"
MAC_LENGTH = 20  # hex digits: 80 bits
TOKEN = re.compile(rf"(\d{{1,12}})-(\d{{1,9}})-(\d{{1,6}})-([0-9a-f]{{{MAC_LENGTH}}})")
EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class ReplyToken:
    """What a well-formed token claims; ``ReplyAddresses.is_genuine`` checks the claim."""

    comment_id: int
    staff_id: int
    day: int
    mac: str


class ReplyAddresses:
    """Makes and reads reply addresses under one inbound address and secret."""

    def __init__(self, inbound_address: str, secret_key: str, valid_for: timedelta):
        local, _, self.domain = inbound_address.strip().lower().rpartition("@")
        self.local = local.partition("+")[0]
        self._key = secret_key.encode()
        self.valid_for = valid_for

    @classmethod
    def from_config(cls, config) -> "ReplyAddresses | None":
        """None when no inbound address is set: mails then carry no reply address."""
        if not config["PORCH_INBOUND_ADDRESS"]:
            return None
        return cls(
            config["PORCH_INBOUND_ADDRESS"],
            config["PORCH_SECRET_KEY"],
            timedelta(days=config["PORCH_REPLY_DAYS"]),
        )

    def address(self, comment, staff, now: datetime) -> str:
        """The address a reply to ``staff``'s mail about ``comment`` is sent to."""
        day = (now.date() - EPOCH).days
        token = f"{comment.id}-{staff.id}-{day}-{self._mac(comment, staff, day)}"
        return f"{self.local}+{token}@{self.domain}"

    def token_in(self, recipient: str) -> ReplyToken | None:
        """The token of an address at the inbound address, or None for any other address."""
        local, _, domain = recipient.strip().lower().rpartition("@")
        base, plus, token = local.partition("+")
        if domain != self.domain or base != self.local or not plus:
            return None
        found = TOKEN.fullmatch(token)
        if found is None:
            return None
        comment_id, staff_id, day, mac = found.groups()
        return ReplyToken(int(comment_id), int(staff_id), int(day), mac)

    def is_genuine(self, token: ReplyToken, comment, staff) -> bool:
        """Whether ``token`` was made for these very rows (loaded by its ids, maybe None)."""
        if comment is None or staff is None:
            return False
        return hmac.compare_digest(token.mac, self._mac(comment, staff, token.day))

    def made_on(self, token: ReplyToken) -> date:
        return EPOCH + timedelta(days=token.day)

    def has_expired(self, token: ReplyToken, now: datetime) -> bool:
        return now.date() - self.made_on(token) > self.valid_for

    def _mac(self, comment, staff, day: int) -> str:
        message = "|".join(
            (str(comment.id), comment.link_key, str(staff.id), staff.email.lower(), str(day))
        )
        digest = hmac.new(self._key, PURPOSE + b"|" + message.encode(), hashlib.sha256)
        return digest.hexdigest()[:MAC_LENGTH]
