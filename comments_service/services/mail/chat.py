"""Posting one message to a team chat channel through Apprise.

Apprise knows the chat services (Slack, Microsoft Teams, Mattermost, Matrix, Discord,
a plain JSON webhook and many more) by the scheme of a URL. The outbox names a
channel by ``fingerprint``, never by its URL: the URL carries the secret that lets
anyone post there. Apprise reads no configuration files and makes no network call
until a message is sent.
"""

import hashlib
import logging

import apprise

FINGERPRINT_CHARS = 16


class ChatError(Exception):
    """The chat service did not take the message; the reason is Apprise's own words."""


def fingerprint(url: str) -> str:
    """A channel's stable name: its kind and a hash of its URL, as "slack:3f2a9c0e1d4b5a67"."""
    kind = url.partition("://")[0][:24]
    return f"{kind}:{hashlib.sha256(url.encode()).hexdigest()[:FINGERPRINT_CHARS]}"


def by_fingerprint(urls) -> dict[str, str]:
    """The configured channels' URLs, found by the names the outbox knows them by."""
    return {fingerprint(url): url for url in urls}


def post(url: str, subject: str, text: str) -> None:
    """Send one message to one channel, or raise ChatError saying why not.

    The text is given as plain text: Apprise escapes it for services that read
    Markdown or HTML, so a reader's words are never read as markup there. Apprise
    reports only True or False; why a message failed (the HTTP status, a refused
    connection) is in its warnings, which are caught for the outbox's ``last_error``.
    Apprise writes URLs there in their private form.
    """
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise ChatError("Apprise does not recognise this channel's URL")
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as said:
        sent = notifier.notify(title=subject, body=text, body_format=apprise.NotifyFormat.TEXT)
    if not sent:
        raise ChatError(" ".join(said.getvalue().split()) or "the chat service refused it")
