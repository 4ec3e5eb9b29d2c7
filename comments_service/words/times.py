"""The one rule for showing a moment, on the blog and on the service's pages alike.

Times are stored in UTC and shown in UTC, marked so: "4 March 2026, 23:30 UTC", with
the machine-readable moment ("2026-03-04T23:30:00Z") in ``<time datetime>``. The
blog's theme prints the same words (``_comments.html``, ``porch-comments.js``).
"""


def iso(moment) -> str:
    """The moment for ``<time datetime>`` and the JSON API."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_label(moment) -> str:
    """The moment as readers and staff read it."""
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"
