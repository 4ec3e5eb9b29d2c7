"""Reading one inbound email: who sent it, to whom, whether a machine did, and the new words.

Everything here works on the raw bytes alone (no database, no Flask) and never raises on
malformed mail: a message it cannot make sense of reads as empty fields and an empty reply.

The reply is the body's text/plain part, or its HTML converted to Markdown, without the
quoted notification and the signature below it. mail-parser-reply finds where the quote
starts ("On ... wrote:", Outlook's "From: / Sent:" block, "-----Original Message-----")
and cuts signatures; the little glue around it is documented where it is.
"""

import email
import email.policy
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from email.errors import HeaderParseError, InvalidHeaderDefect
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser

import dkim
import html2text
from dkim.util import InvalidTagValueList, parse_tag_value
from mailparser_reply.parser import EmailMessage as ReplyMessage

# The languages mail-parser-reply knows headers and signatures in (all that 1.36 has).
REPLY_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl", "sv", "da", "cs", "ja", "ko", "zh")

RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")

# The email package's header parser is defect-tolerant, but a few malformed headers
# still make it raise one of these when a header is read.
HEADER_ERRORS = (HeaderParseError, IndexError, ValueError, AttributeError, TypeError)

AUTO_PRECEDENCE = frozenset({"bulk", "auto_reply", "junk", "list"})
BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})

# Subjects that out-of-office and other automatic replies start with, casefolded.
AUTO_SUBJECTS = (
    "out of office",
    "automatic reply",
    "auto:",
    "autoreply",
    "auto-reply",
    "abwesenheitsnotiz",
    "automatische antwort",
    "réponse automatique",
    "absence",
    "respuesta automática",
    "fuera de la oficina",
)

# Phone sign-offs that mail-parser-reply 1.36 does not know (it has German "Gesendet von"
# and French "Envoyé depuis", not the forms iOS writes); dropped when they end the reply.
PHONE_SIGN_OFFS = re.compile(r"^(?:Von meinem \w+ gesendet|Envoyé de mon \w+)$", re.IGNORECASE)

# HTML that mail clients mark as the quote or the signature: dropped with its content
# before the HTML becomes Markdown, as its text may not say what it is. Gmail (div.gmail_quote,
# which holds the "On ... wrote:" line too, and div.gmail_signature, without "-- " above it)
# and Thunderbird (div.moz-cite-prefix, .moz-signature). A blockquote needs no such help:
# it becomes "> " lines, which the reply parser and _without_trailing_quote leave out.
DROPPED_CLASSES = frozenset({"gmail_quote", "gmail_signature", "moz-cite-prefix", "moz-signature"})
# Outlook on the web and the new Outlook put the quote after a marker element rather than
# inside one: everything from the marker on is dropped.
CUT_IDS = frozenset({"appendonsend", "divRplyFwdMsg", "mail-editor-reference-message-container"})


@dataclass(frozen=True)
class Incoming:
    """What one inbound email says, as far as answering a comment goes."""

    message_id: str | None
    sender: str
    sender_domain: str
    recipients: tuple[str, ...]
    subject: str
    automatic: str | None
    reply: str
    received_text: str


