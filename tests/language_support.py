"""What a page, a mail or a feed says, and which of it is still the English source.

A text is English when it says a source message (from a catalog's ``messages.pot``) whose
translation into the language differs. Pages are read outside what people wrote (posts,
summaries, comments, biographies, quoted comments, the reader's own answers), with every
attribute a person reads or hears (aria-label, title, alt, placeholder, a meta tag's
content); scripts and styles are not read.
"""

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[1]
BLOG_CATALOG = ROOT / "theme" / "translations"
SERVICE_CATALOG = ROOT / "comments_service" / "translations"
SHIPPED = ["ar", "de", "es", "fr"]

# What people wrote: compared with nothing.
WRITTEN = {
    "prose",
    "post-summary-text",
    "comment-body",
    "author-card-bio",
    "profile-bio",
    "site-page-link",  # the title of one of the site's pages (content/pages)
    "body",  # a comment's text on the moderation pages
    "parent",  # the comment it answers, quoted there
}
READ_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder", "content"}
VOID = {"meta", "link", "img", "input", "br", "hr", "source", "area", "base", "col", "wbr"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
# A message of few words ("Tags", "Reply", "%(num)s comment") is English only as a whole
# text; a longer one is English wherever it stands, as whole words.
WHOLE_ONLY = 12


class ReadText(HTMLParser):
    """The texts a page shows or says, outside what people wrote and outside scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.open: list[bool] = []  # per open element: is it (inside) skipped text

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skipped = bool(self.open and self.open[-1])
        classes = set((attributes.get("class") or "").split())
        if tag in ("script", "style", "textarea", "blockquote") or classes & WRITTEN:
            skipped = True
        if not skipped:
            self.texts += [
                value
                for name, value in attrs
                if name in READ_ATTRIBUTES and value and not describes(attributes)
            ]
        if tag not in VOID:
            self.open.append(skipped)

    def handle_endtag(self, tag):
        if tag not in VOID and self.open:
            self.open.pop()

    def handle_data(self, data):
        if not (self.open and self.open[-1]) and data.strip():
            self.texts.append(" ".join(data.split()))


def describes(attributes: dict) -> bool:
    """A meta tag holding a post's or page's summary: written by people."""
    kind = attributes.get("name") or attributes.get("property") or ""
    return kind.endswith("description")


def page_texts(html: str) -> list[str]:
    reader = ReadText()
    reader.feed(html)
    return reader.texts


@cache
def english_messages(folder: Path, language: str) -> tuple[tuple[str, re.Pattern], ...]:
    """The folder's source messages (each plural form too) whose translation into the
    language differs, as patterns."""
    translations = Translations.load(str(folder), [language])
    with open(folder / "messages.pot", "rb") as file:
        source = read_po(file)
    found = []
    for message in source:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        for index, english in enumerate(ids):
            if isinstance(message.id, str):
                translated = translations.gettext(english)
            else:
                translated = translations.ngettext(*message.id, 1 if index == 0 else 7)
            if translated == english or not re.search(r"[A-Za-z]{2}", PLACEHOLDER.sub("", english)):
                continue  # the same in both, or no English word in it (%(count)s %(name)s)
            parts = [re.escape(part) for part in PLACEHOLDER.split(english)[::2]]
            pattern = rf"(?<!\w){'.+?'.join(parts)}(?!\w)"
            if len(PLACEHOLDER.sub("", english).strip()) < WHOLE_ONLY:
                # Few words of its own ("%(num)s comment", "on"): English only as a whole
                # text, its values short.
                pattern = f"^{'.{1,80}?'.join(parts)}$"
            found.append((english, re.compile(pattern)))
    return tuple(found)


def english_left(texts, messages) -> dict[str, str]:
    """The English messages the texts still say, each with a text that says it."""
    return {
        english: text for text in texts for english, pattern in messages if pattern.search(text)
    }
