"""One comment's markup, and an avatar's, for the theme's comment sections.

Written in Python rather than as template macros because a build prints every comment
of every thread: 20,000 comments cost a Jinja macro (with an avatar macro inside) a
couple of seconds, and this a tenth of that. The markup is the Porch DOM contract's
(docs/theme.md): ``comment`` gives a comment's ``<li>``, left open (the section's loop
nests replies in it or closes it), and with ``blank`` the same markup with every optional
part present and empty, marked with data-slot, for porch-comments.js to clone and fill
(the page's ``<template>``). So a comment the script adds is this markup, never a copy.

Every value is escaped as the autoescaped templates escape it; only the HTML the service
sanitised is printed as it is. A comment is the object ``for_display`` makes (or, for the
blank one, a dict): a field it lacks prints as nothing, as an undefined one does in Jinja.
"""

from jinja2 import pass_context
from markupsafe import Markup, escape

from .filters import initials, time_label
from .language import ENGLISH, words

MISSING = ""  # what a field the comment lacks reads as: empty and false, like Undefined


def avatar_html(site_url: str, name, profile=None, size: str = "m") -> Markup:
    """The person's face from their profile, else their initials on a colour of their name."""
    if profile and profile.get("avatar_url"):
        source = escape(f"{site_url}/{profile['avatar_url']}")
        return Markup(
            f'<img class="avatar avatar--{escape(size)}" src="{source}" alt="" loading="lazy">'
        )
    hue = len(name or "") % 6
    return Markup(
        f'<span class="avatar avatar--{escape(size)} avatar--initials avatar--hue-{hue}"'
        f' aria-hidden="true">{escape(initials(name))}</span>'
    )


@pass_context
def avatar(context, name, profile=None, size="m") -> Markup:
    """The ``avatar`` filter: ``{{ name|avatar(profile, "s") }}``."""
    return avatar_html(context.get("SITEURL", ""), name, profile, size)


def fields_of(c) -> dict:
    """The comment's fields by name: a dict's own, or the node's attributes."""
    return c if isinstance(c, dict) else vars(c)


@pass_context
def comment(context, c, here, blank=False) -> Markup:
    """The ``porch_comment`` filter: the comment's ``<li>``, left open."""
    c = fields_of(c)
    c_id = escape(c.get("id", MISSING))
    staff = c.get("staff", MISSING)
    removed = c.get("removed", MISSING)
    profile = (context.get("PORCH_AUTHOR_PROFILES") or {}).get(staff.get("name")) if staff else None
    classes = f"comment{' comment--staff' if staff else ''}{' comment--removed' if removed else ''}"
    parts = [f'<li class="{classes}" id="comment-{c_id}" data-comment-id="{c_id}">\n']
    t = words(context)
    if removed or blank:
        reason = c.get("removed_reason", MISSING)
        if reason != "author_request" or blank:
            said = escape(t.gettext("This comment was removed."))
            parts.append(f'  <p class="comment-removed" data-slot="removed">{said}</p>\n')
        if reason == "author_request" or blank:
            said = escape(t.gettext("This comment was removed at the author’s request."))
            parts.append(
                f'  <p class="comment-removed" data-slot="removed-on-request">{said}</p>\n'
            )
    if not removed or blank:
        parts.append(card(context, t, c, c_id, staff, profile, here, blank))
    return Markup("".join(parts))


