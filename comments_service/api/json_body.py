"""Reading a request's JSON body, the one way every endpoint that takes JSON reads it.

Python's decoder recurses once per level of nesting, so a small body of brackets
(``[[[[...``) would exhaust the stack and answer a 500. No request of ours is more than
a few levels deep: nesting is counted in the text before it is decoded, and a body
nested deeper than ``MAX_DEPTH`` is a 400 that says so. The text is decoded first, as
the decoder would (UTF-8, or UTF-16/32 found from the first bytes), so brackets cannot
hide from the count in an encoding whose bytes hold quote marks.
"""

import json
import re
from itertools import accumulate

from flask import request
from flask_babel import ngettext

from comments_service.errors import ApiError

MAX_DEPTH = 32
# A string, to its closing quote or, where it has none, to the end of the text: no quote
# mark is scanned twice, however many there are.
STRINGS = re.compile(r'"(?:[^"\\]|\\.?)*+(?:"|\Z)', re.DOTALL)
BRACKETS = re.compile(r"[\[\]{}]")
STEPS = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_body(not_json: str):
    """The body's JSON document; a 400 with ``not_json`` when there is none to read."""
    if not request.is_json:
        raise ApiError(400, "malformed", not_json)
    raw = request.get_data(cache=True)
    try:
        text = raw.decode(json.detect_encoding(raw), "surrogatepass")
    except UnicodeDecodeError:
        raise ApiError(400, "malformed", not_json) from None
    if nesting_depth(text) > MAX_DEPTH:
        raise ApiError(
            400,
            "malformed",
            ngettext(
                "The JSON is nested more than %(num)s level deep; send the fields the "
                "API documents, which need no more than a few.",
                "The JSON is nested more than %(num)s levels deep; send the fields the "
                "API documents, which need no more than a few.",
                MAX_DEPTH,
            ),
        )
    try:
        return json.loads(text)
    except ValueError:
        raise ApiError(400, "malformed", not_json) from None


def nesting_depth(text: str) -> int:
    """How many arrays and objects sit inside one another at the deepest, outside strings.

    Counted from the start of the text: once a bracket closes what was never opened, the
    text is no JSON and the decoder reads no further, so what follows counts for less.
    """
    steps = map(STEPS.__getitem__, BRACKETS.findall(STRINGS.sub("", text)))
    return max(accumulate(steps, initial=0))
