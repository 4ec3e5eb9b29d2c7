"""Whether a reader's name would pass for a staff member's on the page.

Readers may not post under a staff name, and "Аna Lima" (Cyrillic А), "Ana Lima." and
"Ana Lima" with a zero-width or no-break space all read as "Ana Lima". So names are compared by
their skeleton (after Unicode TR39): NFKC, casefolded, each character replaced by
one representative of its confusable set, then spacing, punctuation, symbols and
invisible characters dropped. The confusable sets come from the Unicode data kept
by confusable-homoglyphs. A staff member's skeleton is stored with their name.

A reader's name is read every way it could be faking one (``readings``), and is
reserved when any reading is a staff skeleton:

- as written;
- without loose marks: a combining mark that NFC cannot join to the Latin, Greek or
  Cyrillic letter before it ("Li\u0307ma", a dot on an i) is a decoration no spelling
  uses, so it is dropped. Marks that make a letter of their own ("É", "ë", "ø") stay:
  "Zoë" and "Zoe", "José" and "Jose" are different people, as on the page;
- without a role: "Morgan Reyes (admin)", "Ana Lima, the author", "[staff] Ana Lima",
  "Admin Morgan Reyes". A part of the name in brackets or after a comma, dash, colon,
  slash or bar that holds a role word (``ROLE_WORDS``) is dropped, then any role word;
- with "rn" read as "m" and "m" as "rn", the one pair of ASCII letter sequences
  TR39 lists as confusable ("Ana Lirna").

Nothing else is read into a name: "Anna Lima", "Ana Limas" and "Ana Lima-Souza" are
other people's names and stay free.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from confusable_homoglyphs.utils import load

# The data wraps right-to-left glyphs in these marks so they print in order.
DIRECTION_MARKS = str.maketrans("", "", "\u200e\u200f")
# Invisible characters that are letters or marks to Unicode, so category alone keeps them.
INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)
ROLE_WORDS = (
    "admin administrator author editor moderator mod official owner staff support team writer"
).split()
# Between a name and its role: brackets, "(admin)", or a separator, ", author", "| team".
SEPARATORS = r",;:/|·•\-‐-―"
ROLE_PART = re.compile(rf"[(\[{{<][^)\]}}>]*[)\]}}>]?|[{SEPARATORS}][^{SEPARATORS}(\[{{<]*")
ROLE_PART_WORDS = re.compile(rf"[^\s()\[\]{{}}<>{SEPARATORS}]+")
LOOKALIKE_SEQUENCES = (("rn", "m"), ("m", "rn"))
LOOSE_MARK_SCRIPTS = ("LATIN ", "GREEK ", "CYRILLIC ")


def skeleton(name: str) -> str:
    """What is left of a name once every way to fake it is taken away.

    Each staff member's is stored with their name (``Staff.name_skeleton``); a reader's
    name is checked against a copy each process keeps (services.seldom_changed).
    """
    return _skeleton_of(_folded(name))


def readings(name: str) -> set[str]:
    """Every skeleton a reader's name may be read as (see the module's docstring).

    Staff skeletons stay as ``skeleton`` makes them, so the stored ones need no update.
    """
    folded = _folded(name)
    texts = {folded, _without_loose_marks(folded)}
    texts |= {_without_roles(text) for text in texts}
    plain = {_skeleton_of(text) for text in texts}
    return plain | {text.replace(a, b) for text in plain for a, b in LOOKALIKE_SEQUENCES}


def _folded(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


def _skeleton_of(folded: str) -> str:
    representatives = _representatives()
    mapped = "".join(
        representatives.get(char, char) for char in unicodedata.normalize("NFD", folded)
    )
    return "".join(char for char in unicodedata.normalize("NFD", mapped) if _is_seen(char))


def _is_seen(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN" and char not in INVISIBLE


def _without_loose_marks(folded: str) -> str:
    """The text without the combining marks NFC left apart from a Latin, Greek or
    Cyrillic letter (NFKC has joined every mark that makes a letter of its own)."""
    kept, base = [], ""
    for char in folded:
        if unicodedata.category(char) not in ("Mn", "Me"):
            base = char
        elif unicodedata.name(base, "").startswith(LOOSE_MARK_SCRIPTS):
            continue
        kept.append(char)
    return "".join(kept)


def _without_roles(folded: str) -> str:
    """The name without the parts that give it a role, then without role words."""
    for part in ROLE_PART.findall(folded):
        if _holds_role(part):
            folded = folded.replace(part, " ", 1)
    return " ".join(word for word in folded.split() if not _holds_role(word))


def _holds_role(text: str) -> bool:
    return any(_skeleton_of(word) in _role_skeletons() for word in ROLE_PART_WORDS.findall(text))


@cache
def _role_skeletons() -> frozenset[str]:
    return frozenset(_skeleton_of(_folded(word)) for word in ROLE_WORDS)


@cache
def _representatives() -> dict[str, str]:
    """Each confusable character's representative; built once per process, on first use."""
    return {
        char: representative
        for group in _confusable_groups(load("confusables.json"))
        for representative in [_representative(group)]
        for char in group
    }


def _confusable_groups(data: dict) -> Iterable[set[str]]:
    """Join characters that look alike, directly or through another, into groups."""
    parent: dict[str, str] = {}

    def root(char: str) -> str:
        while parent.setdefault(char, char) != char:
            parent[char] = parent[parent[char]]
            char = parent[char]
        return char

    for char, homoglyphs in data.items():
        for homoglyph in homoglyphs:
            pair = char.translate(DIRECTION_MARKS), homoglyph["c"].translate(DIRECTION_MARKS)
            if len(pair[0]) == len(pair[1]) == 1:
                parent[root(pair[0])] = root(pair[1])
    groups = defaultdict(set)
    for char in list(parent):
        groups[root(char)].add(char)
    return groups.values()


def _representative(group: set[str]) -> str:
    """An ASCII letter if the group has one (then a digit, then any ASCII), casefolded."""
    best = min(group, key=lambda c: (not c.isascii(), not c.isalpha(), not c.isalnum(), c))
    return best.casefold()
