"""Read the comments of a Disqus export (namespace http://disqus.com), streamed.

Disqus lists threads (``<thread dsq:id>``, each with the ``link`` of its page) and
posts (``<post dsq:id>``, each naming its thread and parent by ``dsq:id``). A thread
is placed by its link. Deleted posts stay only as "removed" placeholders above
replies; spam goes to Spam. Threads without an id and posts whose thread is not in
the file are noted and left out, never fatal.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO
from xml.etree.ElementTree import Element

from ..models import CommentStatus
from .importing import ImportFileError, Source, StaffFinder
from .xml_stream import child_text, children, elements_at, local

DSQ_ID = "{http://disqus.com/disqus-internals}id"
DISQUS_NAMESPACE = "{http://disqus.com}"


@dataclass
class Reading:
    records: list[Source] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_disqus(stream: BinaryIO, staff: StaffFinder) -> Reading:
    what = "a Disqus export"
    reading = Reading()
    links: dict[str, str] = {}
    thread_of: dict[str, str] = {}
    for element in elements_at(stream, what, "disqus", 1):
        if not element.tag.startswith(DISQUS_NAMESPACE):
            continue
        name = local(element.tag)
        if name == "thread":
            _thread(element, links, reading.notes)
        elif name == "post":
            record = _post(element, staff)
            thread_of[record.id] = _ref(element, "thread")
            reading.records.append(record)
    if not links and not reading.records and not reading.notes:
        raise ImportFileError(f"This is not {what}: it has no threads or posts.")
    for record in reading.records:
        _place(record, thread_of[record.id], links)
    return reading


def _thread(element: Element, links: dict[str, str], notes: list[str]) -> None:
    thread_id = element.get(DSQ_ID, "").strip()
    link = child_text(element, "link")
    if not thread_id:
        notes.append(f"A thread without an id was left out ({link or 'no link'}).")
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
        staff=staff.find(email) if email else None,
    )
    if not record.id:
        record.skip = "post without an id"
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


def _place(record: Source, thread_id: str, links: dict[str, str]) -> None:
    if thread_id in links:
        record.url = links[thread_id] or None
    elif not record.skip and not thread_id:
        record.skip = "its thread has no id"
    elif not record.skip:
        record.skip = "its thread is not in the file"


def _date(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ImportFileError(f"A post has a date Disqus does not write: {text!r}.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
