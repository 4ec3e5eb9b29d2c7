"""Blocklist values: one way to write each, and whether a reader comment matches one.

An entry is stored as ``normalise`` writes it, so "Jo@Example.ORG" and
"jo@example.org" are one entry, and a comment is matched the same way: addresses
in lower case with their domain in IDNA (``xn--``) form, networks as ``ipaddress``
writes them, words folded to one case and matched as whole words. What is refused is
said in the language spoken.
"""

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna
from flask_babel import gettext, lazy_gettext, ngettext

from comments_service.enums import BlockKind

MAX_LENGTH = 300


class NotAnEntry(ValueError):
    """What was typed cannot be an entry of that kind; the message says what would be."""


def normalise(kind: BlockKind, text: str) -> str:
    """The entry as stored; raises NotAnEntry with a message a person can act on."""
    text = (text or "").strip()
    if not text:
        raise NotAnEntry(str(TYPE_ONE[kind]))
    if len(text) > MAX_LENGTH:
        raise NotAnEntry(
            ngettext(
                "An entry is at most %(num)s character.",
                "An entry is at most %(num)s characters.",
                MAX_LENGTH,
            )
        )
    return NORMALISERS[kind](text)


def _email(text: str) -> str:
    local, at, domain = text.rpartition("@")
    if not at or not local or " " in local:
        raise NotAnEntry(
            gettext(
                "%(text)s is not an email address; write it like jo@example.org.", text=repr(text)
            )
        )
    return f"{local.lower()}@{_domain(domain)}"


def _domain(text: str) -> str:
    if "/" in text or ":" in text or "@" in text:
        raise NotAnEntry(
            gettext(
                "%(text)s is not a domain; write only the name, like example.org"
                " (no https://, path or address).",
                text=repr(text),
            )
        )
    name = text.removeprefix("*.").rstrip(".").lower()
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise NotAnEntry(
            gettext("%(text)s is not a domain name; write it like example.org.", text=repr(text))
        ) from None
    if "." not in ascii_name:
        raise NotAnEntry(
            gettext("%(text)s has no dot; write a whole domain, like example.org.", text=repr(text))
        )
    return ascii_name


def _network(text: str) -> str:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise NotAnEntry(
            gettext(
                "%(text)s is not an IP address or range; write one like 203.0.113.7,"
                " 203.0.113.0/24 or 2001:db8::/48.",
                text=repr(text),
            )
        ) from None
    return str(network)


def _word(text: str) -> str:
    return " ".join(_folded(text).split())


def _folded(text: str) -> str:
    """One case and one form, so "CASINO", "casino" and "ｃａｓｉｎｏ" read the same."""
    return unicodedata.normalize("NFKC", text).casefold()


NORMALISERS = {
    BlockKind.EMAIL: _email,
    BlockKind.DOMAIN: _domain,
    BlockKind.IP: _network,
    BlockKind.WORD: _word,
}
LABELS = {
    BlockKind.EMAIL: lazy_gettext("email address"),
    BlockKind.DOMAIN: lazy_gettext("domain"),
    BlockKind.IP: lazy_gettext("IP address or range"),
    BlockKind.WORD: lazy_gettext("word or phrase"),
}
# What an empty entry of each kind is told.
TYPE_ONE = {
    BlockKind.EMAIL: lazy_gettext("Type the email address to block."),
    BlockKind.DOMAIN: lazy_gettext("Type the domain to block."),
    BlockKind.IP: lazy_gettext("Type the IP address or range to block."),
    BlockKind.WORD: lazy_gettext("Type the word or phrase to block."),
}


@dataclass(frozen=True)
class Traits:
    """What entries are matched against in one reader comment, each written as entries are."""

    email: str | None
    domains: tuple[str, ...]
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | ipaddress.IPv4Network | None
    text: str

    @classmethod
    def of(cls, *, name: str, email: str | None, website: str | None, remote_addr, body: str):
        email = _quietly(_email, email)
        host = urlsplit(website or "").hostname
        domains = (email.rpartition("@")[2] if email else None, _quietly(_domain, host))
        return cls(
            email=email,
            domains=tuple(domain for domain in domains if domain),
            address=_address(remote_addr),
            text=_folded("\n".join(part for part in (name, email, website, body) if part)),
        )

    def matches(self, kind: BlockKind, value: str) -> bool:
        if kind == BlockKind.EMAIL:
            return self.email == value
        if kind == BlockKind.DOMAIN:
            return any(d == value or d.endswith(f".{value}") for d in self.domains)
        if kind == BlockKind.IP:
            return self.address is not None and _within(self.address, value)
        return re.search(_whole_words(value), self.text) is not None


def _quietly(normaliser, text: str | None) -> str | None:
    """The comment's value written as an entry's, or None when it cannot be one."""
    try:
        return normaliser(text) if text else None
    except NotAnEntry:
        return None


def _address(remote_addr: str | None):
    """The address a comment came from; after retention only its network is kept."""
    try:
        network = ipaddress.ip_network((remote_addr or "").split("%")[0], strict=False)
    except ValueError:
        return None
    if network.num_addresses > 1:
        return network
    address = network.network_address
    return getattr(address, "ipv4_mapped", None) or address


def _within(address, value: str) -> bool:
    network = ipaddress.ip_network(value)
    if address.version != network.version:
        return False
    if isinstance(address, ipaddress.IPv4Network | ipaddress.IPv6Network):
        return address.subnet_of(network)
    return address in network


def _whole_words(value: str) -> str:
    words = r"\s+".join(re.escape(word) for word in value.split())
    return rf"(?<!\w){words}(?!\w)"
