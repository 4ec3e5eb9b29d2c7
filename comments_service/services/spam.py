"""The spam guard: decides whether a new reader comment is published, held or binned.

It looks only at the submission itself today (a honeypot field bots fill in, and
link count); a remote checker such as Akismet plugs in here, fed by the request
context stored on every comment.
"""

from dataclasses import dataclass

from ..enums import SpamVerdict
from .rendering import count_links


@dataclass(frozen=True)
class Assessment:
    """The guard's verdict on one comment, with the reason when it is not ``publish``."""

    verdict: SpamVerdict
    reason: str | None = None


def assess(*, html: str, honeypot: str, max_links: int) -> Assessment:
    if honeypot.strip():
        return Assessment(SpamVerdict.SPAM, "honeypot field was filled in")
    links = count_links(html)
    if links > max_links:
        return Assessment(SpamVerdict.HOLD, f"{links} links (more than {max_links})")
    return Assessment(SpamVerdict.PUBLISH)
