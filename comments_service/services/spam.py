"""The spam guard: decides whether a new reader comment is published, held or binned.

It looks only at the submission itself today (a honeypot field bots fill in, and
link count); a remote checker such as Akismet plugs in here, fed by the request
context stored on every comment.
"""

from dataclasses import dataclass

from .rendering import count_links


@dataclass(frozen=True)
class Verdict:
    """``publish``, ``hold`` (wait for a person) or ``spam``, with the reason."""

    decision: str
    reason: str | None = None


def assess(*, html: str, honeypot: str, max_links: int) -> Verdict:
    if honeypot.strip():
        return Verdict("spam", "honeypot field was filled in")
    links = count_links(html)
    if links > max_links:
        return Verdict("hold", f"{links} links (more than {max_links})")
    return Verdict("publish")
