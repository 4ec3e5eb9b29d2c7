"""Reading replies from a mailbox over IMAP, one bounded pass at a time.

A pass signs in to the mailbox of ``PORCH_IMAP_URL``, hands each message in its folder,
oldest first and at most ``batch_size`` of them, to ``decide`` as the bytes the server
holds, and moves every message ``decide`` settled to the done folder (created when
missing). A message it could not settle (``decide`` says False or raises) stays where
it is and is handed over again on the next pass. Messages are read without marking
them seen, and seen ones are read too: someone looking at the mailbox in a mail program
does not hide a reply from Porch.

The pass knows nothing of Flask: it takes its settings and the decision as arguments
(``flask mail fetch`` wires the two together).

The address of the mailbox, user and password percent-encoded (``%40`` for ``@``)::

    imaps://user:password@imap.example.com/INBOX   TLS from the start, port 993
    imap://user:password@imap.example.com/INBOX?starttls
                                                   plain, then STARTTLS, port 143
    imap://user:password@127.0.0.1:1143/INBOX      no encryption: a server on this host

Both TLS forms check the server's certificate and name against the system's CAs. The
folder defaults to INBOX.

Two hosts may run passes on one mailbox at once. Both may hand the same message over:
its second decision is a duplicate (the same Message-ID) and publishes nothing, and
moving a message the other host moved already is no error.
"""

import imaplib
import logging
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from imap_tools import BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage
from imap_tools.errors import (
    ImapToolsError,
    MailboxCopyError,
    MailboxFolderCreateError,
    MailboxMoveError,
    UnexpectedCommandStatusError,
)

log = logging.getLogger(__name__)

DEFAULT_FOLDER = "INBOX"
PORTS = {"imaps": 993, "imap": 143}
STARTTLS = "starttls"
# Not seen ones only would miss a reply someone opened in a mail program first; messages
# marked for deletion are someone else's to expunge.
PENDING = "UNDELETED"
# What the server or the network can do to a pass: it ends, every message not yet moved
# stays for the next one.
FAILURES = (OSError, imaplib.IMAP4.error, ImapToolsError)

Decide = Callable[[bytes], bool]


class ImapError(Exception):
    """The mailbox could not be read (a bad address, no connection, a refused sign-in, a
    missing folder): the pass ended, and the messages it did not move stay."""


@dataclass(frozen=True)
class MailboxAddress:
    """Where the mailbox is, parsed from ``PORCH_IMAP_URL``; ``str()`` leaves out the password."""

    scheme: str
    starttls: bool
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str

    def __str__(self) -> str:
        query = f"?{STARTTLS}" if self.starttls else ""
        return f"{self.scheme}://{self.user}@{self.host}:{self.port}/{self.folder}{query}"


@dataclass(frozen=True)
class ImapSettings:
    url: str
    done_folder: str = "Porch-done"
    batch_size: int = 100
    # Seconds to wait for the server, for the connection and each reply.
    timeout: float = 30.0
    # None: the system's CAs check the server's certificate.
    ssl_context: ssl.SSLContext | None = None

    @classmethod
    def from_config(cls, config) -> "ImapSettings":
        return cls(url=config["PORCH_IMAP_URL"], done_folder=config["PORCH_IMAP_DONE_FOLDER"])


@dataclass
class FetchReport:
    received: int = 0  # handed to decide
    done: int = 0  # settled, and in the done folder
    left: int = 0  # not settled: handed over again on the next pass


class _RawMessage(MailMessage):
    """A fetched message that keeps the bytes the server sent, its signatures intact."""

    def __init__(self, fetch_data: list) -> None:
        self.raw: bytes = self._get_message_data_parts(fetch_data)[0]
        super().__init__(fetch_data)


