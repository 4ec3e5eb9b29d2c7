"""Read the comments of a Disqus export (namespace http://disqus.com), streamed.

Disqus lists threads (``<thread dsq:id>``, each with the ``link`` of its page) and
posts (``<post dsq:id>``, each naming its thread and parent by ``dsq:id``). A thread
is placed by its link. Deleted posts stay only as "removed" placeholders above
replies; spam goes to Spam. Threads without an id and posts whose thread is not in
the file are noted and left out, never fatal.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO
from xml.etree.ElementTree import Element

from flask_babel import gettext

from comments_service.models import CommentStatus
from comments_service.services.imports.common import ImportFileError, Place, Source, StaffFinder
from comments_service.services.imports.xml_stream import child_text, children, elements_at, local

DSQ_ID = "{http://disqus.com/disqus-internals}id"
DISQUS_NAMESPACE = "{http://disqus.com}"


@dataclass
class DisqusExport:
    """A Disqus export; ``open_file`` opens it afresh for each pass.

    A post names its thread by id, and a thread may come after its posts: each post
    is placed (``settle``) once the whole file has been read and every link is known.
    """

    open_file: Callable[[], AbstractContextManager[BinaryIO]]
    staff: StaffFinder
    links: dict[str, str] = field(default_factory=dict)  # thread id -> its link
    notes: list[str] = field(default_factory=list)
    assumed: str = ""
    passes: int = 0

    def comments(self) -> Iterator[Source]:
        """Each post; the first pass also learns the threads' links and notes."""
        self.passes += 1
        links, notes = (self.links, self.notes) if self.passes == 1 else ({}, [])
        with self.open_file() as stream:
            yield from read_disqus(stream, self.staff, links, notes)

    def settle(self, place: Place) -> tuple[Place, str | None]:
        slug, _, thread = place
        if thread in self.links:
            return (slug, self.links[thread] or None, thread), None
        if thread:
            return place, gettext("its thread is not in the file")
        return place, gettext("its thread has no id")


def read_disqus(
    stream: BinaryIO, staff: StaffFinder, links: dict[str, str], notes: list[str]
) -> Iterator[Source]:
    """Each post of the file as it is read; the threads' links go into ``links``."""
    posts = 0
    for element in elements_at(stream, _not_disqus, "disqus", 1):
        if not element.tag.startswith(DISQUS_NAMESPACE):
            continue
        name = local(element.tag)
        if name == "thread":
            _thread(element, links, notes)
        elif name == "post":
            posts += 1
            yield _post(element, staff)
    if not links and not posts and not notes:
        raise ImportFileError(gettext("This is not a Disqus export: it has no threads or posts."))


def _not_disqus(tag: str, root: str) -> str:
    return gettext(
        "This is not a Disqus export: it starts with <%(tag)s>, not <%(root)s>.",
        tag=tag,
        root=root,
    )


def _thread(element: Element, links: dict[str, str], notes: list[str]) -> None:
    thread_id = element.get(DSQ_ID, "").strip()
    link = child_text(element, "link")
    if not thread_id:
        link = link or gettext("no link")
        notes.append(gettext("A thread without an id was left out (%(link)s).", link=link))
    else:
        links[thread_id] = link


def _post(element: Element, staff: StaffFinder) -> Source:
    author = next(children(element, "author"), None)
    email = child_text(author, "email") if author is not None else ""
    name = child_text(author, "name") if author is not None else ""
    record = Source(
        id=element.get(DSQ_ID, "").strip(),
        parent_id=_ref(element, "parent") or None,
        status=_status(element),
        created_at=_date(child_text(element, "createdAt")),
        author_name=name,
        body=child_text(element, "message"),
        author_email=email,
        remote_addr=child_text(element, "ipAddress"),
        thread=_ref(element, "thread"),
        staff=staff.find(email) if email else None,
    )
    if not record.id:
        record.skip = gettext("post without an id")
    return record


def _ref(element: Element, name: str) -> str:
    reference = next(children(element, name), None)
    return "" if reference is None else reference.get(DSQ_ID, "").strip()


def _status(element: Element) -> CommentStatus:
    if child_text(element, "isSpam") == "true":
        return CommentStatus.SPAM
    if child_text(element, "isDeleted") == "true":
        return CommentStatus.DELETED
    return CommentStatus.APPROVED


def _date(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ImportFileError(
            gettext("A post has a date Disqus does not write: %(date)s.", date=repr(text))
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
