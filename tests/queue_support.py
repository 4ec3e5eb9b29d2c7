"""A moderation queue like the sample blog's, for the browser tests of its cards and shortcuts.

The service runs as `flask run` on its own SQLite file (no blog is built: the posts come
from a manifest); readers' comments of two to four sentences arrive through the public API.
"""

import json
import re
from urllib.parse import quote

from playwright.sync_api import Locator, Page, expect

from .browser_support import post_comment
from .porch_support import PorchSite

BLOG = "http://blog.test"
AUTHOR, EMAIL, PASSWORD = "Ana Lima", "ana@porch.test", "one bar in the basement"
PAGING = {"per_page": 50, "page_url": "comments/{number}/"}  # the service's defaults
POSTS = (
    ("offline-mode-explained", "Offline mode, explained"),
    ("job-card-redesign", "The new job card"),
    ("recurring-jobs-questions", "Your questions about recurring jobs"),
)
# Six readers as the sample blog has them: a name, the post, and two to four sentences.
READERS = (
    (
        "Jo Reader",
        "offline-mode-explained",
        "Do photos taken in a basement upload by themselves once the phone has signal again? "
        "Our crews often work below ground and only notice later that nothing was sent.",
    ),
    (
        "Sam Field",
        "offline-mode-explained",
        "Does the offline copy include the customer's gate code? We keep those in the job "
        "notes. If the phone is lost, I would like to know what is on it.",
    ),
    (
        "Priya Shah",
        "job-card-redesign",
        "The new job card is much easier to read on a small phone. Could the customer's phone "
        "number be a button that calls them? Right now I copy it by hand. It costs a minute "
        "on every visit.",
    ),
    (
        "Tom Becker",
        "recurring-jobs-questions",
        "Can a recurring job skip public holidays? Last year we drove to three closed "
        "offices on Easter Monday.",
    ),
    (
        "Lena Vogel",
        "job-card-redesign",
        "Thank you for keeping the old layout as an option for a while. Our older "
        "technicians are still getting used to the new one.",
    ),
    (
        "Marco Rossi",
        "recurring-jobs-questions",
        "When I change one visit of a recurring job, do the later visits change too? I moved "
        "one by a day and am not sure what happened to the rest. A note on the card would "
        "help.",
    ),
)


def start_queue(porch_site, name: str) -> PorchSite:
    """The service with Ana's posts and account, serving; no comments yet."""
    porch = porch_site(name, blog=False, BLOG_URL=BLOG, COMMENT_RATE_LIMIT="1000 per minute")
    posts = [
        {"slug": slug, "title": title, "path": f"/{slug}/", "authors": [AUTHOR]}
        for slug, title in POSTS
    ]
    porch.manifest.write_text(json.dumps({"version": 2, "comments": PAGING, "posts": posts}))
    porch.add_author(AUTHOR, EMAIL, PASSWORD)
    porch.sync_posts()
    return porch.start()


def comment(porch: PorchSite, name: str, slug: str, body: str) -> int:
    """A reader's comment through the public API; its id."""
    email = name.lower().replace(" ", ".") + "@readers.test"
    fields = {"author_name": name, "email": email, "body": body}
    return post_comment(porch.service.url, slug, BLOG, **fields)["id"]


def held_comment(porch: PorchSite, name: str) -> int:
    """A comment the spam guard holds for approval: it carries more links than allowed."""
    links = " ".join(f"[page {i}](https://example.com/{i})" for i in range(4))
    return comment(porch, name, POSTS[0][0], f"Which of these pages is right? {links}")


def sign_in(page: Page, porch: PorchSite, path: str = "/moderation/") -> None:
    page.goto(f"{porch.service.url}/auth/login?next={quote(path)}")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")
    expect(page.get_by_role("navigation", name="Views")).to_be_visible()


def unfold(card: Locator, name: str) -> None:
    """Open a card's "Answer" or "More" (for screen readers their names go on with the
    reader's)."""
    card.locator("summary").filter(has_text=re.compile(rf"^{name}\b")).click()