def parse_imap_url(url: str) -> MailboxAddress:
    """The mailbox of an ``imaps://`` or ``imap://`` URL; ImapError names what is wrong
    with it (never the password)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in PORTS:
        raise ImapError(f"PORCH_IMAP_URL must start with imaps:// or imap://, not {scheme!r}.")
    if parts.query not in ("", STARTTLS):
        raise ImapError(f"PORCH_IMAP_URL: the only option after '?' is {STARTTLS!r}.")
    if parts.query and scheme == "imaps":
        raise ImapError(f"PORCH_IMAP_URL: imaps:// is TLS already; '?{STARTTLS}' is for imap://.")
    try:
        port = parts.port
    except ValueError:
        raise ImapError("PORCH_IMAP_URL: the port is not a number from 0 to 65535.") from None
    if not parts.hostname:
        raise ImapError("PORCH_IMAP_URL names no host: imaps://user:password@host/INBOX.")
    if not parts.username or parts.password is None:
        raise ImapError("PORCH_IMAP_URL needs a user and a password: imaps://user:password@host.")
    return MailboxAddress(
        scheme=scheme,
        starttls=bool(parts.query),
        host=parts.hostname,
        port=port or PORTS[scheme],
        user=unquote(parts.username),
        password=unquote(parts.password),
        folder=unquote(parts.path.lstrip("/")) or DEFAULT_FOLDER,
    )


def fetch_pass(settings: ImapSettings, decide: Decide) -> FetchReport:
    """Hand at most ``settings.batch_size`` messages to ``decide``; move the settled ones."""
    address = parse_imap_url(settings.url)
    report = FetchReport()
    try:
        with _signed_in(address, settings) as mailbox:
            _ensure_folder(mailbox, settings.done_folder)
            mailbox.folder.set(address.folder)
            for message in _pending(mailbox, settings.batch_size):
                report.received += 1
                if _settled(decide, message) and _moved(mailbox, message.uid, settings):
                    report.done += 1
                else:
                    report.left += 1
    except FAILURES as error:
        raise ImapError(f"Reading {address} failed: {_words_of(error)}") from error
    return report


def _open(address: MailboxAddress, settings: ImapSettings) -> BaseMailBox:
    where = {"host": address.host, "port": address.port, "timeout": settings.timeout}
    if address.scheme == "imap" and not address.starttls:
        return MailBoxUnencrypted(**where)
    context = settings.ssl_context or ssl.create_default_context()
    if address.starttls:
        return MailBoxStartTls(**where, ssl_context=context)
    return MailBox(**where, ssl_context=context)


@contextmanager
def _signed_in(address: MailboxAddress, settings: ImapSettings) -> Iterator[BaseMailBox]:
    mailbox = _open(address, settings)
    mailbox.email_message_class = _RawMessage
    try:
        credentials = (address.user, address.password)
        if all(text.isascii() for text in credentials):
            mailbox.login(*credentials, initial_folder=None)
        else:
            mailbox.login_utf8(*credentials, initial_folder=None)
        _learn_capabilities(mailbox)
        yield mailbox
    finally:
        with suppress(*FAILURES):
            mailbox.logout()


def _learn_capabilities(mailbox: BaseMailBox) -> None:
    """Ask again once signed in: servers announce MOVE only then, and without it a move
    is a copy, a deletion and an expunge."""
    _, data = mailbox.client.capability()
    mailbox.client.capabilities = tuple(data[-1].decode("ascii").upper().split())


def _ensure_folder(mailbox: BaseMailBox, folder: str) -> None:
    if mailbox.folder.exists(folder):
        return
    try:
        mailbox.folder.create(folder)
    except MailboxFolderCreateError:
        if not mailbox.folder.exists(folder):  # else another host made it just now
            raise


def _pending(mailbox: BaseMailBox, batch_size: int) -> Iterator[_RawMessage]:
    return mailbox.fetch(PENDING, limit=batch_size, mark_seen=False)


def _settled(decide: Decide, message: _RawMessage) -> bool:
    try:
        settled = decide(message.raw)
    except Exception:
        log.exception("Message UID %s is left for the next pass.", message.uid)
        return False
    if not settled:
        log.info("Message UID %s was not settled; it is left for the next pass.", message.uid)
    return settled


def _moved(mailbox: BaseMailBox, uid: str, settings: ImapSettings) -> bool:
    """Move a settled message to the done folder. A server that says no to a message
    another host moved away meanwhile is fine; else it stays, and its next decision is a
    duplicate that moves it then."""
    try:
        mailbox.move(uid, settings.done_folder)
    except (MailboxMoveError, MailboxCopyError) as error:
        if mailbox.uids(f"UID {uid}"):
            log.warning("Message UID %s stays: moving it failed: %s", uid, _words_of(error))
            return False
    return True


def _words_of(error: Exception) -> str:
    """What went wrong, in the server's words where it said something."""
    if isinstance(error, UnexpectedCommandStatusError):
        data = error.command_result[1] or []
        said = " ".join(
            item.decode(errors="replace") if isinstance(item, bytes) else str(item) for item in data
        )
        return said or str(error)
    return str(error) or type(error).__name__
