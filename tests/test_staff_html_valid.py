"""Every staff page is valid HTML, as the Nu Html Checker reads it, with real data in every
state a comment card can show: one checker run over all the pages."""

from datetime import timedelta

from sqlalchemy import select

from comments_service.enums import CommentStatus, SpamCheck
from comments_service.extensions import db
from comments_service.models import Comment, Role, utcnow
from comments_service.words.rendering import render_comment

from .conftest import answer_fields, csrf_token
from .html_checker import html_errors
from .test_readers import key_of

# What some pages must show, so that the check covers the states it is meant to.
SHOWN = {
    "author-queue-waiting": ["Spam checking is failing", "First comment"],
    "author-queue-all": [
        "privately by phone",
        "Follow-up: passed on",
        "handed on",
        "Edit your answer",
    ],
    "author-queue-answered": ["Ann Answered", "Pia Private"],
    "admin-queue-with-saved-reply": ["Saved reply"],
    "admin-tools": ["Saved reply", "Edit comment", "Block this reader", "Hand to a colleague"],
    "author-tools-waiting": ["Answered privately", "Follow up", "No answer needed"],
    "blocklist": ["203.0.113.0/24"],
    "empty-spam": ["Empty spam"],
    "author-queue-escalated": ["escalated to admins"],
    "queue-draft-error": ['class="field-error" id="answer-'],
    "queue-edit-error": ['class="field-error" id="edit-'],
    "queue-undo": [">Undo</button>"],
    "thread": ["edited", "(staff)"],
    "report": ["<time datetime="],
    "settings-feed": ['id="feed-url"'],
}
VIEWS = ("waiting", "escalated", "held", "spam", "removed", "answered", "all")
BODY = "See [the guide](https://example.org/guide) and `make run`:\n\n> quoted\n\n- one\n- two"


def text_of(response, status: int = 200) -> str:
    assert response.status_code == status, (response.status_code, response.request.path)
    return response.get_data(as_text=True)


def page(client, path: str, status: int = 200) -> str:
    return text_of(client.get(path), status)


def submit(client, path: str, status: int = 200, **data) -> str:
    """Post a form of the moderation page as a person would, and read the page it leads to."""
    token = csrf_token(page(client, "/moderation/?view=all"))
    response = client.post(path, data={"csrf_token": token, **data}, follow_redirects=True)
    return text_of(response, status)


def signed_in(app, login_as) -> object:
    client = app.test_client()
    login = client.get("/auth/login")
    data = {"email": login_as.email, "password": "correct horse battery"}
    response = client.post("/auth/login", data={**data, "csrf_token": csrf_token(text_of(login))})
    assert response.status_code == 303
    return client


def comments_in_every_state(make_post, make_comment, ana, cy):
    """One reader comment per state a card shows; returns them by name."""
    post = make_post("cafe", authors=(ana.name, cy.name), title="Redesigning the “Café” page")
    other = make_post("other", authors=("Bo Admin",), title="Elsewhere")

    def reader(name, **fields):
        email = f"{name.split()[0].lower()}@example.org"
        body = fields.pop("body_markdown", BODY)
        fields.setdefault("author_email", email)
        return make_comment(
            fields.pop("post", post),
            name=name,
            body_markdown=body,
            body_html=render_comment(body),
            **fields,
        )

    made = {
        "waiting": reader("Wendy Waiting", minutes_ago=30, author_website="https://wendy.example"),
        "overdue": reader("Otto Overdue", minutes_ago=30 * 60),
        "escalated": reader("Esme Escalated", minutes_ago=100 * 60),
        "held": reader(
            "Hal Held", status=CommentStatus.PENDING, spam_check=SpamCheck.FAILED, minutes_ago=5
        ),
        "spam": reader(
            "Sam Spam", status=CommentStatus.SPAM, spam_check=SpamCheck.SPAM, minutes_ago=60
        ),
        "removed": reader("Remy Removed", minutes_ago=55),
        "answered": reader("Ann Answered", minutes_ago=50),
        "private": reader("Pia Private", minutes_ago=40),
        "follow_up": reader("Fay Follow", minutes_ago=45),
        "handed": reader("Hank Handed", minutes_ago=35),
        "dismissed": reader("Dan Dismissed", minutes_ago=20),
        "edited": reader("Eddie Edited", minutes_ago=25),
        "elsewhere": reader("Olga Other", post=other, minutes_ago=15),
    }
    made["again"] = reader("Ann Answered", minutes_ago=10, parent=made["answered"])
    return made


