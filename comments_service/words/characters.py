"""Which characters readers (and staff) may write, and how to show any text on a terminal.

Reader text reaches a database (PostgreSQL refuses NUL; no backend stores a lone
surrogate), HTML pages and an operator's terminal (where escape sequences recolour
or rewrite the screen and bidi overrides reverse what is read). So text is NFC
normalised, names hold only visible characters, and bodies keep line breaks and
tabs but no other control characters. Checks return a message for the reader,
or None when the text is fine.
"""

import html
import re
import unicodedata

from flask_babel import gettext

# Controls, formatting (zero-width, bidi), lone surrogates, private use, unassigned,
# and the line/paragraph separators: invisible or misleading in a one-line field.
NOT_IN_A_LINE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Bodies may use zero-width joiners (emoji, Persian) and marks (Arabic, Hebrew),
# but not these: controls other than tab and newline, lone surrogates, and the
# bidi embeddings and overrides that reverse the text around them.
ALLOWED_CONTROLS = frozenset("\t\n")
BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e")
TAG = re.compile(r"<[^>]*>")


def normalised(text: str) -> str:
    """NFC, so one word has one spelling (a lone surrogate passes through to the checks)."""
    return unicodedata.normalize("NFC", text)


def normalised_body(text: str) -> str:
    """NFC with one kind of line break: browsers send a textarea's lines as CR LF."""
    return normalised(text.replace("\r\n", "\n").replace("\r", "\n"))


def line_problem(text: str) -> str | None:
    """Why a one-line field (name, email, website) cannot be stored, or None."""
    if any(unicodedata.category(char) in NOT_IN_A_LINE for char in text):
        return gettext(
            "Please use only visible characters (no control, format or invisible characters)."
        )
    return None


def visible_only(text: str) -> str:
    """The text without the characters a one-line field may not hold (for imports, which
    mend a field rather than refuse it)."""
    return "".join(char for char in text if unicodedata.category(char) not in NOT_IN_A_LINE)


def body_problem(text: str) -> str | None:
    """Why a comment or answer body cannot be stored, or None."""
    for char in text:
        category = unicodedata.category(char)
        if (category == "Cc" and char not in ALLOWED_CONTROLS) or category == "Cs":
            return gettext(
                "Please remove the control characters from your text (tabs and new lines are fine)."
            )
        if char in BIDI_OVERRIDES:
            return gettext("Please remove the text-direction override characters from your text.")
    return None


def has_visible_text(markup: str) -> bool:
    """Whether sanitised HTML shows anything: a body of only tags or comments does not."""
    text = html.unescape(TAG.sub("", markup))
    return any(unicodedata.category(char)[0] not in "ZC" for char in text)


def for_terminal(text: str) -> str:
    """Show control and invisible characters as escapes (``\\u001b``), for the CLI.

    Rows stored before these checks existed may still hold them, and a terminal
    would obey an escape sequence in a reader's name. (JSON written with
    ``ensure_ascii`` needs no help: it escapes every one of them already.)
    """
    return "".join(_escaped(char) for char in text)


def _escaped(char: str) -> str:
    if unicodedata.category(char) not in NOT_IN_A_LINE:
        return char
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
