"""The rules a comment's fields follow, wherever the comment comes from.

The API (api/validation.py) answers a broken rule with its message, for the reader to
act on; an import (services/imports/fields.py) mends the field or leaves the comment
out, and counts which rule it was. Text comes NFC-normalised and stripped.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import format_decimal, gettext, lazy_gettext

from comments_service.words.addresses import AddressError, mail_address
from comments_service.words.characters import body_problem as character_problem
from comments_service.words.characters import has_visible_text, line_problem
from comments_service.words.language import current_locale
from comments_service.words.mail_headers import as_mail_shows
from comments_service.words.rendering import render_comment

STAFF_NAME = lazy_gettext("That name belongs to a member of staff; please use your own.")
ENCODED_NAME = lazy_gettext(
    "Please write your name as plain text: mail programs would read its “=?…?=” part as"
    " control characters or line breaks."
)
LONGEST_WEBSITE = 500


class Rule(enum.Enum):
    """A field rule a comment broke; the value names it in import summaries."""

    NAME_MISSING = "no name"
    NAME_INVISIBLE = "name with control or invisible characters"
    NAME_TOO_LONG = "name too long"
    NAME_ENCODED = "name hiding line breaks in an encoded mail word"
    NAME_STAFF = "name reads as a staff member's"
    BODY_MISSING = "no text"
    BODY_TOO_LONG = "text longer than the comment limit (PORCH_MAX_COMMENT_CHARS)"
    BODY_CONTROL = "text with control characters"
    BODY_BLANK = "text shows nothing"
    EMAIL = "not an email address mail can be sent to"
    WEBSITE = "not a web address"


@dataclass(frozen=True)
class Problem:
    rule: Rule
    said: str  # for the person who wrote the field, in the language spoken

    @property
    def message(self) -> str:
        return str(self.said)


@dataclass(frozen=True)
class Limits:
    """What the site allows (PORCH_MAX_COMMENT_CHARS, PORCH_MAX_NAME_CHARS) and who is staff."""

    max_chars: int
    max_name: int
    is_staff_name: Callable[[str], bool]


def name_problem(name: str, limits: Limits) -> Problem | None:
    """The staff check comes last, only for a name that is otherwise fine; it is asked
    of the name as the page shows it and as a mail program would show it."""
    if not name:
        return Problem(Rule.NAME_MISSING, gettext("Please tell us your name."))
    if problem := line_problem(name):
        return Problem(Rule.NAME_INVISIBLE, problem)
    if len(name) > limits.max_name:
        message = gettext("Please keep your name under %(most)s characters.") % {
            "most": format_decimal(limits.max_name)
        }
        return Problem(Rule.NAME_TOO_LONG, message)
    try:
        in_mail = as_mail_shows(name)
    except ValueError:
        return Problem(Rule.NAME_ENCODED, ENCODED_NAME)
    if line_problem(in_mail):
        return Problem(Rule.NAME_ENCODED, ENCODED_NAME)
    if any(limits.is_staff_name(shown) for shown in dict.fromkeys((name, in_mail))):
        return Problem(Rule.NAME_STAFF, STAFF_NAME)
    return None


def body_problem(body: str, max_chars: int) -> Problem | None:
    if not body:
        return Problem(Rule.BODY_MISSING, gettext("Please write a comment."))
    if len(body) > max_chars:
        message = gettext("Please keep comments under %(most)s characters (%(now)s now).") % {
            "most": format_decimal(max_chars),
            "now": format_decimal(len(body)),
        }
        return Problem(Rule.BODY_TOO_LONG, message)
    if problem := character_problem(body):
        return Problem(Rule.BODY_CONTROL, problem)
    if not has_visible_text(render_comment(body)):
        return Problem(
            Rule.BODY_BLANK,
            gettext(
                "Nothing of this comment would show: HTML tags and comments are removed. "
                "Please write it as plain text (Markdown is welcome)."
            ),
        )
    return None


def email_problem(email: str) -> Problem | None:
    """An empty address is fine: it is optional."""
    if not email:
        return None
    if problem := line_problem(email):
        return Problem(Rule.EMAIL, problem)
    try:
        mail_address(email)
    except AddressError as error:
        message = address_advice(str(error))
        return Problem(Rule.EMAIL, message)
    return None


def address_advice(why: str) -> str:
    """What to do about an address the validator refused. Its reason ("The part after the
    @-sign is not valid") is English only: other languages get the advice alone."""
    if current_locale().startswith("en"):
        return gettext("That email address does not look right. %(why)s (Or leave it empty.)") % {
            "why": why
        }
    return gettext("That email address does not look right. Check it, or leave it empty.")


def website_problem(website: str) -> Problem | None:
    """An empty website is fine: it is optional."""
    if not website:
        return None
    if problem := line_problem(website):
        return Problem(Rule.WEBSITE, problem)
    if not _is_web_address(website):
        message = gettext(
            "Please give a full web address starting with https:// (or leave it empty)."
        )
        return Problem(Rule.WEBSITE, message)
    return None


def _is_web_address(website: str) -> bool:
    if len(website) > LONGEST_WEBSITE:
        return False
    if any(char.isspace() or char in "\"'<>`\\" for char in website):
        return False
    try:
        parts = urlsplit(website)
    except ValueError:  # e.g. "http://[::1": an unclosed IPv6 host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)