def act_on_every_card(app, client, made, cy) -> dict[str, str]:
    """Take each step through the page's own forms; returns the pages a step leads to."""
    answered, pages = made["answered"], {}
    path = f"/moderation/comments/{answered.id}"
    fields = answer_fields(page(client, "/moderation/"), answered.id)
    submit(client, f"{path}/answer?view=waiting", body="Thanks, **fixed**.", seen=fields["seen"])
    with app.app_context():
        staff_answer = db.session.scalar(
            select(Comment).where(Comment.parent_id == answered.id, Comment.staff_id.is_not(None))
        )
    submit(client, f"/moderation/comments/{staff_answer.id}/edit?view=all", body="Fixed today.")
    pages["queue-draft-error"] = submit(
        client, f"/moderation/comments/{made['waiting'].id}/answer?view=waiting", body=" "
    )
    pages["queue-edit-error"] = submit(
        client, f"/moderation/comments/{staff_answer.id}/edit?view=all", body=""
    )
    private = f"/moderation/comments/{made['private'].id}"
    submit(client, f"{private}/answer-privately?view=all", how="phone", note="Called her.")
    follow = f"/moderation/comments/{made['follow_up'].id}"
    submit(client, f"{follow}/tag?view=all", kind="idea")
    submit(client, f"{follow}/follow-up?view=all", step="passed_on", team="Web", note="Queued")
    submit(client, f"/moderation/comments/{made['handed'].id}/reassign?view=waiting", to=cy.id)
    submit(client, f"/moderation/comments/{made['dismissed'].id}/dismiss", reason="A thank-you")
    pages["queue-undo"] = submit(client, f"/moderation/comments/{made['removed'].id}/delete")
    return pages


def mark_edited(app, comment) -> None:
    with app.app_context():
        stored = db.session.get(Comment, comment.id)
        stored.edited_at = stored.created_at
        db.session.commit()


def queue_pages(client, who: str) -> dict[str, str]:
    pages = {f"{who}-queue-{view}": page(client, f"/moderation/?view={view}") for view in VIEWS}
    pages[f"{who}-queue-filtered"] = page(client, "/moderation/?view=all&kind=idea&q=Fay&post=cafe")
    pages[f"{who}-queue-untagged"] = page(client, "/moderation/?view=all&kind=untagged")
    return pages


def other_pages(client, made) -> dict[str, str]:
    readers = page(client, "/moderation/readers")
    today = utcnow().date()
    week_ago, tomorrow = today - timedelta(days=7), today + timedelta(days=1)
    return {
        "thread": page(client, f"/moderation/comments/{made['again'].id}/thread"),
        "figures": page(client, "/moderation/figures"),
        "report": page(client, f"/moderation/report?since={week_ago}&until={tomorrow}"),
        "report-bad-period": page(client, "/moderation/report?since=yesterday", 400),
        "readers": readers,
        "reader": page(client, f"/moderation/readers/{key_of(readers, 'Ann Answered')}"),
        "settings": page(client, "/auth/settings"),
        "settings-away": submit(
            client, "/auth/settings/away", away_from="2030-01-01", away_until="2030-01-05"
        ),
        "settings-away-refused": submit(
            client, "/auth/settings/away", 422, away_from="2030-01-05", away_until="2030-01-01"
        ),
        "settings-feed": submit(client, "/auth/settings/feed"),
        "not-found": page(client, "/moderation/comments/999999/thread", 404),
        "forbidden": page(client, f"/moderation/comments/{made['elsewhere'].id}/thread", 403),
        "bad-view": page(client, "/moderation/?view=trash", 400),
    }


def admin_tool_pages(client) -> dict[str, str]:
    """The admins' pages, with entries on them, and cards that offer a saved reply."""
    shared = dict(title="Thanks", body="Thank you for writing!", shared="y")
    return {
        "saved-replies": submit(client, "/moderation/saved-replies", **shared),
        "saved-reply-refused": submit(client, "/moderation/saved-replies", 422, title=""),
        "admin-queue-with-saved-reply": page(client, "/moderation/?view=all"),
        "blocklist": submit(
            client, "/moderation/blocklist", kind="ip", value="203.0.113.0/24", to="held"
        ),
        "blocklist-refused": submit(
            client, "/moderation/blocklist", 422, kind="ip", value="x", to="spam"
        ),
        "empty-spam": page(client, "/moderation/spam/empty"),
    }


def sign_in_pages(app) -> dict[str, str]:
    client = app.test_client()
    form = page(client, "/auth/login")
    wrong = {"email": "nobody@porch.test", "password": "wrong", "csrf_token": csrf_token(form)}
    return {
        "sign-in": form,
        "sign-in-refused": text_of(client.post("/auth/login", data=wrong), 401),
    }


def test_every_staff_page_is_valid_html(app, make_staff, make_post, make_comment, tmp_path):
    ana = make_staff("Ana Lima")
    cy = make_staff("Cy Ortega")
    bo = make_staff("Bo Admin", role=Role.ADMIN)
    made = comments_in_every_state(make_post, make_comment, ana, cy)
    author = signed_in(app, ana)
    pages = act_on_every_card(app, author, made, cy)
    mark_edited(app, made["edited"])
    pages |= queue_pages(author, "author")
    pages |= other_pages(author, made)
    admin = signed_in(app, bo)
    pages |= queue_pages(admin, "admin")
    pages["admin-readers"] = page(admin, "/moderation/readers")
    pages |= admin_tool_pages(admin)
    pages["admin-tools"] = page(admin, f"/moderation/comments/{made['waiting'].id}/tools?view=all")
    pages |= {
        f"author-tools-{name}": page(author, f"/moderation/comments/{comment.id}/tools?view=all")
        for name, comment in made.items()
        if name != "elsewhere"
    }
    pages |= sign_in_pages(app)
    for name, words in SHOWN.items():
        assert all(word in pages[name] for word in words), (name, words)
    errors = html_errors(pages, tmp_path)
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
