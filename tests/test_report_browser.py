"""The report page in real Chromium: two SVG charts with accessible names, no serious
accessibility problem, and a print version without navigation or forms.

The service runs as `flask run` on its own SQLite file; the comments are written with
exact times in this process, the way the service stores them.
"""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from comments_service import create_app
from comments_service.enums import CommentStatus, Decision, FollowUp
from comments_service.extensions import db
from comments_service.models import Comment, ModerationAction, Post, PostAuthor, Staff

from .axe_support import assert_accessible, keep_screenshot
from .browser_support import TIMEOUT_MS

pytestmark = pytest.mark.browser
expect.set_options(timeout=TIMEOUT_MS)

AUTHOR, EMAIL, PASSWORD = "Ana Lima", "ana@porch.test", "report browser password"
OCTOBER = "since=2026-10-01&until=2026-11-01"
# (day, kind, hours to answer or None, follow-up step or None)
COMMENTS = [
    (2, "question", 1, None),
    (3, "question", None, None),
    (6, "idea", 5, FollowUp.PASSED_ON),
    (9, "problem", 2, FollowUp.ACTED_ON),
    (14, "problem", 30, FollowUp.DECLINED),
    (15, "praise", 3, None),
    (20, None, None, None),
    (22, "idea", 8, None),
    (29, "question", 12, None),
]


def add_october(database_url: str) -> None:
    app = create_app({"PORCH_DATABASE_URL": database_url, "PORCH_SECRET_KEY": "report"})
    with app.app_context():
        ana = db.session.scalar(db.select(Staff).where(Staff.email == EMAIL))
        post = Post(slug="offline", title="Offline mode explained", path="/2026/10/offline/")
        post.authors = [PostAuthor(name=AUTHOR, position=0)]
        db.session.add(post)
        for number, (day, kind, hours, step) in enumerate(COMMENTS):
            comment = reader_comment(post, ana, number, day, kind, hours)
            db.session.add(comment)
            if step:
                db.session.add(follow_up(comment, ana, step))
        db.session.commit()
        db.engine.dispose()


def reader_comment(post, staff, number, day, kind, hours) -> Comment:
    created = datetime(2026, 10, day, 9, 0, tzinfo=UTC)
    answered = created + timedelta(hours=hours) if hours else None
    return Comment(
        post=post,
        author_name=f"Reader {number}",
        author_email=f"reader{number}@example.com",
        body_markdown=f"Comment {number}: could the app keep working offline for longer?",
        body_html="<p>text</p>",
        status=CommentStatus.APPROVED,
        created_at=created,
        published_at=created,
        kind=kind,
        answered_at=answered,
        answered_by_id=answered and staff.id,
    )


def follow_up(comment, staff, step) -> ModerationAction:
    """The step as services.listening stores it: on the comment and in the audit trail."""
    at = comment.created_at + timedelta(days=1)
    comment.follow_up, comment.follow_up_at, comment.follow_up_team = step, at, "Mobile"
    reasons = {
        FollowUp.PASSED_ON: (Decision.PASS_ON, "to Mobile: on the board"),
        FollowUp.ACTED_ON: (Decision.ACT_ON, "Done in 4.2"),
        FollowUp.DECLINED: (Decision.DECLINE, "Not this year"),
    }
    action, reason = reasons[step]
    return ModerationAction(
        comment=comment, staff=staff, action=action, reason=reason, created_at=at
    )


@pytest.fixture(scope="module")
def service(porch_site):
    porch = porch_site("porch-report", blog=False)
    porch.add_author(AUTHOR, EMAIL, PASSWORD)
    add_october(porch.database_url)
    porch.start()
    return SimpleNamespace(url=porch.service.url)


@pytest.fixture
def signed_in(open_page, service):
    page = open_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{service.url}/auth/login")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{service.url}/moderation/report?{OCTOBER}")
    return page


def test_the_report_page_has_two_named_charts_and_passes_axe(signed_in):
    page = signed_in
    expect(page.get_by_role("heading", level=1)).to_have_text("What readers told us: October 2026")
    expect(page.get_by_role("link", name="Report")).to_have_attribute("aria-current", "page")
    time_chart = page.get_by_role("img", name="Median time to the first answer", exact=False)
    kinds_chart = page.get_by_role("img", name="Reader comments by kind, per week", exact=False)
    expect(time_chart).to_have_count(1)
    expect(kinds_chart).to_have_count(1)
    assert time_chart.evaluate("svg => svg.tagName") == "svg"
    assert kinds_chart.evaluate("svg => svg.tagName") == "svg"
    times = time_chart.locator("desc").text_content()
    assert "W41 (from 5 October 2026): median 2 hours (2 answered)" in times
    assert "W40 (from 28 September 2026): median 1 hour (1 answered)" in times
    kinds = kinds_chart.locator("desc").text_content()
    assert "W40 (from 28 September 2026): 2 question;" in kinds
    assert "W43 (from 19 October 2026): 1 idea, 1 no kind yet;" in kinds
    expect(time_chart.locator("rect.chart-bar")).to_have_count(5)  # the weeks W40 to W44
    expect(kinds_chart.locator("rect.chart-series")).to_have_count(8)  # one per week and kind
    # The unanswered question, the idea passed on and the idea with no follow-up yet.
    expect(page.locator(".report-open-item")).to_have_count(3)
    assert_accessible(page)
    keep_screenshot(page, "moderation-report.png")


def test_the_printed_report_hides_navigation_and_forms_and_keeps_charts(signed_in):
    page = signed_in
    page.emulate_media(media="print")
    expect(page.locator("header nav").first).to_be_hidden()
    expect(page.locator("form.report-form")).to_be_hidden()
    expect(page.get_by_role("button", name="Show")).to_be_hidden()
    expect(page.locator("svg[role=img]")).to_have_count(2)
    expect(page.locator("svg[role=img]").first).to_be_visible()
    expect(page.locator("table.report-weeks")).to_be_visible()
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    ink = page.evaluate("getComputedStyle(document.querySelector('main')).color")
    assert (background, ink) == ("rgb(255, 255, 255)", "rgb(0, 0, 0)")
    breaks = page.evaluate("getComputedStyle(document.querySelector('table')).breakInside")
    assert breaks == "avoid"
    keep_screenshot(page, "moderation-report-print.png")
