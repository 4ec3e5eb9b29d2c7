"""Sanitised comment HTML in the shapes the HTML standard allows.

The sanitiser parses as a browser does and keeps only the allowed tags, so what it writes
is well formed but not always valid. From broken HTML (imported comments are full of it)
a browser's parser keeps ``<em>`` open around the blocks that follow, and leaves a list
item outside any list; an element the sanitiser removes (``<div>``, ``<button>``) leaves
its paragraphs inside the ``<strong>`` around it. Browsers show it anyway; validators and
assistive technology read it as broken. Here a block inside an element that may hold
only text and inline elements takes that element's place, items outside a list get one,
and what a list holds besides items becomes an item.
"""

from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

VOID = {"br", "hr"}
BLOCKS = {"blockquote", "hr", "li", "ol", "p", "pre", "ul"}
INLINE_ONLY = {"code", "em", "p", "pre", "strong"}
# May hold blocks where their own parent may: within an inline-only element they may not.
TRANSPARENT = {"a", "del"}
LISTS = {"ol", "ul"}


@dataclass
class Node:
    tag: str
    attributes: list[tuple[str, str | None]] = field(default_factory=list)
    children: list["Node | str"] = field(default_factory=list)


def valid_shape(html: str) -> str:
    """The same HTML in valid shapes; untouched, byte for byte, when it already is."""
    if not any(f"<{tag}" in html for tag in BLOCKS):
        return html
    root = _tree(html)
    if not _reshape(root):
        return html
    return "".join(_written(child) for child in root.children)


def _tree(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


class _TreeBuilder(HTMLParser):
    """Reads the sanitiser's own output: every element is closed where it ends."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("")
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs)
        self.open[-1].children.append(node)
        if tag not in VOID:
            self.open.append(node)

    def handle_endtag(self, tag):
        if len(self.open) > 1 and self.open[-1].tag == tag:
            self.open.pop()

    def handle_data(self, data):
        self.open[-1].children.append(data)


def _reshape(node: Node) -> bool:
    """Fix this element's descendants, then its children; True when anything changed."""
    changed = False
    for child in node.children:
        if isinstance(child, Node):
            changed |= _reshape(child)
    children = _lifted(node.children)
    children = _listed(children) if node.tag in LISTS else _orphans_listed(children)
    changed |= children != node.children
    node.children = children
    return changed


def _lifted(children: list) -> list:
    """An inline-only element that holds a block is replaced by what it holds."""
    out = []
    for child in children:
        if isinstance(child, Node) and child.tag in INLINE_ONLY and _holds_block(child):
            out.extend(child.children)
        else:
            out.append(child)
    return out


def _holds_block(node: Node) -> bool:
    return any(
        isinstance(child, Node)
        and (child.tag in BLOCKS or (child.tag in TRANSPARENT and _holds_block(child)))
        for child in node.children
    )


def _orphans_listed(children: list) -> list:
    """Runs of list items outside a list (with the blank text between them) in a list."""
    out, run = [], None
    for child in children:
        if isinstance(child, Node) and child.tag == "li":
            if run is None:
                run = Node("ul")
                out.append(run)
            run.children.append(child)
        elif run is not None and isinstance(child, str) and not child.strip():
            run.children.append(child)
        else:
            run = None
            out.append(child)
    return out


def _listed(children: list) -> list:
    """In a list, each run of anything but items and blank text becomes one item."""
    out, run = [], None
    for child in children:
        if (isinstance(child, Node) and child.tag == "li") or (
            isinstance(child, str) and not child.strip()
        ):
            run = None
            out.append(child)
            continue
        if run is None:
            run = Node("li")
            out.append(run)
        run.children.append(child)
    return out


def _written(node: Node | str) -> str:
    if isinstance(node, str):
        return escape(node, quote=False)
    attributes = "".join(
        f' {name}="{escape(value or "")}"' if value is not None else f" {name}"
        for name, value in node.attributes
    )
    if node.tag in VOID:
        return f"<{node.tag}{attributes}>"
    inner = "".join(_written(child) for child in node.children)
    return f"<{node.tag}{attributes}>{inner}</{node.tag}>"
