"""Check a posted comment field by field, with messages a reader can act on.

Text is NFC normalised before it is checked, so what is stored is what was checked.
The field rules live in words/fields.py, shared with imports; the character rules
in words/characters.py, shared with staff forms.
"""

import re
from collections.abc import Callable

from flask_babel import gettext, lazy_gettext

from comments_service.enums import SubscriptionScope
from comments_service.models import Post
from comments_service.services.comments.posting import Submission
from comments_service.words import fields
from comments_service.words.addresses import mail_address
from comments_service.words.characters import (
    line_problem,
    normalised,
    normalised_body,
)

TEXT_FIELDS = ("author_name", "email", "website", "body", "leave_blank", "subscribe")
# ASCII digits only: Python's int() also reads "١" (Arabic-Indic one) and str.isdigit()
# accepts "¹", neither of which a client means as a comment number.
COMMENT_NUMBER = re.compile(r"[0-9]{1,10}")
LAST_COMMENT_NUMBER = 2**31 - 1
# What the blog's script sends as fill_seconds: a plain decimal number of seconds.
SECONDS = re.compile(r"[0-9]{1,7}(\.[0-9]{1,3})?")
MAX_SLUG = Post.__table__.c.slug.type.length
# Own-comment tokens read from one post: the newest (the browser lists them oldest first).
MAX_OWN_TOKENS = 200
NOT_A_COMMENT = lazy_gettext("The comment you reply to is not a valid comment number.")


class Invalid(ValueError):
    """Some fields need attention; ``fields`` maps each to its message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__(gettext("Some fields need attention."))
        self.fields = fields


class Malformed(ValueError):
    """The request body is not a comment at all."""


def is_possible_slug(slug: str) -> bool:
    """Whether a post could have this slug: short enough for the column, nothing invisible.

    Checked before the database is asked, since PostgreSQL refuses NUL in a query.
    """
    return len(slug) <= MAX_SLUG and line_problem(slug) is None


def parse_submission(
    data, *, max_chars: int, max_name: int, is_staff_name: Callable[[str], bool]
) -> tuple:
    """Return (Submission, parent_id) or raise Invalid / Malformed.

    ``is_staff_name`` is asked last, only about a name that is otherwise fine.
    """
    if not isinstance(data, dict):
        raise Malformed(
            gettext(
                "Send a JSON object with %(name_field)s and %(body_field)s.",
                name_field="author_name",
                body_field="body",
            )
        )
    values = {name: _text_field(data, name) for name in TEXT_FIELDS}
    limits = fields.Limits(max_chars, max_name, is_staff_name)
    problems = {
        "author_name": fields.name_problem(values["author_name"], limits),
        "body": fields.body_problem(values["body"], max_chars),
        "email": fields.email_problem(values["email"]),
        "website": fields.website_problem(values["website"]),
    }
    errors = {name: problem.message for name, problem in problems.items() if problem}
    subscribe = _check_subscribe(values["subscribe"], values["email"], errors)
    parent_id = _check_parent(_parent_field(data), errors)
    if errors:
        raise Invalid(errors)
    submission = Submission(
        author_name=values["author_name"],
        body=values["body"],
        email=mail_address(values["email"]) if values["email"] else None,
        website=values["website"] or None,
        honeypot=values["leave_blank"],
        fill_seconds=_fill_seconds(data.get("fill_seconds")),
        subscribe=subscribe,
        own_tokens=_own_tokens(data.get("own_tokens")),
    )
    return submission, parent_id


def parse_body(data, *, max_chars: int) -> str:
    """A comment's text alone (an edit, a preview), checked as a new comment's; raises
    Invalid or Malformed."""
    if not isinstance(data, dict):
        raise Malformed(gettext("Send a JSON object with the comment's body."))
    body = _text_field(data, "body")
    if problem := fields.body_problem(body, max_chars):
        raise Invalid({"body": problem.message})
    return body


def _text_field(data: dict, name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Malformed(gettext("'%(field)s' must be a string.", field=name))
    return (normalised_body(value) if name == "body" else normalised(value)).strip()


def _parent_field(data: dict) -> int | str | None:
    value = data.get("parent_id")
    if isinstance(value, bool) or not isinstance(value, int | str | None):
        raise Malformed(gettext("'%(field)s' must be a comment number.", field="parent_id"))
    return value


def _fill_seconds(value) -> float | None:
    """The time the reader took, as the script measured it; absent without JavaScript.

    Readers never type it, so a wrong one is a broken client: malformed, not a field error.
    """
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 <= value < 10**7:
            return float(value)
    elif isinstance(value, str) and SECONDS.fullmatch(value.strip()):
        return float(value)
    raise Malformed(
        gettext("'%(field)s' must be a number of seconds, 0 or more.", field="fill_seconds")
    )


def _own_tokens(value) -> tuple[str, ...]:
    """The own-comment tokens the writer's browser holds, its proof of earlier comments.

    The blog's script sends them; readers never type them, so a wrong type is a broken
    client (malformed). Beyond MAX_OWN_TOKENS the oldest are left out, never refused:
    a comment is not lost for a browser that kept many.
    """
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(token, str) for token in value):
        raise Malformed(
            gettext(
                "'%(field)s' must be a list of the tokens this browser was given.",
                field="own_tokens",
            )
        )
    return tuple(value[-MAX_OWN_TOKENS:])


def _check_subscribe(choice, email, errors) -> SubscriptionScope | None:
    """Which replies the reader wants by email; asking for mail needs an address to send to."""
    if not choice:
        return None
    try:
        scope = SubscriptionScope(choice)
    except ValueError:
        errors["subscribe"] = gettext(
            "Choose “when the team answers”, “when anyone replies” or “No, thanks”."
        )
        return None
    if not email:
        errors["email"] = gettext(
            "Please give your email address so we can write to you, or choose no email."
        )
    return scope


def _check_parent(raw, errors) -> int | None:
    if isinstance(raw, str):
        raw = raw.strip()
        if not raw:
            return None
        if not COMMENT_NUMBER.fullmatch(raw):
            errors["parent_id"] = str(NOT_A_COMMENT)
            return None
        raw = int(raw)
    if raw is None:
        return None
    if not 0 < raw <= LAST_COMMENT_NUMBER:
        errors["parent_id"] = str(NOT_A_COMMENT)
        return None
    return raw