def read_message(raw: bytes) -> Incoming:
    """Reads the raw bytes of an email; malformed input gives empty fields, never an error."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not message.keys():  # not a single header: not an email, whatever follows
        return Incoming(
            message_id=None,
            sender="",
            sender_domain="",
            recipients=(),
            subject="",
            automatic=None,
            reply="",
            received_text="",
        )
    sender = _sender(message)
    subject = _header(message, "Subject")
    plain, html = _body_texts(message)
    received = plain if plain is not None else _markdown(html or "")
    new_words = plain if plain is not None else _markdown(_without_quotes(html or ""))
    return Incoming(
        message_id=_message_id(message),
        sender=sender,
        sender_domain=sender.rpartition("@")[2],
        recipients=_recipients(message),
        subject=subject,
        automatic=_automatic(message, sender, subject),
        reply=_latest_reply(new_words),
        received_text=received.strip(),
    )


def message_key(raw: bytes, incoming: Incoming) -> str:
    """A stable key for one message, to notice it arriving twice: its Message-ID, or its bytes."""
    if incoming.message_id:
        return hashlib.sha256(incoming.message_id.encode("utf-8", "replace")).hexdigest()
    return hashlib.sha256(raw).hexdigest()


def dkim_passes(raw: bytes, domain: str, dnsfunc=None) -> bool:
    """True iff a DKIM signature made by exactly this domain (d=, any case) verifies.

    ``dnsfunc`` is dkimpy's own lookup hook (name -> TXT record); None looks up real DNS.
    A signature by another domain, even a parent of this one, does not count.
    """
    wanted = domain.strip().lower()
    if not wanted:
        return False
    options = {} if dnsfunc is None else {"dnsfunc": dnsfunc}
    for index, signed_by in enumerate(_dkim_domains(raw)):
        if signed_by != wanted:
            continue
        try:
            if dkim.DKIM(raw).verify(idx=index, **options):
                return True
        except dkim.DKIMException:
            continue
    return False


def _dkim_domains(raw: bytes) -> list[str]:
    """The d= domain of each DKIM-Signature, lowercased, in the order dkimpy numbers them."""
    try:
        headers = dkim.DKIM(raw).headers
    except (dkim.DKIMException, IndexError):  # IndexError: a folded line before any header
        return []
    return [_signing_domain(value) for name, value in headers if name.lower() == b"dkim-signature"]


def _signing_domain(signature: bytes) -> str:
    try:
        tags = parse_tag_value(signature)
    except InvalidTagValueList:
        return ""
    return b"".join(tags.get(b"d", b"").split()).decode("ascii", "replace").lower()


# The most words a sign-off line has ("Mit freundlichen Grüßen, Ana").
SIGN_OFF_WORDS = 4


def _latest_reply(text: str) -> str:
    """The newest words of a reply's text, without the quote below them or the signature."""
    # The parser's patterns want plain spaces; Outlook writes French "De\xa0:" with a no-break one.
    text = text.replace("\xa0", " ")
    parsed = ReplyMessage(text=text, languages=list(REPLY_LANGUAGES), keep_hyphen_lists=True)
    replies = parsed.read().replies
    body = _without_signature(replies[0]) if replies else ""
    words = _without_phone_sign_off(_without_trailing_quote(body.splitlines()))
    return re.sub(r"\n{3,}", "\n\n", words).strip()  # HTML leaves runs of blank lines


def _without_signature(reply) -> str:
    """The reply without its signature, unless what the parser took for one reads as prose.

    mail-parser-reply cuts from any line that starts like a sign-off: "Thanks, I will check
    the seal tomorrow." would lose itself and all below it. A sign-off line is a few words
    ("Thanks,", "Best regards, Ana"); a longer one is kept, with what follows it: an
    answer that keeps a signature is better than one that loses a sentence.
    """
    cut = reply.signatures.strip()
    if cut and len(cut.splitlines()[0].split()) > SIGN_OFF_WORDS:
        return reply.content
    return reply.body


def _without_trailing_quote(lines: list[str]) -> list[str]:
    """Drops "> " lines that end the text, and the "... wrote:" paragraph just above them.

    mail-parser-reply leaves quoted lines in place when it does not recognise the line
    introducing them (1.36 misses Spanish "El ... escribió:" with a single space before
    "escribió", the form Gmail and Apple Mail write), or when there is no such line.
    """
    end = len(lines)
    while end and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith(">")):
        end -= 1
    if end == len(lines) or not any(line.lstrip().startswith(">") for line in lines[end:]):
        return lines
    start = end
    while start and lines[start - 1].strip():
        start -= 1
    # The paragraph introducing the quote, at most two lines, never the only paragraph.
    introduces_quote = 0 < start and end - start <= 2 and lines[end - 1].rstrip().endswith(":")
    return lines[:start] if introduces_quote else lines[:end]


