"""Check a posted comment field by field, with messages a reader can act on."""

import re
from urllib.parse import urlsplit

from ..services.comments import Submission

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FIELDS = ("author_name", "email", "website", "body", "parent_id", "leave_blank")


class Invalid(ValueError):
    """Some fields need attention; ``fields`` maps each to its message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("Some fields need attention.")
        self.fields = fields


class Malformed(ValueError):
    """The request body is not a comment at all."""


def parse_submission(data, *, max_chars: int, max_name: int, reserved_names) -> tuple:
    """Return (Submission, parent_id) or raise Invalid / Malformed."""
    if not isinstance(data, dict):
        raise Malformed("Send a JSON object with author_name and body.")
    values = {}
    for name in FIELDS:
        value = data.get(name)
        if isinstance(value, bool) or (value is not None and not isinstance(value, str | int)):
            raise Malformed(f"'{name}' must be a string.")
        values[name] = "" if value is None else str(value).strip()
    errors = {}
    _check_name(values["author_name"], max_name, reserved_names, errors)
    _check_body(values["body"], max_chars, errors)
    _check_email(values["email"], errors)
    _check_website(values["website"], errors)
    parent_id = _check_parent(values["parent_id"], errors)
    if errors:
        raise Invalid(errors)
    submission = Submission(
        author_name=values["author_name"],
        body=values["body"],
        email=values["email"] or None,
        website=values["website"] or None,
        honeypot=values["leave_blank"],
    )
    return submission, parent_id


def _check_name(name, max_name, reserved_names, errors):
    if not name:
        errors["author_name"] = "Please tell us your name."
    elif len(name) > max_name:
        errors["author_name"] = f"Please keep your name under {max_name} characters."
    elif name.casefold() in reserved_names:
        errors["author_name"] = "That name belongs to a member of staff; please use your own."


def _check_body(body, max_chars, errors):
    if not body:
        errors["body"] = "Please write a comment."
    elif len(body) > max_chars:
        errors["body"] = f"Please keep comments under {max_chars:,} characters ({len(body):,} now)."


def _check_email(email, errors):
    if email and (len(email) > 254 or not EMAIL.match(email)):
        errors["email"] = "That email address does not look right (or leave it empty)."


def _check_website(website, errors):
    if not website:
        return
    parts = urlsplit(website)
    unsafe = any(char.isspace() or char in "\"'<>`\\" for char in website)
    if parts.scheme not in ("http", "https") or not parts.netloc or unsafe or len(website) > 500:
        errors["website"] = (
            "Please give a full web address starting with https:// (or leave it empty)."
        )


def _check_parent(raw, errors):
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**31:
        errors["parent_id"] = "The comment you reply to is not a valid comment number."
        return None
    return int(raw)
