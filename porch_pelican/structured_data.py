"""What search engines read off an article page: a schema.org ``BlogPosting`` in JSON-LD.

It names the post, its authors (staff of the blog's Organization, with their pages,
faces and roles), the number of comments and the comments the page shows (the
thread's first page: a thread of thousands would otherwise weigh megabytes), each
reply inside the comment it answers. The theme prints it in the marked comment
section (``_comments.html``), so a re-bake writes it again with the new thread; the
re-baker knows no dates, summary or share image, and carries those over from the
posting the page already has (``carry_over``).

Removed and erased comments are placeholders in the baked thread, with neither
author nor text: they are left out, and their replies take their place, so
``commentCount`` (the service's count, the page's "(N)") is the number of ``Comment``
items when the thread fits on one page. Replies nest as deep as the page nests them
(``PORCH_THREAD_DEPTH``).
"""

import json
import re

from jinja2 import pass_context
from markupsafe import Markup

POSTING_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
THREAD_KEYS = ("commentCount", "comment")


@pass_context
def blog_posting(context, article) -> dict:
    """The article's BlogPosting (a Jinja filter: print it with ``|tojson``, which escapes
    ``<``, ``>`` and ``&``, so no comment can close the script)."""
    url = article.url  # Pelican works it out again at every reading
    posting = dict(getattr(article, "porch_posting", None) or about(context, article, url))
    posting["commentCount"] = article.porch_comment_count or 0
    posting["comment"] = comment_tree(context, article, url)
    return posting


def carry_over(article, html: str) -> None:
    """Keep the facts of the posting in ``html`` (the page a re-bake replaces) that only
    a full build knows, for ``blog_posting`` to print again with the new thread."""
    found = POSTING_SCRIPT.search(html)
    if found:
        posting = json.loads(found.group(1))
        article.porch_posting = {k: v for k, v in posting.items() if k not in THREAD_KEYS}


def about(context, article, path=None) -> dict:
    """The posting's facts from a built article: what it is, when, by whom, and its image.
    ``path``: the article's address from the site's root, when known already."""
    site = context["PORCH_ABSOLUTE_SITEURL"]
    url = f"{site}/{article.url if path is None else path}"
    posting = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": Markup(article.title).striptags(),
        "author": [author_person(context, author) for author in article.authors],
        "publisher": organization(context),
    }
    if getattr(article, "date", None):
        posting["datePublished"] = article.date.isoformat()
        posting["dateModified"] = (getattr(article, "modified", None) or article.date).isoformat()
    if getattr(article, "summary", None):
        posting["description"] = Markup(article.summary).striptags()
    image = getattr(article, "porch_share_image", None) or context.get("PORCH_SITE_SHARE_IMAGE")
    if image:
        posting["image"] = f"{site}/{image}"
    return posting


def organization(context) -> dict:
    site = context["PORCH_ABSOLUTE_SITEURL"]
    return {
        "@type": "Organization",
        "@id": f"{site}/#organization",
        "name": Markup(context["SITENAME"]).striptags(),
        "url": f"{site}/",
        "logo": f"{site}/{context['THEME_STATIC_DIR']}/apple-touch-icon.png",
    }


def author_person(context, author) -> dict:
    """A post's author: one of the staff, at their author page."""
    site = context["PORCH_ABSOLUTE_SITEURL"]
    return staff_person(context, author.name, author.name, f"{site}/{author.url}")


def staff_person(context, shown_name, staff_name, url=None, role=None) -> dict:
    """A staff member as a Person who works for the blog's Organization, with the face and
    role of their profile (content/authors/) when they have one."""
    site = context["PORCH_ABSOLUTE_SITEURL"]
    profile = (context.get("PORCH_AUTHOR_PROFILES") or {}).get(staff_name) or {}
    if url is None and profile.get("slug"):
        url = f"{site}/{context['AUTHOR_URL'].format(slug=profile['slug'])}"
    person = {
        "@type": "Person",
        "name": shown_name,
        "worksFor": {"@id": f"{site}/#organization"},
    }
    details = {
        "url": url,
        "image": profile.get("avatar_url") and f"{site}/{profile['avatar_url']}",
        "jobTitle": profile.get("role") or role,
    }
    return {**person, **{key: value for key, value in details.items() if value}}


def comment_tree(context, article, path=None) -> list[dict]:
    """The comments the article's page shows (its first page of comments) as nested
    Comments, in one pass over the flat thread.

    ``holder`` says, for each comment, which item its replies go in (None: the top
    level): its own, or where it sits itself when it is removed or as deep as the page
    nests.
    """
    here = f"{context['PORCH_ABSOLUTE_SITEURL']}/{article.url if path is None else path}"
    levels = context["PORCH_THREAD_DEPTH"]
    top: list[dict] = []
    holder: dict = {}
    for node in article.porch_comments or []:
        parent = holder.get(node.parent_id)
        if node.removed:
            holder[node.id] = parent
            continue
        item = comment_item(context, node, f"{here}#comment-{node.id}")
        (top if parent is None else parent.setdefault("comment", [])).append(item)
        holder[node.id] = item if node.depth < levels - 1 else parent
    return top


def comment_item(context, node, link) -> dict:
    item = {
        "@type": "Comment",
        "url": link,
        "dateCreated": node.created_at,
        "author": commenter(context, node),
        "text": Markup(node.html).striptags(),
    }
    edited = getattr(node, "edited_at", None)  # exports before edits have none
    if edited:
        item["dateModified"] = edited
    return item


def commenter(context, node) -> dict:
    """A reader by the name they gave (never their website: it is theirs to show), or the
    staff member who answered."""
    if not node.staff:
        return {"@type": "Person", "name": node.author_name}
    staff = node.staff
    return staff_person(context, node.author_name, staff["name"], role=staff["role"].capitalize())
