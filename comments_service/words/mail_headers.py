"""Mail headers that say exactly what was stored: reader text never becomes a header.

A reader's name reaches the Subject of staff notifications. Given a header value,
Python's email package reads any RFC 2047 encoded word in it
(``=?utf-8?q?Eve=0D=0AReply-To:...?=``), and before Python 3.11.10 and 3.12.5
(CVE-2024-6923) it wrote what the word decodes to, line breaks and all: a name
became a ``Reply-To`` header and a body of the attacker's. Its folder also loses or
doubles the space before a folded non-ASCII word ("Overdue on“Redesigning").

So every free-text header Porch writes (Subject, List-Unsubscribe, X-Porch-…) is a
``TextHeader`` (``MAIL_POLICY`` maps them to it): its value is taken literally, never
decoded, and a control character or line break in it is refused with ValueError (the
sender then records the message as one that cannot be written). ASCII text without
``=?`` is folded at spaces; any other text is written as UTF-8 encoded words by
``email.header.Header``, which keeps each space inside a word, so a mail program
decodes exactly the stored text, and an encoded word a reader typed shows as typed.
Addresses, dates and MIME headers keep the email package's own classes.
"""

import re
import unicodedata
from email import policy as email_policy
from email.errors import HeaderParseError
from email.header import Header, decode_header, make_header
from email.headerregistry import HeaderRegistry

# Controls (CR, LF, NUL, NEL…) and the Unicode line and paragraph separators.
BREAKING = frozenset({"Cc", "Zl", "Zp"})
# Room on a line when the policy sets no limit (RFC 5322's "SHOULD").
LINE = 78
# An RFC 2047 encoded word, wherever it stands: some mail programs decode one that is
# glued to other text, so a check must too.
ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?]*\?=")


def header_problem(text: str) -> str | None:
    """Why text cannot be a header value, or None."""
    if any(unicodedata.category(char) in BREAKING for char in text):
        return "it holds a control character or a line break"
    return None


def as_mail_shows(text: str) -> str:
    """The text as a mail program would show it in a header: every encoded word decoded.

    Raises ValueError for an encoded word no program can decode.
    """
    return ENCODED_WORD.sub(_decoded, text)


def _decoded(word: re.Match) -> str:
    try:
        return str(make_header(decode_header(word.group())))
    except (HeaderParseError, LookupError, ValueError) as error:
        raise ValueError(f"{word.group()!r} cannot be decoded: {error}") from None


class TextHeader:
    """A free-text header written literally (see the module's docstring).

    The email package's ``HeaderRegistry`` combines it with its ``BaseHeader``.
    """

    max_count = None

    @classmethod
    def parse(cls, value, kwds) -> None:
        text = str(value)
        if problem := header_problem(text):
            raise ValueError(f"This header cannot be written: {problem}: {text!r}")
        kwds["decoded"] = text
        kwds["parse_tree"] = None  # never read: fold() below writes the value

    def fold(self, *, policy) -> str:
        text, limit = str(self), policy.max_line_length or LINE
        room = limit - len(self.name) - len(": ")
        plain = text.isascii() and "=?" not in text
        charset = "us-ascii" if plain and all(len(w) <= room for w in text.split(" ")) else "utf-8"
        header = Header(text, charset, maxlinelen=limit, header_name=self.name)
        lines = header.encode(splitchars=" ", linesep=policy.linesep)
        return f"{self.name}: {lines}{policy.linesep}"


class UniqueTextHeader(TextHeader):
    max_count = 1


def _registry() -> HeaderRegistry:
    registry = HeaderRegistry(default_class=TextHeader)
    registry.map_to_type("subject", UniqueTextHeader)
    return registry


# Lines end in CRLF and are folded at 78 characters, as SMTP wants them.
MAIL_POLICY = email_policy.SMTP.clone(header_factory=_registry())
