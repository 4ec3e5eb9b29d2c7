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


def field(thing, name):
    """``thing.name`` as a template reads it: an attribute, else a key, else MISSING."""
    if isinstance(thing, dict):
        return thing.get(name, MISSING)
    return getattr(thing, name, MISSING)


def text(value) -> str:
    """A value printed in an autoescaped template."""
    return escape(value)


@pass_context
def comment(context, c, here, blank=False) -> Markup:
    """The ``porch_comment`` filter: the comment's ``<li>``, left open."""
    c_id = text(field(c, "id"))
    staff = field(c, "staff")
    removed = field(c, "removed")
    profile = (context.get("PORCH_AUTHOR_PROFILES") or {}).get(staff.get("name")) if staff else None
    classes = f"comment{' comment--staff' if staff else ''}{' comment--removed' if removed else ''}"
    parts = [f'<li class="{classes}" id="comment-{c_id}" data-comment-id="{c_id}">\n']
    if removed or blank:
        reason = field(c, "removed_reason")
        if reason != "author_request" or blank:
            parts.append(
                '  <p class="comment-removed" data-slot="removed">This comment was removed.</p>\n'
            )
        if reason == "author_request" or blank:
            parts.append(
                '  <p class="comment-removed" data-slot="removed-on-request">This comment was'
                " removed at the author’s request.</p>\n"
            )
    if not removed or blank:
        parts.append(card(context, c, c_id, staff, profile, here, blank))
    return Markup("".join(parts))


def card(context, c, c_id, staff, profile, here, blank) -> str:
    """The comment's ``<article>``: who wrote it and when, what it answers, its text, the
    answer line, what the team did, and the reply link."""
    site_url = context.get("SITEURL", "")
    author_name = field(c, "author_name")
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
        who = text(staff.get("name", MISSING)) if staff else ""
        if profile and profile.get("role"):
            role = text(profile["role"])
        else:
            role = text(str(staff.get("role", MISSING)).capitalize()) if staff else ""
        parts.append(
            '      <span class="staff-badge" data-slot="badge">'
            f'<span class="visually-hidden">{who} · </span>{role}</span>\n'
        )
    created = field(c, "created_at")
    when = text(time_label(created))
    edited = ""
    if field(c, "edited_at") or blank:
        by_team = " by the team" if field(c, "edited_by_team") else ""
        edited = f'<span class="comment-edited"> · edited{by_team}</span>'
    parts.append(
        f'      <a class="comment-permalink" href="{text(here)}#comment-{c_id}">'
        f'<time datetime="{text(created)}" title="{when}">{when}</time>{edited}</a>\n'
        "    </header>\n"
    )
    if field(c, "flattened") or blank:
        answered = text(field(c, "in_reply_to") or "a removed comment")
        parts.append(
            '    <p class="comment-in-reply-to">In reply to'
            f' <a href="#comment-{text(field(c, "parent_id"))}">{answered}</a></p>\n'
        )
    parts.append(f'    <div class="comment-body">{field(c, "html")}</div>\n')
    answer_line = field(c, "answer_line")
    if answer_line or blank:
        waiting = " comment-answer--waiting" if field(c, "waiting") else ""
        parts.append(f'    <p class="comment-answer{waiting}">{text(answer_line)}</p>\n')
    what_we_did = field(c, "what_we_did")
    if what_we_did or blank:
        parts.append(
            '    <p class="comment-follow-up"><strong>What we did:</strong>'
            f" {text(what_we_did)}</p>\n"
        )
    public_url = text(context.get("PORCH_PUBLIC_URL", ""))
    parts.append(
        '    <p class="comment-actions"><a class="comment-reply-link"'
        f' href="{public_url}/reply/{c_id}">Reply<span class="visually-hidden"> to'
        f" {text(author_name)}</span></a></p>\n"
        "  </article>\n"
    )
    return "".join(parts)


def author_link(context, c, profile, author_name) -> str:
    """The writer's name: linked to their author page (staff with a profile page), else to
    their website (readers who gave one), else as it is."""
    if profile and profile.get("slug"):
        page = context["AUTHOR_URL"].format(slug=profile["slug"])
        return f'<a href="{text(context.get("SITEURL", ""))}/{text(page)}">{text(author_name)}</a>'
    website = field(c, "author_website")
    if website:
        return f'<a href="{text(website)}" rel="nofollow ugc noopener">{text(author_name)}</a>'
    return text(author_name)


FILTERS = {"avatar": avatar, "porch_comment": comment}