def card(context, t, c, c_id, staff, profile, here, blank) -> str:
    """The comment's ``<article>``: who wrote it and when, what it answers, its text, the
    answer line, what the team did, and the reply link. ``c``: its fields; ``t``: the
    blog's catalog."""
    site_url = context.get("SITEURL", "")
    author_name = c.get("author_name", MISSING)
    if blank:
        empty_face = '<img class="avatar avatar--s" src="" alt="" loading="lazy">'
        face = f"{avatar_html(site_url, '', None, 's')}{empty_face}"
        author = '<a href="" rel="nofollow ugc noopener"></a>'
    else:
        face = avatar_html(site_url, staff.get("name") if staff else author_name, profile, "s")
        author = author_link(context, c, profile, author_name)
    parts = [
        '  <article class="comment-card" data-slot="card">\n'
        '    <header class="comment-header">\n'
        f'{face}      <span class="comment-author" data-slot="author">{author}</span>\n'
    ]
    if staff or blank:
        who = escape(staff.get("name", MISSING)) if staff else ""
        if profile and profile.get("role"):
            role = escape(profile["role"])
        else:
            role = escape(staff_role(t, staff.get("role", MISSING))) if staff else ""
        parts.append(
            '      <span class="staff-badge" data-slot="badge">'
            f'<span class="visually-hidden">{who} · </span>{role}</span>\n'
        )
    created = c.get("created_at", MISSING)
    when = escape(time_label(created, context.get("PORCH_LOCALE", ENGLISH)))
    edited = ""
    if c.get("edited_at", MISSING) or blank:
        if c.get("edited_by_team", MISSING):
            said = t.gettext("edited by the team")
        else:
            said = t.gettext("edited")
        edited = f'<span class="comment-edited"> · {escape(said)}</span>'
    parts.append(
        f'      <a class="comment-permalink" href="{escape(here)}#comment-{c_id}">'
        f'<time datetime="{escape(created)}" title="{when}">{when}</time>{edited}</a>\n'
        "    </header>\n"
    )
    if c.get("flattened", MISSING) or blank:
        answered = escape(c.get("in_reply_to", MISSING) or t.gettext("a removed comment"))
        link = f'<a href="#comment-{escape(c.get("parent_id", MISSING))}">{answered}</a>'
        said = escape(t.gettext("In reply to %(comment)s")) % {"comment": Markup(link)}
        parts.append(f'    <p class="comment-in-reply-to">{said}</p>\n')
    parts.append(f'    <div class="comment-body" dir="auto">{c.get("html", MISSING)}</div>\n')
    answer_line = c.get("answer_line", MISSING)
    if answer_line or blank:
        waiting = " comment-answer--waiting" if c.get("waiting", MISSING) else ""
        parts.append(f'    <p class="comment-answer{waiting}">{escape(answer_line)}</p>\n')
    what_we_did = c.get("what_we_did", MISSING)
    if what_we_did or blank:
        said = escape(t.gettext("What we did:"))
        parts.append(
            f'    <p class="comment-follow-up"><strong>{said}</strong> {escape(what_we_did)}</p>\n'
        )
    public_url = escape(context.get("PORCH_PUBLIC_URL", ""))
    to_whom = escape(t.gettext(" to %(name)s")) % {"name": author_name}
    said = escape(t.gettext("Reply"))
    parts.append(
        '    <p class="comment-actions"><a class="comment-reply-link"'
        f' href="{public_url}/reply/{c_id}">{said}'
        f'<span class="visually-hidden">{to_whom}</span></a></p>\n'
        "  </article>\n"
    )
    return "".join(parts)


def staff_role(t, role) -> str:
    """A staff member's role as the service names it ("author", "admin"), in words."""
    if role == "author":
        return t.gettext("Author")
    if role == "admin":
        return t.gettext("Admin")
    return str(role).capitalize()


def author_link(context, c, profile, author_name) -> str:
    """The writer's name: linked to their author page (staff with a profile page), else to
    their website (readers who gave one), else as it is."""
    if profile and profile.get("slug"):
        page = escape(
            f"{context.get('SITEURL', '')}/{context['AUTHOR_URL'].format(slug=profile['slug'])}"
        )
        return f'<a href="{page}">{escape(author_name)}</a>'
    website = c.get("author_website", MISSING)
    if website:
        return f'<a href="{escape(website)}" rel="nofollow ugc noopener">{escape(author_name)}</a>'
    return escape(author_name)


FILTERS = {"avatar": avatar, "porch_comment": comment}
