"""An imported comment's fields, put through the rules of new comments (words/fields.py).

An old system let through what Porch refuses at its API: a name that reads as a staff
member's, an address with a header in it, a body of 200,000 characters. One rule
per field, the same for every importer, and every change is reported:

- the text is never changed: a comment whose text breaks a rule (longer than
  PORCH_MAX_COMMENT_CHARS, control characters, nothing that shows) is left out,
  and its replies with it;
- the name is mended and the comment kept: invisible characters are removed, a long
  name is cut to PORCH_MAX_NAME_CHARS, a name that reads as a staff member's gets
  " (reader)" after it (so the thread keeps the words, and no one takes them for
  staff), and one hiding line breaks in an encoded mail word becomes "Anonymous",
  as does a comment without a name (that alone is not reported: old systems allow it);
- an email address or website that breaks its rule is dropped (stored empty).
"""

from collections.abc import Callable

from flask_babel import lazy_gettext

from comments_service.words.addresses import mail_address
from comments_service.words.characters import normalised, visible_only
from comments_service.words.fields import Limits, Rule, email_problem, name_problem, website_problem

# Stored with the comment: values in the database, never translated.
ANONYMOUS = "Anonymous"
READER_MARK = " (reader)"
# What was done about each broken rule, for the import summary (in the blog's language).
DONE = {
    Rule.NAME_INVISIBLE: lazy_gettext("invisible characters removed"),
    Rule.NAME_TOO_LONG: lazy_gettext("cut short"),
    Rule.NAME_ENCODED: lazy_gettext("replaced by “%(name)s”", name=ANONYMOUS),
    Rule.NAME_STAFF: lazy_gettext("marked “%(mark)s”", mark=READER_MARK.strip()),
    Rule.EMAIL: lazy_gettext("dropped"),
    Rule.WEBSITE: lazy_gettext("dropped"),
}


def reader_name(name: str | None, limits: Limits) -> tuple[str, list[Rule]]:
    """The name to store, and the rules it broke (each mended in turn)."""
    name = normalised(name or "").strip()
    broken: list[Rule] = []
    for _ in range(len(_MENDS) + 1):  # each mend leaves a name that passes the rules before it
        problem = name_problem(name, limits)
        if problem is None:
            return name, broken
        if problem.rule == Rule.NAME_MISSING:
            return ANONYMOUS, broken
        broken.append(problem.rule)
        name = _MENDS[problem.rule](name, limits.max_name)
    return ANONYMOUS, broken


def reader_email(email: str | None) -> tuple[str | None, Rule | None]:
    """The address to store (as the API stores it) or None, and the rule it broke."""
    email = normalised(email or "").strip()
    if not email:
        return None, None
    if problem := email_problem(email):
        return None, problem.rule
    return mail_address(email), None


def reader_website(website: str | None) -> tuple[str | None, Rule | None]:
    website = normalised(website or "").strip()
    if not website:
        return None, None
    if problem := website_problem(website):
        return None, problem.rule
    return website, None


def _visible(name: str, longest: int) -> str:
    return visible_only(name).strip()


def _cut(name: str, longest: int) -> str:
    return name[:longest].strip()


def _anonymous(name: str, longest: int) -> str:
    return ANONYMOUS


def _marked(name: str, longest: int) -> str:
    return _cut(name, longest - len(READER_MARK)) + READER_MARK


_MENDS: dict[Rule, Callable[[str, int], str]] = {
    Rule.NAME_INVISIBLE: _visible,
    Rule.NAME_TOO_LONG: _cut,
    Rule.NAME_ENCODED: _anonymous,
    Rule.NAME_STAFF: _marked,
}
