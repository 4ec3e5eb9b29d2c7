"""Read a large XML export one element at a time, safely.

defusedxml refuses DTDs, entity declarations and external references, so a
"billion laughs" file or one that points at ``file:///etc/passwd`` stops before
anything is read. Each element is cleared once it has been handed over, so memory
stays bounded however large the file is.
"""

from collections.abc import Callable, Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from flask_babel import gettext

from comments_service.services.imports.common import ImportFileError


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def elements_at(
    stream: BinaryIO,
    wrong_start: Callable[[str, str], str],
    root: str,
    depth: int,
    declared: list[str] | None = None,
) -> Iterator[Element]:
    """Each complete element ``depth`` levels below the root, which must be ``<root>``.

    ``wrong_start(tag, root)`` says why a file starting with another element is refused.
    ``declared``, when given, gathers the namespace URIs the file declares, as they come.
    """
    open_elements: list[Element] = []
    events = ("start", "end") if declared is None else ("start-ns", "start", "end")
    try:
        for event, element in iterparse(stream, events=events, forbid_dtd=True):
            if event == "start-ns":
                declared.append(element[1])  # element is (prefix, uri) here
                continue
            if event == "start":
                if not open_elements and local(element.tag) != root:
                    raise ImportFileError(wrong_start(local(element.tag), root))
                open_elements.append(element)
                continue
            open_elements.pop()
            if len(open_elements) == depth:
                yield element
                open_elements[-1].clear()
    except DefusedXmlException as error:
        raise ImportFileError(
            gettext(
                "The file declares a DTD or entities (%(kind)s); exports never do, and such"
                " files are refused for safety.",
                kind=type(error).__name__,
            )
        ) from None
    except ParseError as error:
        raise ImportFileError(
            gettext(
                "The file is not well-formed XML (%(why)s); it may be cut short or not an export.",
                why=error,
            )
        ) from None


def child_text(element: Element, name: str) -> str:
    """The text of the first child with this local name, or ''."""
    for child in element:
        if local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if local(child.tag) == name)
