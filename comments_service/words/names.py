"""Whether a reader's name would pass for a staff member's on the page.

Readers may not post under a staff name, and "Аna Lima" (Cyrillic А), "Ana Lima." and
"Ana Lima" with a zero-width or no-break space all read as "Ana Lima". So names are compared by
their skeleton (after Unicode TR39): NFKC, casefolded, each character replaced by
one representative of its confusable set, then spacing, punctuation, symbols and
invisible characters dropped. The confusable sets come from the Unicode data kept
by confusable-homoglyphs; only single characters are mapped ("rn" and "m" stay apart).
"""

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


def skeleton(name: str) -> str:
    """What is left of a name once every way to fake it is taken away.

    Each staff member's is stored with their name (``Staff.name_skeleton``), so a
    reader's name is checked with one indexed lookup (``queries.reads_as_staff``).
    """
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", name).casefold())
    representatives = _representatives()
    mapped = "".join(representatives.get(char, char) for char in folded)
    return "".join(char for char in unicodedata.normalize("NFD", mapped) if _is_seen(char))


def _is_seen(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN" and char not in INVISIBLE


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