def _without_phone_sign_off(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    if lines and PHONE_SIGN_OFFS.match(lines[-1].strip()):
        lines = lines[:-1]
    return "\n".join(lines)


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message[name]
    except HEADER_ERRORS:
        return ""
    return "" if value is None else str(value)


def _header_values(message: EmailMessage, name: str) -> list:
    try:
        return message.get_all(name) or []
    except HEADER_ERRORS:
        return []


def _message_id(message: EmailMessage) -> str | None:
    value = "".join(_header(message, "Message-ID").split()).strip("<>")
    return value or None


def _sender(message: EmailMessage) -> str:
    """The From address, only when there is exactly one From header holding one clean address.

    Two From headers, two addresses or a malformed one read as no sender, so that what the
    receiver checks (the author's address, DKIM for its domain) is what a mail client shows.
    """
    headers = _header_values(message, "From")
    if len(headers) != 1 or any(isinstance(d, InvalidHeaderDefect) for d in headers[0].defects):
        return ""
    addresses = [address for address in _parsed_addresses(headers[0]) if address]
    return addresses[0] if len(addresses) == 1 else ""


def _recipients(message: EmailMessage) -> tuple[str, ...]:
    found = []
    for name in RECIPIENT_HEADERS:
        for header in _header_values(message, name):
            found.extend(address for address in _parsed_addresses(header) if address)
    return tuple(dict.fromkeys(found))


def _parsed_addresses(header) -> list[str]:
    """The header's addr-specs, lowercased; "" for any that is not local@domain."""
    addresses = getattr(header, "addresses", None)
    if addresses is not None:
        specs = [address.addr_spec for address in addresses]
    else:
        specs = [spec for _, spec in getaddresses([str(header)])]
    return [_clean_address(spec) for spec in specs]


def _clean_address(spec: str) -> str:
    local, at, domain = spec.strip().lower().rpartition("@")
    return f"{local}@{domain}" if at and local and domain and "@" not in local else ""


def _automatic(message: EmailMessage, sender: str, subject: str) -> str | None:
    """Why this message was sent by a machine (a bounce, an auto-reply), or None."""
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    raw_from = _header(message, "From").lower()
    if sender.partition("@")[0] in BOUNCE_SENDERS or raw_from in BOUNCE_SENDERS:
        return f"From {sender or raw_from}"
    if _header(message, "Return-Path").strip() == "<>":
        return "empty Return-Path"
    auto_submitted = _header(message, "Auto-Submitted").strip()
    if auto_submitted and auto_submitted.lower() != "no":
        return f"Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if _header_values(message, name):
            return f"{name} header"
    precedence = _header(message, "Precedence").strip().lower()
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    if unicodedata.normalize("NFC", subject).strip().casefold().startswith(AUTO_SUBJECTS):
        return "out-of-office subject"
    return None


def _body_texts(message: EmailMessage) -> tuple[str | None, str | None]:
    """The text/plain body, else the text/html one; attachments never count."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except HEADER_ERRORS:
        return None, None
    if part is None:
        return None, None
    text = _decoded(part)
    return (text, None) if part.get_content_subtype() == "plain" else (None, text)


def _decoded(part: EmailMessage) -> str:
    """The part's text, undoing quoted-printable or base64 and its charset, whatever they are."""
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset, errors="replace")
    except LookupError:
        text = payload.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def _markdown(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_links = False
    converter.unicode_snob = True
    return converter.handle(html)


def _without_quotes(html: str) -> str:
    dropper = _QuoteDropper()
    dropper.feed(html)
    dropper.close()
    return "".join(dropper.kept)


def _drops(attrs: dict[str, str | None]) -> bool:
    return not DROPPED_CLASSES.isdisjoint((attrs.get("class") or "").split())


class _QuoteDropper(HTMLParser):
    """Copies HTML, leaving out the elements mail clients mark as quote or signature."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.kept: list[str] = []
        self.dropping: str | None = None  # the tag of the element being left out
        self.depth = 0  # how deep inside it, counting only that tag
        self.cut = False  # a marker was seen: nothing after it is kept

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id") in CUT_IDS:
            self.cut = True
        if self.cut:
            return
        if self.dropping is None and _drops(attributes):
            self.dropping, self.depth = tag, 0
        if self.dropping == tag:
            self.depth += 1
        self._keep(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        if dict(attrs).get("id") in CUT_IDS:
            self.cut = True
        self._keep(self.get_starttag_text())

    def handle_endtag(self, tag):
        if self.dropping == tag:
            self.depth -= 1
            if self.depth == 0:
                self.dropping = None
                return
        self._keep(f"</{tag}>")

    def handle_data(self, data):
        self._keep(data)

    def handle_entityref(self, name):
        self._keep(f"&{name};")

    def handle_charref(self, name):
        self._keep(f"&#{name};")

    def _keep(self, text: str | None):
        if text and self.dropping is None and not self.cut:
            self.kept.append(text)
